/**
 * Per-episode credentials for the training harness: one sts:AssumeRole on the agent role per
 * episode, with the episode as the session's source identity (immutable, kept through role
 * chaining, written into every CloudTrail record of the session), the same value as the session
 * tag `black-hole:episode` (transitive) and as the role session name, and an inline session policy
 * narrowed to the episode's task. The session is recorded in the episode ledger.
 *
 * Plain TypeScript over a minimal STS interface (the AWS SDK v3 `STSClient` fits through
 * {@link stsFromSdkClient}); no aws-cdk-lib. The agent role's trust policy (AgentRole
 * `episodeSessions`) admits exactly the requests this client makes, and nothing without a source
 * identity. https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_temp_control-access_monitor.html
 */
import { LedgerDynamoDb, recordEpisodeStart } from './ledger-client';
import { Subject } from './signals';

/** Session tag key that carries the episode's source identity (reserved prefix: agents cannot set it). */
export const EPISODE_SESSION_TAG = 'black-hole:episode';

/** Every episode source identity starts with this; the trust policy requires `episode-*`. */
export const EPISODE_SOURCE_IDENTITY_PREFIX = 'episode-';

/**
 * Episode ids the client accepts: what STS accepts in a source identity and a role session name
 * (`[\w+=,.@-]`, at most 64 characters) once prefixed with `episode-`, and in a session tag value
 * (no ','). https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html
 */
export const EPISODE_ID_PATTERN = /^[A-Za-z0-9_+=.@-]{1,56}$/;

/** The source identity (also the session tag value and role session name) of an episode. */
export function episodeSourceIdentity(episodeId: string): string {
  if (!EPISODE_ID_PATTERN.test(episodeId)) {
    throw new Error(
      `episodeId: '${episodeId}' must be 1-56 characters of letters, digits and _+=.@- (STS source identity limits, after the '${EPISODE_SOURCE_IDENTITY_PREFIX}' prefix)`,
    );
  }
  return `${EPISODE_SOURCE_IDENTITY_PREFIX}${episodeId}`;
}

/** The episode id of a source identity written by {@link episodeSourceIdentity}, or undefined for any other value. */
export function episodeIdOfSourceIdentity(sourceIdentity: string | undefined): string | undefined {
  if (!sourceIdentity || !sourceIdentity.startsWith(EPISODE_SOURCE_IDENTITY_PREFIX)) return undefined;
  const id = sourceIdentity.slice(EPISODE_SOURCE_IDENTITY_PREFIX.length);
  return EPISODE_ID_PATTERN.test(id) ? id : undefined;
}

/** An IAM policy document (JSON object form). */
export interface SessionPolicyDocument {
  /** IAM policy language version. */
  readonly Version: '2012-10-17';
  /** The statements (IAM JSON policy grammar). */
  readonly Statement: readonly Record<string, unknown>[];
}

/** Characters IAM accepts in an inline session policy (plaintext). */
export const SESSION_POLICY_MAX_CHARS = 2048;

/** One dataset prefix of one bucket: the only dataset objects the episode may read. */
export interface DatasetScope {
  /** Bucket name (not ARN). */
  readonly bucketName: string;
  /** Key prefix, e.g. `datasets/task-17/`. A literal prefix, no wildcards, no leading '/'. */
  readonly prefix: string;
  /** @default 'aws' */
  readonly partition?: string;
}

const DATASET_READ_ACTIONS = ['s3:GetObject', 's3:GetObjectVersion'];

/**
 * A session policy that narrows reads of one dataset bucket to one prefix and leaves everything
 * else to the role's own policies (a session policy never grants: the session may do what the
 * role's identity policy, its boundary AND the session policy all allow):
 * - every action but the dataset reads and s3:ListBucket, on every resource;
 * - the dataset reads and s3:ListBucket on every other bucket;
 * - the dataset reads on `bucket/prefix*` only, s3:ListBucket on the bucket only with `s3:prefix` under the prefix.
 */
export function datasetSessionPolicy(scope: DatasetScope): SessionPolicyDocument {
  const { bucketName, prefix } = scope;
  const partition = scope.partition ?? 'aws';
  if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucketName)) throw new Error(`dataset.bucketName: '${bucketName}' is not an S3 bucket name`);
  if (!prefix || /[*?]/.test(prefix) || prefix.startsWith('/')) {
    throw new Error(`dataset.prefix: '${prefix}' must be a non-empty literal key prefix without wildcards or a leading '/'`);
  }
  const bucketArn = `arn:${partition}:s3:::${bucketName}`;
  return {
    Version: '2012-10-17',
    Statement: [
      { Sid: 'RolePermissionsOutsideDatasetReads', Effect: 'Allow', NotAction: [...DATASET_READ_ACTIONS, 's3:ListBucket'], Resource: '*' },
      { Sid: 'OtherBuckets', Effect: 'Allow', Action: [...DATASET_READ_ACTIONS, 's3:ListBucket'], NotResource: [bucketArn, `${bucketArn}/*`] },
      { Sid: 'DatasetPrefixOnly', Effect: 'Allow', Action: DATASET_READ_ACTIONS, Resource: `${bucketArn}/${prefix}*` },
      { Sid: 'ListDatasetPrefixOnly', Effect: 'Allow', Action: 's3:ListBucket', Resource: bucketArn, Condition: { StringLike: { 's3:prefix': `${prefix}*` } } },
    ],
  };
}

