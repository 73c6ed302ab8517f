import { App, Stack } from 'aws-cdk-lib';
import { AGENT_ROLE_TAG, ENVIRONMENT_TAG } from '../../lib/common/tags';
import { AgentBoundary, AgentRole } from '../../lib/identity';
import { BlackHoleVpc } from '../../lib/network';

/**
 * The environment every red-team case starts from: a BlackHoleVpc, its AgentBoundary and one bounded
 * AgentRole (no Lambdas to bundle, so a synth takes a fraction of a second). Construct-level cases
 * change a fresh one; template-level cases mutate a copy of its clean template.
 */

/** Environment name of the corpus environment. */
export const ENV = 'team-a';

export interface CorpusEnv {
  readonly app: App;
  readonly stack: Stack;
  readonly net: BlackHoleVpc;
  readonly boundary: AgentBoundary;
  readonly agent: AgentRole;
}

/** A fresh environment app (stack `Env`). */
export function buildEnvironment(): CorpusEnv {
  const app = new App();
  const stack = new Stack(app, 'Env');
  const net = new BlackHoleVpc(stack, 'Net', { environmentName: ENV, endpointServices: ['sts', 'logs'] });
  const boundary = new AgentBoundary(stack, 'Boundary', { environmentName: ENV, vpc: net.vpc });
  const agent = new AgentRole(stack, 'Agent', { boundary });
  return { app, stack, net, boundary, agent };
}

/** Logical IDs of the clean template's resources that cases refer to. */
export interface BaseIds {
  readonly vpc: string;
  readonly subnets: string[];
  readonly routeTables: string[];
  readonly agent: string;
  readonly boundary: string;
  readonly trainingSg: string;
  readonly endpointSg: string;
  readonly networkAcl: string;
  readonly ruleGroup: string;
  readonly allowedDomains: string;
  readonly allDomains: string;
  readonly firewallAssociation: string;
  readonly firewallConfig: string;
  readonly flowLog: string;
  readonly queryLogAssociation: string;
}

function first(t: any, type: string, pattern: RegExp = /./): string {
  const id = all(t, type, pattern)[0];
  if (!id) throw new Error(`the base template has no ${type} matching ${pattern}`);
  return id;
}

function all(t: any, type: string, pattern: RegExp = /./): string[] {
  return Object.keys(t.Resources)
    .filter((k) => t.Resources[k].Type === type && pattern.test(k))
    .sort();
}

/** Finds the base resources in a (copy of the) clean template. */
export function idsOf(t: any): BaseIds {
  const agent = Object.keys(t.Resources).find(
    (k) => t.Resources[k].Type === 'AWS::IAM::Role' && (t.Resources[k].Properties?.Tags ?? []).some((x: any) => x.Key === AGENT_ROLE_TAG) && /^Agent/.test(k),
  );
  if (!agent) throw new Error('the base template has no agent role');
  return {
    vpc: first(t, 'AWS::EC2::VPC'),
    subnets: all(t, 'AWS::EC2::Subnet'),
    routeTables: all(t, 'AWS::EC2::RouteTable'),
    agent,
    boundary: first(t, 'AWS::IAM::ManagedPolicy', /^Boundary/),
    trainingSg: first(t, 'AWS::EC2::SecurityGroup', /TrainingSecurityGroup/),
    endpointSg: first(t, 'AWS::EC2::SecurityGroup', /EndpointSecurityGroup/),
    networkAcl: first(t, 'AWS::EC2::NetworkAcl'),
    ruleGroup: first(t, 'AWS::Route53Resolver::FirewallRuleGroup'),
    allowedDomains: first(t, 'AWS::Route53Resolver::FirewallDomainList', /AllowedDomains/),
    allDomains: first(t, 'AWS::Route53Resolver::FirewallDomainList', /AllDomains/),
    firewallAssociation: first(t, 'AWS::Route53Resolver::FirewallRuleGroupAssociation'),
    firewallConfig: first(t, 'AWS::Route53Resolver::FirewallConfig'),
    flowLog: first(t, 'AWS::EC2::FlowLog'),
    queryLogAssociation: first(t, 'AWS::Route53Resolver::ResolverQueryLoggingConfigAssociation'),
  };
}

/** Adds a resource to a template. */
export function add(t: any, id: string, Type: string, Properties: Record<string, unknown>): void {
  if (t.Resources[id]) throw new Error(`resource ${id} already exists`);
  t.Resources[id] = { Type, Properties };
}

export const ref = (id: string) => ({ Ref: id });
export const arnOf = (id: string) => ({ 'Fn::GetAtt': [id, 'Arn'] });
export const regional = (service: string) => ({ 'Fn::Join': ['', ['com.amazonaws.', { Ref: 'AWS::Region' }, `.${service}`]] });
export const agentTag = { Key: AGENT_ROLE_TAG, Value: 'true' };
export const envTag = { Key: ENVIRONMENT_TAG, Value: ENV };
