import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Stack, Stage, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { failsGate } from '../../lib/gate/engine';
import type { Finding } from '../../lib/gate/findings';
import { BlackHoleChecks, reportedSeverity } from '../../lib/gate/nag/black-hole-checks';
import type { GateRule } from '../../lib/gate/rule';
import { BlackHoleVpc } from '../../lib/network';
import { runCli, synthWithChecks, validateScopeWithChecks } from '../helpers/gate';

/**
 * Issue #12 item 9: the doors agree. `BlackHoleChecks.validateScope` (cdk-nag's direct entry),
 * `app.synth()` with the pack, and `black-hole audit` on the same cloud assembly report the same
 * rules; findings survive two Stages deploying stacks of the same name; warnings fail no door;
 * acknowledgments of core rules are refused at every door unless explicitly allowed.
 */

process.env.CDK_VALIDATION = 'false';

const tmpDirs: string[] = [];
const tmp = (): string => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bh-doors-'));
  tmpDirs.push(dir);
  return dir;
};
afterAll(() => tmpDirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

/** A BlackHoleVpc in `scope`, optionally with an egress-only internet gateway (NET1, core). */
function environment(scope: Stack, leak: boolean, name = 'team-a'): { net: BlackHoleVpc; eigw?: ec2.CfnEgressOnlyInternetGateway } {
  const net = new BlackHoleVpc(scope, 'Net', { environmentName: name });
  const eigw = leak ? new ec2.CfnEgressOnlyInternetGateway(scope, 'Eigw', { vpcId: net.vpc.vpcId }) : undefined;
  return { net, eigw };
}

/** Rule ids `black-hole audit` reports for a cdk.out directory, and its exit code. */
function cli(outdir: string, extra: string[] = []): { code: number; ruleIds: string[] } {
  const r = runCli(['audit', outdir, '--format', 'json', ...extra]);
  const report = JSON.parse(r.stdout);
  const ruleIds = [...new Set<string>(report.findings.filter((f: any) => !f.acknowledged || f.acknowledged.failsGate).map((f: any) => f.ruleId))].sort();
  return { code: r.code, ruleIds };
}

describe('validateScope runs the engine', () => {
  test('a leaky app fails validateScope with the rules synth and the CLI report', () => {
    const app = new App({ outdir: tmp() });
    environment(new Stack(app, 'Env'), true);
    const scoped = validateScopeWithChecks(app);
    expect(scoped).toMatchObject({ failed: true, ruleIds: ['BlackHole-NET1'] });
    const synth = synthWithChecks(app);
    expect(synth).toEqual({ failed: true, ruleIds: ['BlackHole-NET1'] });
    expect(cli(app.outdir)).toEqual({ code: 1, ruleIds: ['BlackHole-NET1'] });
    const v = scoped.report.violations[0];
    expect(v.violatingResources.map((r) => r.constructPath)).toEqual(['Env/Eigw']);
    expect(v.description).toMatch(/egress-only internet gateway/);
  });

  test('a clean app passes all three doors', () => {
    const app = new App({ outdir: tmp() });
    environment(new Stack(app, 'Env'), false);
    expect(validateScopeWithChecks(app)).toMatchObject({ failed: false, ruleIds: [] });
    expect(synthWithChecks(app)).toEqual({ failed: false, ruleIds: [] });
    expect(cli(app.outdir)).toEqual({ code: 0, ruleIds: [] });
  });

  test('a scope reports the findings on resources inside it only', () => {
    const app = new App({ outdir: tmp() });
    const leaky = new Stack(app, 'Leaky');
    environment(leaky, true, 'team-a');
    const clean = new Stack(app, 'Clean');
    environment(clean, false, 'team-b');
    expect(validateScopeWithChecks(clean)).toMatchObject({ failed: false, ruleIds: [] });
    expect(validateScopeWithChecks(leaky)).toMatchObject({ failed: true, ruleIds: ['BlackHole-NET1'] });
  });

  test('validateScope does not leave a validated assembly behind: the next app.synth() still runs the pack', () => {
    const app = new App({ outdir: tmp() });
    environment(new Stack(app, 'Env'), true);
    Validations.of(app).addPlugins(new BlackHoleChecks(app));
    const report = new BlackHoleChecks(app).validateScope(app);
    expect(report.success).toBe(false);
    const spy = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      expect(() => app.synth()).toThrow(/BlackHole-NET1/);
    } finally {
      spy.mockRestore();
    }
  });
});

