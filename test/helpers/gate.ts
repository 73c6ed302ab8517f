import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, PolicyValidationPluginReport, Stack, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { main } from '../../lib/gate/cli/main';
import { IConstruct } from 'constructs';
import { BlackHoleChecks, type BlackHoleChecksProps } from '../../lib/gate/nag/black-hole-checks';

/** Runs `black-hole audit` in-process and returns its exit code, stdout and stderr. */
export function runCli(args: string[]): { code: number; stdout: string; stderr: string } {
  let stdout = '';
  let stderr = '';
  const code = main(args, {
    stdout: (s) => {
      stdout += s;
    },
    stderr: (s) => {
      stderr += s;
    },
  });
  return { code, stdout, stderr };
}

/** Writes templates to a fresh directory and audits them as JSON: exit code and rule ids found. */
export function auditTemplates(templates: Record<string, unknown>, extraArgs: string[] = []): { code: number; ruleIds: string[]; report: any; stderr: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bh-audit-'));
  const files = Object.entries(templates).map(([name, t]) => {
    const file = path.join(dir, `${name}.template.json`);
    fs.writeFileSync(file, JSON.stringify(t, null, 1));
    return file;
  });
  let out: { code: number; stdout: string; stderr: string };
  try {
    out = runCli(['audit', ...files, '--format', 'json', ...extraArgs]);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  const { code, stdout, stderr } = out;
  const report = stdout ? JSON.parse(stdout) : undefined;
  const ruleIds = report
    ? [...new Set<string>(report.findings.filter((f: any) => !f.acknowledged || f.acknowledged.failsGate).map((f: any) => f.ruleId))].sort()
    : [];
  return { code, ruleIds, report, stderr };
}

/**
 * Synthesizes an app with BlackHoleChecks registered, as `cdk synth` would. Returns whether synth
 * failed and the BlackHoleChecks rule ids of the validation report (warnings too: they are reported
 * without failing synth, as they are reported without failing the CLI).
 */
export function synthWithChecks(app: App): { failed: boolean; ruleIds: string[] } {
  Validations.of(app).addPlugins(new BlackHoleChecks(app));
  const spy = jest.spyOn(console, 'error').mockImplementation(() => undefined);
  const log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
  let failed = false;
  let reportFile = path.join(app.outdir, 'validation-report.json');
  // A report left by an earlier synth of the same app must not be read as this synth's.
  fs.rmSync(reportFile, { force: true });
  try {
    // force: an app synthesized before (e.g. by Template.fromStack) would otherwise return its
    // cached assembly without running the validation plugins at all.
    app.synth({ force: true });
  } catch (e) {
    const m = /found in: (\S+validation-report\.json)/.exec((e as Error).message);
    if (!m) throw e;
    failed = true;
    reportFile = m[1];
  } finally {
    spy.mockRestore();
    log.mockRestore();
  }
  if (!fs.existsSync(reportFile)) return { failed, ruleIds: [] };
  const report = JSON.parse(fs.readFileSync(reportFile, 'utf8'));
  const ours = report.pluginReports.find((p: any) => p.pluginName === 'BlackHoleChecks');
  const ruleIds = [...new Set<string>((ours?.violations ?? []).map((v: any) => v.ruleName))].sort();
  return { failed, ruleIds };
}

/** `BlackHoleChecks.validateScope(scope)` (cdk-nag's direct entry): whether it failed and the rule ids it reported. */
export function validateScopeWithChecks(
  scope: IConstruct,
  props: BlackHoleChecksProps = {},
): { failed: boolean; ruleIds: string[]; report: PolicyValidationPluginReport } {
  const spy = jest.spyOn(console, 'error').mockImplementation(() => undefined);
  try {
    const root = scope.node.root as App;
    const report = new BlackHoleChecks(root, props).validateScope(scope);
    return { failed: !report.success, ruleIds: [...new Set(report.violations.map((v) => v.ruleName))].sort(), report };
  } finally {
    spy.mockRestore();
  }
}

/** The template of a stack, as plain JSON. */
export function templateOf(stack: Stack): any {
  return JSON.parse(JSON.stringify(Template.fromStack(stack).toJSON()));
}

/** Logical ID of the first resource of a type whose logical ID matches. */
export function logicalIdOf(template: any, type: string, pattern: RegExp = /./): string {
  const id = Object.keys(template.Resources).find((k) => template.Resources[k].Type === type && pattern.test(k));
  if (!id) throw new Error(`no ${type} matching ${pattern}`);
  return id;
}
