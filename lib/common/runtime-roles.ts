import type { CfnResource, IAspect } from 'aws-cdk-lib';
import type * as iam from 'aws-cdk-lib/aws-iam';
import type { IConstruct } from 'constructs';
import { AGENT_ROLE_TAG } from './tags';

// The gate (lib/gate, no CDK dependency at run time) reads the path constants from this module:
// the CDK parts are loaded on first use only, so `black-hole audit` does not load aws-cdk-lib.
// Each is required once: require() resolves its path on every call, and the aspect asks for every construct.
let cdkModule: typeof import('aws-cdk-lib') | undefined;
let iamModule: typeof import('aws-cdk-lib/aws-iam') | undefined;
let agentRole: typeof import('../identity/agent-role').AgentRole | undefined;
const cdk = (): typeof import('aws-cdk-lib') => (cdkModule ??= require('aws-cdk-lib'));
const iamLib = (): typeof import('aws-cdk-lib/aws-iam') => (iamModule ??= require('aws-cdk-lib/aws-iam'));
const agentRoleClass = (): typeof import('../identity/agent-role').AgentRole => (agentRole ??= require('../identity/agent-role').AgentRole);

const marked = new WeakSet<IConstruct>();

/**
 * The runtime path: an IAM role path reserved for the library's own runtime roles (telemetry and
 * billing Lambdas, the budget action role, SageMaker execution roles, launchers, and the CDK
 * singleton providers of environment stacks).
 *
 * Why a path and not a tag: the organisation guardrail (TrainingGuardrailPolicy) must exempt these
 * roles from its catalog denies, by a mark an agent cannot acquire. A role's path is part of its
 * ARN and is fixed at iam:CreateRole (it cannot be changed afterwards), and `aws:PrincipalArn` carries
 * it for role sessions; the guardrail denies iam:CreateRole (and every change) on this path to all
 * but break-glass. Tags, by contrast, are set with iam:TagRole and read from `aws:PrincipalTag`.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html#identifiers-friendly-names
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-principalarn
 */
export const RUNTIME_ROLE_PATH = '/black-hole-runtime/';

/** ARN pattern of every role on {@link RUNTIME_ROLE_PATH}, in any partition and account. */
export const RUNTIME_ROLE_ARN_PATTERN = 'arn:*:iam::*:role/black-hole-runtime/*';

/**
 * Construct ids of CDK's stack-level singleton providers that the library's constructs create in an
 * environment stack: the default-security-group restriction handler (ec2.Vpc
 * `restrictDefaultSecurityGroup`), the AwsCustomResource singleton (S3 prefix-list lookup), the
 * bucket-notification handler and the log-retention function. Each runs under the guardrail SCP
 * with calls it denies (ec2:RevokeSecurityGroup*, s3:PutBucketNotification, logs:PutRetentionPolicy).
 */
export const CDK_SINGLETON_PROVIDER_IDS: readonly string[] = Object.freeze([
  'Custom::VpcRestrictDefaultSGCustomResourceProvider',
  'AWS679f53fac002430cb0da5b7982bd2287',
  'BucketNotificationsHandler050a0587b7544547bf325f094a3db834',
  'LogRetentionaae0aa3c5b4d4f87b02d85b201efdd8a',
]);

/** A role that {@link markRuntimeRole} accepts. */
export type RuntimeRoleTarget = iam.IRole | iam.CfnRole | CfnResource;

/**
 * Puts a role of the library's runtime on {@link RUNTIME_ROLE_PATH}, exempting it from the guardrail
 * SCP's catalog denies. Accepts an `iam.Role`, its `CfnRole`, or a raw `AWS::IAM::Role` CfnResource
 * (CDK's CustomResourceProvider). Idempotent.
 *
 * Never for agent roles (an AgentRole or a role tagged `black-hole:agent-role`): an agent in an
 * SCP-exempt role has lost the second fence, and the gate reports it (BlackHole-IAM9). Throws for
 * those, for imported roles (their path is fixed elsewhere) and for a role that already has another path.
 *
 * Changing a deployed role's path replaces the role (Path requires replacement in CloudFormation).
 */