describe('two Stages that reuse a stackName (cdk-nag#2302 class)', () => {
  function twoStages(): App {
    const app = new App({ outdir: tmp() });
    // Same stackName in both stages; each stage leaks differently, so a finding keyed by stack name
    // would be lost or land on the wrong resource.
    const a = new Stack(new Stage(app, 'A'), 'Env', { stackName: 'training' });
    environment(a, true, 'team-a');
    const b = new Stack(new Stage(app, 'B'), 'Env', { stackName: 'training' });
    const { net } = environment(b, false, 'team-b');
    net.node.tryRemoveChild('FlowLog');
    return app;
  }

  test('every finding of both stages is reported, on its own construct, at all three doors', () => {
    const app = twoStages();
    const scoped = validateScopeWithChecks(app);
    expect(scoped.ruleIds).toEqual(['BlackHole-LOG1', 'BlackHole-NET1']);
    const paths = scoped.report.violations.flatMap((v) => v.violatingResources.map((r) => `${v.ruleName} ${r.constructPath}`)).sort();
    expect(paths).toEqual(['BlackHole-LOG1 B/Env/Net/Vpc/Resource', 'BlackHole-NET1 A/Env/Eigw']);
    expect(synthWithChecks(app)).toEqual({ failed: true, ruleIds: ['BlackHole-LOG1', 'BlackHole-NET1'] });
    expect(cli(app.outdir)).toEqual({ code: 1, ruleIds: ['BlackHole-LOG1', 'BlackHole-NET1'] });
  });

  test('the synth report places each violation in its own stage', () => {
    const app = twoStages();
    synthWithChecks(app);
    const report = JSON.parse(fs.readFileSync(path.join(app.outdir, 'validation-report.json'), 'utf8'));
    const ours = report.pluginReports.find((p: any) => p.pluginName === 'BlackHoleChecks');
    const where = ours.violations.flatMap((v: any) => v.violatingConstructs.map((c: any) => `${v.ruleName} ${c.constructPath}`)).sort();
    expect(where).toEqual(['BlackHole-LOG1 B/Env/Net/Vpc/Resource', 'BlackHole-NET1 A/Env/Eigw']);
  });
});

describe('warnings: reported at every door, failing none', () => {
  // A rule of warning severity that reports every VPC: the doors' handling of warnings, independent
  // of which gate rules are warnings today.
  const everyVpc: GateRule = {
    id: 'BlackHole-TEST1',
    name: 'EveryVpc',
    severity: 'warning',
    core: false,
    info: 'A VPC (test rule).',
    explanation: 'Test rule.',
    check: ({ model }) => model.resourcesOfType('AWS::EC2::VPC').map((resource) => ({ resource, message: `VPC ${resource.logicalId}`, evidence: {} })),
  };

  test('validateScope and synth report the warning and pass', () => {
    const app = new App({ outdir: tmp() });
    environment(new Stack(app, 'Env'), false);
    const scoped = validateScopeWithChecks(app, { rules: [everyVpc] });
    expect(scoped).toMatchObject({ failed: false, ruleIds: ['BlackHole-TEST1'] });
    expect(scoped.report.violations[0].severity).toBe('warning');
    Validations.of(app).addPlugins(new BlackHoleChecks(app, { rules: [everyVpc] }));
    const spy = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      expect(() => app.synth({ force: true })).not.toThrow();
    } finally {
      spy.mockRestore();
    }
    const report = JSON.parse(fs.readFileSync(path.join(app.outdir, 'validation-report.json'), 'utf8'));
    const ours = report.pluginReports.find((p: any) => p.pluginName === 'BlackHoleChecks');
    expect(ours.conclusion).toBe('success');
    expect(ours.violations.map((v: any) => [v.ruleName, v.severity])).toEqual([['BlackHole-TEST1', 'warning']]);
  });

  test('the pack fails exactly when the CLI exits 1, for every severity, core flag and acknowledgment', () => {
    const base: Finding = { ruleId: 'BlackHole-X1', severity: 'error', stack: 'Env', resource: 'R', message: 'm', evidence: {}, core: false };
    for (const severity of ['error', 'warning'] as const) {
      for (const core of [true, false]) {
        for (const acknowledged of [undefined, { reason: 'r' }]) {
          for (const allow of [true, false]) {
            const f: Finding = { ...base, severity, core, ...(acknowledged ? { acknowledged } : {}) };
            const s = reportedSeverity(f, allow);
            expect({ severity, core, acknowledged: !!acknowledged, allow, fails: s === 'fatal' || s === 'error' }).toEqual({
              severity,
              core,
              acknowledged: !!acknowledged,
              allow,
              fails: failsGate(f, allow),
            });
            // A failing core finding is fatal: aws-cdk-lib never suppresses it.
            if (failsGate(f, allow) && core) expect(s).toBe('fatal');
          }
        }
      }
    }
  });
});