/**
 * A session policy that keeps the role's permissions whole: pass it as `sessionPolicy` to say so
 * explicitly (startEpisodeSession requires a session policy or a dataset scope).
 */
export const ROLE_PERMISSIONS_SESSION_POLICY: SessionPolicyDocument = Object.freeze({
  Version: '2012-10-17',
  Statement: Object.freeze([Object.freeze({ Sid: 'RolePermissions', Effect: 'Allow', Action: '*', Resource: '*' })]),
}) as SessionPolicyDocument;

/** The AssumeRole input the client sends (AWS STS API names). */
export interface EpisodeAssumeRoleInput {
  /** The agent role. */
  readonly RoleArn: string;
  /** `episode-<id>`, equal to the source identity. */
  readonly RoleSessionName: string;
  /** `episode-<id>`: immutable for the session and every role it chains to. */
  readonly SourceIdentity: string;
  /** The `black-hole:episode` session tag, equal to the source identity. */
  readonly Tags: { Key: string; Value: string }[];
  /** `black-hole:episode`: the tag stays through role chaining. */
  readonly TransitiveTagKeys: string[];
  /** The inline session policy (JSON). */
  readonly Policy: string;
  /** Session length in seconds. */
  readonly DurationSeconds: number;
}

/** What the client reads from the AssumeRole response. */
export interface EpisodeAssumeRoleOutput {
  /** The temporary credentials. */
  readonly Credentials?: { AccessKeyId?: string; SecretAccessKey?: string; SessionToken?: string; Expiration?: Date };
  /** The assumed-role id and ARN of the session. */
  readonly AssumedRoleUser?: { AssumedRoleId?: string; Arn?: string };
  /** The source identity STS set. */
  readonly SourceIdentity?: string;
}

/** The one STS call the client makes. */
export interface EpisodeSessionSts {
  /** sts:AssumeRole with the input as the STS API takes it. */
  assumeRole(input: EpisodeAssumeRoleInput): Promise<EpisodeAssumeRoleOutput>;
}

/** Minimal shape of an AWS SDK v3 STSClient with its AssumeRoleCommand. */
export interface StsSdk {
  /** An `STSClient`. */
  client: { send(command: unknown): Promise<any> };
  /** `AssumeRoleCommand` of `@aws-sdk/client-sts`. */
  AssumeRoleCommand: new (input: any) => unknown;
}

/** Adapts an AWS SDK v3 STS client (`@aws-sdk/client-sts`) to {@link EpisodeSessionSts}. */
export function stsFromSdkClient(sdk: StsSdk): EpisodeSessionSts {
  return { assumeRole: (input) => sdk.client.send(new sdk.AssumeRoleCommand(input)) };
}

/** What `startEpisodeSession` starts: the episode, its role and what the session may do. */
export interface EpisodeSessionRequest {
  /** ARN of the agent role (an AgentRole with `episodeSessions`). */
  readonly roleArn: string;
  /** RL episode id; the session's source identity is `episode-<episodeId>`. */
  readonly episodeId: string;
  /** Training run id (recorded in the ledger). */
  readonly runId: string;
  /** Inline session policy. One of `sessionPolicy` or `dataset` is required. */
  readonly sessionPolicy?: SessionPolicyDocument;
  /** Narrow dataset reads to one prefix of one bucket ({@link datasetSessionPolicy}). */
  readonly dataset?: DatasetScope;
  /** Session length: 900 to 3600 seconds (an AgentRole's maximum session is one hour). @default 3600 */
  readonly durationSeconds?: number;
  /** Further places the episode runs (instance, ENI, job), recorded next to the session. @default - the session only */
  readonly subjects?: readonly Subject[];
}

/** The STS client, the ledger and the clock `startEpisodeSession` uses. */
export interface EpisodeSessionDeps {
  /** STS (`stsFromSdkClient(...)`). */
  readonly sts: EpisodeSessionSts;
  /** The episode ledger (EpisodeLedger's table; the harness needs EpisodeLedger.grantRecord). */
  readonly ledger: { readonly db: LedgerDynamoDb; readonly tableName: string; readonly environment: string };
  /** Clock. @default () => new Date() */
  readonly now?: () => Date;
}

