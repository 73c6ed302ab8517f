#!/usr/bin/env node
/**
 * The reference app: one black hole training environment, synthesized offline with `npx cdk synth`,
 * gated by BlackHoleChecks (and AwsSolutionsChecks): synth fails if the environment can leak.
 */
import { App, Stack, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { AgentBoundary, AgentRole, BlackHoleChecks, BlackHoleVpc, ENDPOINT_PRESETS } from '../lib';

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
new AgentRole(stack, 'AgentRole', { boundary });

Validations.of(app).addPlugins(new BlackHoleChecks(app), new AwsSolutionsChecks(app));
app.synth();
