import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, BootstraplessSynthesizer, Stack, Stage, Validations } from 'aws-cdk-lib';
import { CfnInclude } from 'aws-cdk-lib/cloudformation-include';
import { main } from '../../lib/gate/cli/main';
import { BlackHoleChecks } from '../../lib/gate/nag/black-hole-checks';
import { BaseIds, idsOf } from './environment';
import { validateJsonSchema } from './json-schema';
import { baseTemplate } from './runner';

/**
 * Red-team cases as data (test/redteam/cases/*.json, shape in cases/case.schema.json): the loader,
 * the mutation of the clean environment template, and the three doors every case runs through:
 * 1. `BlackHoleChecks.validateScope(app)` on a fresh App whose stack includes the mutated template
 *    (aws-cdk-lib/cloudformation-include CfnInclude);
 * 2. `app.synth()` of that app with BlackHoleChecks registered (the validation report);
 * 3. `black-hole audit --format json` on the mutated template file(s) (and, for cases with stages,
 *    on the cloud assembly door 2 wrote as well).
 * Plain functions, no jest: the `redteam` script uses them too.
 */

process.env.CDK_VALIDATION = process.env.CDK_VALIDATION ?? 'false';
process.env.CDK_DISABLE_CLI_TELEMETRY = 'true';

export const CASES_DIR = path.join(__dirname, 'cases');
export const SCHEMA_FILE = path.join(CASES_DIR, 'case.schema.json');

export type Mutation =
  | { readonly op: 'add'; readonly logicalId: string; readonly resource: Record<string, unknown> }
  | { readonly op: 'set'; readonly logicalId: string; readonly path: readonly (string | number)[]; readonly value: unknown }
  | { readonly op: 'remove'; readonly logicalId: string; readonly path?: readonly (string | number)[] };

export interface DataCase {
  readonly id: string;
  readonly kind: 'escape' | 'benign';
  readonly description: string;
  readonly escapes: readonly number[];
  readonly source: string;
  readonly mutations: readonly Mutation[];
  readonly rules: readonly string[];
  /** Deployed stack name (default `Env`); with stages, the name every stage reuses. */
  readonly stackName?: string;
  /** One CDK Stage per entry, each deploying the mutated template with its own further mutations. */
  readonly stages?: readonly { readonly id: string; readonly mutations: readonly Mutation[] }[];
  /** The file the case came from (set by the loader). */
  readonly file: string;
}

