/**
 * The correlator's logic: input event -> signals -> episode attribution -> `Black Hole Violation`
 * events (and archive objects). Pure apart from the calls it makes through {@link CorrelatorApis}.
 */
import { createHash } from 'crypto';
import { gunzipSync } from 'zlib';
import { episodeIdOfSourceIdentity } from './episode-session';
import { EpisodeAttribution, findActiveEpisode, LedgerDynamoDb } from './ledger-client';
import {
  parseFlowLogLine,
  ResolverQueryLogRecord,
  ViolationSeverity,
  signalFromCloudTrail,
  signalFromFlowLog,
  signalFromGuardDuty,
  signalFromResolverQuery,
  subjectKey,
  ViolationSignal,
} from './signals';

/** EventBridge `source` and `detail-type` of the violation events. */
export const VIOLATION_EVENT_SOURCE = 'black-hole.telemetry';
/** `detail-type` of every violation event. */
export const VIOLATION_DETAIL_TYPE = 'Black Hole Violation';

/** The `detail` of a `Black Hole Violation` event. */
export interface BlackHoleViolation {
  /** Deterministic id (same input, same id): sha256 over source, technique, time and subjects. */
  readonly id: string;
  /** When the signal happened (ISO 8601, seconds). */
  readonly time: string;
  /** The environment the violation happened in. */
  readonly environment: string;
  /** The episode active at the place and time, when the ledger knows one. */
  readonly episodeId?: string;
  /** The training run of the episode, when the ledger knows one. */
  readonly runId?: string;
  /**
   * How `episodeId` was found: `source-identity` (the CloudTrail record's session source identity,
   * set only by the harness) or `time-window` (the ledger entry active at the signal's subject and
   * time: network signals, and calls without a source identity). Absent when no episode was found.
   */
  readonly attribution?: 'source-identity' | 'time-window';
  /** Role the episode runs as (from the ledger), for containment. */
  readonly roleArn?: string;
  /** The AWS principal of a denied call or finding, when the signal names one. */
  readonly principal?: string;
  /** Which telemetry saw it: flow logs, DNS Firewall, GuardDuty or CloudTrail. */
  readonly source: ViolationSignal['source'];
  /** What kind of escape it is: `egress-attempt`, `dns-blocked`, `denied-api-call`, or GuardDuty's (e.g. `dns-exfiltration`). */
  readonly category: string;
  /** What exactly was tried, e.g. `tcp:203.0.113.7:443 ACCEPT` or the finding type. */
  readonly technique: string;
  /** Severity; the responder contains violations at or above its minimum. */
  readonly severity: ViolationSeverity;
  /** Ledger subject keys (`instance#i-...`, `eni#eni-...`). */
  readonly subjects: readonly string[];
  /** The raw facts of the signal (flow-log fields, query, finding or CloudTrail record excerpts). */
  readonly evidence: Readonly<Record<string, unknown>>;
}

export interface CorrelatorConfig {
  readonly environment: string;
  readonly eventBusName: string;
  readonly ledgerTableName: string;
  /** CIDRs of the environment's VPC(s): destinations outside them are egress. */
  readonly vpcCidrs: readonly string[];
  /** Only CloudTrail denials by these roles count. @default - every assumed role (the EventBridge rule already filters) */
  readonly agentRoleArns?: readonly string[];
  /** Bucket of the Athena-queryable violation archive. @default - no archive */
  readonly archiveBucket?: string;
  /** Key prefix of the archive. @default 'violations/' */
  readonly archivePrefix?: string;
}

export interface CorrelatorApis {
  readonly ledger: LedgerDynamoDb;
  readonly events: {
    putEvents(input: {
      Entries: { EventBusName: string; Source: string; DetailType: string; Time: Date; Detail: string }[];
    }): Promise<{ FailedEntryCount?: number }>;
  };
  readonly archive?: {
    putObject(input: { Bucket: string; Key: string; Body: string; ContentType: string }): Promise<unknown>;
  };
}

/** A log message the correlator could not read: skipped (and logged), never the whole batch. */
export interface SkippedRecord {
  /** Why: the parser's error message. */
  readonly reason: string;
  /** The start of the message (at most 200 characters). */
  readonly message: string;
}

/**
 * Every signal in an input: an EventBridge event (GuardDuty, CloudTrail) or a CloudWatch Logs
 * subscription batch. A message of an unexpected shape in a batch is pushed to `skipped` and the
 * rest of the batch is still read: one bad line must not hide the violations next to it (a thrown
 * error would make Lambda retry the same batch and then drop it whole).
 */
export function signalsFromInput(input: any, config: Pick<CorrelatorConfig, 'vpcCidrs' | 'agentRoleArns'>, skipped: SkippedRecord[] = []): ViolationSignal[] {
  if (input?.awslogs?.data) {
    const batch = JSON.parse(gunzipSync(Buffer.from(input.awslogs.data, 'base64')).toString('utf8'));
    if (batch.messageType !== 'DATA_MESSAGE') return [];
    return (batch.logEvents ?? []).flatMap((e: { message?: unknown }) => {
      try {
        return signalsFromLogMessage(String(e?.message ?? ''), config);
      } catch (err) {
        skipped.push({ reason: err instanceof Error ? err.message : String(err), message: String(e?.message ?? '').slice(0, 200) });
        return [];
      }
    });
  }
  if (input?.['detail-type'] === 'GuardDuty Finding' || input?.source === 'aws.guardduty') {
    const s = signalFromGuardDuty(input);
    return s ? [s] : [];
  }
  if (input?.['detail-type'] === 'AWS API Call via CloudTrail' || input?.eventVersion) {
    const s = signalFromCloudTrail(input, config.agentRoleArns);
    return s ? [s] : [];
  }
  return [];
}

