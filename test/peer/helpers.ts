import * as fs from 'fs';
import { CfnGuardValidator } from '@cdklabs/cdk-validator-cfnguard';
import { App, IPolicyValidationPlugin, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { IConstruct } from 'constructs';
import { BlackHoleChecks } from '../../lib/gate/nag/black-hole-checks';

/** Plugin names as they appear in the validation report. */
export const PEER_PLUGINS = ['BlackHoleChecks', 'AwsSolutions', 'cdk-validator-cfnguard'] as const;

/** One unacknowledged finding: plugin, rule and construct path. */
export interface PeerFinding {
  readonly plugin: string;
  readonly rule: string;
  readonly path: string;
}

export interface PeerCheckResult {
  /** Whether synth failed on a validation report. */
  readonly failed: boolean;
  /** Names of the plugins whose validate() ran: all three, or the result proves nothing. */
  readonly ran: string[];
  /** Unacknowledged findings of every plugin in the report. */
  readonly findings: PeerFinding[];
}

/**
 * Synthesizes an app as `cdk synth` would with the gate and both peer checks registered
 * (BlackHoleChecks, AwsSolutionsChecks, CfnGuardValidator with the Control Tower rules), once.
 * Returns which plugins ran and every unacknowledged finding of the validation report.
 */
export function synthWithPeerChecks(app: App): PeerCheckResult {
  const plugins: IPolicyValidationPlugin[] = [new BlackHoleChecks(app), new AwsSolutionsChecks(app), new CfnGuardValidator()];
  const ran: string[] = [];
  for (const plugin of plugins) {
    const validate = plugin.validate.bind(plugin);
    (plugin as { validate: IPolicyValidationPlugin['validate'] }).validate = (context) => {
      ran.push(plugin.name);
      return validate(context);
    };
  }
  Validations.of(app).addPlugins(...plugins);
  const error = jest.spyOn(console, 'error').mockImplementation(() => undefined);
  const log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
  try {
    // force: a cached assembly would skip the plugins altogether.
    app.synth({ force: true });
    return { failed: false, ran, findings: [] };
  } catch (e) {
    const m = /found in: (\S+validation-report\.json)/.exec((e as Error).message);
    if (!m) throw e;
    const report = JSON.parse(fs.readFileSync(m[1], 'utf8'));
    const findings: PeerFinding[] = [];
    for (const p of report.pluginReports) {
      for (const v of p.violations) {
        const where = v.violatingConstructs ?? v.violatingResources ?? [];
        if (where.length === 0) findings.push({ plugin: p.pluginName, rule: v.ruleName, path: '' });
        for (const c of where) findings.push({ plugin: p.pluginName, rule: v.ruleName, path: c.constructPath ?? c.resourceLogicalId ?? '' });
      }
    }
    return { failed: true, ran, findings };
  } finally {
    error.mockRestore();
    log.mockRestore();
  }
}

/** Every acknowledged rule id in the construct tree (`Validations.of(c).acknowledge`), with its reasons. */
export function acknowledgedRuleIds(root: IConstruct): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const c of root.node.findAll()) {
    for (const entry of c.node.metadata) {
      if (entry.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY || !entry.data) continue;
      for (const [id, reason] of Object.entries(entry.data as Record<string, string>)) {
        out.set(id, [...(out.get(id) ?? []), reason]);
      }
    }
  }
  return out;
}
