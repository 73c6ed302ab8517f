import { Tags, Token } from 'aws-cdk-lib';
import * as organizations from 'aws-cdk-lib/aws-organizations';
import { Construct } from 'constructs';
import { RUNTIME_ROLE_ARN_PATTERN, RUNTIME_ROLE_PATH } from '../common/runtime-roles';
import { AGENT_ROLE_TAG, AGENT_ROLE_TAG_VALUE, ENVIRONMENT_TAG, RESERVED_TAG_PREFIX } from '../common/tags';
import { PropsValidator } from '../common/validation';
import { catalogActionPatterns } from './escape-catalog';
import { SCP_MAX_CHARS, policyDocumentSize } from './policy-size';

/** Organizations attaches at most five SCPs to a target, one of which is usually FullAWSAccess. */
export const MAX_GUARDRAIL_POLICIES = 4;

/** Which principals of the target accounts the guardrail denies the catalog to. */
export enum GuardrailScope {
  /**
   * Every principal except the break-glass principals and the library's runtime roles (IAM path
   * `/black-hole-runtime/`): the closed choice, for training accounts whose infrastructure is
   * deployed only by the listed (pipeline) roles. Only break-glass may create, change or pass a
   * role on the runtime path (runtime roles may pass one another: the launcher passes the
   * SageMaker execution role).
   */
  ALL_PRINCIPALS = 'ALL_PRINCIPALS',
  /** Only principals tagged `black-hole:agent-role=true` (the break-glass exception still applies). */
  AGENT_ROLES = 'AGENT_ROLES',
}

/** Properties of a TrainingGuardrailPolicy. */
export interface TrainingGuardrailPolicyProps {
  /**
   * Break-glass principals the guardrail does not apply to (`aws:PrincipalArn` ArnNotLike), e.g.
   * `arn:aws:iam::*:role/BreakGlass`. With {@link GuardrailScope.ALL_PRINCIPALS} list here also the
   * roles that deploy the environment (e.g. `arn:aws:iam::*:role/cdk-*-cfn-exec-role-*`), or they
   * cannot create its VPC, endpoints and roles. Keep the list short and watched: every use of these
   * principals should page someone.
   */
  readonly breakGlassPrincipalArns: string[];

  /**
   * Roots (`r-...`), OUs (`ou-...-...`) or accounts (12 digits) to attach the policies to: the OU
   * that holds the training accounts.
   * @default - the policies are created but not attached
   */
  readonly targetIds?: string[];

  /**
   * Which principals the guardrail applies to.
   * @default GuardrailScope.ALL_PRINCIPALS
   */
  readonly scope?: GuardrailScope;

  /**
   * Name prefix of the policies; each gets a `-<n>` suffix.
   * @default 'black-hole-training-guardrail'
   */
  readonly policyNamePrefix?: string;

  /**
   * Environment to tag the policies with, when the guardrail belongs to one environment.
   * @default - no environment tag (an organisation-wide guardrail)
   */
  readonly environmentName?: string;
}

/**
 * IAM actions that create or change a role, denied on the runtime path to all but break-glass, so
 * that nobody else can mint or alter a role the guardrail exempts. iam:PassRole is handled apart
 * (runtime roles pass one another); adding a role to an instance profile requires iam:PassRole.
 * https://docs.aws.amazon.com/service-authorization/latest/reference/list_awsidentityandaccessmanagementiam.html
 */
export const RUNTIME_PATH_ROLE_CHANGES: readonly string[] = Object.freeze([
  'iam:CreateRole',
  'iam:DeleteRole',
  'iam:UpdateRole',
  'iam:UpdateRoleDescription',
  'iam:UpdateAssumeRolePolicy',
  'iam:PutRolePolicy',
  'iam:DeleteRolePolicy',
  'iam:AttachRolePolicy',
  'iam:DetachRolePolicy',
  'iam:PutRolePermissionsBoundary',
  'iam:DeleteRolePermissionsBoundary',
  'iam:TagRole',
  'iam:UntagRole',
]);

