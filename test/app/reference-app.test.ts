import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

/**
 * The reference app, synthesized exactly as `npx cdk synth` does (tsx bin/black-hole.ts), into a
 * temporary directory: what the README's quick start produces.
 */
const root = path.resolve(__dirname, '../..');
let template: any;

beforeAll(() => {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'bh-ref-'));
  try {
    execFileSync(process.execPath, [require.resolve('tsx/cli'), 'bin/black-hole.ts'], {
      cwd: root,
      env: { ...process.env, CDK_OUTDIR: out, CDK_VALIDATION: 'false' },
      stdio: 'pipe',
    });
    template = JSON.parse(fs.readFileSync(path.join(out, 'BlackHoleReference.template.json'), 'utf8'));
  } finally {
    fs.rmSync(out, { recursive: true, force: true });
  }
}, 120000);

function ofType(type: string): any[] {
  return Object.values(template.Resources).filter((r: any) => r.Type === type);
}

test.each([
  'AWS::EC2::InternetGateway',
  'AWS::EC2::NatGateway',
  'AWS::EC2::EgressOnlyInternetGateway',
  'AWS::EC2::VPNGateway',
  'AWS::EC2::VPCGatewayAttachment',
  'AWS::EC2::TransitGatewayAttachment',
  'AWS::EC2::TransitGatewayVpcAttachment',
  'AWS::EC2::VPCPeeringConnection',
  'AWS::EC2::InstanceConnectEndpoint',
])('the reference template contains no %s', (type) => {
  expect(ofType(type)).toEqual([]);
});

test('the reference template has no OUTBOUND resolver endpoint', () => {
  const outbound = ofType('AWS::Route53Resolver::ResolverEndpoint').filter((r) => r.Properties.Direction === 'OUTBOUND');
  expect(outbound).toEqual([]);
});

test('the reference template has no route to a destination outside the VPC', () => {
  // Any AWS::EC2::Route is a non-local route (the local route is implicit): none may exist.
  expect(ofType('AWS::EC2::Route')).toEqual([]);
});

test('the reference environment has a VPC with DNS firewall, flow log and endpoints', () => {
  expect(ofType('AWS::EC2::VPC')).toHaveLength(1);
  expect(ofType('AWS::Route53Resolver::FirewallRuleGroupAssociation')).toHaveLength(1);
  const flowLogs = ofType('AWS::EC2::FlowLog');
  expect(flowLogs.length).toBeGreaterThanOrEqual(1);
  for (const f of flowLogs) expect(f.Properties.TrafficType).toBe('ALL');
  expect(flowLogs.some((f) => f.Properties.LogDestinationType === 's3')).toBe(true);
  expect(ofType('AWS::EC2::VPCEndpoint').length).toBeGreaterThanOrEqual(7);
});

test('the reference agent role carries the boundary and the agent tag', () => {
  const roles = Object.entries(template.Resources).filter(
    ([, r]: [string, any]) =>
      r.Type === 'AWS::IAM::Role' && (r.Properties.Tags ?? []).some((t: any) => t.Key === 'black-hole:agent-role' && t.Value === 'true'),
  );
  expect(roles).toHaveLength(1);
  const [, role]: [string, any] = roles[0] as any;
  const boundaryId = role.Properties.PermissionsBoundary.Ref;
  expect(template.Resources[boundaryId].Type).toBe('AWS::IAM::ManagedPolicy');
  const denies = template.Resources[boundaryId].Properties.PolicyDocument.Statement.filter(
    (s: any) => s.Effect === 'Deny' && s.Resource === '*' && !s.Condition,
  );
  expect(denies.length).toBeGreaterThan(0);
});

test('the reference environment has a budget that acts and one-minute GPU usage alarms', () => {
  expect(ofType('AWS::Budgets::Budget')).toHaveLength(1);
  expect(ofType('AWS::Budgets::BudgetsAction').map((a) => a.Properties.ActionType)).toContain('APPLY_IAM_POLICY');
  const alarms = ofType('AWS::CloudWatch::Alarm').filter((a) => a.Properties.Namespace === 'AWS/Usage');
  expect(alarms.map((a) => a.Properties.Period)).toEqual([60]);
  expect(ofType('AWS::CE::AnomalySubscription').map((s) => s.Properties.Frequency)).toEqual(['IMMEDIATE']);
});

test('the reference agent role can do its work: read datasets, write checkpoints, pull images, write logs and metrics', () => {
  const [roleId] = Object.entries(template.Resources).find(
    ([, r]: [string, any]) => r.Type === 'AWS::IAM::Role' && (r.Properties.Tags ?? []).some((t: any) => t.Key === 'black-hole:agent-role'),
  )!;
  const actions = new Set<string>();
  for (const r of Object.values(template.Resources) as any[]) {
    if (r.Type !== 'AWS::IAM::Policy' || !(r.Properties.Roles ?? []).some((x: any) => x.Ref === roleId)) continue;
    for (const s of r.Properties.PolicyDocument.Statement) {
      if (s.Effect === 'Allow') for (const a of [s.Action].flat()) actions.add(a);
    }
  }
  for (const a of [
    's3:GetObject',
    's3:ListBucket',
    's3:PutObject',
    'kms:Decrypt',
    'kms:GenerateDataKey',
    'ecr:BatchGetImage',
    'ecr:GetDownloadUrlForLayer',
    'ecr:GetAuthorizationToken',
    'logs:PutLogEvents',
    'cloudwatch:PutMetricData',
  ]) {
    expect(actions).toContain(a);
  }
});
