import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, NestedStack, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as cr from 'aws-cdk-lib/custom-resources';
import { TemplateModel } from '../../../lib/gate/model';
import { auditTemplates, runCli, synthWithChecks, templateOf } from '../../helpers/gate';
import { buildEnvironment } from '../../redteam/environment';

process.env.CDK_VALIDATION = 'false';

const GATE1 = 'BlackHole-GATE1';
const parts = (template: unknown) => TemplateModel.fromTemplates([{ stackName: 'S', template }]).unverifiableParts.map((p) => `${p.kind}: ${p.detail}`);
const bucket = { B: { Type: 'AWS::S3::Bucket' } };

describe('unverifiable template parts (BlackHole-GATE1)', () => {
  test("the corpus environment passes: BlackHoleVpc's AwsCustomResource only describes prefix lists", () => {
    const t = templateOf(buildEnvironment().stack);
    expect(Object.values(t.Resources).some((r: any) => r.Type === 'Custom::AWS')).toBe(true);
    expect(parts(t)).toEqual([]);
    expect(auditTemplates({ Env: t }).ruleIds).not.toContain(GATE1);
  });

  test.each([
    ['a SAM transform', { Transform: 'AWS::Serverless-2016-10-31', Resources: bucket }, /transform: template S declares Transform AWS::Serverless-2016-10-31/],
    ['several transforms', { Transform: ['AWS::LanguageExtensions', 'MyMacro'], Resources: bucket }, /AWS::LanguageExtensions, MyMacro/],
    [
      'Fn::Transform (AWS::Include) in a resource',
      { Resources: { B: { Type: 'AWS::S3::Bucket', Properties: { 'Fn::Transform': { Name: 'AWS::Include', Parameters: { Location: 's3://x/y.yaml' } } } } } },
      /uses Fn::Transform/,
    ],
    [
      'a nested stack from an external TemplateURL',
      { Resources: { N: { Type: 'AWS::CloudFormation::Stack', Properties: { TemplateURL: 'https://s3.amazonaws.com/someone/else.json' } } } },
      /nested stack N deploys https:\/\/s3.amazonaws.com\/someone\/else.json/,
    ],
    [
      'a StackSet with an inline TemplateBody',
      {
        Resources: {
          SS: { Type: 'AWS::CloudFormation::StackSet', Properties: { StackSetName: 's', PermissionModel: 'SELF_MANAGED', TemplateBody: '{"Resources":{}}' } },
        },
      },
      /StackSet SS deploys an inline TemplateBody/,
    ],
    [
      'an SDK call that changes something',
      {
        Resources: {
          C: { Type: 'Custom::AWS', Properties: { ServiceToken: 'x', Create: '{"service":"EC2","action":"authorizeSecurityGroupEgress","parameters":{}}' } },
        },
      },
      /calls EC2.authorizeSecurityGroupEgress on Create/,
    ],
    [
      'a read-only call as another role',
      {
        Resources: {
          C: {
            Type: 'Custom::AWS',
            Properties: { ServiceToken: 'x', Create: '{"service":"EC2","action":"describeManagedPrefixLists","assumedRoleArn":"arn:aws:iam::1:role/r"}' },
          },
        },
      },
      /as another role/,
    ],
    [
      'a read-only call not on the list',
      { Resources: { C: { Type: 'Custom::MyLookup', Properties: { ServiceToken: 'x', Create: '{"service":"SSM","action":"getParameter"}' } } } },
      /SSM.getParameter/,
    ],
    [
      'an unreadable SDK call',
      { Resources: { C: { Type: 'Custom::AWS', Properties: { ServiceToken: 'x', Update: { Ref: 'AWS::StackName' } } } } },
      /cannot read/,
    ],
    [
      'a custom resource handled outside the app',
      {
        Resources: {
          C: { Type: 'AWS::CloudFormation::CustomResource', Properties: { ServiceToken: 'arn:aws:lambda:us-east-1:111111111111:function:elsewhere' } },
        },
      },
      /handled by arn:aws:lambda:us-east-1:111111111111:function:elsewhere, a provider outside the app/,
    ],
    ['a module', { Resources: { M: { Type: 'MyOrg::Network::Vpc::MODULE', Properties: {} } } }, /CloudFormation module/],
    ['a third-party resource type', { Resources: { X: { Type: 'Vendor::Agent::Installer', Properties: {} } } }, /third-party or private resource type/],
  ])('%s is a finding', (_, template, detail) => {
    expect(parts(template).join('\n')).toMatch(detail);
    const { code, ruleIds } = auditTemplates({ S: template });
    expect(ruleIds).toContain(GATE1);
    expect(code).toBe(1);
  });

  test('custom resources backed by a function of the app and v3 spellings of the allowed call pass', () => {
    expect(
      parts({
        Resources: {
          Fn: { Type: 'AWS::Lambda::Function', Properties: {} },
          C: { Type: 'Custom::Thing', Properties: { ServiceToken: { 'Fn::GetAtt': ['Fn', 'Arn'] } } },
          D: {
            Type: 'Custom::AWS',
            Properties: {
              ServiceToken: { 'Fn::GetAtt': ['Fn', 'Arn'] },
              Create: '{"service":"@aws-sdk/client-ec2","action":"DescribeManagedPrefixListsCommand"}',
            },
          },
        },
      }),
    ).toEqual([]);
  });

  function nestedApp(): App {
    const app = new App();
    const parent = new Stack(app, 'Parent');
    new s3.Bucket(new NestedStack(parent, 'Child'), 'Data');
    return app;
  }

  test("a CDK nested stack is seen at both doors (cdk.out for the CLI, the plugin's templates at synth)", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bh-nested-'));
    const app = new App({ outdir: dir });
    const parent = new Stack(app, 'Parent');
    new s3.Bucket(new NestedStack(parent, 'Child'), 'Data');
    app.synth();
    const out = runCli(['audit', dir, '--format', 'json']);
    expect(JSON.parse(out.stdout).findings.filter((f: any) => f.ruleId === GATE1)).toEqual([]);
    expect(synthWithChecks(nestedApp()).ruleIds).not.toContain(GATE1);
  });

  test('an AwsCustomResource that writes fails synth with BlackHole-GATE1; the read-only lookup passes', () => {
    const build = (action: string) => {
      const app = new App();
      const stack = new Stack(app, 'S');
      const call = new cr.AwsCustomResource(stack, 'Call', {
        onCreate: { service: 'EC2', action, parameters: {}, physicalResourceId: cr.PhysicalResourceId.of('x') },
        policy: cr.AwsCustomResourcePolicy.fromStatements([new iam.PolicyStatement({ actions: ['ec2:*'], resources: ['*'] })]),
        installLatestAwsSdk: false,
      });
      expect(Token.isUnresolved(call.getResponseField('x'))).toBe(true);
      return app;
    };
    expect(synthWithChecks(build('createInternetGateway')).ruleIds).toContain(GATE1);
    expect(synthWithChecks(build('describeManagedPrefixLists')).ruleIds).not.toContain(GATE1);
  });
});
