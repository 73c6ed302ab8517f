import { Annotations, Stack, Tags, Token, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { awsActionAccessLevel, awsActionsOfService } from '../common/aws-action-catalog';
import { ENVIRONMENT_TAG, RESERVED_TAG_PREFIX } from '../common/tags';
import { PropsValidator } from '../common/validation';
import { ENDPOINT_SERVICES, isAllowedEndpointService } from '../network/endpoint-services';
import { AGENT_ACCESS_TAG, AGENT_ACCESS_TAG_VALUE, AgentActionScope, agentCeilingEntries } from './agent-allow-list';
import { catalogActionPatterns } from './escape-catalog';
import { MANAGED_POLICY_MAX_CHARS, policyDocumentSize } from './policy-size';

/**
 * What agent roles need whatever the environment enables: read and write S3 objects, write CloudWatch
 * Logs and metrics, pull container images, use KMS data keys (the `workload` entries of the agent
 * allow-list). The boundary is a ceiling: a role still needs an identity policy (the
 * `AgentRole.grant*()` helpers) for each of these.
 */
export const AGENT_BASE_ACTIONS: readonly string[] = Object.freeze(agentCeilingEntries().map((e) => e.action));

/**
 * Actions exempt from the region pin because their services are global (their requests carry
 * `us-east-1` or no region). The usual data-perimeter exceptions, narrowed to what a boundary whose
 * ceiling is the list above can reach; everything else in these services is denied by the catalog
 * or never allowed.
 */
export const GLOBAL_SERVICE_ACTIONS: readonly string[] = Object.freeze([
  'iam:*',
  'sts:*',
  'organizations:*',
  'account:*',
  'route53:*',
  'cloudfront:*',
  'support:*',
  'health:*',
  'budgets:*',
  'ce:*',
  's3:ListAllMyBuckets',
]);

/** Services whose requests are confined to resources of the environment's account (or organisation). */
const RESOURCE_PERIMETER_SERVICES: readonly string[] = Object.freeze(['s3', 'dynamodb', 'sqs', 'sns', 'events', 'kinesis', 'secretsmanager', 'kms']);

/** Name of the inline policy the containment responder puts on agent roles to revoke their sessions. */
export const SESSION_REVOCATION_POLICY_NAME = 'BlackHoleRevokeOlderSessions';

/** Which requests the boundary's network perimeter (aws:SourceVpc / aws:SourceVpce) applies to. */
export enum NetworkPerimeter {
  /**
   * Every request signed with the role's credentials must come from the environment's VPC (through
   * its endpoints) unless an AWS service makes it on the role's behalf (`aws:ViaAWSService`).
   * Requests without `aws:SourceVpc` (public endpoints, other networks) are denied. The closed choice.
   */
  ALL_REQUESTS = 'ALL_REQUESTS',
  /**
   * Only requests signed with EC2 instance credentials (those carrying `ec2:SourceInstanceARN`) must
   * come from the VPC. Choose this for roles that a compute service also uses from its own network,
   * e.g. SageMaker pulling images or pushing logs with the execution role. SageMaker does not hand
   * credentials to a network-isolated training container, which is what the launch policy requires.
   */
  EC2_INSTANCE_CREDENTIALS = 'EC2_INSTANCE_CREDENTIALS',
}

/** Properties of an AgentBoundary. */
export interface AgentBoundaryProps {
  /** The environment's name; tagged as `black-hole:environment` and used in the policy's description. */
  readonly environmentName: string;

  /** The environment's VPC: credentials are usable only from it (`aws:SourceVpc`). */
  readonly vpc: ec2.IVpc;

  /**
   * The environment's VPC endpoints. When given (here or in `vpcEndpointIds`), requests must also
   * arrive through one of them (`aws:SourceVpce`).
   * @default - no endpoint pin; the VPC pin alone
   */
  readonly vpcEndpoints?: ec2.IVpcEndpoint[];

  /**
   * Ids (`vpce-...`) of further endpoints of the environment, e.g. imported ones.
   * @default - none
   */
  readonly vpcEndpointIds?: string[];

  /**
   * Endpoint services the environment enables (ids from lib/network/endpoint-services.ts, e.g.
   * `sts`, `sqs`). The boundary's ceiling grows by the agent allow-list's actions of those services
   * (lib/identity/agent-allow-list.ts), never a whole service.
   * @default - none: only the base needs (S3 objects, logs, metrics, image pulls, KMS data keys)
   */
  readonly enabledEndpointServices?: string[];

  /**
   * Deny every request outside the environment's region (`aws:RequestedRegion`), global services excepted.
   * @default true
   */
  readonly pinRegion?: boolean;

  /**
   * The environment's region.
   * @default - the stack's region (a deploy-time token for environment-agnostic stacks)
   */
  readonly region?: string;

  /**
   * Which requests must come from the VPC.
   * @default NetworkPerimeter.ALL_REQUESTS
   */
  readonly networkPerimeter?: NetworkPerimeter;

  /**
   * An AWS Organizations organisation (`o-...`) whose accounts' resources count as inside the
   * resource perimeter, e.g. a central dataset account. Opening it is an explicit choice.
   * @default - only resources of the environment's own account
   */
  readonly organizationId?: string;

  /**
   * Deny every session issued before this time (`aws:TokenIssueTime`): a containment response
   * rolled out by redeploying. See {@link AgentBoundary.revokeSessionsIssuedBefore}.
   * @default - no revocation
   */
  readonly revokeSessionsIssuedBefore?: Date | string;

  /**
   * Name of the managed policy.
   * @default - generated by CloudFormation
   */
  readonly managedPolicyName?: string;
}

/**
 * The permissions boundary of every agent role of an environment: a customer managed policy that
 * - allows only the agent allow-list of the enabled endpoint services (a ceiling, not a grant;
 *   lib/identity/agent-allow-list.ts), never a whole service,
 * - denies every escape-catalog action on all resources, unconditionally,
 * - confines credentials to the environment's VPC, endpoints, region and account,
 * - forbids changing reserved `black-hole:` tags and any tags of the environment's resources,
 * - can revoke sessions issued before a given time.
 *
 * The size limit of a managed policy (6144 characters) is met by denying whole services (`ec2:*`,
 * `iam:*`) where the ceiling allows nothing of the service: a superset of the catalog's patterns for
 * that service, with the same effect. The catalog's own patterns are used verbatim for services in
 * the ceiling (`s3`, `logs`, `kms`, ...), where precision matters. The Denies are kept although the
 * allow-list ceiling already excludes every catalog action: an explicit Deny also holds against a
 * second boundary statement or a later edit, and the gate verifies it (BlackHole-IAM7).
 *
 * Session revocation: the containment responder does not redeploy. It puts an inline policy named
 * {@link SESSION_REVOCATION_POLICY_NAME} on the affected roles, with the document from
 * {@link AgentBoundary.sessionRevocationPolicyDocument}; a Deny in an identity policy takes effect
 * for existing sessions within seconds. {@link AgentBoundary.revokeSessionsIssuedBefore} renders the
 * same statement into the boundary for an environment-wide revocation rolled out by deployment.
 */
export class AgentBoundary extends Construct {
  /** The Deny statement that revokes every session issued before `issuedBefore` (ISO 8601 or a Date). */
  public static sessionRevocationStatement(issuedBefore: Date | string): iam.PolicyStatement {
    const time = revocationTime(issuedBefore);
    if (time === undefined) {
      throw new Error(`issuedBefore: expected a valid Date or an ISO 8601 UTC time such as 2026-03-14T09:30:00Z, got '${String(issuedBefore)}'`);
    }
    return new iam.PolicyStatement({
      sid: 'DenySessionsIssuedBeforeRevocation',
      effect: iam.Effect.DENY,
      actions: ['*'],
      resources: ['*'],
      conditions: { DateLessThan: { 'aws:TokenIssueTime': time } },
    });
  }

  /**
   * The inline policy document the containment responder puts on an agent role (named
   * {@link SESSION_REVOCATION_POLICY_NAME}) to revoke its sessions issued before `issuedBefore`.
   * Plain JSON, usable at run time without CDK synthesis.
   */
  public static sessionRevocationPolicyDocument(issuedBefore: Date | string): { Version: string; Statement: unknown[] } {
    return { Version: '2012-10-17', Statement: [AgentBoundary.sessionRevocationStatement(issuedBefore).toStatementJson()] };
  }

  /** The customer managed policy to use as permissions boundary. */
  public readonly managedPolicy: iam.ManagedPolicy;
  /** Its ARN. */
  public readonly managedPolicyArn: string;
  /** The environment's name. */
  public readonly environmentName: string;
  /** The ceiling: action patterns the boundary allows (before its denies). */
  public readonly allowedActions: readonly string[];
  /** Action patterns the boundary denies unconditionally on all resources (covers every catalog pattern). */
  public readonly deniedActions: readonly string[];

  private revoked = false;

  constructor(scope: Construct, id: string, props: AgentBoundaryProps) {
    super(scope, id);
    validate(props);

    this.environmentName = props.environmentName;
    const stack = Stack.of(this);
    const region = props.region ?? stack.region;
    const perimeter = props.networkPerimeter ?? NetworkPerimeter.ALL_REQUESTS;

    // The ceiling is exactly the allow-list of the enabled services: actions AWS publishes later stay outside.
    const ceiling = agentCeilingEntries(props.enabledEndpointServices ?? []);
    this.allowedActions = Object.freeze(ceiling.map((e) => e.action));
    const ceilingServices = new Set(this.allowedActions.map(serviceOf));

    // Where the ceiling allows nothing of a service, deny the whole service: same effect, a fraction of the size.
    const catalog = catalogActionPatterns();
    const wholeServices = [...new Set(catalog.map(serviceOf).filter((s) => !ceilingServices.has(s)))].sort().map((s) => `${s}:*`);
    const verbatim = catalog.filter((p) => ceilingServices.has(serviceOf(p)));
    this.deniedActions = Object.freeze([...wholeServices, ...verbatim]);

    const statements: iam.PolicyStatement[] = [
      new iam.PolicyStatement({ sid: 'AllowAgentCeiling', actions: ceiling.filter((e) => !e.scope).map((e) => e.action), resources: ['*'] }),
    ];
    const shared = ceiling.filter((e) => e.scope === AgentActionScope.SHARED_WITH_AGENT).map((e) => e.action);
    if (shared.length > 0) {
      statements.push(
        new iam.PolicyStatement({
          sid: 'AllowAgentCeilingOnSharedResources',
          actions: shared,
          resources: ['*'],
          conditions: { StringEquals: { [`aws:ResourceTag/${AGENT_ACCESS_TAG}`]: AGENT_ACCESS_TAG_VALUE } },
        }),
      );
    }
    if (wholeServices.length > 0) {
      statements.push(new iam.PolicyStatement({ sid: 'DenyEscapeCatalogServices', effect: iam.Effect.DENY, actions: wholeServices, resources: ['*'] }));
    }
    if (verbatim.length > 0) {
      statements.push(new iam.PolicyStatement({ sid: 'DenyEscapeCatalogActions', effect: iam.Effect.DENY, actions: verbatim, resources: ['*'] }));
    }

    // Network perimeter: absent aws:SourceVpc (public endpoint, other network) counts as outside;
    // requests an AWS service makes with the caller's credentials (aws:ViaAWSService) are exempt.
    const onlyInstanceCredentials = perimeter === NetworkPerimeter.EC2_INSTANCE_CREDENTIALS ? { Null: { 'ec2:SourceInstanceARN': 'false' } } : {};
    statements.push(
      new iam.PolicyStatement({
        sid: 'DenyOutsideEnvironmentVpc',
        effect: iam.Effect.DENY,
        actions: ['*'],
        resources: ['*'],
        conditions: {
          StringNotEqualsIfExists: { 'aws:SourceVpc': props.vpc.vpcId },
          BoolIfExists: { 'aws:ViaAWSService': 'false' },
          ...onlyInstanceCredentials,
        },
      }),
    );
    const endpointIds = [...(props.vpcEndpoints ?? []).map((e) => e.vpcEndpointId), ...(props.vpcEndpointIds ?? [])];
    if (endpointIds.length > 0) {
      statements.push(
        new iam.PolicyStatement({
          sid: 'DenyOutsideEnvironmentEndpoints',
          effect: iam.Effect.DENY,
          actions: ['*'],
          resources: ['*'],
          conditions: {
            StringNotEqualsIfExists: { 'aws:SourceVpce': endpointIds },
            BoolIfExists: { 'aws:ViaAWSService': 'false' },
            ...onlyInstanceCredentials,
          },
        }),
      );
    }

    if (props.pinRegion ?? true) {
      statements.push(
        new iam.PolicyStatement({
          sid: 'DenyOutsideEnvironmentRegion',
          effect: iam.Effect.DENY,
          notActions: [...GLOBAL_SERVICE_ACTIONS],
          resources: ['*'],
          conditions: { StringNotEquals: { 'aws:RequestedRegion': region } },
        }),
      );
    }

    // Resource perimeter: data sinks only in the environment's account (or the named organisation).
    const perimeterServices = RESOURCE_PERIMETER_SERVICES.filter((s) => ceilingServices.has(s));
    if (perimeterServices.length > 0) {
      statements.push(
        new iam.PolicyStatement({
          sid: 'DenyResourcesOutsidePerimeter',
          effect: iam.Effect.DENY,
          actions: perimeterServices.map((s) => `${s}:*`),
          resources: ['*'],
          conditions: props.organizationId
            ? { StringNotEqualsIfExists: { 'aws:ResourceOrgID': props.organizationId } }
            : { StringNotEqualsIfExists: { 'aws:ResourceAccount': stack.account } },
        }),
      );
    }

    // Tags drive budgets, ABAC and attribution: reserved keys anywhere, and any tag of the environment's resources.
    statements.push(
      new iam.PolicyStatement({
        sid: 'DenyReservedTagKeys',
        effect: iam.Effect.DENY,
        actions: ['*'],
        resources: ['*'],
        conditions: { 'ForAnyValue:StringLike': { 'aws:TagKeys': [`${RESERVED_TAG_PREFIX}*`] } },
      }),
    );
    const taggingActions = [...ceilingServices]
      .sort()
      .flatMap((s) => awsActionsOfService(s).filter((a) => (awsActionAccessLevel(a) ?? '').includes('Tagging')));
    if (taggingActions.length > 0) {
      statements.push(
        new iam.PolicyStatement({
          sid: 'DenyTagChangesOnEnvironmentResources',
          effect: iam.Effect.DENY,
          actions: taggingActions,
          resources: ['*'],
          conditions: { Null: { [`aws:ResourceTag/${ENVIRONMENT_TAG}`]: 'false' } },
        }),
      );
    }

    this.managedPolicy = new iam.ManagedPolicy(this, 'Resource', {
      managedPolicyName: props.managedPolicyName,
      description:
        `Permissions boundary of the agent roles of black hole environment ${Token.isUnresolved(props.environmentName) ? '' : props.environmentName}`.trim(),
      statements,
    });
    this.managedPolicyArn = this.managedPolicy.managedPolicyArn;
    // A boundary is a ceiling, not a grant: the allow-list's actions on "*" give nothing by themselves;
    // the agent role's identity policies name the resources.
    const ceilingReason =
      "Permissions boundary (a ceiling, not a grant): the agent role's own least-privilege policies decide what is allowed; the ceiling is the agent allow-list and the boundary's unconditional Denies remove every escape-catalog action.";
    Validations.of(this.managedPolicy).acknowledge(
      { id: 'AwsSolutions-IAM5[Resource::*]', reason: ceilingReason },
      // CT.IAM.PR.3 (Control Tower's full-access check), should it read Resource "*" of a ceiling as full access.
      { id: 'cdk-validator-cfnguard::iam_managed_policy_no_statements_with_full_access_check', reason: ceilingReason },
    );

    if (props.revokeSessionsIssuedBefore !== undefined) {
      this.revokeSessionsIssuedBefore(props.revokeSessionsIssuedBefore);
    }

    Tags.of(this).add(ENVIRONMENT_TAG, props.environmentName);

    this.node.addValidation({
      validate: () => {
        const size = policyDocumentSize(this, this.managedPolicy.document);
        return size > MANAGED_POLICY_MAX_CHARS
          ? [
              `AgentBoundary: the rendered boundary has about ${size} characters, over IAM's managed policy limit of ${MANAGED_POLICY_MAX_CHARS}; enable fewer endpoint services or endpoints`,
            ]
          : [];
      },
    });
  }

  /**
   * Deny, in the boundary, every session of every agent role of the environment issued before
   * `issuedBefore` (`aws:TokenIssueTime`, `DateLessThan`). Takes effect when deployed; for an
   * immediate response the responder uses {@link AgentBoundary.sessionRevocationPolicyDocument}.
   * Can be called once.
   */
  public revokeSessionsIssuedBefore(issuedBefore: Date | string): void {
    if (this.revoked) {
      throw new Error('revokeSessionsIssuedBefore: already set on this AgentBoundary; keep the latest incident time only');
    }
    this.managedPolicy.addStatements(AgentBoundary.sessionRevocationStatement(issuedBefore));
    this.revoked = true;
    Annotations.of(this).addInfo(`Sessions issued before ${revocationTime(issuedBefore)} are denied by the boundary`);
  }
}

function serviceOf(pattern: string): string {
  return pattern.slice(0, pattern.indexOf(':')).toLowerCase();
}

function revocationTime(value: Date | string): string | undefined {
  if (value instanceof Date) {
    return Number.isNaN(value.getTime()) ? undefined : value.toISOString().replace(/\.\d{3}Z$/, 'Z');
  }
  if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/.test(value) || Number.isNaN(Date.parse(value))) {
    return undefined;
  }
  return value;
}

