import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { runCli } from '../helpers/gate';

/**
 * The CLI on malformed and hostile input: it answers exit 2 with one line, or a correct verdict,
 * never a crash or a hang (jest's timeout bounds every case).
 */
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bh-hostile-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
const write = (name: string, content: string | Buffer) => {
  const file = path.join(dir, name);
  fs.writeFileSync(file, content);
  return file;
};

function expectOneLineInputError(file: string, reason: RegExp) {
  const r = runCli(['audit', file, '--format', 'json']);
  expect(r.code).toBe(2);
  expect(r.stdout).toBe('');
  expect(r.stderr.trim().split('\n')).toHaveLength(1);
  expect(r.stderr).toMatch(reason);
  expect(r.stderr).not.toMatch(/\n\s+at /);
}

const VPC = { Type: 'AWS::EC2::VPC', Properties: { CidrBlock: '10.0.0.0/16', Tags: [{ Key: 'black-hole:environment', Value: 'h' }] } };

describe('wrong shapes', () => {
  test.each<[string, unknown, RegExp]>([
    ['top level is an array', [1, 2], /not a CloudFormation template|object/i],
    ['top level is a string', 'template', /not a CloudFormation template|object/i],
    ['Resources is an array', { Resources: [VPC] }, /Resources/],
    ['a resource without Type', { Resources: { A: { Properties: {} } } }, /Type/],
    ['Type is a number', { Resources: { A: { Type: 7 } } }, /Type/],
  ])('%s: exit 2', (_n, content, reason) => {
    expectOneLineInputError(write(`shape-${Math.random()}.json`, JSON.stringify(content)), reason);
  });

  test('odd but legal property shapes get a verdict, not a crash', () => {
    const t = {
      Resources: {
        Vpc: VPC,
        Weird: { Type: 'AWS::EC2::Route', Properties: { RouteTableId: [[{}]], DestinationCidrBlock: { 'Fn::Join': 'not-a-list' } } },
        Policy: { Type: 'AWS::IAM::Policy', Properties: { PolicyDocument: 'not json', Roles: 'NotAList', PolicyName: 3 } },
        Role: { Type: 'AWS::IAM::Role', Properties: { AssumeRolePolicyDocument: 5, Policies: 'x', Tags: { 'black-hole:agent-role': 'true' } } },
      },
    };
    const r = runCli(['audit', write('odd.json', JSON.stringify(t)), '--format', 'json']);
    expect([0, 1]).toContain(r.code);
    expect(JSON.parse(r.stdout).findings.length).toBeGreaterThan(0); // unknown is never safe
  });
});

describe('cyclic and deep structures', () => {
  test('resources that reference each other in a cycle get a verdict', () => {
    const t = {
      Resources: {
        Vpc: VPC,
        A: { Type: 'AWS::EC2::Route', Properties: { RouteTableId: { 'Fn::GetAtt': ['B', 'Id'] }, DestinationCidrBlock: '0.0.0.0/0', GatewayId: { Ref: 'B' } } },
        B: { Type: 'AWS::EC2::RouteTable', Properties: { VpcId: { 'Fn::GetAtt': ['A', 'VpcId'] } } },
        Out: {
          Type: 'AWS::EC2::VPCPeeringConnection',
          Properties: { VpcId: { 'Fn::ImportValue': { 'Fn::Sub': '${AWS::StackName}-${Out}' } }, PeerVpcId: { Ref: 'Out' } },
        },
      },
    };
    const r = runCli(['audit', write('cycle.json', JSON.stringify(t)), '--format', 'json']);
    expect(r.code).toBe(1);
  });

  test('deeply nested intrinsics (10,000 levels) end as a verdict or one clear line', () => {
    let v: unknown = 'leaf';
    for (let i = 0; i < 10000; i++) v = { 'Fn::Join': ['', [v]] };
    const t = { Resources: { Vpc: VPC, R: { Type: 'AWS::EC2::Route', Properties: { RouteTableId: v, DestinationCidrBlock: '0.0.0.0/0' } } } };
    let text: string;
    try {
      text = JSON.stringify(t);
    } catch {
      return; // the test machine cannot even build it: nothing to audit
    }
    const r = runCli(['audit', write('deep.json', text), '--format', 'json']);
    if (r.code === 2) {
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    } else {
      expect(r.code).toBe(1); // the unresolvable route table is never assumed safe
    }
  });

  test('a billion-laughs YAML alias bomb is refused, not expanded', () => {
    const bomb = ['a: &a ["x","x","x","x","x","x","x","x","x","x"]'];
    for (let i = 1; i < 12; i++)
      bomb.push(
        `${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(10)
          .fill('*' + String.fromCharCode(96 + i))
          .join(',')}]`,
      );
    bomb.push('Resources:\n  V:\n    Type: AWS::EC2::VPC\n    Properties:\n      X: *l');
    expectOneLineInputError(write('bomb.yaml', bomb.join('\n')), /YAML/);
  });
});

describe('size and bytes', () => {
  test('a 10 MB template gets a correct verdict', () => {
    const resources: Record<string, unknown> = { Vpc: VPC };
    const filler = 'x'.repeat(1000);
    for (let i = 0; i < 10000; i++) {
      resources[`Topic${i}`] = { Type: 'AWS::SNS::Topic', Properties: { DisplayName: filler } };
    }
    resources.Igw = { Type: 'AWS::EC2::InternetGateway', Properties: {} };
    resources.Att = { Type: 'AWS::EC2::VPCGatewayAttachment', Properties: { VpcId: { Ref: 'Vpc' }, InternetGatewayId: { Ref: 'Igw' } } };
    const text = JSON.stringify({ Resources: resources });
    expect(text.length).toBeGreaterThan(10 * 1024 * 1024);
    const r = runCli(['audit', write('big.json', text), '--format', 'json']);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout).findings.map((f: any) => f.ruleId)).toContain('BlackHole-NET1');
  });

  test('a file over the size limit is refused in one line', () => {
    const file = path.join(dir, 'huge.json');
    const fd = fs.openSync(file, 'w');
    fs.writeSync(fd, '{"Resources":{');
    fs.ftruncateSync(fd, 17 * 1024 * 1024);
    fs.closeSync(fd);
    expectOneLineInputError(file, /too large|MiB|bytes/i);
  });

  test('non-UTF-8 bytes: exit 2 with one line, or a verdict', () => {
    const bytes = Buffer.concat([
      Buffer.from('{"Resources":{"V":{"Type":"AWS::EC2::VPC","Properties":{"X":"'),
      Buffer.from([0xff, 0xfe, 0xc3, 0x28]),
      Buffer.from('"}}}}'),
    ]);
    const r = runCli(['audit', write('latin.json', bytes), '--format', 'json']);
    if (r.code === 2) expect(r.stderr.trim().split('\n')).toHaveLength(1);
    else expect(r.code).toBe(0);
  });

  test('binary garbage: exit 2 with one line', () => {
    expectOneLineInputError(write('garbage.json', Buffer.from([0, 1, 2, 3, 0xff, 0x00, 0x7f])), /invalid JSON/);
  });
});
