import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { logicalIdStem } from '../../lib/gate/diff';
import { BlackHoleVpc } from '../../lib/network';
import { logicalIdOf, runCli, templateOf } from '../helpers/gate';

const root = path.resolve(__dirname, '../..');
const tmpDirs: string[] = [];
const tmp = (prefix = 'bh-diff-'): string => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  tmpDirs.push(dir);
  return dir;
};
afterAll(() => tmpDirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

// ---- the leaky example against the reference app, synthesized as `cdk synth` does ----

const out: Record<string, string> = {};
beforeAll(() => {
  for (const [name, app] of Object.entries({ reference: 'bin/black-hole.ts', leaky: 'examples/leaky-environment/app.ts' })) {
    const dir = tmp(`bh-diff-${name}-`);
    try {
      execFileSync(process.execPath, [require.resolve('tsx/cli'), app], {
        cwd: root,
        env: { ...process.env, CDK_OUTDIR: dir, CDK_VALIDATION: 'false' },
        stdio: 'pipe',
      });
    } catch (e) {
      // The leaky example fails its own synth (the gate rejects it) after writing its template.
      if (name !== 'leaky') throw e;
    }
    out[name] = dir;
  }
}, 300000);

function diff(args: string[]): { code: number; stdout: string; stderr: string; report: any } {
  const r = runCli(['diff', ...args, '--format', 'json']);
  return { ...r, report: r.stdout ? JSON.parse(r.stdout) : undefined };
}

const rules = (items: any[]) => [...new Set(items.map((f) => f.ruleId))].sort();

describe('the leaky example against the reference app', () => {
  test('adds exactly the leaky rules, the escape capabilities of its agent role and the NAT paths; removes nothing', () => {
    const r = diff([out.reference, out.leaky]);
    expect(r.code).toBe(1);
    expect(r.report.pairedStacks).toEqual([{ base: 'BlackHoleReference', head: 'LeakyEnvironment' }]);
    expect(rules(r.report.findings.added)).toEqual([
      'BlackHole-IAM1',
      'BlackHole-IAM10',
      'BlackHole-IAM3',
      'BlackHole-IAM7',
      'BlackHole-NET1',
      'BlackHole-NET2',
    ]);
    expect(r.report.findings.removed).toEqual([]);
    // Matched on finding strings: IAM1 names the peering action, NET1 the NAT gateway.
    expect(r.report.findings.added).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ ruleId: 'BlackHole-IAM1', finding: 'Action::ec2:CreateVpcPeeringConnection', severity: 'error', acknowledged: false }),
        expect.objectContaining({ ruleId: 'BlackHole-NET1', resource: 'Nat' }),
      ]),
    );
    const caps = r.report.capabilities.added;
    expect(new Set(caps.map((c: any) => c.role))).toEqual(new Set([expect.stringMatching(/^Agent[0-9A-F]{8}$/)]));
    expect(caps).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ action: 'ec2:CreateVpcPeeringConnection', technique: 'egress.cross-vpc', effective: true }),
        expect.objectContaining({ action: 'servicequotas:RequestServiceQuotaIncrease', category: expect.any(String), effective: true }),
      ]),
    );
    expect(r.report.capabilities.removed).toEqual([]);
    expect(r.report.egressPaths.added.map((p: any) => [p.kind, p.resource, p.environment]).sort()).toEqual([
      ['internet', 'Nat', 'leaky'],
      ['route', 'DefaultRoute0', 'leaky'],
      ['route', 'DefaultRoute1', 'leaky'],
    ]);
    expect(r.report.egressPaths.removed).toEqual([]);
    expect(r.report.verdict.fails).toBe(true);
  });

  test('Markdown for a pull-request comment: the verdict, the tables and a Mermaid graph of the added paths', () => {
    const r = runCli(['diff', out.reference, out.leaky, '--format', 'markdown']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^## black-hole diff: FAIL\n\n> \[!CAUTION\]\n> This change adds 27 escape capabilities/);
    expect(r.stdout).toMatch(/\| Findings \| 31 \| 0 \|/);
    expect(r.stdout).toMatch(
      /```mermaid\ngraph LR\n {2}vpc_leaky_NetworkVpc[0-9A-F]{8}\["leaky: VPC NetworkVpc[0-9A-F]{8}"\]\n {2}vpc_\w+ ==>\|added internet\| path0\["Nat: NAT gateway: outbound internet access"\]\n {2}style path0 fill:#f88/,
    );
    expect(r.stdout).toMatch(/<details><summary>How base and head were matched<\/summary>/);
  });

  test('the other way round: only removals, exit 0', () => {
    const r = diff([out.leaky, out.reference]);
    expect(r.code).toBe(0);
    expect(r.report.findings.added).toEqual([]);
    expect(r.report.capabilities.added).toEqual([]);
    expect(rules(r.report.findings.removed)).toEqual([
      'BlackHole-IAM1',
      'BlackHole-IAM10',
      'BlackHole-IAM3',
      'BlackHole-IAM7',
      'BlackHole-NET1',
      'BlackHole-NET2',
    ]);
    expect(r.report.egressPaths.removed).toHaveLength(3);
  });

  test('identical inputs: no change, exit 0 (text)', () => {
    const r = runCli(['diff', out.reference, out.reference]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      /PASS: the change adds no escape capability and no error finding\n\+0\/-0 escape capabilities, \+0\/-0 findings, \+0\/-0 egress paths, \+0\/-0 unverifiable parts\n$/,
    );
  });
});

// ---- hand-made changes ----

function cleanTemplate(): any {
  const app = new App();
  const stack = new Stack(app, 'Env');
  new BlackHoleVpc(stack, 'Net', { environmentName: 'team-a' });
  return templateOf(stack);
}

function withNat(t: any, acknowledge?: string): any {
  const vpc = logicalIdOf(t, 'AWS::EC2::VPC');
  t.Resources.Igw = { Type: 'AWS::EC2::InternetGateway', Properties: {} };
  t.Resources.Att = { Type: 'AWS::EC2::VPCGatewayAttachment', Properties: { VpcId: { Ref: vpc }, InternetGatewayId: { Ref: 'Igw' } } };
  if (acknowledge) t.Resources.Att.Metadata = { cdk_nag: { rules_to_suppress: [{ id: acknowledge, reason: 'we need it' }] } };
  return t;
}

function withAgent(t: any, logicalId: string, actions: string[], path?: string): any {
  t.Resources[logicalId] = {
    Type: 'AWS::IAM::Role',
    Properties: {
      AssumeRolePolicyDocument: {
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }],
      },
      Policies: [{ PolicyName: 'p', PolicyDocument: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: actions, Resource: '*' }] } }],
      Tags: [{ Key: 'black-hole:agent-role', Value: 'true' }],
    },
    ...(path ? { Metadata: { 'aws:cdk:path': path } } : {}),
  };
  return t;
}

function write(t: any): string {
  const file = path.join(tmp(), 'Env.template.json');
  fs.writeFileSync(file, JSON.stringify(t));
  return file;
}

describe('hand-made changes', () => {
  test('a removed finding only: exit 0, the finding listed as removed', () => {
    const r = diff(['--base', write(withNat(cleanTemplate())), '--head', write(cleanTemplate())]);
    expect(r.code).toBe(0);
    expect(r.report.findings.added).toEqual([]);
    expect(r.report.findings.removed.map((f: any) => [f.ruleId, f.resource])).toEqual([['BlackHole-NET1', 'Att']]);
    expect(r.report.egressPaths.removed.map((p: any) => p.kind)).toEqual(['internet']);
  });

  test('an added core finding fails even acknowledged (audit --allow-acknowledged passes it)', () => {
    const head = write(withNat(cleanTemplate(), 'BlackHole-NET1'));
    expect(runCli(['audit', head, '--allow-acknowledged']).code).toBe(0);
    const r = diff(['--base', write(cleanTemplate()), '--head', head]);
    expect(r.code).toBe(1);
    expect(r.report.findings.added).toEqual([expect.objectContaining({ ruleId: 'BlackHole-NET1', resource: 'Att', core: true, acknowledged: true })]);
    expect(r.report.verdict.reasons).toEqual(['adds 1 error finding(s) (1 acknowledged): BlackHole-NET1']);
  });

  test('an added escape capability fails; one already there does not', () => {
    const base = write(withAgent(cleanTemplate(), 'AgentRole', ['ec2:CreateVpcPeeringConnection']));
    const head = write(withAgent(cleanTemplate(), 'AgentRole', ['ec2:CreateVpcPeeringConnection', 'servicequotas:RequestServiceQuotaIncrease']));
    const r = diff(['--base', base, '--head', head]);
    expect(r.code).toBe(1);
    expect(r.report.capabilities.added.map((c: any) => [c.role, c.action])).toEqual([['AgentRole', 'servicequotas:RequestServiceQuotaIncrease']]);
    expect(r.report.findings.added.map((f: any) => [f.ruleId, f.finding])).toEqual([['BlackHole-IAM3', 'Action::servicequotas:RequestServiceQuotaIncrease']]);
    expect(diff(['--base', head, '--head', base]).code).toBe(0);
  });

  test('a logical ID that shifts (CDK hash suffix, or the same construct path) is matched, listed as moved, not added', () => {
    const actions = ['ec2:CreateVpcPeeringConnection'];
    const byStem = diff([
      '--base',
      write(withAgent(cleanTemplate(), 'AgentRole1A2B3C4D', actions)),
      '--head',
      write(withAgent(cleanTemplate(), 'AgentRole9F8E7D6C', actions)),
    ]);
    expect(byStem.code).toBe(0);
    expect(byStem.report.capabilities).toEqual({ added: [], removed: [] });
    expect(byStem.report.findings).toEqual({ added: [], removed: [] });
    expect(byStem.report.moved).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          what: 'capability',
          by: 'stem',
          base: expect.stringMatching(/^Env\/AgentRole1A2B3C4D: /),
          head: expect.stringMatching(/^Env\/AgentRole9F8E7D6C: /),
        }),
      ]),
    );

    const byPath = diff([
      '--base',
      write(withAgent(cleanTemplate(), 'Trainer', actions, 'Env/Agent/Resource')),
      '--head',
      write(withAgent(cleanTemplate(), 'Learner', actions, 'Env/Agent/Resource')),
    ]);
    expect(byPath.code).toBe(0);
    expect(byPath.report.moved).toEqual(expect.arrayContaining([expect.objectContaining({ what: 'capability', by: 'path' })]));

    // Different roles (different stems, no shared path) are not matched: the head's is new.
    const other = diff(['--base', write(withAgent(cleanTemplate(), 'Trainer', actions)), '--head', write(withAgent(cleanTemplate(), 'Learner', actions))]);
    expect(other.code).toBe(1);
    expect(other.report.capabilities.added.map((c: any) => c.role)).toEqual(['Learner']);
  });

  test('logicalIdStem drops only an 8-character uppercase hex suffix', () => {
    expect(logicalIdStem('VpcPrivateSubnet1Subnet536B997A')).toBe('VpcPrivateSubnet1Subnet');
    expect(logicalIdStem('route (AWS::EC2::Route DefaultRoute0) in NetworkVpc7FB7348F')).toBe('route (AWS::EC2::Route DefaultRoute0) in NetworkVpc');
    expect(logicalIdStem('Nat')).toBe('Nat');
    expect(logicalIdStem('agentrole1a2b3c4d')).toBe('agentrole1a2b3c4d');
  });
});

describe('unusable input and usage: exit 2, one line', () => {
  test.each<[string[], RegExp]>([
    [['only-one'], /give two inputs, <base> <head> \(got 1\)/],
    [['a', 'b', 'c'], /give two inputs, <base> <head> \(got 3\)/],
    [['--base', 'a.json'], /--head is missing/],
    [['x', '--base', 'a.json', '--head', 'b.json'], /either as <base> <head> or with --base and --head, not both/],
    [['a', 'b', '--format', 'sarif'], /--format 'sarif' is not one of text, json, markdown/],
  ])('%j', (args, message) => {
    const r = runCli(['diff', ...args]);
    expect(r.code).toBe(2);
    expect(r.stderr.split('\n')[0]).toMatch(message);
  });

  test('a missing base or head names the file', () => {
    const r = runCli(['diff', write(cleanTemplate()), '/nonexistent/head.json']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toEqual([expect.stringMatching(/\/nonexistent\/head\.json: no such file/)]);
  });
});