export function markRuntimeRole(role: RuntimeRoleTarget): void {
  const cfn = cfnRoleOf(role);
  if (!cfn) {
    throw new Error(`markRuntimeRole: ${role.node.path} is not a role defined in this app (an imported role's path is fixed where it was created)`);
  }
  if (isAgentRole(role) || isAgentRole(cfn)) {
    throw new Error(
      `markRuntimeRole: ${role.node.path} is an agent role; the runtime path exempts a role from the organisation guardrail and is never for agents`,
    );
  }
  if (cfn instanceof iamLib().CfnRole) {
    const current = cfn.path;
    if (current !== undefined && !cdk().Token.isUnresolved(current) && current !== '/' && current !== RUNTIME_ROLE_PATH) {
      throw new Error(`markRuntimeRole: ${role.node.path} already has path '${current}'; runtime roles use '${RUNTIME_ROLE_PATH}'`);
    }
    cfn.path = RUNTIME_ROLE_PATH;
  } else {
    cfn.addPropertyOverride('Path', RUNTIME_ROLE_PATH);
  }
  if (!marked.has(cfn)) {
    marked.add(cfn);
    // Tags.of(role).add(...) lands at synthesis: the agent-role tag is checked then as well.
    cfn.node.addValidation({
      validate: () =>
        isAgentRole(cfn) || (cfn.node.scope !== undefined && isAgentRole(cfn.node.scope))
          ? [
              `${cfn.node.path} is on the runtime path ${RUNTIME_ROLE_PATH} and tagged ${AGENT_ROLE_TAG}: an agent role must never be exempt from the organisation guardrail`,
            ]
          : [],
    });
  }
}

/** True when the role (or its CfnRole) has been put on the runtime path. */
export function isRuntimeRole(role: RuntimeRoleTarget): boolean {
  const cfn = cfnRoleOf(role);
  return cfn !== undefined && marked.has(cfn);
}

/**
 * Marks, at synthesis, the roles of CDK's singleton providers ({@link CDK_SINGLETON_PROVIDER_IDS})
 * at the root of the stack it is applied to. An aspect, because CDK creates some of them after the
 * library's constructs (a bucket notification added later creates its handler then). Roles of the
 * library's own constructs are marked where they are created ({@link markRuntimeRolesOf}), never by
 * subtree at synthesis: a role someone adds later inside an environment stays under the guardrail.
 */
export class RuntimeRolesAspect implements IAspect {
  public visit(node: IConstruct): void {
    if (!isCfnRole(node)) return;
    if (CDK_SINGLETON_PROVIDER_IDS.includes(stackLevelAncestor(node)?.node.id ?? '')) markRuntimeRole(node);
  }
}

/**
 * Puts every role that exists under `scope` now (not agent roles) on the runtime path and, unless
 * `cdkSingletons` is false, the CDK singleton providers of its stack as well. The library's
 * constructs call it at the end of their constructors; call it for runtime constructs of your own,
 * right after creating them: roles added under `scope` afterwards are not marked and stay under the
 * guardrail.
 */
export function markRuntimeRolesOf(scope: IConstruct, options: { readonly cdkSingletons?: boolean } = {}): void {
  for (const node of scope.node.findAll()) {
    if (!isCfnRole(node)) continue;
    const owner = node.node.scope;
    // A CfnRole under an L2 Role: skip agent roles (AgentRole or tagged), mark the rest.
    if ((owner && isAgentRole(owner)) || isAgentRole(node)) continue;
    markRuntimeRole(node);
  }
  if (options.cdkSingletons ?? true) {
    const stack = cdk().Stack.of(scope);
    if (!singletonAspectStacks.has(stack)) {
      singletonAspectStacks.add(stack);
      cdk().Aspects.of(stack).add(new RuntimeRolesAspect());
    }
  }
}

const singletonAspectStacks = new WeakSet<IConstruct>();

/** The ancestor of `node` that is a direct child of its stack. */
function stackLevelAncestor(node: IConstruct): IConstruct | undefined {
  const stack = cdk().Stack.of(node);
  const scopes = node.node.scopes;
  const i = scopes.indexOf(stack);
  return i >= 0 ? scopes[i + 1] : undefined;
}

function isCfnRole(node: IConstruct): node is iam.CfnRole | CfnResource {
  return node instanceof iamLib().CfnRole || (cdk().CfnResource.isCfnResource(node) && node.cfnResourceType === 'AWS::IAM::Role');
}

function cfnRoleOf(role: RuntimeRoleTarget): iam.CfnRole | CfnResource | undefined {
  if (isCfnRole(role)) return role;
  const child = role.node.defaultChild;
  return child && isCfnRole(child) ? child : undefined;
}

function isAgentRole(c: IConstruct): boolean {
  if (c instanceof agentRoleClass()) return true;
  const tags = (c as { tags?: { tagValues?: () => Record<string, string> } }).tags;
  if (tags && typeof tags.tagValues === 'function') {
    try {
      if (AGENT_ROLE_TAG in tags.tagValues()) return true;
    } catch {
      // not a taggable resource
    }
  }
  return false;
}
