/**
 * EC2 GPU training inside a black hole: an air-gapped VPC with the endpoints EC2 training needs, an
 * agent role under the escape-catalog boundary, a GPU Auto Scaling group (0..2 g5.xlarge) that the
 * harness scales up, the data the agents train on, and a billing guard that stops the fleet. Gated by BlackHoleChecks, AwsSolutionsChecks and the
 * Control Tower proactive controls (CfnGuardValidator).
 */
import { CfnGuardValidator } from '@cdklabs/cdk-validator-cfnguard';
import { App, Stack, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
// In your own app: import { ... } from 'cdk-black-hole';
import { AgentBoundary, AgentRole, BillingGuard, BlackHoleChecks, BlackHoleVpc, ENDPOINT_PRESETS, GpuTrainingFleet, TrainingData } from '../../lib';

const app = new App();
const stack = new Stack(app, 'Ec2GpuFleet', { description: 'cdk-black-hole example: EC2 GPU fleet in a black hole' });
const network = new BlackHoleVpc(stack, 'Network', {
  environmentName: 'gpu-fleet',
  endpointServices: [...ENDPOINT_PRESETS.EC2_TRAINING],
});
const boundary = new AgentBoundary(stack, 'Boundary', {
  environmentName: network.environmentName,
  vpc: network.vpc,
  enabledEndpointServices: [...network.endpointServices],
});
const role = new AgentRole(stack, 'Agent', { boundary });
const fleet = new GpuTrainingFleet(stack, 'Fleet', { network, role, instanceTypes: ['g5.xlarge'], maxInstances: 2 });
// What the agents train on: datasets (read), checkpoints (write), mirrored images (pull), logs, metrics.
new TrainingData(stack, 'TrainingData', { environmentName: network.environmentName }).grantTrainingAccess(role);
// Spending limits: one-minute GPU usage alarms and a monthly budget, both stop the fleet (keeping its volumes).
new BillingGuard(stack, 'BillingGuard', {
  environmentName: network.environmentName,
  agentRoles: [role],
  declaredVcpus: { ...fleet.declaredVcpus },
  monthlyLimitUsd: 500,
});

// The gate, and the peer checks: cdk-nag's AWS Solutions pack and the AWS Control Tower proactive
// controls (cfn-guard, offline). Acknowledged findings and their reasons: docs/COMPLIANCE.md.
Validations.of(app).addPlugins(new BlackHoleChecks(app), new AwsSolutionsChecks(app), new CfnGuardValidator());
app.synth();