/**
 * A started episode session: the credentials to hand to the episode's code, and how CloudTrail will name it.
 */
export interface EpisodeSession {
  /** Temporary credentials of the session. */
  readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string; readonly sessionToken: string; readonly expiration: Date };
  /** `episode-<id>`. */
  readonly sourceIdentity: string;
  /** `AROA...:episode-<id>`: CloudTrail's `userIdentity.principalId`. */
  readonly assumedRoleId: string;
  /** `arn:aws:sts::<account>:assumed-role/<role>/episode-<id>`: the principal ARN of every CloudTrail record of the session. */
  readonly sessionArn: string;
  /** When the session started (the ledger's `startedAt`). */
  readonly startedAt: Date;
  /** The session policy sent. */
  readonly sessionPolicy: SessionPolicyDocument;
}

/**
 * Starts an episode's session: AssumeRole with the episode's source identity, session tag,
 * role session name and session policy; then records the session in the ledger (subject
 * `session#<session ARN>` and any further `subjects`, with the assumed-role id, source identity and
 * expiry). Throws before calling STS on invalid input, and when STS answers without credentials.
 */
export async function startEpisodeSession(request: EpisodeSessionRequest, deps: EpisodeSessionDeps): Promise<EpisodeSession> {
  const problems: string[] = [];
  if (!/^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]+$/.test(request.roleArn ?? '')) problems.push(`roleArn: '${request.roleArn}' is not an IAM role ARN`);
  if (!EPISODE_ID_PATTERN.test(request.episodeId ?? ''))
    problems.push(`episodeId: '${request.episodeId}' must be 1-56 characters of letters, digits and _+=.@-`);
  if (!request.runId) problems.push('runId: required (recorded in the episode ledger)');
  if (request.sessionPolicy && request.dataset)
    problems.push('sessionPolicy and dataset: give one (build a combined policy with datasetSessionPolicy yourself)');
  if (!request.sessionPolicy && !request.dataset) {
    problems.push(
      "sessionPolicy or dataset: required, the session is narrowed to the episode's task (pass ROLE_PERMISSIONS_SESSION_POLICY to keep the role's permissions whole)",
    );
  }
  const duration = request.durationSeconds ?? 3600;
  if (!Number.isInteger(duration) || duration < 900 || duration > 3600) problems.push(`durationSeconds: ${duration} must be an integer from 900 to 3600`);
  let policy: SessionPolicyDocument | undefined;
  try {
    policy = request.sessionPolicy ?? (request.dataset ? datasetSessionPolicy(request.dataset) : undefined);
  } catch (e) {
    problems.push((e as Error).message);
  }
  const policyText = policy ? JSON.stringify(policy) : '';
  if (policyText.length > SESSION_POLICY_MAX_CHARS)
    problems.push(`sessionPolicy: ${policyText.length} characters, over IAM's ${SESSION_POLICY_MAX_CHARS} for an inline session policy`);
  if (problems.length > 0) throw new Error(`startEpisodeSession:\n- ${problems.join('\n- ')}`);

  const sourceIdentity = episodeSourceIdentity(request.episodeId);
  const out = await deps.sts.assumeRole({
    RoleArn: request.roleArn,
    RoleSessionName: sourceIdentity,
    SourceIdentity: sourceIdentity,
    Tags: [{ Key: EPISODE_SESSION_TAG, Value: sourceIdentity }],
    TransitiveTagKeys: [EPISODE_SESSION_TAG],
    Policy: policyText,
    DurationSeconds: duration,
  });
  const c = out.Credentials;
  const user = out.AssumedRoleUser;
  if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken || !c.Expiration || !user?.Arn || !user.AssumedRoleId) {
    throw new Error(`startEpisodeSession: AssumeRole on ${request.roleArn} answered without credentials or assumed-role user`);
  }
  if (out.SourceIdentity !== undefined && out.SourceIdentity !== sourceIdentity) {
    throw new Error(`startEpisodeSession: the session carries source identity '${out.SourceIdentity}', not '${sourceIdentity}'`);
  }
  const startedAt = (deps.now ?? (() => new Date()))();
  await recordEpisodeStart(deps.ledger.db, deps.ledger.tableName, {
    environment: deps.ledger.environment,
    episodeId: request.episodeId,
    runId: request.runId,
    roleArn: request.roleArn,
    startedAt,
    subjects: [{ kind: 'session', id: user.Arn }, ...(request.subjects ?? [])],
    session: { assumedRoleId: user.AssumedRoleId, sourceIdentity, expiresAt: c.Expiration },
  });
  return {
    credentials: { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken, expiration: c.Expiration },
    sourceIdentity,
    assumedRoleId: user.AssumedRoleId,
    sessionArn: user.Arn,
    startedAt,
    sessionPolicy: policy!,
  };
}
