import { Fn, Stack, Tags } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { AGENT_ROLE_TAG, ENVIRONMENT_TAG } from '../../lib/common/tags';
import { add, agentTag, arnOf, CorpusEnv, ENV, envTag, idsOf, ref } from './environment';

/**
 * One IAM role written twice: as constructs in an environment app and as resources added to the
 * clean template. The forms vary the ways an attacker attaches a policy.
 */

export type Statement = Record<string, unknown>;

/** How the escape policy reaches the role. */
export type Attachment =
  /** Policies on the AWS::IAM::Role. */
  | 'inline'
  /** A separate AWS::IAM::Policy with Roles: [Ref role] (the L2 `role.addToPolicy()` form at construct level). */
  | 'policy-by-ref'
  /** A separate AWS::IAM::Policy with Roles: ['<literal role name>']. */
  | 'policy-by-name'
  /** AWS::IAM::RolePolicy with RoleName: Ref role. */
  | 'role-policy'
  /** A customer AWS::IAM::ManagedPolicy with Roles: [Ref role]. */
  | 'managed-by-ref'
  /** A customer AWS::IAM::ManagedPolicy with a literal name, named in the role's ManagedPolicyArns by ARN. */
  | 'managed-by-arn';

/** Who may assume the role. */
export type Trust =
  | { readonly service: string }
  /** The environment's bounded AgentRole, by ARN. */
  | { readonly agent: true }
  /** Another role of the case, by logical ID (template) / construct (construct level). */
  | { readonly role: string }
  | { readonly accountRoot: true };

export interface RoleSpec {
  /** Logical ID in the template, construct ID in the app. */
  readonly id: string;
  readonly statements?: Statement[];
  /** @default 'inline' */
  readonly attach?: Attachment;
  /** @default true */
  readonly agentTag?: boolean;
  /** Tag with the environment name. @default false */
  readonly envTag?: boolean;
  /** @default { service: 'ec2.amazonaws.com' } */
  readonly trust?: Trust;
  /** `env`: the environment's AgentBoundary; a string: a literal ARN; undefined: none. */
  readonly boundary?: 'env' | string;
  readonly managedPolicyArns?: string[];
  /** Literal RoleName. @default - generated (required for `policy-by-name`) */
  readonly roleName?: string;
}

const VERSION = '2012-10-17';
const doc = (statements: Statement[]) => ({ Version: VERSION, Statement: statements });
const CDK_ACTION = /^(\*|[a-zA-Z0-9-]+:[a-zA-Z0-9*]+)$/;

function trustStatement(principal: unknown): Statement {
  return { Effect: 'Allow', Principal: principal, Action: 'sts:AssumeRole' };
}

