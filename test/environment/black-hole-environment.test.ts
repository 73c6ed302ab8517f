import { App, Stack, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { BillingGuard } from '../../lib/billing/billing-guard';
import { BlackHoleEnvironment, BlackHoleEnvironmentProps } from '../../lib/environment';
import { AgentBoundary } from '../../lib/identity/agent-boundary';
import { AgentRole } from '../../lib/identity/agent-role';
import { BlackHoleVpc } from '../../lib/network/black-hole-vpc';
import { ENDPOINT_PRESETS } from '../../lib/network/endpoint-services';
import { FlowLogPipeline } from '../../lib/telemetry/flow-log-pipeline';
import { ViolationStream } from '../../lib/telemetry/violation-stream';
import { synthWithChecks } from '../helpers/gate';

function build(props: Partial<BlackHoleEnvironmentProps> = {}) {
  const app = new App();
  const stack = new Stack(app, 'Env');
  const env = new BlackHoleEnvironment(stack, 'Bh', {
    environmentName: 'team-a',
    gpuFleet: { instanceTypes: ['g5.2xlarge'], maxInstances: 3 },
    billing: { monthlyLimitUsd: 500 },
    ...props,
  });
  return { app, stack, env };
}

describe('BlackHoleEnvironment composes every part with the closed defaults', () => {
  const { app, stack, env } = build();
  const t = Template.fromStack(stack);

  test('network with the EC2 training endpoints, and nothing open', () => {
    expect([...env.network.endpointServices].sort()).toEqual(['ecr.api', 'ecr.dkr', 'kms', 'logs', 'monitoring', 's3', 'sts']);
    t.resourceCountIs('AWS::EC2::InternetGateway', 0);
    t.resourceCountIs('AWS::EC2::NatGateway', 0);
    t.resourceCountIs('AWS::EC2::Route', 0);
  });

  test('the agent role carries the boundary and is the fleet instance profile, the budget action target and the watched principal', () => {
    const roleId = stack.getLogicalId(env.agentRole.node.defaultChild as any);
    t.hasResourceProperties('AWS::IAM::Role', {
      Tags: Match.arrayWith([{ Key: 'black-hole:agent-role', Value: 'true' }]),
      PermissionsBoundary: { Ref: Match.stringLikeRegexp('AgentBoundary') },
    });
    t.hasResourceProperties('AWS::IAM::InstanceProfile', { Roles: [{ Ref: roleId }] });
    t.hasResourceProperties('AWS::Budgets::BudgetsAction', {
      ActionType: 'APPLY_IAM_POLICY',
      Definition: { IamActionDefinition: { Roles: [{ Ref: roleId }] } },
    });
    const rules = Object.values(t.findResources('AWS::Events::Rule')).map((r: any) => JSON.stringify(r.Properties.EventPattern ?? {}));
    expect(rules.some((p) => p.includes('sessionIssuer') && p.includes(roleId))).toBe(true);
  });

  test('the usage cap is the fleet declared capacity: 3 x g5.2xlarge = 24 vCPUs of G/OnDemand', () => {
    expect(env.fleet!.declaredVcpus).toEqual({ 'G/OnDemand': 24 });
    t.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/Usage',
      Threshold: 24,
      Period: 60,
      Dimensions: Match.arrayWith([{ Name: 'Class', Value: 'G/OnDemand' }]),
    });
  });

  test('telemetry: Parquet pipeline, CloudWatch copy feeding the violation stream, containment on', () => {
    t.resourceCountIs('AWS::Glue::Table', 2);
    t.resourceCountIs('AWS::Events::EventBus', 1);
    t.hasResourceProperties('AWS::Lambda::Function', { Environment: { Variables: Match.objectLike({ MODE: 'contain' }) } });
  });

  test('SageMaker placement published', () => {
    t.hasResourceProperties('AWS::SSM::Parameter', { Name: '/black-hole/team-a/sagemaker/subnet-ids' });
  });

  test('passes BlackHoleChecks and AwsSolutionsChecks', () => {
    const { app: fresh } = build();
    Validations.of(fresh).addPlugins(new AwsSolutionsChecks(fresh));
    expect(synthWithChecks(fresh)).toEqual({ failed: false, ruleIds: [] });
  });

  test('removing the DNS firewall from the composed environment fails the gate (the check above is not vacuous)', () => {
    const { app: fresh, env: e } = build();
    e.network.node.tryRemoveChild('WalledGardenAssociation');
    expect(synthWithChecks(fresh)).toEqual({ failed: true, ruleIds: ['BlackHole-DNS1'] });
  });

  test('the first build is synthesized once', () => {
    expect(app.synth().stacks).toHaveLength(1);
  });
});

test('without a fleet there is no usage alarm, and alert-only containment is honoured', () => {
  const { stack } = build({ gpuFleet: undefined, telemetry: { containment: { mode: 'alert-only' } }, sageMakerTarget: false });
  const t = Template.fromStack(stack);
  expect(Object.values(t.findResources('AWS::CloudWatch::Alarm')).filter((a: any) => a.Properties.Namespace === 'AWS/Usage')).toEqual([]);
  t.hasResourceProperties('AWS::Lambda::Function', { Environment: { Variables: Match.objectLike({ MODE: 'alert-only' }) } });
  t.resourceCountIs('AWS::SSM::Parameter', 0);
});

test('a management-event trail by default; none when the account already has one (telemetry.trail)', () => {
  expect(Template.fromStack(build().stack).findResources('AWS::CloudTrail::Trail')).not.toEqual({});
  Template.fromStack(build({ telemetry: { trail: { existingTrail: true } } }).stack).resourceCountIs('AWS::CloudTrail::Trail', 0);
});

