#!/usr/bin/env node
/**
 * The reference app: one black hole training environment, synthesized offline with `npx cdk synth`,
 * gated by BlackHoleChecks (and AwsSolutionsChecks): synth fails if the environment can leak.
 */
import { App, Stack, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { AgentBoundary, AgentRole, BillingGuard, BlackHoleChecks, BlackHoleVpc, ENDPOINT_PRESETS, GpuTrainingFleet } from '../lib';

const app = new App();
const stack = new Stack(app, 'BlackHoleReference', {
  description: 'cdk-black-hole reference environment: an air-gapped GPU training network',
});
const network = new BlackHoleVpc(stack, 'Network', {
  environmentName: 'reference',
  endpointServices: [...ENDPOINT_PRESETS.EC2_TRAINING],
});
const boundary = new AgentBoundary(stack, 'AgentBoundary', {
  environmentName: network.environmentName,
  vpc: network.vpc,
  enabledEndpointServices: [...network.endpointServices],
});
const agentRole = new AgentRole(stack, 'AgentRole', { boundary });
const fleet = new GpuTrainingFleet(stack, 'GpuFleet', { network, role: agentRole, instanceTypes: ['g5.xlarge'], maxInstances: 2 });
new BillingGuard(stack, 'BillingGuard', {
  environmentName: network.environmentName,
  monthlyLimitUsd: 1000,
  agentRoles: [agentRole],
  declaredVcpus: { ...fleet.declaredVcpus },
});

Validations.of(app).addPlugins(new BlackHoleChecks(app), new AwsSolutionsChecks(app));
app.synth();
