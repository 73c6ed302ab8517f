import * as fs from 'fs';
import * as path from 'path';
import { App, Stack, Tags, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import { AwsSolutionsChecks } from 'cdk-nag';
import { AGENT_ROLE_TAG, AGENT_ROLE_TAG_VALUE, ENVIRONMENT_TAG } from '../../lib/common/tags';
import { BillingGuard } from '../../lib/billing';
import { GpuTrainingFleet } from '../../lib/compute';
import { IdentityReachability } from '../../lib/gate/analysis/identity-reachability';
import { TemplateModel } from '../../lib/gate/model';
import { AgentBoundary, AgentRole } from '../../lib/identity';
import { BlackHoleVpc, ENDPOINT_PRESETS } from '../../lib/network';
import { synthWithChecks } from '../helpers/gate';
import { ACCOUNT, REGION } from './helpers';

const ENV = 'team-a';

/** A whole environment: network, boundary, agent role, GPU fleet, and the guard with every option. */
function environment(options: { bundle?: boolean } = {}) {
  const app = new App(options.bundle ? {} : { context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new Stack(app, 'Env', { env: { account: ACCOUNT, region: REGION } });
  const network = new BlackHoleVpc(stack, 'Net', { environmentName: ENV, endpointServices: [...ENDPOINT_PRESETS.EC2_TRAINING] });
  const boundary = new AgentBoundary(stack, 'Boundary', { environmentName: ENV, vpc: network.vpc, enabledEndpointServices: [...network.endpointServices] });
  const role = new AgentRole(stack, 'Agent', { boundary });
  const fleet = new GpuTrainingFleet(stack, 'Fleet', { network, role, instanceTypes: ['p5.48xlarge'], maxInstances: 2 });
  const guard = new BillingGuard(stack, 'Guard', {
    environmentName: ENV,
    monthlyLimitUsd: 20000,
    agentRoles: [role],
    declaredVcpus: { ...fleet.declaredVcpus },
    scpTarget: '444455556666',
    stopInstanceIds: ['i-0123456789abcdef0'],
    emailSubscribers: ['oncall@example.com'],
  });
  return { app, stack, role, fleet, guard };
}

test('a whole environment with the guard passes BlackHoleChecks and AwsSolutionsChecks', () => {
  const { app } = environment();
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  expect(synthWithChecks(app)).toEqual({ failed: false, ruleIds: [] });
});

test("the usage cap is the fleet's declared capacity (2 x p5.48xlarge = 384 P/OnDemand vCPUs)", () => {
  const { stack, fleet } = environment();
  expect(fleet.declaredVcpus).toEqual({ 'P/OnDemand': 384 });
  Template.fromStack(stack).hasResourceProperties('AWS::CloudWatch::Alarm', {
    Dimensions: [
      { Name: 'Class', Value: 'P/OnDemand' },
      { Name: 'Resource', Value: 'vCPU' },
      { Name: 'Service', Value: 'EC2' },
      { Name: 'Type', Value: 'Resource' },
    ],
    Threshold: 384,
  });
});

test("the fleet's instances carry the tag the stop function and its IAM condition select on", () => {
  const { stack } = environment();
  Template.fromStack(stack).hasResourceProperties('AWS::AutoScaling::AutoScalingGroup', {
    Tags: [{ Key: ENVIRONMENT_TAG, Value: ENV, PropagateAtLaunch: true }],
  });
});

test('neither the budget execution role nor the stop function role is agent-reachable; the agent role is', () => {
  const { stack, guard, role } = environment();
  const model = TemplateModel.fromTemplates([{ stackName: stack.stackName, template: Template.fromStack(stack).toJSON() }]);
  const reachable = IdentityReachability.of(model).principals.map((p) => p.logicalId);
  expect(reachable).toContain(stack.getLogicalId(role.node.defaultChild as iam.CfnRole));
  expect(reachable).not.toContain(stack.getLogicalId(guard.executionRole.node.defaultChild as iam.CfnRole));
  expect(reachable).not.toContain(stack.getLogicalId(guard.stopFunction!.role!.node.defaultChild as iam.CfnRole));
});

test('the unattached deny-all SCP does not hide an agent that may move the budget fences (the gate still fails)', () => {
  const { app, stack } = environment();
  const leaky = new iam.Role(stack, 'LeakyAgent', { assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com') });
  leaky.addToPolicy(new iam.PolicyStatement({ actions: ['budgets:ModifyBudget', 'budgets:ExecuteBudgetAction'], resources: ['*'] }));
  Tags.of(leaky).add(AGENT_ROLE_TAG, AGENT_ROLE_TAG_VALUE);
  Tags.of(leaky).add(ENVIRONMENT_TAG, ENV);
  const result = synthWithChecks(app);
  expect(result.failed).toBe(true);
  expect(result.ruleIds).toContain('BlackHole-IAM3');
});

test('the stop function ships pre-built (handler index.handler, no bundling at synth) with the SDK left to the runtime', () => {
  const { app, stack, guard } = environment({ bundle: true });
  const assembly = app.synth();
  const fnId = stack.getLogicalId(guard.stopFunction!.node.defaultChild as CfnFunction);
  const fn = Template.fromStack(stack).toJSON().Resources[fnId];
  const assetHash = fn.Properties.Code.S3Key.replace(/\.zip$/, '');
  expect(fn.Properties.Handler).toBe('index.handler');
  const code = fs.readFileSync(path.join(assembly.directory, `asset.${assetHash}`, 'index.js'), 'utf8');
  expect(code).toContain('@aws-sdk/client-auto-scaling');
  expect(code).toContain('DetachInstancesCommand');
  expect(code).toContain('@aws-sdk/client-sagemaker');
  expect(code).not.toContain('UpdateAutoScalingGroupCommand'); // never pins a group to 0 (that terminates)
  expect(code).not.toContain('TerminateInstancesCommand');
  expect(code).not.toContain('@smithy'); // the SDK itself is not bundled
});

test('an environment-agnostic stack (as the reference app) with every option is also clean', () => {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new Stack(app, 'Agnostic');
  const network = new BlackHoleVpc(stack, 'Net', { environmentName: ENV });
  const boundary = new AgentBoundary(stack, 'Boundary', { environmentName: ENV, vpc: network.vpc, enabledEndpointServices: [...network.endpointServices] });
  const role = new AgentRole(stack, 'Agent', { boundary });
  new BillingGuard(stack, 'Guard', {
    environmentName: ENV,
    monthlyLimitUsd: 500,
    agentRoles: [role],
    declaredVcpus: { 'G/OnDemand': 8, 'G/Spot': 8 },
    scpTarget: 'ou-ab12-cdefgh34',
    stopInstanceIds: ['i-0123456789abcdef0'],
  });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  expect(synthWithChecks(app)).toEqual({ failed: false, ruleIds: [] });
});