test('billing is required, and the parts validate their own props by name', () => {
  expect(() => build({ billing: undefined as any })).toThrow(/billing: is required/);
  expect(() => build({ environmentName: 'Bad_Name' })).toThrow(/environmentName: 'Bad_Name' is not allowed/);
  expect(() => build({ billing: { monthlyLimitUsd: -5 } })).toThrow(/monthlyLimitUsd/);
});

test('episodeSessions: only the harness may assume the agent role; with a GPU fleet it is refused, naming the prop', () => {
  const app = new App();
  const stack = new Stack(app, 'Sessions');
  const harness = new iam.Role(stack, 'Harness', { assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com') });
  const env = new BlackHoleEnvironment(stack, 'Bh', {
    environmentName: 'team-s',
    billing: { monthlyLimitUsd: 100 },
    episodeSessions: { harnessPrincipals: [harness] },
  });
  const trust =
    Template.fromStack(stack).toJSON().Resources[stack.getLogicalId(env.agentRole.node.defaultChild as iam.CfnRole)].Properties.AssumeRolePolicyDocument;
  expect(JSON.stringify(trust)).toContain('sts:SourceIdentity');
  expect(JSON.stringify(trust)).not.toContain('ec2.amazonaws.com');
  const other = new Stack(new App(), 'S');
  const h2 = new iam.Role(other, 'Harness', { assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com') });
  expect(
    () =>
      new BlackHoleEnvironment(other, 'Bh', {
        environmentName: 'team-s',
        billing: { monthlyLimitUsd: 100 },
        gpuFleet: { instanceTypes: ['g5.xlarge'], maxInstances: 1 },
        episodeSessions: { harnessPrincipals: [h2] },
      }),
  ).toThrow(/episodeSessions/);
});

describe('the runtime path names the environment own roles only', () => {
  const { stack, env } = build();
  // Added after the environment, inside its scope: someone else's role, not the library's runtime.
  const mine = new iam.Role(env, 'MyOwnRole', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
  const mineUnderPart = new iam.Role(env.billing, 'AnotherOwnRole', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
  const roles = Template.fromStack(stack).findResources('AWS::IAM::Role') as Record<string, any>;
  const pathOf = (r: iam.Role) => roles[stack.getLogicalId(r.node.defaultChild as iam.CfnRole)].Properties.Path;

  test('a role added inside the environment afterwards keeps the default path (the guardrail SCP still holds it)', () => {
    expect(pathOf(mine)).toBeUndefined();
    expect(pathOf(mineUnderPart)).toBeUndefined();
  });

  test('every role the environment created, except the agent role, is on /black-hole-runtime/', () => {
    const agentId = stack.getLogicalId(env.agentRole.node.defaultChild as iam.CfnRole);
    const own = new Set([stack.getLogicalId(mine.node.defaultChild as iam.CfnRole), stack.getLogicalId(mineUnderPart.node.defaultChild as iam.CfnRole)]);
    const rest = Object.entries(roles).filter(([id]) => id !== agentId && !own.has(id));
    expect(rest.length).toBeGreaterThanOrEqual(6);
    expect(rest.filter(([, r]) => r.Properties.Path !== '/black-hole-runtime/').map(([id]) => id)).toEqual([]);
    expect(roles[agentId].Properties.Path).toBeUndefined();
  });
});

test('standalone constructs put their own runtime roles on the runtime path, and only those', () => {
  const app = new App();
  const stack = new Stack(app, 'Standalone');
  const network = new BlackHoleVpc(stack, 'Network', { environmentName: 'solo', endpointServices: [...ENDPOINT_PRESETS.EC2_TRAINING] });
  const boundary = new AgentBoundary(stack, 'Boundary', { environmentName: 'solo', vpc: network.vpc, enabledEndpointServices: [...network.endpointServices] });
  const agent = new AgentRole(stack, 'Agent', { boundary });
  new BillingGuard(stack, 'Billing', { environmentName: 'solo', agentRoles: [agent], monthlyLimitUsd: 100 });
  const pipeline = new FlowLogPipeline(stack, 'FlowLogs', { network, cloudWatchCopy: {} });
  const violations = new ViolationStream(stack, 'Violations', { network, pipeline, agentRoles: [agent] });
  const mine = new iam.Role(violations, 'AddedLater', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
  const roles = Template.fromStack(stack).findResources('AWS::IAM::Role') as Record<string, any>;
  const idOf = (c: IConstruct) => stack.getLogicalId(c.node.defaultChild as iam.CfnRole);
  const onPath = Object.keys(roles).filter((id) => roles[id].Properties.Path === '/black-hole-runtime/');
  const ownerOf = (id: string) =>
    ['Billing', 'FlowLogs', 'Violations', 'CustomVpcRestrictDefaultSG', 'AWS679f53fac002430cb0da5b7982bd2287'].find((p) => id.startsWith(p));
  // The billing guard's two roles, the flow-log delivery role, the correlator and the responder, CDK's providers.
  expect(onPath.filter((id) => id.startsWith('Billing')).length).toBe(2);
  expect(onPath.filter((id) => id.startsWith('FlowLogs')).length).toBeGreaterThanOrEqual(1);
  expect(onPath.filter((id) => id.startsWith('Violations')).length).toBe(2);
  expect(onPath.every((id) => ownerOf(id) !== undefined)).toBe(true);
  expect(roles[idOf(agent)].Properties.Path).toBeUndefined();
  expect(roles[idOf(mine)].Properties.Path).toBeUndefined();
  // CDK's default-security-group handler of the stack (BlackHoleVpc's restrictDefaultSecurityGroup).
  expect(onPath.some((id) => id.startsWith('CustomVpcRestrictDefaultSG'))).toBe(true);
});