/** The role as template resources added to `t`. */
export function addRoleT(t: any, spec: RoleSpec): void {
  const ids = idsOf(t);
  const trust = spec.trust ?? { service: 'ec2.amazonaws.com' };
  const principal =
    'service' in trust
      ? { Service: trust.service }
      : 'agent' in trust
        ? { AWS: arnOf(ids.agent) }
        : 'role' in trust
          ? { AWS: arnOf(trust.role) }
          : { AWS: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::', { Ref: 'AWS::AccountId' }, ':root']] } };
  const attach = spec.attach ?? 'inline';
  const statements = spec.statements;
  const managedArns = [...(spec.managedPolicyArns ?? [])];
  if (statements && attach === 'managed-by-arn') {
    managedArns.push({ 'Fn::Sub': `arn:\${AWS::Partition}:iam::\${AWS::AccountId}:policy/${spec.id}-escape` } as any);
  }
  const tags = [...(spec.agentTag === false ? [] : [agentTag]), ...(spec.envTag ? [envTag] : [])];
  add(t, spec.id, 'AWS::IAM::Role', {
    AssumeRolePolicyDocument: doc([trustStatement(principal)]),
    ...(spec.roleName ? { RoleName: spec.roleName } : {}),
    ...(statements && attach === 'inline' ? { Policies: [{ PolicyName: 'escape', PolicyDocument: doc(statements) }] } : {}),
    ...(managedArns.length ? { ManagedPolicyArns: managedArns } : {}),
    ...(spec.boundary === 'env' ? { PermissionsBoundary: ref(ids.boundary) } : spec.boundary ? { PermissionsBoundary: spec.boundary } : {}),
    ...(tags.length ? { Tags: tags } : {}),
  });
  if (!statements) return;
  switch (attach) {
    case 'inline':
      return;
    case 'policy-by-ref':
      return add(t, `${spec.id}Policy`, 'AWS::IAM::Policy', { PolicyName: 'escape', PolicyDocument: doc(statements), Roles: [ref(spec.id)] });
    case 'policy-by-name':
      if (!spec.roleName) throw new Error('policy-by-name needs roleName');
      return add(t, `${spec.id}Policy`, 'AWS::IAM::Policy', { PolicyName: 'escape', PolicyDocument: doc(statements), Roles: [spec.roleName] });
    case 'role-policy':
      return add(t, `${spec.id}Policy`, 'AWS::IAM::RolePolicy', { PolicyName: 'escape', PolicyDocument: doc(statements), RoleName: ref(spec.id) });
    case 'managed-by-ref':
      return add(t, `${spec.id}Policy`, 'AWS::IAM::ManagedPolicy', { PolicyDocument: doc(statements), Roles: [ref(spec.id)] });
    case 'managed-by-arn':
      return add(t, `${spec.id}Policy`, 'AWS::IAM::ManagedPolicy', { ManagedPolicyName: `${spec.id}-escape`, PolicyDocument: doc(statements) });
  }
}

/**
 * The role as constructs. `policy-by-ref` uses the L2 `iam.Role` and `addToPolicy()` when CDK accepts
 * the statements (CDK rejects `?` wildcards in actions); everything else uses L1 resources, which
 * accept any document, as an attacker's template would.
 */
export function addRoleC(stack: Stack, env: CorpusEnv, spec: RoleSpec, roles: Record<string, iam.IRole | iam.CfnRole> = {}): iam.CfnRole {
  const trust = spec.trust ?? { service: 'ec2.amazonaws.com' };
  const roleArn = (r: iam.IRole | iam.CfnRole) => (r instanceof iam.CfnRole ? r.attrArn : r.roleArn);
  const principal =
    'service' in trust
      ? { Service: trust.service }
      : 'agent' in trust
        ? { AWS: env.agent.roleArn }
        : 'role' in trust
          ? { AWS: roleArn(roles[trust.role]) }
          : { AWS: `arn:${stack.partition}:iam::${stack.account}:root` };
  const attach = spec.attach ?? 'inline';
  const statements = spec.statements;
  const boundary = spec.boundary === 'env' ? env.boundary.managedPolicyArn : spec.boundary;

  const useL2 =
    statements &&
    attach === 'policy-by-ref' &&
    statements.every((s) =>
      [s.Action, s.NotAction]
        .flat()
        .filter(Boolean)
        .every((a) => CDK_ACTION.test(String(a))),
    );
  if (useL2) {
    const role = new iam.Role(stack, spec.id, {
      assumedBy: 'service' in trust ? new iam.ServicePrincipal(trust.service) : new iam.ArnPrincipal(principal.AWS as string),
      ...(spec.roleName ? { roleName: spec.roleName } : {}),
      ...(boundary ? { permissionsBoundary: iam.ManagedPolicy.fromManagedPolicyArn(stack, `${spec.id}Boundary`, boundary) } : {}),
    });
    for (const arn of spec.managedPolicyArns ?? []) role.addManagedPolicy(iam.ManagedPolicy.fromManagedPolicyArn(stack, `${spec.id}Managed${arn.length}`, arn));
    for (const s of statements!) role.addToPolicy(iam.PolicyStatement.fromJson(s));
    if (spec.agentTag !== false) Tags.of(role).add(AGENT_ROLE_TAG, 'true');
    if (spec.envTag) Tags.of(role).add(ENVIRONMENT_TAG, ENV);
    return role.node.defaultChild as iam.CfnRole;
  }

  const managedArns: string[] = [...(spec.managedPolicyArns ?? [])];
  if (statements && attach === 'managed-by-arn') managedArns.push(Fn.sub(`arn:\${AWS::Partition}:iam::\${AWS::AccountId}:policy/${spec.id}-escape`));
  const tags = [...(spec.agentTag === false ? [] : [{ key: AGENT_ROLE_TAG, value: 'true' }]), ...(spec.envTag ? [{ key: ENVIRONMENT_TAG, value: ENV }] : [])];
  const role = new iam.CfnRole(stack, spec.id, {
    assumeRolePolicyDocument: doc([trustStatement(principal)]),
    ...(spec.roleName ? { roleName: spec.roleName } : {}),
    ...(statements && attach === 'inline' ? { policies: [{ policyName: 'escape', policyDocument: doc(statements) }] } : {}),
    ...(managedArns.length ? { managedPolicyArns: managedArns } : {}),
    ...(boundary ? { permissionsBoundary: boundary } : {}),
    ...(tags.length ? { tags } : {}),
  });
  if (!statements) return role;
  switch (attach) {
    case 'inline':
      break;
    case 'policy-by-ref':
      new iam.CfnPolicy(stack, `${spec.id}Policy`, { policyName: 'escape', policyDocument: doc(statements), roles: [role.ref] });
      break;
    case 'policy-by-name':
      new iam.CfnPolicy(stack, `${spec.id}Policy`, { policyName: 'escape', policyDocument: doc(statements), roles: [spec.roleName!] });
      break;
    case 'role-policy':
      new iam.CfnRolePolicy(stack, `${spec.id}Policy`, { policyName: 'escape', policyDocument: doc(statements), roleName: role.ref });
      break;
    case 'managed-by-ref':
      new iam.CfnManagedPolicy(stack, `${spec.id}Policy`, { policyDocument: doc(statements), roles: [role.ref] });
      break;
    case 'managed-by-arn':
      new iam.CfnManagedPolicy(stack, `${spec.id}Policy`, { managedPolicyName: `${spec.id}-escape`, policyDocument: doc(statements) });
      break;
  }
  return role;
}

/** Allow statement on every resource. */
export const allow = (action: string | string[], extra: Statement = {}): Statement => ({ Effect: 'Allow', Action: action, Resource: '*', ...extra });
/** Deny statement on every resource. */
export const deny = (action: string | string[], extra: Statement = {}): Statement => ({ Effect: 'Deny', Action: action, Resource: '*', ...extra });
