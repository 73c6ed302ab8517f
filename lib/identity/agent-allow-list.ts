import { awsActionAccessLevel } from '../common/aws-action-catalog';
import { ENDPOINT_SERVICES } from '../network/endpoint-services';

/**
 * The agent allow-list: every IAM action an agent may perform inside a black hole, and nothing else.
 * It is the data plane of the environment's own resources through the environment's endpoints, per
 * endpoint service (ids of lib/network/endpoint-services.ts), each action with what makes it safe.
 * This module is data: the AgentBoundary's ceiling, the AgentRole's grant checks and the gate's
 * verdicts (BlackHole-IAM7, BlackHole-IAM10) read it, and nothing copies it.
 *
 * Everything outside the list is refused, whether the escape catalog knows why or not: an action AWS
 * publishes tomorrow is outside by construction. The escape catalog (escape-catalog.ts) stays the
 * explanation of a refusal (which escape class, which ESCAPES.md entry); no listed action is in it
 * (tested), because the boundary denies every catalog action unconditionally and a Deny wins.
 *
 * Deliberately absent although they look like data plane:
 * - `sqs:SendMessage`, `events:PutEvents`: the catalog lists them as cross-account sinks (ESCAPES.md
 *   17); the boundary's perimeter confines them to the account, but the catalog denies them outright.
 *   Rollout queues are filled by the harness; the agent receives and deletes.
 * - `sts:AssumeRole*`, `sts:GetFederationToken`, `sts:GetSessionToken`: new credentials (ESCAPES.md 26).
 * - `s3:DeleteObject*`, `logs:Delete*`: blind the monitors (ESCAPES.md 34); checkpoints are write-once.
 * - `ecr:BatchImportUpstreamImage` (pull-through cache), `ecr:PutImage` and layer uploads: images
 *   come from the environment's own repositories, pushed by the pipeline, never by the agent.
 * - SageMaker control plane (`sagemaker.api`): for launcher roles, which are not agent roles.
 */

/** Scopes the boundary renders as conditions of its ceiling, beyond the Denies it always has. */
export enum AgentActionScope {
  /**
   * Only on resources the environment's owner shared with the agent: tagged
   * `black-hole:agent-access` = `true` (`aws:ResourceTag`). The agent cannot set the tag (reserved
   * `black-hole:` keys are denied), and the library's telemetry (episode ledger, violation queue)
   * never carries it.
   */
  SHARED_WITH_AGENT = 'SHARED_WITH_AGENT',
}

/** Tag an environment's owner puts on a queue, table, secret or SageMaker endpoint to share it with the agent. */
export const AGENT_ACCESS_TAG = 'black-hole:agent-access';
/** The value of {@link AGENT_ACCESS_TAG} that shares a resource. */
export const AGENT_ACCESS_TAG_VALUE = 'true';

/** One action an agent may perform. */
export interface AgentAllowedAction {
  /** The exact IAM action (no wildcard: new actions stay outside). */
  readonly action: string;
  /** One line: why an agent needs it. */
  readonly reason: string;
  /** The resources and conditions that make it safe, and which statement of the boundary enforces them. */
  readonly safeWhen: string;
  /** A condition the boundary's ceiling adds for this action. @default - none beyond the boundary's Denies */
  readonly scope?: AgentActionScope;
  /**
   * The training workload needs it whatever the environment enables (lib/workload/workload-flows.ts:
   * image pull, dataset read, checkpoint write, logs, metrics, KMS data keys through S3): always in
   * the boundary's ceiling.
   */
  readonly workload?: boolean;
}

const PERIMETER =
  "resources of the environment's account or organisation (DenyResourcesOutsidePerimeter), from the environment's VPC and endpoints (DenyOutsideEnvironmentVpc/Endpoints), in its region";
const VPC_ONLY =
  "from the environment's VPC and endpoints (DenyOutsideEnvironmentVpc/Endpoints), in its region; the endpoint policy confines resources to the account";
