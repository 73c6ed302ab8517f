import { Tags, Token } from 'aws-cdk-lib';
import * as organizations from 'aws-cdk-lib/aws-organizations';
import { Construct } from 'constructs';
import { AGENT_ROLE_TAG, AGENT_ROLE_TAG_VALUE, ENVIRONMENT_TAG, RESERVED_TAG_PREFIX } from '../common/tags';
import { PropsValidator } from '../common/validation';
import { catalogActionPatterns } from './escape-catalog';
import { SCP_MAX_CHARS, policyDocumentSize } from './policy-size';

/** Organizations attaches at most five SCPs to a target, one of which is usually FullAWSAccess. */
export const MAX_GUARDRAIL_POLICIES = 4;

/** Which principals of the target accounts the guardrail denies the catalog to. */
export enum GuardrailScope {
  /**
   * Every principal except the break-glass principals: the closed choice, for training accounts
   * whose infrastructure is deployed only by the listed (pipeline) roles.
   */
  ALL_PRINCIPALS = 'ALL_PRINCIPALS',
  /** Only principals tagged `black-hole:agent-role=true` (the break-glass exception still applies). */
  AGENT_ROLES = 'AGENT_ROLES',
}

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
 * The escape catalog as AWS Organizations service control policies for the OU that holds the
 * training accounts: every catalog pattern is denied on all resources to every principal (or every
 * agent role) except the break-glass principals, and nobody else may set or remove reserved
 * `black-hole:` tags. The deny is conditional (break-glass exception), so the gate does not count
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

    const condition: Record<string, unknown> = { ArnNotLike: { 'aws:PrincipalArn': [...props.breakGlassPrincipalArns] } };
    if ((props.scope ?? GuardrailScope.ALL_PRINCIPALS) === GuardrailScope.AGENT_ROLES) {
      condition.StringEquals = { [`aws:PrincipalTag/${AGENT_ROLE_TAG}`]: AGENT_ROLE_TAG_VALUE };
    }
    const deny = (sid: string, actions: string[]): Record<string, unknown> => ({ Sid: sid, Effect: 'Deny', Action: actions, Resource: '*', Condition: condition });
    const tagGuard: Record<string, unknown> = {
      Sid: 'DenyReservedTagChanges',
      Effect: 'Deny',
      Action: '*',
      Resource: '*',
      Condition: { 'ArnNotLike': { 'aws:PrincipalArn': [...props.breakGlassPrincipalArns] }, 'ForAnyValue:StringLike': { 'aws:TagKeys': [`${RESERVED_TAG_PREFIX}*`] } },
    };

    // Greedy packing in catalog order; the first policy also carries the tag guard.
    const documents: Array<{ Version: string; Statement: Array<Record<string, unknown>> }> = [];
    const render = (index: number, actions: string[]) => ({
      Version: '2012-10-17',
      Statement: [...(index === 0 ? [tagGuard] : []), deny(`DenyEscapeCatalog${index + 1}`, actions)],
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
        throw new Error(`TrainingGuardrailPolicy: policy ${i + 1} has about ${size} characters, over the SCP limit of ${SCP_MAX_CHARS}; shorten breakGlassPrincipalArns`);
      }
    }
    if (documents.length > MAX_GUARDRAIL_POLICIES) {
      throw new Error(`TrainingGuardrailPolicy: the catalog needs ${documents.length} SCPs, more than the ${MAX_GUARDRAIL_POLICIES} a target can take next to FullAWSAccess; shorten breakGlassPrincipalArns`);
    }
    this.documents = Object.freeze(documents);

    const prefix = props.policyNamePrefix ?? 'black-hole-training-guardrail';
    this.policies = Object.freeze(documents.map((content, i) => new organizations.CfnPolicy(this, `Policy${i + 1}`, {
      name: `${prefix}-${i + 1}`,
      type: 'SERVICE_CONTROL_POLICY',
      description: `Black hole escape catalog, part ${i + 1} of ${documents.length}: denied to ${props.scope === GuardrailScope.AGENT_ROLES ? 'agent roles' : 'every principal'} except break-glass`,
      content,
      targetIds: props.targetIds,
    })));

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
  v.check(breakGlass.length > 0, 'breakGlassPrincipalArns', 'must name at least one break-glass principal ARN pattern (e.g. arn:aws:iam::*:role/BreakGlass); without one nobody could repair the accounts');
  for (const arn of breakGlass) {
    v.check(Token.isUnresolved(arn) || PRINCIPAL_ARN_PATTERN.test(arn), 'breakGlassPrincipalArns', `'${arn}' is not an IAM principal ARN pattern (arn:aws:iam::<account or *>:role/<name>)`);
    v.check(Token.isUnresolved(arn) || !/:(role|user)\/\*$/.test(arn), 'breakGlassPrincipalArns', `'${arn}' exempts every role or user: name the break-glass principals`);
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
