import type { ModelResource, TemplateModel } from './model';

/** Severity of a finding: errors fail the gate; warnings are reported (and fail cdk-nag 3 synth too). */
export type Severity = 'error' | 'warning';

/** What a rule reports about one resource. */
export interface RuleFinding {
  /** The resource the finding is about (acknowledgments attach to it). */
  readonly resource: ModelResource;
  /** One sentence naming the principal or path, the action(s), and what grants them. */
  readonly message: string;
  /** Machine-readable evidence: actions, statements, chains, paths. */
  readonly evidence: Readonly<Record<string, unknown>>;
}

/** What a rule may ask: the model and the analyses, computed once per model and shared. */
export interface GateContext {
  /** The templates under audit; analyses are cached per model (`XAnalysis.of(model)`). */
  readonly model: TemplateModel;
}

/**
 * A gate rule. One rule per file in lib/gate/rules; the file name is the rule's name. Rules ask the
 * model and the analyses; they never re-parse templates.
 */
export interface GateRule {
  /** `BlackHole-<AREA><n>`. */
  readonly id: string;
  /** PascalCase name, the file's name. */
  readonly name: string;
  /** Severity of its findings: `error` fails the gate, `warning` is reported. */
  readonly severity: Severity;
  /**
   * Core rules (egress, tunnels, quotas/budgets/billing, identity escape) cannot be silently
   * acknowledged: `black-hole audit` reports an acknowledged core finding as an error unless
   * `--allow-acknowledged` is given.
   */
  readonly core: boolean;
  /** What is wrong, one sentence. */
  readonly info: string;
  /** Why it matters and how to fix it. */
  readonly explanation: string;
  /** The rule's findings for the model (the engine adds rule ids, acknowledgments and locations). */
  check(context: GateContext): RuleFinding[];
}
