import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { ACCOUNT, REGION } from '../workload/physical-ids';

export { ACCOUNT, REGION };

/** A stack with a concrete environment and an isolated VPC, as an environment would have. */
export function environmentStack(id = 'Env'): { app: App; stack: Stack; vpc: ec2.Vpc } {
  const app = new App();
  const stack = new Stack(app, id, { env: { account: ACCOUNT, region: REGION } });
  const vpc = new ec2.Vpc(stack, 'Vpc', {
    maxAzs: 2,
    natGateways: 0,
    subnetConfiguration: [{ name: 'isolated', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }],
  });
  return { app, stack, vpc };
}

// Deterministic physical values for a template's logical IDs: one implementation, the workload proofs'.
export { PhysicalIds } from '../workload/physical-ids';

/** The single resource of a type in a template (fails when there is not exactly one). */
export function onlyResource(template: Template, type: string): { logicalId: string; properties: Record<string, unknown> } {
  const found = template.findResources(type);
  const ids = Object.keys(found);
  if (ids.length !== 1) throw new Error(`expected one ${type}, found ${ids.length}`);
  return { logicalId: ids[0], properties: found[ids[0]].Properties };
}

/** Minified JSON length: what IAM and Organizations count. */
export function compactLength(document: unknown): number {
  return JSON.stringify(document).length;
}
