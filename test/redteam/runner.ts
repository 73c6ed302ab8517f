import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Stack, Validations } from 'aws-cdk-lib';
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
 *   --format json` in-process - the exit code and the rule ids of the findings.
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
  Validations.of(env.app).addPlugins(new BlackHoleChecks(env.app));
  const restore = silenceConsole();
  try {
    env.app.synth({ force: true });
    return { failed: false, ruleIds: [], code: -1 };
  } catch (e) {
    const m = /found in: (\S+validation-report\.json)/.exec((e as Error).message);
    if (!m) return { failed: true, ruleIds: [], code: -1, error: `synth threw: ${(e as Error).message.split('\n')[0]}` };
    const report = JSON.parse(fs.readFileSync(m[1], 'utf8'));
    const ours = report.pluginReports.find((p: any) => p.pluginName === 'BlackHoleChecks');
    const ruleIds = [...new Set<string>((ours?.violations ?? []).map((v: any) => v.ruleName))].sort();
    return { failed: true, ruleIds, code: -1 };
  } finally {
    restore();
    const outdir = env.app.outdir;
    if (outdir.startsWith(os.tmpdir())) fs.rmSync(outdir, { recursive: true, force: true });
  }
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
    const code = main(['audit', file, '--format', 'json'], { stdout: (s) => { stdout += s; }, stderr: (s) => { stderr += s; } });
    if (code === 2) return { failed: false, ruleIds: [], code, error: `audit exit 2: ${stderr.trim()}` };
    const report = JSON.parse(stdout);
    const ruleIds = [...new Set<string>(report.findings.map((f: any) => f.ruleId))].sort();
    return { failed: code === 1, ruleIds, code };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
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
