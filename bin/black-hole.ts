#!/usr/bin/env node
/**
 * The reference app: one whole black hole training environment (network, agent identity, GPU fleet,
 * billing guard, telemetry and containment), synthesized offline with `npx cdk synth` and gated by
 * BlackHoleChecks (and AwsSolutionsChecks): synth fails if the environment can leak.
 */
import { App, Stack, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { BlackHoleChecks, BlackHoleEnvironment, TrainingData } from '../lib';

const app = new App();
const stack = new Stack(app, 'BlackHoleReference', {
  description: 'cdk-black-hole reference environment: an air-gapped GPU training environment',
});
const environment = new BlackHoleEnvironment(stack, 'Environment', {
  environmentName: 'reference',
  gpuFleet: { instanceTypes: ['g5.xlarge'], maxInstances: 2 },
  billing: { monthlyLimitUsd: 1000 },
});
// What the agents train on: datasets (read), checkpoints (write), mirrored images (pull), logs, metrics.
const data = new TrainingData(stack, 'TrainingData', { environmentName: environment.environmentName });
data.grantTrainingAccess(environment.agentRole);

// The Control Tower Guard rules (CfnGuardValidator) are a slow peer check: they run in test/peer and
// the examples, not in the quick start (docs/COMPLIANCE.md).
Validations.of(app).addPlugins(new BlackHoleChecks(app), new AwsSolutionsChecks(app));
app.synth();
