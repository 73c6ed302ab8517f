import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { TemplateModel } from '../../lib/gate/model';
import { auditTemplates, runCli } from '../helpers/gate';

// A real public CloudFormation template (YAML, short-form intrinsics): a VPC with public subnets,
// an internet gateway and NAT gateways. See test/fixtures/templates/SOURCES.md.
const FIXTURE = path.join(__dirname, '../fixtures/templates/aws-cloudformation-templates_VPC_With_Managed_NAT_And_Private_Subnet.yaml');

test('YAML short-form intrinsics are read as their long forms', () => {
  const model = TemplateModel.load([FIXTURE]);
  const stack = model.stacks[0];
  const attachment = stack.resourcesOfType('AWS::EC2::VPCGatewayAttachment')[0];
  expect(attachment.properties.VpcId).toEqual({ Ref: 'VPC' });
  const nat = stack.resourcesOfType('AWS::EC2::NatGateway')[0];
  expect(nat.properties.AllocationId).toEqual({ 'Fn::GetAtt': [expect.any(String), 'AllocationId'] });
});

test('untagged, it is not a black hole environment: PASS with a note saying so', () => {
  const r = runCli(['audit', FIXTURE]);
  expect(r.code).toBe(0);
  expect(r.stdout).toMatch(/no black hole environment found/);
});

test('declared an environment, every door it opens is reported', () => {
  const template = JSON.parse(JSON.stringify(TemplateModel.load([FIXTURE]).stacks[0].template));
  template.Resources.VPC.Properties.Tags = [...(template.Resources.VPC.Properties.Tags ?? []), { Key: 'black-hole:environment', Value: 'public' }];
  const r = auditTemplates({ Public: template });
  expect(r.code).toBe(1);
  expect(r.ruleIds).toEqual(
    expect.arrayContaining(['BlackHole-NET1', 'BlackHole-NET2', 'BlackHole-NET7', 'BlackHole-DNS1', 'BlackHole-LOG1', 'BlackHole-LOG2']),
  );
});

test('invalid YAML: exit 2 and one line', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bh-yaml-'));
  const file = path.join(dir, 'broken.yaml');
  fs.writeFileSync(file, 'Resources:\n  A: [unclosed\n');
  let r: ReturnType<typeof runCli>;
  try {
    r = runCli(['audit', file]);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  expect(r.code).toBe(2);
  expect(r.stderr).toMatch(/broken\.yaml: invalid YAML/);
  expect(r.stderr.trim().split('\n')).toHaveLength(1);
});