/**
 * The escape catalog as AWS Organizations service control policies for the OU that holds the
 * training accounts: every catalog pattern is denied on all resources to every principal (or every
 * agent role) except the break-glass principals, and nobody else may set or remove reserved
 * `black-hole:` tags.
 *
 * With {@link GuardrailScope.ALL_PRINCIPALS} the library's own runtime (telemetry and billing
 * Lambdas, the budget action role, SageMaker execution roles, launchers, CDK's singleton providers)
 * would be denied the very calls it exists to make (events:PutEvents, iam:PutRolePolicy,
 * ec2:StopInstances, iam:AttachRolePolicy, ec2:CreateNetworkInterface, ...). Those roles live on the
 * IAM path `/black-hole-runtime/` (lib/common/runtime-roles.ts) and every deny exempts
 * `aws:PrincipalArn` `arn:*:iam::*:role/black-hole-runtime/*`. A path is fixed when the role is
 * created, so the exemption cannot be acquired by tagging; the first policy denies creating,
 * changing or passing such a role to everyone but break-glass (runtime roles may pass them). The deny is conditional (break-glass exception), so the gate does not count
 * it as unconditional protection; the agent boundary is that. The SCP is the second fence: it holds
 * even for a role that somehow lost its boundary.
 *
 * Organizations limits an SCP to 5120 characters: the catalog is split over as many policies as it
 * needs (at most {@link MAX_GUARDRAIL_POLICIES}), in catalog order.
 */
export class TrainingGuardrailPolicy extends Construct {
  /** The SCP resources, in order. */
  public readonly policies: readonly organizations.CfnPolicy[];
  /** The policy documents, as rendered (for review and tests). */
  public readonly documents: readonly { Version: string; Statement: Array<Record<string, unknown>> }[];

  constructor(scope: Construct, id: string, props: TrainingGuardrailPolicyProps) {
    super(scope, id);
    validate(props);

    const allPrincipals = (props.scope ?? GuardrailScope.ALL_PRINCIPALS) === GuardrailScope.ALL_PRINCIPALS;
    const breakGlass = [...props.breakGlassPrincipalArns];
    // Agent-roles scope: runtime roles are not agent-tagged, so they are out of scope already; an
    // exemption there would only help an agent-tagged role that somehow sits on the runtime path.
    const exempt = allPrincipals ? [...breakGlass, RUNTIME_ROLE_ARN_PATTERN] : breakGlass;
    const condition: Record<string, unknown> = { ArnNotLike: { 'aws:PrincipalArn': exempt } };
    if (!allPrincipals) {
      condition.StringEquals = { [`aws:PrincipalTag/${AGENT_ROLE_TAG}`]: AGENT_ROLE_TAG_VALUE };
    }
    const deny = (sid: string, actions: string[]): Record<string, unknown> => ({
      Sid: sid,
      Effect: 'Deny',
      Action: actions,
      Resource: '*',
      Condition: condition,
    });
    const tagGuard: Record<string, unknown> = {
      Sid: 'DenyReservedTagChanges',
      Effect: 'Deny',
      Action: '*',
      Resource: '*',
      // Runtime roles set reserved tags by design (the launcher tags jobs with the environment).
      Condition: { ArnNotLike: { 'aws:PrincipalArn': exempt }, 'ForAnyValue:StringLike': { 'aws:TagKeys': [`${RESERVED_TAG_PREFIX}*`] } },
    };
    const runtimeRoleArns = RUNTIME_ROLE_ARN_PATTERN;
    const runtimeGuard: Array<Record<string, unknown>> = allPrincipals
      ? [
          {
            Sid: 'DenyRuntimePathRoleChanges',
            Effect: 'Deny',
            Action: [...RUNTIME_PATH_ROLE_CHANGES],
            Resource: runtimeRoleArns,
            Condition: { ArnNotLike: { 'aws:PrincipalArn': breakGlass } },
          },
          {
            Sid: 'DenyPassingRuntimePathRoles',
            Effect: 'Deny',
            Action: 'iam:PassRole',
            Resource: runtimeRoleArns,
            Condition: { ArnNotLike: { 'aws:PrincipalArn': exempt } },
          },
        ]
      : [];

    // Greedy packing in catalog order; the first policy also carries the tag guard.
    const documents: Array<{ Version: string; Statement: Array<Record<string, unknown>> }> = [];
    const render = (index: number, actions: string[]) => ({
      Version: '2012-10-17',
      Statement: [...(index === 0 ? [tagGuard, ...runtimeGuard] : []), deny(`DenyEscapeCatalog${index + 1}`, actions)],
    });
    let current: string[] = [];
    for (const pattern of catalogActionPatterns()) {
      const candidate = [...current, pattern];
      if (current.length > 0 && policyDocumentSize(this, render(documents.length, candidate)) > SCP_MAX_CHARS) {
        documents.push(render(documents.length, current));
        current = [pattern];
      } else {
        current = candidate;
      }
    }
    documents.push(render(documents.length, current));
    for (const [i, d] of documents.entries()) {
      const size = policyDocumentSize(this, d);
      if (size > SCP_MAX_CHARS) {
        throw new Error(
          `TrainingGuardrailPolicy: policy ${i + 1} has about ${size} characters, over the SCP limit of ${SCP_MAX_CHARS}; shorten breakGlassPrincipalArns`,
        );
      }
    }
    if (documents.length > MAX_GUARDRAIL_POLICIES) {
      throw new Error(
        `TrainingGuardrailPolicy: the catalog needs ${documents.length} SCPs, more than the ${MAX_GUARDRAIL_POLICIES} a target can take next to FullAWSAccess; shorten breakGlassPrincipalArns`,
      );
    }
    this.documents = Object.freeze(documents);

    const prefix = props.policyNamePrefix ?? 'black-hole-training-guardrail';
    this.policies = Object.freeze(
      documents.map(
        (content, i) =>
          new organizations.CfnPolicy(this, `Policy${i + 1}`, {
            name: `${prefix}-${i + 1}`,
            type: 'SERVICE_CONTROL_POLICY',
            description: `Black hole escape catalog, part ${i + 1} of ${documents.length}: denied to ${allPrincipals ? `every principal except break-glass and runtime roles (${RUNTIME_ROLE_PATH})` : 'agent roles except break-glass'}`,
            content,
            targetIds: props.targetIds,
          }),
      ),
    );

    if (props.environmentName !== undefined) {
      Tags.of(this).add(ENVIRONMENT_TAG, props.environmentName);
    }
  }
}