describe('acknowledgments', () => {
  test.each(['BlackHoleChecks::BlackHole-NET1', 'BlackHole-NET1'])('a core finding acknowledged as %s still fails every door', (id) => {
    const app = new App({ outdir: tmp() });
    const { eigw } = environment(new Stack(app, 'Env'), true);
    Validations.of(eigw!).acknowledge({ id, reason: 'IPv6 experiment' });
    expect(validateScopeWithChecks(app)).toMatchObject({ failed: true, ruleIds: ['BlackHole-NET1'] });
    expect(synthWithChecks(app)).toEqual({ failed: true, ruleIds: ['BlackHole-NET1'] });
    expect(cli(app.outdir)).toEqual({ code: 1, ruleIds: ['BlackHole-NET1'] });
  });

  test("allowAcknowledged (the CLI's --allow-acknowledged) accepts it at every door", () => {
    const app = new App({ outdir: tmp() });
    const { eigw } = environment(new Stack(app, 'Env'), true);
    Validations.of(eigw!).acknowledge({ id: 'BlackHoleChecks::BlackHole-NET1', reason: 'IPv6 experiment' });
    const scoped = validateScopeWithChecks(app, { allowAcknowledged: true });
    expect(scoped).toMatchObject({ failed: false, ruleIds: [] });
    expect(scoped.report.metadata?.acknowledged).toMatch(/BlackHole-NET1 Env\/Eigw \(IPv6 experiment\)/);
    Validations.of(app).addPlugins(new BlackHoleChecks(app, { allowAcknowledged: true }));
    const spy = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      expect(() => app.synth({ force: true })).not.toThrow();
    } finally {
      spy.mockRestore();
    }
    expect(cli(app.outdir, ['--allow-acknowledged'])).toEqual({ code: 0, ruleIds: [] });
  });

  test('a non-core finding acknowledged in CDK passes every door', () => {
    const app = new App({ outdir: tmp() });
    const { net } = environment(new Stack(app, 'Env'), false);
    net.node.tryRemoveChild('FlowLog');
    Validations.of(net).acknowledge({ id: 'BlackHole-LOG1', reason: 'central flow logs' });
    expect(validateScopeWithChecks(app)).toMatchObject({ failed: false, ruleIds: [] });
    expect(synthWithChecks(app)).toEqual({ failed: false, ruleIds: [] });
    expect(cli(app.outdir)).toEqual({ code: 0, ruleIds: [] });
  });

  test('without the acknowledgment the same app fails every door (the test above is not vacuous)', () => {
    const app = new App({ outdir: tmp() });
    const { net } = environment(new Stack(app, 'Env'), false);
    net.node.tryRemoveChild('FlowLog');
    expect(validateScopeWithChecks(app)).toMatchObject({ failed: true, ruleIds: ['BlackHole-LOG1'] });
    expect(synthWithChecks(app)).toEqual({ failed: true, ruleIds: ['BlackHole-LOG1'] });
    expect(cli(app.outdir)).toEqual({ code: 1, ruleIds: ['BlackHole-LOG1'] });
  });
});
