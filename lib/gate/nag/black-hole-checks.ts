import * as fs from 'fs';
import * as path from 'path';
import { CfnResource, IPolicyValidationContext, PolicyValidationPluginReport, PolicyViolatingResource, PolicyViolation, Stack, Stage } from 'aws-cdk-lib';
import type { NagPackProps } from 'cdk-nag';
// cdk-nag's index loads every pack and rule it ships (about 130 ms a process); the gate needs only
// the base class. cdk-nag 3 has no exports map, and its index re-exports this very module
// (test/package/package.test.ts pins that it is the same class). A loader with a fallback to the
// index would make the base class a local declaration of the public API (API.md, .d.ts).
import { NagPack } from 'cdk-nag/lib/nag-pack';
import { IConstruct } from 'constructs';
import { failsGate, runGate } from '../engine';
import type { Finding } from '../findings';
import { loadTemplates, TemplateModel, type LoadedTemplate } from '../model';
import type { Designations } from '../model/environments';
import type { GateRule } from '../rule';
import { ALL_RULES } from '../rules';

/**
 * Properties of BlackHoleChecks: cdk-nag's pack properties, and whether acknowledged core findings may pass.
 */
export interface BlackHoleChecksProps extends Omit<NagPackProps, 'writeSuppressionsToCloudFormation'> {
  /** The rules to run. @default - every rule of the gate */
  readonly rules?: GateRule[];
  /**
   * Accept acknowledgments of core rules, as `black-hole audit --allow-acknowledged` does. Without
   * it an acknowledged core finding still fails, at both doors.
   * @default false
   */
  readonly allowAcknowledged?: boolean;
  /**
   * Environment VPCs and agent roles named by logical ID or pattern (as `black-hole audit
   * --environment-vpc/--agent-role` or black-hole.config.json), for stacks that do not carry the
   * library's tags. A pattern that names nothing fails validation.
   * @default - none: environments and agent roles by their tags only
   */
  readonly designations?: Designations;
}

/**
 * The severity each finding is reported with, the same decision as the CLI's exit code:
 * - a failing finding of a core rule is `fatal`: aws-cdk-lib never suppresses a fatal violation, so a
 *   `Validations.of(c).acknowledge()` cannot silence it at synth, as `black-hole audit` refuses it;
 * - a failing finding of another rule is `error`;
 * - an unacknowledged warning is `warning`, which does not fail synth (the report's `success` counts
 *   only errors), as it does not fail the CLI (exit 0);
 * - an acknowledged finding that does not fail the gate is not a violation: it is listed in the
 *   report's metadata (`acknowledged`).
 */
export type ReportedSeverity = 'fatal' | 'error' | 'warning';

/** While above zero, validate() is silent: validateScope() is synthesizing the app to read its templates. */
let scopeSynthesisDepth = 0;

/**
 * The gate as a cdk-nag 3 pack: `Validations.of(app).addPlugins(new BlackHoleChecks(app))` makes
 * `cdk synth` fail when an agent can reach egress, change its own quotas or budgets, escape its
 * identity or blind the monitors.
 *
 * Both entries of the pack run the same engine as `black-hole audit` over the same input, the
 * cloud assembly this synth wrote, read by the CLI's own loader (stages, nested stacks):
 * - `validate(context)`, called by aws-cdk-lib at `app.synth()` / `cdk synth`;
 * - `validateScope(scope)`, cdk-nag's entry for tests and direct use: it synthesizes the app the
 *   scope belongs to (as `Template.fromStack` does) and reports the findings on resources inside
 *   the scope.
 *
 * Findings are placed on constructs by template file and logical ID, never by stack name (two
 * Stages may deploy stacks of the same name). Acknowledgments (`Validations.of(c).acknowledge({ id,
 * reason })`) are always written into the template's `cdk_nag` metadata and read from there by the
 * engine, so every door sees the same ones; acknowledged findings of core rules still fail unless
 * `allowAcknowledged` is set (the CLI's `--allow-acknowledged`). Warnings do not fail either door.
 */
export class BlackHoleChecks extends NagPack {
  public readonly name = 'BlackHoleChecks';
  public readonly ruleIds: string[];
  private readonly rules: readonly GateRule[];
  private readonly rulesById = new Map<string, GateRule>();
  private readonly allowAcknowledged: boolean;
  private readonly designations?: Designations;
  private readonly verboseDescriptions: boolean;

