import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, CfnResource, NestedStack, Stack, Stage, Tags } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import { GateInputError, TemplateModel } from '../../../lib/gate/model';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gate-model-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function write(name: string, content: string): string {
  const file = path.join(tmp, name);
  fs.writeFileSync(file, content);
  return file;
}

function inputError(paths: string[]): GateInputError {
  try {
    TemplateModel.load(paths);
  } catch (e) {
    expect(e).toBeInstanceOf(GateInputError);
    return e as GateInputError;
  }
  throw new Error('expected a GateInputError');
}

describe('TemplateModel.load: bad input is a GateInputError with file and one-line reason', () => {
  test.each([
    ['missing file', () => path.join(tmp, 'nope.json'), /no such file/],
    ['invalid JSON', () => write('bad.json', '{ "Resources": '), /invalid JSON/],
    ['not an object', () => write('arr.json', '[1, 2]'), /not an object/],
    ['no Resources', () => write('nores.json', '{"Outputs": {}}'), /no Resources object/],
    ['resource without Type', () => write('notype.json', '{"Resources": {"A": {"Properties": {}}}}'), /resource A has no Type/],
    ['Properties not an object', () => write('props.json', '{"Resources": {"A": {"Type": "AWS::SNS::Topic", "Properties": 3}}}'), /Properties of resource A/],
    ['directory without manifest', () => fs.mkdtempSync(path.join(tmp, 'empty-')), /without manifest\.json/],
    ['invalid YAML', () => write('t.yaml', 'Resources:\n  A: [unclosed\n'), /invalid YAML/],
  ])('%s', (_name, make, reason) => {
    const file = make();
    const e = inputError([file]);
    expect(e.file).toBe(file);
    expect(e.reason).toMatch(reason);
    expect(e.reason).not.toMatch(/\n/);
  });

  test('YAML with short-form tags is read', () => {
    const file = write(
      't.yml',
      'Resources:\n  T:\n    Type: AWS::SNS::Topic\n  S:\n    Type: AWS::SNS::Subscription\n    Properties:\n      TopicArn: !Ref T\n      Endpoint: !GetAtt T.TopicName\n      Protocol: !Sub "${AWS::Region}"\n',
    );
    const stack = TemplateModel.load([file]).stacks[0];
    expect(stack.resource('S')?.properties).toEqual({
      TopicArn: { Ref: 'T' },
      Endpoint: { 'Fn::GetAtt': ['T', 'TopicName'] },
      Protocol: { 'Fn::Sub': '${AWS::Region}' },
    });
  });

  test('JSON content in a .yaml file is read', () => {
    const file = write('json.yaml', '{"Resources": {"A": {"Type": "AWS::SNS::Topic"}}}');
    expect(TemplateModel.load([file]).stacks[0].resource('A')?.type).toBe('AWS::SNS::Topic');
  });

  test('fromTemplates validates too', () => {
    expect(() => TemplateModel.fromTemplates([{ stackName: 'X', template: { Resources: { A: {} } } }])).toThrow(GateInputError);
  });
});

describe('TemplateModel.load: cdk.out with stages, and resource facts', () => {
  let outdir: string;
  beforeAll(() => {
    outdir = path.join(tmp, 'cdk.out');
    const app = new App({ outdir, context: { 'aws:cdk:enable-path-metadata': true } });
    const net = new Stack(app, 'Net');
    const vpc = new ec2.Vpc(net, 'Vpc', { maxAzs: 1, natGateways: 0, subnetConfiguration: [{ name: 'iso', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }] });
    Tags.of(vpc).add('black-hole:environment', 'bh1');
    new ec2.SecurityGroup(net, 'Sg', { vpc });
    const nested = new NestedStack(net, 'Compute');
    new ec2.CfnInstance(nested, 'Gpu', { subnetId: vpc.isolatedSubnets[0].subnetId, imageId: 'ami-1' });
    const stage = new Stage(app, 'Prod');
    const s = new Stack(stage, 'Agents');
    const r = new iam.Role(s, 'Agent', { assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com') });
    Tags.of(r).add('black-hole:agent-role', 'true');
    (r.node.defaultChild as CfnResource).addMetadata('cdk_nag', { rules_to_suppress: [{ id: 'BlackHole-IAM1', reason: 'tested' }] });
    app.synth();
  });

  test('stacks of the app and of nested assemblies (stages) are loaded', () => {
    const m = TemplateModel.load([outdir]);
    expect(
      m.stacks
        .map((s) => s.displayName)
        .filter((n) => !n.startsWith('Net/'))
        .sort(),
    ).toEqual(['Net', 'Prod/Agents']);
    const agents = m.stack('Prod-Agents')!;
    expect(agents.templatePath).toMatch(/ProdAgents.*\.template\.json$/);
    const role = agents.resourcesOfType('AWS::IAM::Role')[0];
    expect(role.path).toBe('Prod/Agents/Agent/Resource');
    expect(role.tags.get('black-hole:agent-role')).toBe('true');
    expect(role.acknowledgements).toEqual([{ id: 'BlackHole-IAM1', reason: 'tested' }]);
  });

  test('nested stacks are loaded, and their parameters resolve in the parent', () => {
    const m = TemplateModel.load([outdir]);
    const nested = m.stacks.find((s) => s.name.startsWith('Net/'))!;
    expect(nested).toBeDefined();
    const gpu = nested.resourcesOfType('AWS::EC2::Instance')[0];
    const placement = m.environments.subnetPlacement(nested, gpu.properties.SubnetId);
    expect(placement.environment).toBe('bh1');
    expect(placement.subnet?.stack.name).toBe('Net');
  });

  test('environments: VPC, subnets and security groups by VpcId', () => {
    const m = TemplateModel.load([outdir]);
    const env = m.environments;
    expect(env.names()).toContain('bh1');
    const [vpc] = env.vpcsOf('bh1');
    expect(vpc.type).toBe('AWS::EC2::VPC');
    expect(env.subnetsOfVpc(vpc)).toHaveLength(1);
    expect(env.securityGroupsOfVpc(vpc).map((s) => s.type)).toEqual(['AWS::EC2::SecurityGroup']);
    const subnet = env.subnetsOfVpc(vpc)[0];
    expect(env.subnetPlacement('Net', { Ref: subnet.logicalId })).toMatchObject({ environment: 'bh1', vpc });
  });
});

describe('resource facts from JSON templates', () => {
  const m = TemplateModel.fromTemplates([
    {
      stackName: 'S',
      template: {
        Resources: {
          A: {
            Type: 'AWS::SSM::Parameter',
            Properties: { Tags: { 'black-hole:environment': 'bh1', Other: { Ref: 'AWS::Region' } } },
            DependsOn: 'B',
            Condition: 'IsProd',
          },
          B: { Type: 'AWS::SNS::Topic', Properties: { Tags: [{ Key: 'k', Value: { 'Fn::ImportValue': 'x' } }] }, DependsOn: ['A'] },
        },
      },
    },
  ]);
  test('map-form and list-form tags, unknown tag values, DependsOn, Condition', () => {
    const a = m.stack('S')!.resource('A')!;
    expect([...a.tags]).toEqual([
      ['black-hole:environment', 'bh1'],
      ['Other', '${AWS::Region}'],
    ]);
    expect(a.dependsOn).toEqual(['B']);
    expect(a.condition).toBe('IsProd');
    const b = m.stack('S')!.resource('B')!;
    expect(b.tags.has('k')).toBe(true);
    expect(b.tags.get('k')).toBeUndefined();
    expect(m.environments.resourcesOf('bh1').map((r) => r.logicalId)).toEqual(['A']);
  });
});