const ENVIRONMENT_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const VPC_ENDPOINT_ID = /^vpce-[0-9a-f]{8,17}$/;
const REGION = /^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d{1,2}$/;
const ORGANIZATION_ID = /^o-[a-z0-9]{10,32}$/;

function validate(props: AgentBoundaryProps): void {
  const v = new PropsValidator('AgentBoundary');
  v.check(
    Token.isUnresolved(props.environmentName) || ENVIRONMENT_NAME.test(props.environmentName ?? ''),
    'environmentName',
    `must be 1-64 characters of letters, digits, '.', '_' or '-', starting with a letter or digit; got '${props.environmentName}'`,
  );
  v.check(props.vpc !== undefined, 'vpc', "is required: the boundary confines credentials to the environment's VPC");
  const allowed = Object.keys(ENDPOINT_SERVICES).join(', ');
  for (const s of props.enabledEndpointServices ?? []) {
    v.check(isAllowedEndpointService(s), 'enabledEndpointServices', `'${s}' is not an endpoint service of the allowlist; allowed: ${allowed}`);
  }
  for (const e of props.vpcEndpointIds ?? []) {
    v.check(Token.isUnresolved(e) || VPC_ENDPOINT_ID.test(e), 'vpcEndpointIds', `'${e}' is not a VPC endpoint id (vpce- followed by 8-17 hex digits)`);
  }
  if (props.region !== undefined) {
    v.check(Token.isUnresolved(props.region) || REGION.test(props.region), 'region', `'${props.region}' is not an AWS region name such as eu-west-1`);
  }
  if (props.networkPerimeter !== undefined) {
    v.check(
      Object.values(NetworkPerimeter).includes(props.networkPerimeter),
      'networkPerimeter',
      `must be one of ${Object.values(NetworkPerimeter).join(', ')}`,
    );
  }
  if (props.organizationId !== undefined) {
    v.check(
      Token.isUnresolved(props.organizationId) || ORGANIZATION_ID.test(props.organizationId),
      'organizationId',
      `'${props.organizationId}' is not an organisation id (o- followed by 10-32 lower-case letters or digits)`,
    );
  }
  if (props.revokeSessionsIssuedBefore !== undefined) {
    v.check(
      revocationTime(props.revokeSessionsIssuedBefore) !== undefined,
      'revokeSessionsIssuedBefore',
      `expected a valid Date or an ISO 8601 UTC time such as 2026-03-14T09:30:00Z, got '${String(props.revokeSessionsIssuedBefore)}'`,
    );
  }
  v.throwIfAny();
}