  constructor(scope: IConstruct, props: BlackHoleChecksProps = {}) {
    super(scope, { ...props, writeSuppressionsToCloudFormation: true });
    this.packName = 'BlackHole';
    this.rules = props.rules ?? ALL_RULES;
    for (const r of this.rules) this.rulesById.set(r.id, r);
    this.ruleIds = this.rules.map((r) => r.id);
    this.allowAcknowledged = props.allowAcknowledged ?? false;
    this.designations = props.designations;
    this.verboseDescriptions = props.verbose ?? false;
  }

  /** Called by aws-cdk-lib during synth, after the cloud assembly is written. */
  public validate(context: IPolicyValidationContext): PolicyValidationPluginReport {
    if (scopeSynthesisDepth > 0) return { success: true, violations: [] };
    const app = (context as IPolicyValidationContext & { appConstruct?: IConstruct }).appConstruct;
    if (!app) {
      throw new Error('BlackHoleChecks needs aws-cdk-lib 2.262 or later (the validation context has no construct tree)');
    }
    const root = app.node.root;
    if (!Stage.isStage(root)) throw new Error('BlackHoleChecks: the validated construct tree has no App or Stage at its root');
    const templates = selectTemplates(loadTemplates([root.outdir]), context.templatePaths);
    return this.evaluate(root, templates, root);
  }

  /**
   * Validates a construct tree directly (cdk-nag's entry for tests and direct use): synthesizes the
   * App or Stage at the root of `scope` and runs the gate over its cloud assembly, exactly as
   * `app.synth()` with this pack would, reporting findings on resources inside `scope` (and any
   * finding that cannot be placed on a construct: fail closed).
   *
   * Other validation plugins registered on the app run during that synthesis, as they do in
   * `Template.fromStack`. The next `app.synth()` synthesizes again, so the pack also runs there.
   */
  public validateScope(scope: IConstruct): PolicyValidationPluginReport {
    const root = scope.node.root;
    if (!Stage.isStage(root)) throw new Error(`BlackHoleChecks.validateScope: ${scope.node.path || 'the scope'} is not inside an App or Stage`);
    scopeSynthesisDepth++;
    let directory: string;
    try {
      directory = root.synth({ force: true }).directory;
    } finally {
      scopeSynthesisDepth--;
      forgetAssembly(root);
    }
    return this.evaluate(root, loadTemplates([directory]), scope);
  }

  /** Not used: both entries run the engine over the synthesized templates instead of one resource at a time. */
  protected checkResource(_node: CfnResource): void {
    // intentionally empty
  }

  private evaluate(root: Stage, templates: readonly LoadedTemplate[], scope: IConstruct): PolicyValidationPluginReport {
    const model = TemplateModel.fromTemplates(templates);
    const { findings } = runGate(model, { rules: this.rules, ...(this.designations ? { designations: this.designations } : {}) });
    const placement = ConstructIndex.of(root);
    const scopePath = scope === root ? undefined : scope.node.path;
    const byRule = new Map<string, { severity: ReportedSeverity; resources: Map<string, PolicyViolatingResource>; messages: Set<string> }>();
    const acknowledged: string[] = [];
    for (const f of findings) {
      const construct = placement.constructOf(f);
      const constructPath = construct?.node.path;
      // A finding that cannot be placed on a construct is reported whatever the scope: fail closed.
      if (scopePath !== undefined && constructPath !== undefined && constructPath !== scopePath && !constructPath.startsWith(`${scopePath}/`)) continue;
      const severity = reportedSeverity(f, this.allowAcknowledged);
      const where = constructPath ?? `${f.stack}/${f.resource}`;
      if (!severity) {
        acknowledged.push(`${f.ruleId} ${where}${f.acknowledged?.reason ? ` (${f.acknowledged.reason})` : ''}`);
        continue;
      }
      let v = byRule.get(f.ruleId);
      if (!v) byRule.set(f.ruleId, (v = { severity, resources: new Map(), messages: new Set() }));
      v.messages.add(f.message);
      const key = `${f.templatePath ?? f.stack}\u0000${f.resource}`;
      if (!v.resources.has(key)) {
        v.resources.set(key, {
          ...(constructPath !== undefined ? { constructPath } : {}),
          resourceLogicalId: f.resource,
          ...(f.templatePath ? { templatePath: f.templatePath } : {}),
          locations: ['Properties'],
        });
      }
    }
    const violations: PolicyViolation[] = [...byRule.entries()].map(([ruleId, v]) => {
      const rule = this.rulesById.get(ruleId);
      const info = rule?.info ?? ruleId;
      const head = this.verboseDescriptions && rule ? `${info} ${rule.explanation}` : info;
      return {
        ruleName: ruleId,
        description: [head, ...[...v.messages].map((m) => `  - ${m}`)].join('\n'),
        ...(rule ? { fix: rule.explanation } : {}),
        severity: v.severity,
        ruleMetadata: { core: String(rule?.core ?? true) },
        violatingResources: [...v.resources.values()],
      };
    });
    const success = !violations.some((v) => v.severity === 'fatal' || v.severity === 'error');
    return {
      success,
      violations,
      ...(acknowledged.length ? { metadata: { acknowledged: acknowledged.join('; ') } } : {}),
    };
  }
}