const TARGET_ID = /^(r-[0-9a-z]{4,32}|ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}|\d{12})$/;
const PRINCIPAL_ARN_PATTERN = /^arn:aws[a-z-]*:(iam|sts)::(\d{12}|\*):[A-Za-z0-9+=,.@_/*?:-]+$/;

function validate(props: TrainingGuardrailPolicyProps): void {
  const v = new PropsValidator('TrainingGuardrailPolicy');
  const breakGlass = props.breakGlassPrincipalArns ?? [];
  v.check(
    breakGlass.length > 0,
    'breakGlassPrincipalArns',
    'must name at least one break-glass principal ARN pattern (e.g. arn:aws:iam::*:role/BreakGlass); without one nobody could repair the accounts',
  );
  for (const arn of breakGlass) {
    v.check(
      Token.isUnresolved(arn) || PRINCIPAL_ARN_PATTERN.test(arn),
      'breakGlassPrincipalArns',
      `'${arn}' is not an IAM principal ARN pattern (arn:aws:iam::<account or *>:role/<name>)`,
    );
    v.check(
      Token.isUnresolved(arn) || !/:(role|user)\/\*$/.test(arn),
      'breakGlassPrincipalArns',
      `'${arn}' exempts every role or user: name the break-glass principals`,
    );
  }
  for (const t of props.targetIds ?? []) {
    v.check(Token.isUnresolved(t) || TARGET_ID.test(t), 'targetIds', `'${t}' is not a root (r-...), OU (ou-<root>-<id>) or account id (12 digits)`);
  }
  if (props.scope !== undefined) {
    v.check(Object.values(GuardrailScope).includes(props.scope), 'scope', `must be one of ${Object.values(GuardrailScope).join(', ')}`);
  }
  if (props.policyNamePrefix !== undefined) {
    v.check(/^[\x20-\x7e]{1,120}$/.test(props.policyNamePrefix), 'policyNamePrefix', 'must be 1-120 printable ASCII characters');
  }
  v.throwIfAny();
}
