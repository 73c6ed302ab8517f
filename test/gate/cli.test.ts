import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Stack, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { BlackHoleVpc } from '../../lib/network';
import { auditTemplates, logicalIdOf, runCli, synthWithChecks, templateOf } from '../helpers/gate';

function cleanTemplate(): any {
  const app = new App();
  const stack = new Stack(app, 'Env');
  new BlackHoleVpc(stack, 'Net', { environmentName: 'team-a' });
  return templateOf(stack);
}

function leakyTemplate(acknowledge?: string): any {
  const t = cleanTemplate();
  const vpc = logicalIdOf(t, 'AWS::EC2::VPC');
  t.Resources.Igw = { Type: 'AWS::EC2::InternetGateway', Properties: {} };
  t.Resources.Att = { Type: 'AWS::EC2::VPCGatewayAttachment', Properties: { VpcId: { Ref: vpc }, InternetGatewayId: { Ref: 'Igw' } } };
  if (acknowledge) t.Resources.Att.Metadata = { cdk_nag: { rules_to_suppress: [{ id: acknowledge, reason: 'we need it' }] } };
  return t;
}

const tmpDirs: string[] = [];
const tmp = (): string => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bh-cli-'));
  tmpDirs.push(dir);
  return dir;
};
afterAll(() => tmpDirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

describe('exit codes and unusable input', () => {
  test('0 for a clean template, 1 for a leaky one', () => {
    expect(auditTemplates({ Env: cleanTemplate() }).code).toBe(0);
    expect(auditTemplates({ Env: leakyTemplate() }).code).toBe(1);
  });

  test.each<[string, (dir: string) => string[], RegExp]>([
    ['missing file', (d) => [path.join(d, 'nope.json')], /nope\.json: no such file or directory/],
    [
      'invalid JSON',
      (d) => {
        const f = path.join(d, 'bad.json');
        fs.writeFileSync(f, '{ "Resources": ');
        return [f];
      },
      /bad\.json: invalid JSON/,
    ],
    [
      'not a template',
      (d) => {
        const f = path.join(d, 'pkg.json');
        fs.writeFileSync(f, '{"name":"x"}');
        return [f];
      },
      /pkg\.json: .*Resources/,
    ],
    ['directory without a manifest', (d) => [d], /not a cdk\.out cloud assembly/],
  ])('%s: exit 2 and one clear line, no stack trace', (_name, make, message) => {
    const r = runCli(['audit', ...make(tmp())]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).not.toMatch(/\s+at\s/);
  });

  test.each([
    [['audit'], /no input/],
    [['audit', 'x.json', '--format', 'xml'], /--format 'xml' is not one of text, json, sarif, markdown/],
    [['audit', 'x.json', '--bogus'], /unknown option '--bogus'/],
    [['scan', 'x.json'], /unknown command 'scan' \(the commands are audit, diff and cost\)/],
    // The first problem in the argument list is the one reported, even before --help or an unknown option.
    [['audit', 'x.json', '--format', 'xml', '--help'], /--format 'xml' is not one of/],
    [['audit', 'x.json', '--format', 'xml', '--bogus'], /--format 'xml' is not one of/],
    [['audit', 'x.json', '--bogus', '--format', 'xml'], /unknown option '--bogus'/],
    [['cost', 'x.json', '--region', 'moon-1', '--help'], /--region 'moon-1' is not an AWS region name/],
    [['diff', 'a', 'b', '--format', 'sarif', '--help'], /--format 'sarif' is not one of text, json, markdown/],
  ])('usage error %j: exit 2', (args, message) => {
    const r = runCli(args as string[]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
  });

  test('--help prints usage and exits 0', () => {
    const r = runCli(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/usage: black-hole audit/);
  });
});

describe('a cdk.out directory', () => {
  test('is read through its manifest, stages included', () => {
    const out = tmp();
    const app = new App({ outdir: out });
    const stack = new Stack(app, 'Env');
    const net = new BlackHoleVpc(stack, 'Net', { environmentName: 'team-a' });
    new ec2.CfnEgressOnlyInternetGateway(stack, 'Eigw', { vpcId: net.vpc.vpcId });
    app.synth();
    const r = runCli(['audit', out, '--format', 'json']);
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout);
    expect(report.findings).toEqual([expect.objectContaining({ ruleId: 'BlackHole-NET1', stack: 'Env', resource: 'Eigw' })]);
  });
});

describe('acknowledgment', () => {
  test('an acknowledged core finding still fails the CLI unless --allow-acknowledged', () => {
    const t = leakyTemplate('BlackHole-NET1');
    const strict = auditTemplates({ Env: t });
    expect(strict.code).toBe(1);
    expect(strict.report.findings[0].acknowledged).toEqual({ reason: 'we need it', core: true, failsGate: true });
    const allowed = auditTemplates({ Env: t }, ['--allow-acknowledged']);
    expect(allowed.code).toBe(0);
  });

  test('an acknowledged non-core finding passes', () => {
    const t = cleanTemplate();
    const vpc = logicalIdOf(t, 'AWS::EC2::VPC');
    delete t.Resources[logicalIdOf(t, 'AWS::EC2::FlowLog')];
    t.Resources[vpc].Metadata = { cdk_nag: { rules_to_suppress: [{ id: 'BlackHoleChecks::BlackHole-LOG1', reason: 'central flow logs' }] } };
    const r = auditTemplates({ Env: t });
    expect(r.code).toBe(0);
    expect(r.report.summary.acknowledged).toBe(1);
  });

  test('acknowledging in CDK is recorded in the template, so the CLI sees it', () => {
    const out = tmp();
    const app = new App({ outdir: out });
    const stack = new Stack(app, 'Env');
    const net = new BlackHoleVpc(stack, 'Net', { environmentName: 'team-a' });
    const eigw = new ec2.CfnEgressOnlyInternetGateway(stack, 'Eigw', { vpcId: net.vpc.vpcId });
    Validations.of(eigw).acknowledge({ id: 'BlackHole-NET1', reason: 'IPv6 experiment' });
    // A core rule: the acknowledgment is refused at synth too (severity fatal), as by the CLI.
    expect(synthWithChecks(app)).toEqual({ failed: true, ruleIds: ['BlackHole-NET1'] });
    const r = runCli(['audit', out, '--format', 'json']);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout).findings[0]).toMatchObject({
      ruleId: 'BlackHole-NET1',
      acknowledged: { reason: 'IPv6 experiment', core: true, failsGate: true },
    });
  });
});