/** The severity a finding is reported with at synth, or undefined when it is acknowledged and does not fail the gate. */
export function reportedSeverity(f: Finding, allowAcknowledged = false): ReportedSeverity | undefined {
  if (f.acknowledged && !failsGate(f, allowAcknowledged)) return undefined;
  if (f.severity === 'warning') return 'warning';
  return f.core ? 'fatal' : 'error';
}

/**
 * The templates aws-cdk-lib handed the plugin, as the CLI's loader reads them from the cloud
 * assembly (stack names from the manifest, nested stacks linked to their parents). A template the
 * loader did not find is read as a plain file rather than skipped.
 */
function selectTemplates(loaded: readonly LoadedTemplate[], templatePaths: readonly string[]): LoadedTemplate[] {
  const wanted = new Set(templatePaths.map((p) => path.resolve(p)));
  const kept: LoadedTemplate[] = [];
  const keptNames = new Set<string>();
  for (const t of loaded) {
    const inContext = t.templatePath !== undefined && wanted.has(path.resolve(t.templatePath));
    const nestedInKept = t.nestedIn !== undefined && keptNames.has(t.nestedIn.stackName);
    if (!inContext && !nestedInKept) continue;
    kept.push(t);
    keptNames.add(t.stackName);
  }
  const found = new Set(kept.map((t) => path.resolve(t.templatePath ?? '')));
  for (const p of wanted) {
    if (found.has(p)) continue;
    kept.push(...loadTemplates([p]));
  }
  return kept;
}

/**
 * CfnResources and stacks of an app by template file, to place findings on constructs. Built on the
 * first finding, and a stack's resources on the first finding in that stack: a clean app of many
 * environments places nothing and resolves no logical ID.
 */
class ConstructIndex {
  public static of(root: Stage): ConstructIndex {
    return new ConstructIndex(root);
  }

  private stacks?: Map<string, Stack>;
  private readonly resources = new Map<Stack, Map<string, IConstruct>>();

  private constructor(private readonly root: Stage) {}

  /** The construct of a finding's resource, else its stack's, else undefined. */
  public constructOf(f: Finding): IConstruct | undefined {
    if (!f.templatePath) return undefined;
    const stack = this.stacksByFile().get(realPath(f.templatePath));
    if (!stack) return undefined;
    return this.resourcesOf(stack).get(f.resource) ?? stack;
  }

  private stacksByFile(): Map<string, Stack> {
    if (!this.stacks) {
      this.stacks = new Map();
      for (const c of this.root.node.findAll()) if (Stack.isStack(c)) this.stacks.set(templateFileOf(c), c);
    }
    return this.stacks;
  }

  private resourcesOf(stack: Stack): Map<string, IConstruct> {
    let byId = this.resources.get(stack);
    if (!byId) {
      byId = new Map();
      for (const c of stack.node.findAll()) {
        if (!CfnResource.isCfnResource(c) || Stack.of(c) !== stack) continue;
        const logicalId = stack.resolve(c.logicalId);
        if (typeof logicalId === 'string') byId.set(logicalId, c);
      }
      this.resources.set(stack, byId);
    }
    return byId;
  }
}

function templateFileOf(stack: Stack): string {
  const stage = Stage.of(stack);
  return realPath(path.join(stage?.outdir ?? '', stack.templateFile));
}

function realPath(p: string): string {
  const abs = path.resolve(p);
  try {
    return fs.realpathSync(abs);
  } catch {
    return abs;
  }
}

/**
 * Drops the assembly a Stage cached at validateScope's synthesis (the pack was silent during it), so
 * that the next `synth()` synthesizes, and validates, again. aws-cdk-lib keeps it in a private field;
 * test/gate/doors.test.ts proves the next synth still fails a leaky app.
 */
function forgetAssembly(stage: Stage): void {
  (stage as unknown as { assembly?: unknown }).assembly = undefined;
}
