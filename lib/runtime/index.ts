/**
 * `cdk-black-hole/runtime`: what runs next to the training, not in a CDK app. A training harness
 * starts each episode's session with `startEpisodeSession` (per-episode credentials of the agent
 * role, the episode as source identity) and records which episode is active on which instance, ENI,
 * training job or role session in the episode ledger (`EpisodeLedger`), so that every
 * `Black Hole Violation` event names its episode;
 * consumers of those events get their type here. Plain TypeScript over minimal AWS SDK v3 shapes:
 * importing this subpath loads no aws-cdk-lib and no AWS SDK.
 *
 * @example
 * import { DynamoDBClient, PutItemCommand, QueryCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
 * import { dynamoDbFromSdkClient, recordEpisodeEnd, recordEpisodeStart } from 'cdk-black-hole/runtime';
 *
 * const ledger = dynamoDbFromSdkClient({ client: new DynamoDBClient({}), PutItemCommand, UpdateItemCommand, QueryCommand });
 * await recordEpisodeStart(ledger, process.env.LEDGER_TABLE_NAME!, {
 *   environment: 'team-a', episodeId: 'ep-42', runId: 'run-7', subjects: [{ kind: 'instance', id: 'i-0123456789abcdef0' }],
 * });
 *
 * @packageDocumentation
 */
export {
  datasetSessionPolicy,
  type DatasetScope,
  EPISODE_ID_PATTERN,
  EPISODE_SESSION_TAG,
  EPISODE_SOURCE_IDENTITY_PREFIX,
  type EpisodeAssumeRoleInput,
  type EpisodeAssumeRoleOutput,
  type EpisodeSession,
  type EpisodeSessionDeps,
  type EpisodeSessionRequest,
  type EpisodeSessionSts,
  episodeSourceIdentity,
  ROLE_PERMISSIONS_SESSION_POLICY,
  SESSION_POLICY_MAX_CHARS,
  type SessionPolicyDocument,
  startEpisodeSession,
  stsFromSdkClient,
  type StsSdk,
} from '../telemetry/runtime/episode-session';
export {
  type AttributeValue,
  dynamoDbFromSdkClient,
  type DynamoDbSdk,
  type EpisodeActivity,
  type EpisodeAttribution,
  type EpisodeSessionRecord,
  findActiveEpisode,
  LEDGER_ATTRIBUTES,
  type LedgerDynamoDb,
  recordEpisodeEnd,
  recordEpisodeStart,
} from '../telemetry/runtime/ledger-client';
export { type SignalSource, type Subject, type SubjectKind, type ViolationSeverity, type ViolationSignal } from '../telemetry/runtime/signals';
export { type BlackHoleViolation, VIOLATION_DETAIL_TYPE, VIOLATION_EVENT_SOURCE } from '../telemetry/runtime/correlate';