const SHARED = `on resources tagged ${AGENT_ACCESS_TAG}=${AGENT_ACCESS_TAG_VALUE} (ceiling condition), ${PERIMETER}`;

const a = (action: string, reason: string, safeWhen: string, extra: Pick<AgentAllowedAction, 'scope' | 'workload'> = {}): AgentAllowedAction =>
  Object.freeze({ action, reason, safeWhen, ...extra });

const ECR_PULL: readonly AgentAllowedAction[] = [
  a('ecr:GetAuthorizationToken', "docker login to the environment's registry", "a token for the caller's own registry; no resource; " + VPC_ONLY, {
    workload: true,
  }),
  a('ecr:BatchGetImage', 'read image manifests for docker pull', VPC_ONLY + '; reads only', { workload: true }),
  a('ecr:GetDownloadUrlForLayer', 'get the pre-signed S3 URLs of image layers', VPC_ONLY + '; layers come through the S3 gateway endpoint', { workload: true }),
  a('ecr:BatchCheckLayerAvailability', 'check layers during pull', VPC_ONLY + '; reads only', { workload: true }),
];

/**
 * The allow-list, per endpoint service id. An empty list is a decision, with its reason in the
 * module comment: the service is reachable for other principals (harness, launcher), not for agents.
 */
export const AGENT_ALLOW_LIST: Readonly<Record<string, readonly AgentAllowedAction[]>> = Object.freeze({
  s3: [
    a('s3:GetObject', 'read dataset shards', PERIMETER, { workload: true }),
    a('s3:GetObjectVersion', 'read a pinned version of a dataset shard', PERIMETER, { workload: true }),
    a('s3:PutObject', 'write checkpoints and results', PERIMETER + '; ACL headers need s3:PutObjectAcl, which is not listed', { workload: true }),
    a('s3:AbortMultipartUpload', 'abandon a failed multipart checkpoint upload', PERIMETER, { workload: true }),
    a('s3:ListMultipartUploadParts', 'resume a multipart checkpoint upload', PERIMETER, { workload: true }),
    a('s3:ListBucket', 'list dataset shards (identity policies narrow it with s3:prefix)', PERIMETER, { workload: true }),
    a('s3:GetBucketLocation', "SDKs look up a bucket's region before the first request", PERIMETER, { workload: true }),
  ],
  dynamodb: [
    ...['GetItem', 'BatchGetItem', 'Query', 'Scan', 'ConditionCheckItem', 'DescribeTable'].map((n) =>
      a(`dynamodb:${n}`, 'read items of a table shared with the agent', SHARED, { scope: AgentActionScope.SHARED_WITH_AGENT }),
    ),
    ...['PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem'].map((n) =>
      a(`dynamodb:${n}`, 'write items of a table shared with the agent (never the episode ledger, which is not shared)', SHARED, {
        scope: AgentActionScope.SHARED_WITH_AGENT,
      }),
    ),
  ],
  'ecr.api': ECR_PULL,
  'ecr.dkr': ECR_PULL,
  logs: [
    a(
      'logs:CreateLogGroup',
      'the CloudWatch agent creates its log group on first write',
      PERIMETER + '; a new group has no subscription, export or foreign destination (those are denied)',
      { workload: true },
    ),
    a('logs:CreateLogStream', 'one stream per episode', PERIMETER, { workload: true }),
    a('logs:PutLogEvents', 'write training output', PERIMETER, { workload: true }),
    a('logs:DescribeLogStreams', 'the CloudWatch agent finds its stream', PERIMETER, { workload: true }),
  ],
  monitoring: [
    a(
      'cloudwatch:PutMetricData',
      'publish training metrics (identity policies name the namespace)',
      VPC_ONLY + '; AWS/ namespaces are reserved by CloudWatch',
      { workload: true },
    ),
  ],
  sts: [a('sts:GetCallerIdentity', 'SDK credential checks', "returns the caller's own identity; no credentials issued")],
  kms: [
    a(
      'kms:Decrypt',
      "S3 (and the services below) decrypt SSE-KMS data with the agent's credentials",
      PERIMETER + '; key policies of the environment decide which keys',
      { workload: true },
    ),
    a(
      'kms:GenerateDataKey',
      "S3 encrypts checkpoints with SSE-KMS with the agent's credentials",
      PERIMETER + '; key policies of the environment decide which keys',
      { workload: true },
    ),
    a('kms:Encrypt', 'client-side encryption with an environment key', PERIMETER),
    a('kms:DescribeKey', "SDK encryption clients read the key's metadata", PERIMETER),
  ],
  secretsmanager: [
    a('secretsmanager:GetSecretValue', 'read a secret the owner shared with the agent', SHARED, { scope: AgentActionScope.SHARED_WITH_AGENT }),
    a('secretsmanager:DescribeSecret', "SDK caching clients read the secret's version metadata", SHARED, { scope: AgentActionScope.SHARED_WITH_AGENT }),
  ],
  'sagemaker.api': [],
  'sagemaker.runtime': [
    ...['InvokeEndpoint', 'InvokeEndpointAsync', 'InvokeEndpointWithResponseStream'].map((n) =>
      a(`sagemaker:${n}`, 'evaluate against an endpoint shared with the agent', SHARED, { scope: AgentActionScope.SHARED_WITH_AGENT }),
    ),
  ],
  events: [],
  sqs: [
    ...['ReceiveMessage', 'DeleteMessage', 'ChangeMessageVisibility', 'GetQueueAttributes', 'GetQueueUrl'].map((n) =>
      a(`sqs:${n}`, 'take rollout work from a queue shared with the agent', SHARED, { scope: AgentActionScope.SHARED_WITH_AGENT }),
    ),
  ],
  xray: [
    a('xray:PutTraceSegments', 'send trace segments', VPC_ONLY + '; traces stay in the account'),
    a('xray:PutTelemetryRecords', 'X-Ray daemon telemetry', VPC_ONLY),
    a('xray:GetSamplingRules', 'the X-Ray SDK reads sampling rules', VPC_ONLY + '; reads only'),
    a('xray:GetSamplingTargets', 'the X-Ray SDK reports sampling statistics', VPC_ONLY),
  ],
} satisfies Record<keyof typeof ENDPOINT_SERVICES & string, readonly AgentAllowedAction[]>);

