/**
 * The episode ledger client: how a training harness records which episode/run is active where, and
 * how the correlator finds the episode active at a place and time. Plain TypeScript over a minimal
 * DynamoDB interface (the AWS SDK v3 `DynamoDBClient` fits through {@link dynamoDbFromSdkClient}).
 *
 * Table layout (see EpisodeLedger): partition key `subject` (`instance#i-...`, `eni#eni-...`,
 * `job#<training job name>`, `session#<assumed-role session ARN>`), sort key `startedAt` (epoch
 * milliseconds). "Which episode was active on X at T" is one Query: subject = X AND startedAt <= T,
 * newest first, limit 1, then endedAt (when set) must be after T. GSI `byEpisode` (episodeId,
 * subject) lists everything one episode touched.
 */
import { Subject, subjectKey } from './signals';

/** DynamoDB attribute values the ledger uses. */
export type AttributeValue = { S: string } | { N: string } | { SS: string[] };

/** The three DynamoDB calls the ledger makes (inputs and outputs as in the DynamoDB API). */
export interface LedgerDynamoDb {
  /** DynamoDB PutItem. */
  putItem(input: { TableName: string; Item: Record<string, AttributeValue> }): Promise<unknown>;
  /** DynamoDB UpdateItem. */
  updateItem(input: {
    TableName: string;
    Key: Record<string, AttributeValue>;
    UpdateExpression: string;
    ConditionExpression?: string;
    ExpressionAttributeValues: Record<string, AttributeValue>;
  }): Promise<unknown>;
  /** DynamoDB Query. */
  query(input: {
    TableName: string;
    KeyConditionExpression: string;
    ExpressionAttributeNames?: Record<string, string>;
    ExpressionAttributeValues: Record<string, AttributeValue>;
    ScanIndexForward: boolean;
    Limit: number;
    ConsistentRead?: boolean;
  }): Promise<{ Items?: Record<string, AttributeValue>[] }>;
}

/** Attribute names of the ledger table. */
export const LEDGER_ATTRIBUTES = Object.freeze({
  partitionKey: 'subject',
  sortKey: 'startedAt',
  ttl: 'expiresAt',
  episodeIndex: 'byEpisode',
  episodeId: 'episodeId',
});

/** An episode becoming active somewhere. */
export interface EpisodeActivity {
  /** Environment name. */
  readonly environment: string;
  /** RL episode id. */
  readonly episodeId: string;
  /** Training run id. */
  readonly runId: string;
  /** Where the episode runs: each instance, ENI, training job and role session it uses. */
  readonly subjects: readonly Subject[];
  /** When it started. @default now */
  readonly startedAt?: Date;
  /** Role the episode's compute runs as (the containment responder revokes its sessions). */
  readonly roleArn?: string;
  /** How long the ledger keeps the record (DynamoDB TTL). @default 90 days */
  readonly retentionDays?: number;
  /** The episode's STS session (startEpisodeSession), recorded on every subject's item. @default - none */
  readonly session?: EpisodeSessionRecord;
}

/** An episode's STS session as the ledger records it. */
export interface EpisodeSessionRecord {
  /** `AssumedRoleUser.AssumedRoleId` (`AROA...:episode-<id>`): CloudTrail's `userIdentity.principalId`. */
  readonly assumedRoleId: string;
  /** The session's source identity (`episode-<id>`). */
  readonly sourceIdentity: string;
  /** When the session's credentials expire. */
  readonly expiresAt: Date;
}

/** A ledger entry found for a subject and time. */
export interface EpisodeAttribution {
  /** Environment name. */
  readonly environment: string;
  /** RL episode id. */
  readonly episodeId: string;
  /** Training run id. */
  readonly runId: string;
  /** The ledger subject key the entry was found under (`instance#i-...`). */
  readonly subject: string;
  /** When the episode started there (epoch milliseconds). */
  readonly startedAt: number;
  /** When it ended there (epoch milliseconds), if it has. */
  readonly endedAt?: number;
  /** Role the episode runs as. */
  readonly roleArn?: string;
  /** The recorded STS session, when the episode started with one. */
  readonly session?: { readonly assumedRoleId: string; readonly sourceIdentity: string; readonly expiresAt: number };
  /**
   * How the episode was found: `source-identity` (the record carries the session's source
   * identity, which only the harness can set) or `time-window` (the ledger's subject and time).
   */
  readonly attribution?: 'source-identity' | 'time-window';
}

