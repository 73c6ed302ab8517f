/**
 * `npm run bench`: what the gate costs. For generated apps of 1, 10 and 50 environments (one stack
 * each: BlackHoleVpc, AgentBoundary, AgentRole), prints bare synth time, synth + BlackHoleChecks time,
 * their ratio, and `black-hole audit` time over the same cdk.out; writes the results as JSON.
 * Built-in CloudFormation validation is off in both synths. Not a test: timings depend on the machine.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Stack, Validations } from 'aws-cdk-lib';
import { main } from '../lib/gate/cli/main';
import { AgentBoundary, AgentRole } from '../lib/identity';
import { BlackHoleChecks } from '../lib/gate/nag/black-hole-checks';
import { BlackHoleVpc, ENDPOINT_PRESETS } from '../lib/network';

process.env.CDK_VALIDATION = 'false';

/** Agent roles per environment: 100 environments give the 400 roles the scale target asks for (300+). */
const ROLES_PER_ENVIRONMENT = 4;

function buildApp(environments: number, outdir: string, gate: boolean): App {
  const app = new App({ outdir });
  for (let i = 0; i < environments; i++) {
    const stack = new Stack(app, `Env${i}`);
    const name = `env-${i}`;
    const net = new BlackHoleVpc(stack, 'Network', { environmentName: name, endpointServices: [...ENDPOINT_PRESETS.EC2_TRAINING] });
    const boundary = new AgentBoundary(stack, 'Boundary', { environmentName: name, vpc: net.vpc, enabledEndpointServices: [...net.endpointServices] });
    for (let r = 0; r < ROLES_PER_ENVIRONMENT; r++) new AgentRole(stack, `Agent${r}`, { boundary });
  }
  if (gate) Validations.of(app).addPlugins(new BlackHoleChecks(app));
  return app;
}

function timeMs(fn: () => void): number {
  const t = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - t) / 1e6;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

const sizes = (process.env.BENCH_SIZES ?? '1,10,50,100').split(',').map(Number);
const repeats = Number(process.env.BENCH_REPEATS ?? 3);
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'bh-bench-'));
const quiet = { stdout: () => undefined, stderr: () => undefined };

// Warm up the JIT and the action catalog caches once.
buildApp(1, path.join(tmp, 'warm'), true).synth();

const rows: Array<Record<string, number>> = [];
for (const n of sizes) {
  const bare: number[] = [];
  const gated: number[] = [];
  const audit: number[] = [];
  for (let r = 0; r < (n >= 50 ? Math.min(repeats, 2) : repeats); r++) {
    const outBare = path.join(tmp, `bare-${n}-${r}`);
    const outGate = path.join(tmp, `gate-${n}-${r}`);
    bare.push(timeMs(() => buildApp(n, outBare, false).synth()));
    gated.push(timeMs(() => buildApp(n, outGate, true).synth()));
    let code = -1;
    audit.push(timeMs(() => { code = main(['audit', outBare, '--format', 'json'], quiet); }));
    if (code !== 0) throw new Error(`audit of the ${n}-environment app exited ${code}`);
  }
  rows.push({ environments: n, roles: n * ROLES_PER_ENVIRONMENT, bareSynthMs: median(bare), gatedSynthMs: median(gated), ratio: median(gated) / median(bare), auditMs: median(audit) });
}

const pad = (s: string, w: number) => s.padStart(w);
console.log(`machine: ${os.cpus().length} x ${os.cpus()[0]?.model ?? 'cpu'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, node ${process.version}`);
console.log(['envs', 'roles', 'bare synth ms', 'synth+gate ms', 'ratio', 'audit ms'].map((h, i) => pad(h, i < 2 ? 6 : 14)).join(' '));
for (const r of rows) {
  console.log([pad(String(r.environments), 6), pad(String(r.roles), 6), pad(r.bareSynthMs.toFixed(0), 14), pad(r.gatedSynthMs.toFixed(0), 14), pad(r.ratio.toFixed(2), 14), pad(r.auditMs.toFixed(0), 14)].join(' '));
}
const out = process.env.BENCH_OUT ?? 'bench-results.json';
fs.writeFileSync(out, JSON.stringify({ machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model, memGiB: Math.round(os.totalmem() / 2 ** 30), node: process.version }, rows }, null, 2));
console.log(`results written to ${out}`);