/** Every case of every JSON file in the cases folder (except the schema), validated; throws listing every problem. */
export function loadDataCases(dir: string = CASES_DIR): DataCase[] {
  const schema = JSON.parse(fs.readFileSync(SCHEMA_FILE, 'utf8'));
  const problems: string[] = [];
  const cases: DataCase[] = [];
  const files = fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.json') && path.join(dir, f) !== SCHEMA_FILE)
    .sort();
  for (const file of files) {
    let doc: unknown;
    try {
      doc = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8'));
    } catch (e) {
      problems.push(`${file}: invalid JSON: ${(e as Error).message}`);
      continue;
    }
    const errors = validateJsonSchema(schema, doc);
    if (errors.length) {
      problems.push(...errors.map((e) => `${file}: ${e}`));
      continue;
    }
    for (const c of (doc as { cases: Omit<DataCase, 'file'>[] }).cases) {
      cases.push({ ...c, file });
      if (c.kind === 'benign' && c.rules.length) problems.push(`${file}: benign case ${c.id} names rules`);
      if (c.kind === 'escape' && !c.rules.length) problems.push(`${file}: escape case ${c.id} names no rule`);
    }
  }
  const seen = new Map<string, string>();
  for (const c of cases) {
    if (seen.has(c.id)) problems.push(`case id ${c.id} in both ${seen.get(c.id)} and ${c.file}`);
    seen.set(c.id, c.file);
  }
  if (problems.length) throw new Error(`red-team case files are invalid:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  return cases;
}

/** The logical ID a `$name` / `$list[i]` placeholder stands for in the base template. */
function placeholder(ids: BaseIds, s: string, caseId: string): string | undefined {
  const m = /^\$([A-Za-z]+)(?:\[(\d+)\])?$/.exec(s);
  if (!m) return undefined;
  const v = (ids as unknown as Record<string, string | string[]>)[m[1]];
  const id = Array.isArray(v) ? (m[2] !== undefined ? v[Number(m[2])] : undefined) : m[2] === undefined ? v : undefined;
  if (typeof id !== 'string') throw new Error(`case ${caseId}: unknown placeholder ${s}`);
  return id;
}

function substitute(ids: BaseIds, v: unknown, caseId: string): unknown {
  if (typeof v === 'string') return placeholder(ids, v, caseId) ?? v;
  if (Array.isArray(v)) return v.map((x) => substitute(ids, x, caseId));
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, substitute(ids, x, caseId)]));
  return v;
}

/** Applies mutations to a template in place (placeholders resolved against the base resources). */
export function applyMutations(t: any, mutations: readonly Mutation[], caseId: string): void {
  const ids = idsOf(baseTemplate());
  for (const m of mutations) {
    const logicalId = placeholder(ids, m.logicalId, caseId) ?? m.logicalId;
    if (m.op === 'add') {
      if (t.Resources[logicalId]) throw new Error(`case ${caseId}: add ${logicalId}: the resource exists`);
      t.Resources[logicalId] = substitute(ids, m.resource, caseId);
      continue;
    }
    const resource = t.Resources[logicalId];
    if (!resource) throw new Error(`case ${caseId}: ${m.op} ${logicalId}: no such resource`);
    if (m.op === 'remove' && !m.path) {
      delete t.Resources[logicalId];
      continue;
    }
    const p = m.path!;
    let node = resource;
    for (const key of p.slice(0, -1)) {
      if (node[key] === undefined && m.op === 'set') node[key] = typeof key === 'number' ? [] : {};
      node = node[key];
      if (node === null || typeof node !== 'object') throw new Error(`case ${caseId}: ${m.op} ${logicalId}.${p.join('.')}: path goes through a non-object`);
    }
    const last = p[p.length - 1];
    if (m.op === 'set') {
      node[last] = substitute(ids, m.value, caseId);
    } else if (Array.isArray(node) && typeof last === 'number') {
      node.splice(last, 1);
    } else {
      if (!(last in node)) throw new Error(`case ${caseId}: remove ${logicalId}.${p.join('.')}: no such key`);
      delete node[last];
    }
  }
}

/** The templates of a case: stack label -> mutated template (one per stage when the case has stages). */
export function caseTemplates(c: DataCase): Map<string, any> {
  const out = new Map<string, any>();
  const stackName = c.stackName ?? 'Env';
  for (const stage of c.stages ?? [undefined]) {
    const t = baseTemplate();
    applyMutations(t, c.mutations, c.id);
    if (stage) applyMutations(t, stage.mutations, c.id);
    declareConditions(t);
    out.set(stage ? `${stage.id}-${stackName}` : stackName, t);
  }
  return out;
}

/**
 * Mutations touch resources only, so a case that chooses a value with `Fn::If` names a condition
 * the template does not define. CloudFormation (and CfnInclude) reject such a template; the gate
 * reads both branches whatever the condition says. Every door gets the same valid template: each
 * undefined condition is declared as one that depends on the deploying account, so that either
 * branch may hold.
 */
export function declareConditions(t: any): void {
  const used = new Set<string>();
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) {
      v.forEach(walk);
      return;
    }
    if (!v || typeof v !== 'object') return;
    for (const [k, x] of Object.entries(v)) {
      if (k === 'Fn::If' && Array.isArray(x) && typeof x[0] === 'string') used.add(x[0]);
      if (k === 'Condition' && typeof x === 'string') used.add(x);
      walk(x);
    }
  };
  walk(t.Resources);
  walk(t.Outputs);
  walk(t.Conditions);
  const missing = [...used].filter((n) => !(t.Conditions && n in t.Conditions));
  if (missing.length === 0) return;
  t.Conditions = { ...(t.Conditions ?? {}) };
  for (const n of missing) t.Conditions[n] = { 'Fn::Equals': [{ Ref: 'AWS::AccountId' }, '111122223333'] };
}

export interface DoorOutcome {
  readonly failed: boolean;
  /** Rule ids reported (warnings included; acknowledged findings that do not fail the gate excluded). */
  readonly ruleIds: readonly string[];
  /** Set when the case could not be run at this door (include, synth or CLI input error). */
  readonly error?: string;
}

export interface ThreeDoors {
  readonly validateScope: DoorOutcome;
  readonly synth: DoorOutcome;
  readonly cli: DoorOutcome;
  /** For cases with stages: the CLI on the cloud assembly of door 2 (stack names from the manifest). */
  readonly cliAssembly?: DoorOutcome;
}

/** Runs a case at the three doors. */
export function runDataCase(c: DataCase): ThreeDoors {
  let templates: Map<string, any>;
  try {
    templates = caseTemplates(c);
  } catch (e) {
    const error = { failed: false, ruleIds: [], error: (e as Error).message };
    return { validateScope: error, synth: error, cli: error };
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bh-data-case-'));
  try {
    const cli = auditFiles(dir, templates);
    const restore = silenceConsole();
    try {
      return { ...includedDoors(c, templates, dir), cli };
    } finally {
      restore();
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Runs any templates at the three doors (for the TS corpus's template-level cases). */
export function runTemplateThreeDoors(templates: Map<string, any>, stackName = 'Env'): ThreeDoors {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bh-three-doors-'));
  try {
    const cli = auditFiles(dir, templates);
    const restore = silenceConsole();
    try {
      return { ...includedDoors({ stackName }, templates, dir), cli };
    } finally {
      restore();
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Doors 1 and 2 (and the CLI on the assembly for staged cases) on an App that includes the templates. */
function includedDoors(c: Pick<DataCase, 'stackName' | 'stages'>, templates: Map<string, any>, dir: string): Omit<ThreeDoors, 'cli'> {
  const outdir = path.join(dir, 'cdk.out');
  let app: App;
  try {
    app = new App({ outdir });
    const stackName = c.stackName ?? 'Env';
    for (const [label, t] of templates) {
      const file = path.join(dir, `${label}.include.json`);
      fs.writeFileSync(file, JSON.stringify(t));
      const stage = c.stages ? new Stage(app, label.slice(0, label.length - stackName.length - 1)) : app;
      // The base template carries the bootstrap version parameter and rule of the synthesizer that
      // wrote it; the including stack uses one that adds neither, so the included ones stay the only ones.
      const stack = new Stack(stage, 'Env', { stackName, synthesizer: new BootstraplessSynthesizer() });
      new CfnInclude(stack, 'Template', { templateFile: file });
    }
  } catch (e) {
    const error = { failed: false, ruleIds: [], error: `include: ${(e as Error).message.split('\n')[0]}` };
    return { validateScope: error, synth: error };
  }
  const validateScope = scopeDoor(app);
  const synth = synthDoor(app);
  const cliAssembly = c.stages && !synth.error ? auditPaths([outdir]) : undefined;
  return { validateScope, synth, ...(cliAssembly ? { cliAssembly } : {}) };
}

/** Door 1: BlackHoleChecks.validateScope on the app. */
export function scopeDoor(app: App): DoorOutcome {
  try {
    const report = new BlackHoleChecks(app).validateScope(app);
    return { failed: !report.success, ruleIds: [...new Set(report.violations.map((v) => v.ruleName))].sort() };
  } catch (e) {
    return { failed: false, ruleIds: [], error: `validateScope threw: ${(e as Error).message.split('\n')[0]}` };
  }
}

/** Door 2: `app.synth()` with BlackHoleChecks registered; the rule ids of its validation report. */
export function synthDoor(app: App): DoorOutcome {
  Validations.of(app).addPlugins(new BlackHoleChecks(app));
  let reportFile = path.join(app.outdir, 'validation-report.json');
  fs.rmSync(reportFile, { force: true });
  let failed = false;
  try {
    app.synth({ force: true });
  } catch (e) {
    const m = /found in: (\S+validation-report\.json)/.exec((e as Error).message);
    if (!m) return { failed: true, ruleIds: [], error: `synth threw: ${(e as Error).message.split('\n')[0]}` };
    failed = true;
    reportFile = m[1];
  }
  if (!fs.existsSync(reportFile)) return { failed, ruleIds: [] };
  const report = JSON.parse(fs.readFileSync(reportFile, 'utf8'));
  const ours = report.pluginReports.find((p: any) => p.pluginName === 'BlackHoleChecks');
  return { failed, ruleIds: [...new Set<string>((ours?.violations ?? []).map((v: any) => v.ruleName))].sort() };
}

/** Door 3: `black-hole audit --format json` on template files written to `dir`. */
function auditFiles(dir: string, templates: Map<string, any>): DoorOutcome {
  const files = [...templates].map(([label, t]) => {
    const file = path.join(dir, `${label}.template.json`);
    fs.writeFileSync(file, JSON.stringify(t));
    return file;
  });
  return auditPaths(files);
}

function auditPaths(paths: string[]): DoorOutcome {
  let stdout = '';
  let stderr = '';
  const code = main(['audit', ...paths, '--format', 'json'], {
    stdout: (s) => {
      stdout += s;
    },
    stderr: (s) => {
      stderr += s;
    },
  });
  if (code === 2) return { failed: false, ruleIds: [], error: `audit exit 2: ${stderr.trim()}` };
  const report = JSON.parse(stdout);
  const ruleIds = [...new Set<string>(report.findings.filter((f: any) => !f.acknowledged || f.acknowledged.failsGate).map((f: any) => f.ruleId))].sort();
  return { failed: code === 1, ruleIds };
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

/** The doors of an outcome that ran, by name. */
export function doorsOf(r: ThreeDoors): [string, DoorOutcome][] {
  return [
    ['validateScope', r.validateScope],
    ['synth', r.synth],
    ['cli', r.cli],
    ...(r.cliAssembly ? [['cli (cloud assembly)', r.cliAssembly] as [string, DoorOutcome]] : []),
  ];
}

/** Whether every door agrees on the rule set and the verdict. */
export function doorsAgree(r: ThreeDoors): boolean {
  const doors = doorsOf(r).map(([, d]) => d);
  return doors.every((d) => !d.error && d.failed === doors[0].failed && d.ruleIds.join() === doors[0].ruleIds.join());
}

/** Whether a case holds at every door: escapes fail with every expected rule, benign cases pass with no finding. */
export function caseHolds(c: Pick<DataCase, 'kind' | 'rules'>, r: ThreeDoors): boolean {
  return doorsOf(r).every(
    ([, d]) => !d.error && (c.kind === 'escape' ? d.failed && c.rules.every((x) => d.ruleIds.includes(x)) : !d.failed && d.ruleIds.length === 0),
  );
}