/** Records the episode as active on each of its subjects (one item per subject). */
export async function recordEpisodeStart(db: LedgerDynamoDb, tableName: string, activity: EpisodeActivity): Promise<void> {
  if (activity.subjects.length === 0) throw new Error('recordEpisodeStart: give at least one subject (instance, eni, job or session)');
  const started = (activity.startedAt ?? new Date()).getTime();
  const expires = Math.floor(started / 1000) + (activity.retentionDays ?? 90) * 86400;
  for (const s of activity.subjects) {
    const item: Record<string, AttributeValue> = {
      subject: { S: subjectKey(s) },
      startedAt: { N: String(started) },
      episodeId: { S: activity.episodeId },
      runId: { S: activity.runId },
      environment: { S: activity.environment },
      expiresAt: { N: String(expires) },
    };
    if (activity.roleArn) item.roleArn = { S: activity.roleArn };
    if (activity.session) {
      item.sessionAssumedRoleId = { S: activity.session.assumedRoleId };
      item.sessionSourceIdentity = { S: activity.session.sourceIdentity };
      item.sessionExpiresAt = { N: String(activity.session.expiresAt.getTime()) };
    }
    await db.putItem({ TableName: tableName, Item: item });
  }
}

/** Marks the episode as ended on each subject (the items written by {@link recordEpisodeStart}). */
export async function recordEpisodeEnd(
  db: LedgerDynamoDb,
  tableName: string,
  ended: {
    readonly episodeId: string;
    readonly subjects: readonly Subject[];
    readonly startedAt: Date;
    readonly endedAt?: Date;
  },
): Promise<void> {
  const end = (ended.endedAt ?? new Date()).getTime();
  for (const s of ended.subjects) {
    await db.updateItem({
      TableName: tableName,
      Key: { subject: { S: subjectKey(s) }, startedAt: { N: String(ended.startedAt.getTime()) } },
      UpdateExpression: 'SET endedAt = :end',
      ConditionExpression: 'episodeId = :episode',
      ExpressionAttributeValues: { ':end': { N: String(end) }, ':episode': { S: ended.episodeId } },
    });
  }
}

/** The episode active on `subject` at `time`, or undefined. */
export async function findActiveEpisode(db: LedgerDynamoDb, tableName: string, subject: Subject, time: Date): Promise<EpisodeAttribution | undefined> {
  const out = await db.query({
    TableName: tableName,
    KeyConditionExpression: '#s = :s AND #t <= :t',
    ExpressionAttributeNames: { '#s': 'subject', '#t': 'startedAt' },
    ExpressionAttributeValues: { ':s': { S: subjectKey(subject) }, ':t': { N: String(time.getTime()) } },
    ScanIndexForward: false,
    Limit: 1,
  });
  const item = out.Items?.[0];
  if (!item) return undefined;
  const str = (k: string): string | undefined => (item[k] && 'S' in item[k] ? (item[k] as { S: string }).S : undefined);
  const num = (k: string): number | undefined => (item[k] && 'N' in item[k] ? Number((item[k] as { N: string }).N) : undefined);
  const endedAt = num('endedAt');
  if (endedAt !== undefined && endedAt < time.getTime()) return undefined;
  const assumedRoleId = str('sessionAssumedRoleId');
  const sourceIdentity = str('sessionSourceIdentity');
  const sessionExpiresAt = num('sessionExpiresAt');
  return {
    environment: str('environment') ?? '',
    episodeId: str('episodeId') ?? '',
    runId: str('runId') ?? '',
    subject: subjectKey(subject),
    startedAt: num('startedAt') ?? 0,
    endedAt,
    roleArn: str('roleArn'),
    ...(assumedRoleId && sourceIdentity && sessionExpiresAt !== undefined ? { session: { assumedRoleId, sourceIdentity, expiresAt: sessionExpiresAt } } : {}),
  };
}

/** Minimal shape of an AWS SDK v3 DynamoDBClient with its command classes. */
export interface DynamoDbSdk {
  /** A `DynamoDBClient`. */
  client: { send(command: unknown): Promise<any> };
  /** `PutItemCommand` of `@aws-sdk/client-dynamodb`. */
  PutItemCommand: new (input: any) => unknown;
  /** `UpdateItemCommand` of `@aws-sdk/client-dynamodb`. */
  UpdateItemCommand: new (input: any) => unknown;
  /** `QueryCommand` of `@aws-sdk/client-dynamodb`. */
  QueryCommand: new (input: any) => unknown;
}

/** Adapts an AWS SDK v3 DynamoDB client (`@aws-sdk/client-dynamodb`) to {@link LedgerDynamoDb}. */
export function dynamoDbFromSdkClient(sdk: DynamoDbSdk): LedgerDynamoDb {
  return {
    putItem: (input) => sdk.client.send(new sdk.PutItemCommand(input)),
    updateItem: (input) => sdk.client.send(new sdk.UpdateItemCommand(input)),
    query: (input) => sdk.client.send(new sdk.QueryCommand(input)),
  };
}