/**
 * One CloudWatch Logs message: a Resolver query log (JSON) or a flow-log record in the pipeline's
 * format. Throws on a message of another shape (and on a signal whose time cannot be read).
 */
export function signalsFromLogMessage(message: string, config: Pick<CorrelatorConfig, 'vpcCidrs'>): ViolationSignal[] {
  const text = message.trim();
  const s = text.startsWith('{')
    ? signalFromResolverQuery(JSON.parse(text) as ResolverQueryLogRecord)
    : signalFromFlowLog(parseFlowLogLine(text), config.vpcCidrs);
  if (s && Number.isNaN(Date.parse(s.time))) throw new Error(`unreadable time '${s.time}'`);
  return s ? [s] : [];
}

/**
 * The episode of a signal. A signal whose session carries an episode source identity
 * (`episode-<id>`, which only the harness can set: AgentRole `episodeSessions`) belongs to that
 * episode, whatever the ledger says: the ledger only adds run, environment and role when its entry
 * for the same subject names the same episode. Otherwise the signal's subjects are looked up in
 * the ledger, most specific first, and the entry active at the signal's time names the episode.
 */
export async function attribute(signal: ViolationSignal, ledger: LedgerDynamoDb, tableName: string): Promise<EpisodeAttribution | undefined> {
  const at = new Date(signal.time);
  const episodeId = episodeIdOfSourceIdentity(signal.sourceIdentity);
  if (episodeId !== undefined) {
    for (const subject of signal.subjects) {
      const hit = await findActiveEpisode(ledger, tableName, subject, at);
      if (hit && hit.episodeId === episodeId) return { ...hit, attribution: 'source-identity' };
    }
    return {
      environment: '',
      episodeId,
      runId: '',
      subject: signal.subjects[0] ? subjectKey(signal.subjects[0]) : '',
      startedAt: 0,
      attribution: 'source-identity',
    };
  }
  for (const subject of signal.subjects) {
    const hit = await findActiveEpisode(ledger, tableName, subject, at);
    if (hit) return { ...hit, attribution: 'time-window' };
  }
  return undefined;
}

/** The violation event detail of a signal and its attribution. */
export function toViolation(signal: ViolationSignal, attribution: EpisodeAttribution | undefined, environment: string): BlackHoleViolation {
  const subjects = signal.subjects.map(subjectKey);
  const id = createHash('sha256')
    .update(JSON.stringify([signal.source, signal.technique, signal.time, subjects]))
    .digest('hex')
    .slice(0, 32);
  return {
    id,
    time: signal.time,
    environment: attribution?.environment || environment,
    episodeId: attribution?.episodeId,
    runId: attribution?.runId || undefined,
    ...(attribution?.attribution ? { attribution: attribution.attribution } : {}),
    roleArn: attribution?.roleArn,
    principal: signal.principal ?? attribution?.roleArn,
    source: signal.source,
    category: signal.category,
    technique: signal.technique,
    severity: signal.severity,
    subjects,
    evidence: signal.evidence,
  };
}

/** The archive object of a violation: one JSON object per key, columns as the Glue `violations` table. */
export function archiveObject(
  v: BlackHoleViolation,
  bucket: string,
  prefix = 'violations/',
): { Bucket: string; Key: string; Body: string; ContentType: string } {
  return {
    Bucket: bucket,
    Key: `${prefix}dt=${v.time.slice(0, 10)}/${v.id}.json`,
    Body:
      JSON.stringify({
        id: v.id,
        time: v.time,
        environment: v.environment,
        episode_id: v.episodeId ?? null,
        run_id: v.runId ?? null,
        principal: v.principal ?? null,
        source: v.source,
        category: v.category,
        technique: v.technique,
        severity: v.severity,
        subjects: v.subjects,
        evidence: JSON.stringify(v.evidence),
      }) + '\n',
    ContentType: 'application/json',
  };
}

/**
 * Correlates one input: attributes every signal, archives it and publishes the violations (10 per
 * PutEvents call). Unreadable log messages are collected in `skipped` and logged, not thrown.
 */
export async function correlate(input: unknown, config: CorrelatorConfig, apis: CorrelatorApis, skipped: SkippedRecord[] = []): Promise<BlackHoleViolation[]> {
  const violations: BlackHoleViolation[] = [];
  const signals = signalsFromInput(input, config, skipped);
  if (skipped.length > 0) {
    // One structured line per invocation: the count and the first few, for a metric filter or a search.
    console.warn(JSON.stringify({ message: 'skipped log messages of an unexpected shape', skipped: skipped.length, first: skipped.slice(0, 3) }));
  }
  for (const signal of signals) {
    violations.push(toViolation(signal, await attribute(signal, apis.ledger, config.ledgerTableName), config.environment));
  }
  if (config.archiveBucket && apis.archive) {
    for (const v of violations) await apis.archive.putObject(archiveObject(v, config.archiveBucket, config.archivePrefix));
  }
  for (let i = 0; i < violations.length; i += 10) {
    const out = await apis.events.putEvents({
      Entries: violations.slice(i, i + 10).map((v) => ({
        EventBusName: config.eventBusName,
        Source: VIOLATION_EVENT_SOURCE,
        DetailType: VIOLATION_DETAIL_TYPE,
        Time: new Date(v.time),
        Detail: JSON.stringify(v),
      })),
    });
    if (out.FailedEntryCount) throw new Error(`PutEvents failed for ${out.FailedEntryCount} violation(s); the invocation is retried`);
  }
  return violations;
}