let byAction: Map<string, AgentAllowedAction> | undefined;

function index(): Map<string, AgentAllowedAction> {
  if (!byAction) {
    byAction = new Map();
    for (const list of Object.values(AGENT_ALLOW_LIST)) for (const e of list) byAction.set(e.action.toLowerCase(), e);
  }
  return byAction;
}

/** Every action of the allow-list, once, in list order. */
export function agentAllowListActions(): readonly string[] {
  return [...index().values()].map((e) => e.action);
}

/** The allow-list entry of an exact action (case-insensitive), or undefined when agents may not perform it. */
export function agentAllowListEntry(action: string): AgentAllowedAction | undefined {
  return index().get(action.toLowerCase());
}

/** True when the exact action (not a pattern) is on the allow-list of some endpoint service. */
export function isAgentAllowedAction(action: string): boolean {
  return index().has(action.toLowerCase());
}

/**
 * The entries a boundary's ceiling allows: the workload's needs always, plus every action of the
 * enabled endpoint services. Unknown service ids are ignored (the boundary validates them).
 */
export function agentCeilingEntries(enabledServices: readonly string[] = []): AgentAllowedAction[] {
  const out = new Map<string, AgentAllowedAction>();
  for (const list of Object.values(AGENT_ALLOW_LIST)) for (const e of list) if (e.workload) out.set(e.action.toLowerCase(), e);
  for (const s of enabledServices) for (const e of AGENT_ALLOW_LIST[s] ?? []) out.set(e.action.toLowerCase(), e);
  return [...out.values()];
}

/** The access level of an action in the AWS action catalog (`Write`, `Permissions management`, ...), or `Unknown`. */
export function accessLevelOf(action: string): string {
  return awsActionAccessLevel(action) ?? 'Unknown';
}