describe('formats', () => {
  test('json follows the contract', () => {
    const r = auditTemplates({ Env: leakyTemplate() });
    const f = r.report.findings.find((x: any) => x.resource === 'Att');
    expect(Object.keys(f)).toEqual(expect.arrayContaining(['ruleId', 'severity', 'stack', 'resource', 'path', 'message', 'evidence']));
    expect(r.report.summary).toMatchObject({ errors: 1, failing: 1, passed: false, stacks: 1 });
  });

  test('sarif 2.1.0 with rules, levels, logical and physical locations', () => {
    const dir = tmp();
    const file = path.join(dir, 'Env.template.json');
    fs.writeFileSync(file, JSON.stringify(leakyTemplate(), null, 1));
    const r = runCli(['audit', file, '--format', 'sarif']);
    expect(r.code).toBe(1);
    const sarif = JSON.parse(r.stdout);
    expect(sarif.version).toBe('2.1.0');
    const run = sarif.runs[0];
    expect(run.tool.driver.rules.map((x: any) => x.id)).toContain('BlackHole-NET1');
    const result = run.results.find((x: any) => x.ruleId === 'BlackHole-NET1');
    expect(result.level).toBe('error');
    expect(result.locations[0].logicalLocations[0].name).toBe('Att');
    const line = result.locations[0].physicalLocation.region.startLine;
    expect(fs.readFileSync(file, 'utf8').split('\n')[line - 1]).toMatch(/"Att"/);
  });

  test('markdown has the verdict, a findings table and a Mermaid egress diagram per environment', () => {
    const dir = tmp();
    const file = path.join(dir, 'Env.template.json');
    fs.writeFileSync(file, JSON.stringify(leakyTemplate()));
    const r = runCli(['audit', file, '--format', 'markdown']);
    expect(r.stdout).toMatch(/^## black-hole audit: FAIL/);
    expect(r.stdout).toMatch(/\| ERROR \| \[BlackHole-NET1\]/);
    expect(r.stdout).toMatch(/### Egress surface of `team-a`/);
    expect(r.stdout).toMatch(/```mermaid\ngraph LR/);
    expect(r.stdout).toMatch(/==>\|internet\|/);
  });

  test('--out writes the report to a file', () => {
    const dir = tmp();
    const file = path.join(dir, 'Env.template.json');
    fs.writeFileSync(file, JSON.stringify(cleanTemplate()));
    const out = path.join(dir, 'report.json');
    const r = runCli(['audit', file, '--format', 'json', '--out', out]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    expect(JSON.parse(fs.readFileSync(out, 'utf8')).summary.passed).toBe(true);
  });
});
