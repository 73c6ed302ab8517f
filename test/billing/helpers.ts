import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import { AgentBoundary } from '../../lib/identity/agent-boundary';
import { AgentRole } from '../../lib/identity/agent-role';
import { BillingGuard, BillingGuardProps } from '../../lib/billing';

export const ACCOUNT = '111122223333';
export const REGION = 'eu-west-1';
export const ENV = 'rl-1';

/**
 * An app and stack with a concrete environment. Asset staging is skipped unless asked for: most
 * tests read the template, and one test reads the pre-built handler asset.
 */
export function newStack(options: { bundle?: boolean } = {}): { app: App; stack: Stack } {
  const app = new App(options.bundle ? {} : { context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new Stack(app, 'Env', { env: { account: ACCOUNT, region: REGION } });
  return { app, stack };
}

/** An agent role of environment `env` with its boundary, as an environment has them. */
export function agentRole(stack: Stack, id = 'Agent', env = ENV): AgentRole {
  const vpc =
    (stack.node.tryFindChild('Vpc') as ec2.Vpc | undefined) ??
    new ec2.Vpc(stack, 'Vpc', {
      maxAzs: 2,
      natGateways: 0,
      subnetConfiguration: [{ name: 'isolated', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }],
    });
  const boundary = new AgentBoundary(stack, `${id}Boundary`, { environmentName: env, vpc, enabledEndpointServices: ['s3'] });
  return new AgentRole(stack, id, { boundary });
}

/** A guard with the given props over defaults (one plain agent role unless `agentRoles` is given). */
export function guard(
  overrides: Partial<BillingGuardProps> = {},
  options: { bundle?: boolean } = {},
): { app: App; stack: Stack; guard: BillingGuard; template: Template; roles: iam.IRole[] } {
  const { app, stack } = newStack(options);
  const roles = overrides.agentRoles ?? [new iam.Role(stack, 'PlainAgent', { assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com') })];
  const g = new BillingGuard(stack, 'Guard', { environmentName: ENV, monthlyLimitUsd: 5000, agentRoles: roles, ...overrides });
  return { app, stack, guard: g, template: Template.fromStack(stack), roles };
}

/** The resources of a type, as plain JSON, by logical ID. */
export function resourcesOf(template: Template, type: string): Record<string, any> {
  return template.findResources(type);
}

/** The only resource of a type (fails when there is not exactly one). */
export function onlyResource(template: Template, type: string): { id: string; resource: any } {
  const all = Object.entries(template.findResources(type));
  if (all.length !== 1) throw new Error(`expected one ${type}, found ${all.length}`);
  return { id: all[0][0], resource: all[0][1] };
}

/** Logical ID of a construct's default child resource. */
export function logicalId(stack: Stack, construct: { node: { defaultChild?: unknown } } | unknown): string {
  const c = (construct as any).node?.defaultChild ?? construct;
  return stack.getLogicalId(c);
}
