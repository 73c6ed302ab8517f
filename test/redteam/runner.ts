import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, BootstraplessSynthesizer, Stack, Validations } from 'aws-cdk-lib';
import { CfnInclude } from 'aws-cdk-lib/cloudformation-include';
import { Template } from 'aws-cdk-lib/assertions';
import { main } from '../../lib/gate/cli/main';
import { BlackHoleChecks } from '../../lib/gate/nag/black-hole-checks';
import type { BenignVariant, EscapeCase } from './corpus';
import { buildEnvironment, CorpusEnv } from './environment';

/**
 * Runs corpus entries at both doors, without jest (the `redteam` script uses it too):
 * - construct level: a fresh environment app, the change, BlackHoleChecks registered, `app.synth()`
 *   (forced) - the outcome is whether synth failed and the BlackHoleChecks rule ids of the report;
 * - template level: the mutated clean template written to a file and audited by `black-hole audit
 *   --format json` in-process - the exit code and the rule ids of the findings;
 * and, at each level, `BlackHoleChecks.validateScope` on the same input (`scoped`): the construct-level
 * app itself, or an App that includes the mutated template with CfnInclude.
 */

process.env.CDK_VALIDATION = process.env.CDK_VALIDATION ?? 'false';
process.env.CDK_DISABLE_CLI_TELEMETRY = 'true';

export interface DoorResult {
  /** Construct level: synth failed. Template level: the CLI exited 1. */
  readonly failed: boolean;
  readonly ruleIds: readonly string[];
  /** CLI exit code (template level) or -1 (construct level). */
  readonly code: number;
  /** Set when the case itself broke (construct threw, CLI exit 2). */
  readonly error?: string;
  /**
   * The third door on the same input: `BlackHoleChecks.validateScope(app)` on the construct-level
   * app (before its synth), or on an App that includes the mutated template (CfnInclude).
   */
  readonly scoped?: { readonly failed: boolean; readonly ruleIds: readonly string[]; readonly error?: string };
}

let cleanTemplate: any;

/** The clean environment template, synthesized once per process. */
export function baseTemplate(): any {
  if (!cleanTemplate) cleanTemplate = templateOf(buildEnvironment().stack);
  return JSON.parse(JSON.stringify(cleanTemplate));
}

function templateOf(stack: Stack): any {
  return JSON.parse(JSON.stringify(Template.fromStack(stack).toJSON()));
}

/** Applies a construct-level change to a fresh environment and synthesizes it with BlackHoleChecks. */
export function runConstructLevel(change: (stack: Stack, env: CorpusEnv) => void): DoorResult {
  let env: CorpusEnv;
  try {
    env = buildEnvironment();
    change(env.stack, env);
  } catch (e) {
    return { failed: false, ruleIds: [], code: -1, error: `construct change threw: ${(e as Error).message}` };
  }
  const restore = silenceConsole();
  const scoped = scopedDoor(env.app);
  Validations.of(env.app).addPlugins(new BlackHoleChecks(env.app));
  try {
    env.app.synth({ force: true });
    return { failed: false, ruleIds: reportRuleIds(path.join(env.app.outdir, 'validation-report.json')), code: -1, scoped };
  } catch (e) {
    const m = /found in: (\S+validation-report\.json)/.exec((e as Error).message);
    if (!m) return { failed: true, ruleIds: [], code: -1, error: `synth threw: ${(e as Error).message.split('\n')[0]}`, scoped };
    return { failed: true, ruleIds: reportRuleIds(m[1]), code: -1, scoped };
  } finally {
    restore();
    const outdir = env.app.outdir;
    if (outdir.startsWith(os.tmpdir())) fs.rmSync(outdir, { recursive: true, force: true });
  }
}

/** BlackHoleChecks.validateScope(app): cdk-nag's direct entry, on the same app. */
export function scopedDoor(app: App): NonNullable<DoorResult['scoped']> {
  try {
    const report = new BlackHoleChecks(app).validateScope(app);
    return { failed: !report.success, ruleIds: [...new Set(report.violations.map((v) => v.ruleName))].sort() };
  } catch (e) {
    return { failed: false, ruleIds: [], error: `validateScope threw: ${(e as Error).message.split('\n')[0]}` };
  }
}

/** BlackHoleChecks rule ids of a synth's validation report (warnings too); none when synth wrote none. */
function reportRuleIds(file: string): string[] {
  if (!fs.existsSync(file)) return [];
  const report = JSON.parse(fs.readFileSync(file, 'utf8'));
  const ours = report.pluginReports.find((p: any) => p.pluginName === 'BlackHoleChecks');
  return [...new Set<string>((ours?.violations ?? []).map((v: any) => v.ruleName))].sort();
}

/** Applies a template-level mutation to a copy of the clean template and runs `black-hole audit` on it. */
export function runTemplateLevel(mutate: (t: any) => void): DoorResult {
  const t = baseTemplate();
  try {
    mutate(t);
  } catch (e) {
    return { failed: false, ruleIds: [], code: -1, error: `template mutation threw: ${(e as Error).message}` };
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bh-redteam-'));
  try {
    const file = path.join(dir, 'Env.template.json');
    fs.writeFileSync(file, JSON.stringify(t));
    let stdout = '';
    let stderr = '';
    const code = main(['audit', file, '--format', 'json'], {
      stdout: (s) => {
        stdout += s;
      },
      stderr: (s) => {
        stderr += s;
      },
    });
    if (code === 2) return { failed: false, ruleIds: [], code, error: `audit exit 2: ${stderr.trim()}` };
    const report = JSON.parse(stdout);
    const ruleIds = [...new Set<string>(report.findings.filter((f: any) => !f.acknowledged || f.acknowledged.failsGate).map((f: any) => f.ruleId))].sort();
    return { failed: code === 1, ruleIds, code, scoped: includedScopedDoor(t, dir) };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** validateScope on a fresh App whose stack `Env` includes the template (CfnInclude). */
function includedScopedDoor(t: any, dir: string): NonNullable<DoorResult['scoped']> {
  const restore = silenceConsole();
  try {
    const file = path.join(dir, 'Env.include.json');
    fs.writeFileSync(file, JSON.stringify(t));
    const app = new App({ outdir: path.join(dir, 'cdk.out') });
    // The included template brings its own bootstrap version parameter and rule.
    const stack = new Stack(app, 'Env', { synthesizer: new BootstraplessSynthesizer() });
    new CfnInclude(stack, 'Template', { templateFile: file });
    return scopedDoor(app);
  } catch (e) {
    return { failed: false, ruleIds: [], error: `include threw: ${(e as Error).message.split('\n')[0]}` };
  } finally {
    restore();
  }
}

function silenceConsole(): () => void {
  const { error, log, warn } = console;
  console.error = () => undefined;
  console.log = () => undefined;
  console.warn = () => undefined;
  return () => {
    console.error = error;
    console.log = log;
    console.warn = warn;
  };
}

/** Whether a door caught an escape case: it failed, with every expected rule. */
export function caught(c: EscapeCase, r: DoorResult): boolean {
  return !r.error && r.failed && c.rules.every((x) => r.ruleIds.includes(x));
}

/** Whether a door passed a benign variant. */
export function passed(r: DoorResult): boolean {
  return !r.error && !r.failed && r.ruleIds.length === 0;
}

export interface CaseOutcome {
  readonly id: string;
  readonly construct: DoorResult;
  readonly template: DoorResult;
}

export function runCase(c: EscapeCase | BenignVariant): CaseOutcome {
  return { id: c.id, construct: runConstructLevel(c.construct), template: runTemplateLevel(c.template) };
}
