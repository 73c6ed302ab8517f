#!/usr/bin/env node
/**
 * The reference app: one black hole training environment, synthesized offline with `npx cdk synth`.
 */
import { App, Stack } from 'aws-cdk-lib';
import { BlackHoleVpc, ENDPOINT_PRESETS } from '../lib';

const app = new App();
const stack = new Stack(app, 'BlackHoleReference', {
  description: 'cdk-black-hole reference environment: an air-gapped GPU training network',
});
new BlackHoleVpc(stack, 'Network', {
  environmentName: 'reference',
  endpointServices: [...ENDPOINT_PRESETS.EC2_TRAINING],
});
app.synth();
