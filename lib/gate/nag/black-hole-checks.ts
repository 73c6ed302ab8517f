import * as fs from 'fs';
import * as path from 'path';
import { CfnResource, IPolicyValidationContext, PolicyValidationPluginReport, Stack } from 'aws-cdk-lib';
import { NagMessageLevel, NagPack, NagPackProps, NagRuleCompliance } from 'cdk-nag';
import { IConstruct } from 'constructs';
import { runGate } from '../engine';
import type { Finding } from '../findings';
import { TemplateModel, type TemplateInput } from '../model';
import type { GateRule } from '../rule';
import { ALL_RULES } from '../rules';

export interface BlackHoleChecksProps extends Omit<NagPackProps, 'writeSuppressionsToCloudFormation'> {
  /** The rules to run. @default - every rule of the gate */
  readonly rules?: GateRule[];
}

/**
 * The gate as a cdk-nag 3 pack: `Validations.of(app).addPlugins(new BlackHoleChecks(app))` makes
 * `cdk synth` fail when an agent can reach egress, change its own quotas or budgets, escape its
 * identity or blind the monitors.
 *
 * It runs the same engine as `black-hole audit` over the templates this synth produced, then reports
 * each finding on its resource. Acknowledgments (`Validations.of(c).acknowledge({ id, reason })`)
 * work as in any cdk-nag pack, and are always written into the template's `cdk_nag` metadata, so
 * that `black-hole audit` sees them: it reports acknowledged findings of core rules as errors unless
 * run with `--allow-acknowledged`.
 */
export class BlackHoleChecks extends NagPack {
  public readonly name = 'BlackHoleChecks';
  private readonly rules: readonly GateRule[];
  private findings = new Map<string, Finding[]>();
  private rulesById = new Map<string, GateRule>();

  constructor(scope: IConstruct, props: BlackHoleChecksProps = {}) {
    super(scope, { ...props, writeSuppressionsToCloudFormation: true });
    this.packName = 'BlackHole';
    this.rules = props.rules ?? ALL_RULES;
    for (const r of this.rules) this.rulesById.set(r.id, r);
  }

  public validate(context: IPolicyValidationContext): PolicyValidationPluginReport {
    const app = (context as IPolicyValidationContext & { appConstruct?: IConstruct }).appConstruct;
    if (!app) {
      throw new Error('BlackHoleChecks needs aws-cdk-lib 2.262 or later (the validation context has no construct tree)');
    }
    const model = TemplateModel.fromTemplates(stackTemplates(app, context.templatePaths));
    const { findings } = runGate(model, { rules: this.rules });
    this.findings = new Map();
    for (const f of findings) {
      const key = `${f.stack}\u0000${f.resource}`;
      this.findings.set(key, [...(this.findings.get(key) ?? []), f]);
    }
    const report = super.validate(context);
    return { ...report, violations: report.violations.map((v) => ({ ...v, description: this.describe(v.ruleName, v.violatingResources.map((r) => r.constructPath ?? '')) })) };
  }

  protected checkResource(node: CfnResource): void {
    const stack = Stack.of(node);
    const logicalId = stack.resolve(node.logicalId) as string;
    const found = this.findings.get(`${stack.stackName}\u0000${logicalId}`);
    if (!found) return;
    for (const ruleId of new Set(found.map((f) => f.ruleId))) {
      const rule = this.rulesById.get(ruleId)!;
      this.applyRule({
        ruleSuffixOverride: rule.id.replace(/^BlackHole-/, ''),
        info: rule.info,
        explanation: rule.explanation,
        level: rule.severity === 'error' ? NagMessageLevel.ERROR : NagMessageLevel.WARN,
        node,
        rule: () => NagRuleCompliance.NON_COMPLIANT,
      });
    }
  }

  /** The rule's one-line info, then each violating resource's own finding message. */
  private describe(ruleName: string, constructPaths: string[]): string {
    const rule = this.rulesById.get(ruleName);
    const messages = new Set<string>();
    for (const list of this.findings.values()) {
      for (const f of list) {
        if (f.ruleId === ruleName && (!f.path || constructPaths.includes(f.path) || constructPaths.length === 0)) messages.add(f.message);
      }
    }
    return [rule?.info ?? ruleName, ...[...messages].map((m) => `  - ${m}`)].join('\n');
  }
}

/** Each stack of the app with the template this synth wrote for it. */
function stackTemplates(app: IConstruct, templatePaths: readonly string[]): TemplateInput[] {
  const byFile = new Map(templatePaths.map((p) => [path.basename(p), p]));
  const out: TemplateInput[] = [];
  for (const c of app.node.findAll()) {
    if (!Stack.isStack(c)) continue;
    const file = byFile.get(c.templateFile);
    if (!file || !fs.existsSync(file)) continue;
    out.push({ stackName: c.stackName, template: JSON.parse(fs.readFileSync(file, 'utf8')), templatePath: file });
  }
  return out;
}
