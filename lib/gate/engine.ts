import type { Finding, FindingSummary } from './findings';
import type { ModelResource, TemplateModel } from './model';
import { applyDesignations, type Designations } from './model/environments';
import type { GateRule } from './rule';
import { ALL_RULES } from './rules';

/** What `runGate` returns: the findings and their summary. */
export interface GateResult {
  /** Every finding, sorted by stack, resource and rule. */
  readonly findings: readonly Finding[];
  /** Counts of the findings and of what was analysed. */
  readonly summary: FindingSummary;
}

/** Options of `runGate`. */
export interface GateOptions {
  /** Rules to run. @default ALL_RULES */
  readonly rules?: readonly GateRule[];
  /**
   * Environment VPCs and agent roles named by logical ID or pattern, for templates not built with
   * this library: applied as the tags they stand for before the rules run (see applyDesignations).
   * @default - none: environments and agent roles by their tags only
   */
  readonly designations?: Designations;
}

/**
 * The one engine behind both doors: runs every rule over the model and returns the findings, each
 * marked with the acknowledgment its resource records (cdk-nag `rules_to_suppress` metadata, by
 * rule id or `ruleId[...]`), sorted by stack, resource and rule.
 */
export function runGate(model: TemplateModel, options: GateOptions = {}): GateResult {
  if (options.designations) return runGate(applyDesignations(model, options.designations).model, { ...options, designations: undefined });
  const rules = options.rules ?? ALL_RULES;
  const findings: Finding[] = [];
  for (const rule of rules) {
    for (const f of rule.check({ model })) {
      const ack = acknowledgementOf(f.resource, rule.id);
      findings.push({
        ruleId: rule.id,
        severity: rule.severity,
        stack: f.resource.stack.name,
        resource: f.resource.logicalId,
        ...(f.resource.stack.templatePath ? { templatePath: f.resource.stack.templatePath } : {}),
        ...(f.resource.path ? { path: f.resource.path } : {}),
        message: f.message,
        evidence: f.evidence,
        core: rule.core,
        ...(ack ? { acknowledged: ack } : {}),
      });
    }
  }
  findings.sort((a, b) => a.stack.localeCompare(b.stack) || a.resource.localeCompare(b.resource) || a.ruleId.localeCompare(b.ruleId));
  return { findings, summary: summarise(model, findings, rules.length) };
}

function acknowledgementOf(resource: ModelResource, ruleId: string): { reason?: string } | undefined {
  // Acknowledgments may be written plain (`BlackHole-NET1`) or plugin-qualified (`BlackHole::BlackHole-NET1`).
  const ack = resource.acknowledgements.find((a) => {
    const id = a.id.replace(/^[^:[]+::/, '');
    return id === ruleId || id.startsWith(`${ruleId}[`);
  });
  return ack ? { ...(ack.reason ? { reason: ack.reason } : {}) } : undefined;
}

/**
 * Whether a finding fails the gate: an unacknowledged error, or an acknowledged error of a core rule
 * unless acknowledged core findings are explicitly allowed.
 */
export function failsGate(f: Finding, allowAcknowledged = false): boolean {
  if (f.severity !== 'error') return false;
  if (!f.acknowledged) return true;
  return f.core && !allowAcknowledged;
}

function summarise(model: TemplateModel, findings: readonly Finding[], rules: number): FindingSummary {
  const byRule: Record<string, number> = {};
  for (const f of findings) byRule[f.ruleId] = (byRule[f.ruleId] ?? 0) + 1;
  let resources = 0;
  for (const s of model.stacks) resources += s.resources.size;
  return {
    errors: findings.filter((f) => f.severity === 'error' && !f.acknowledged).length,
    warnings: findings.filter((f) => f.severity === 'warning' && !f.acknowledged).length,
    acknowledged: findings.filter((f) => f.acknowledged).length,
    stacks: model.stacks.length,
    environments: model.environments.names().length,
    resources,
    rules,
    byRule,
  };
}
