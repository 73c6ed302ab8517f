/**
 * Pure functions that turn real-format telemetry (flow-log records, GuardDuty findings, CloudTrail
 * records, Resolver query logs) into violation signals. No AWS SDK, no aws-cdk-lib: bundled into
 * the correlator Lambda.
 */
import { FLOW_LOG_FIELDS } from '../flow-log-fields';

/** Severity of a violation; the responder contains those at or above its minimum (default HIGH). */
export type ViolationSeverity = 'LOW' | 'MEDIUM' | 'HIGH' | 'CRITICAL';
export const SEVERITIES: readonly ViolationSeverity[] = ['LOW', 'MEDIUM', 'HIGH', 'CRITICAL'];

/** Where a violation happened, as the episode ledger keys it: `instance#i-...`, `eni#eni-...`, `job#name`, `session#arn`. */
export type SubjectKind = 'instance' | 'eni' | 'job' | 'session';
/** A place an episode runs, as the ledger keys it. */
export interface Subject {
  /** What kind of place. */
  readonly kind: SubjectKind;
  /** Instance id, ENI id, training job name or assumed-role session ARN. */
  readonly id: string;
}
export function subjectKey(s: Subject): string {
  return `${s.kind}#${s.id}`;
}

/** The telemetry a violation comes from. */
export type SignalSource = 'flow-log' | 'dns-firewall' | 'guardduty' | 'cloudtrail';

/** A violation before attribution to an episode. */
export interface ViolationSignal {
  /** The telemetry that saw it. */
  readonly source: SignalSource;
  /** Broad class: `egress-attempt`, `dns-blocked`, `denied-api-call`, `crypto-mining`, `backdoor`, ... */
  readonly category: string;
  /** Specific technique: the GuardDuty finding type, the API call, the flow 5-tuple, the blocked domain. */
  readonly technique: string;
  /** Severity. */
  readonly severity: ViolationSeverity;
  /** When it happened (ISO 8601 UTC). */
  readonly time: string;
  /** Places to look up in the episode ledger, most specific first. */
  readonly subjects: readonly Subject[];
  /** Principal ARN when known (role session or role). */
  readonly principal?: string;
  /**
   * The session's source identity (CloudTrail `userIdentity.sessionContext.sourceIdentity`): set
   * only by whoever started the session, immutable, kept through role chaining. Episode sessions
   * carry `episode-<id>`.
   */
  readonly sourceIdentity?: string;
  /** The source record's identifying facts. */
  readonly evidence: Readonly<Record<string, unknown>>;
}

// ---------- flow logs ----------

/** A flow-log record by field name (`pkt-dstaddr`), `-` as undefined, numbers parsed. */
export type FlowLogRecord = Readonly<Record<string, string | number | undefined>>;

/** Numeric flow-log fields (those of the pipeline's list, and the same names in other formats). */
const NUMERIC = new Set(FLOW_LOG_FIELDS.filter((f) => f.glueType !== 'string').map((f) => f.name));

/**
 * Parses one space-separated flow-log line given the format's field names (a header line, or the
 * pipeline's {@link FLOW_LOG_FIELDS}). Runs of spaces count as one separator.
 */
export function parseFlowLogLine(line: string, fieldNames: readonly string[] = FLOW_LOG_FIELDS.map((f) => f.name)): FlowLogRecord {
  const values = line.trim().split(/\s+/);
  if (values.length !== fieldNames.length) {
    throw new Error(`flow-log record has ${values.length} fields, the format has ${fieldNames.length}`);
  }
  const record: Record<string, string | number | undefined> = {};
  fieldNames.forEach((name, i) => {
    const v = values[i];
    record[name] = v === '-' ? undefined : NUMERIC.has(name) && /^\d+$/.test(v) ? Number(v) : v;
  });
  return record;
}

function ipv4ToInt(ip: string): number | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(ip);
  if (!m) return undefined;
  const o = m.slice(1).map(Number);
  if (o.some((x) => x > 255)) return undefined;
  return ((o[0] << 24) >>> 0) + (o[1] << 16) + (o[2] << 8) + o[3];
}

/** True when `ip` is an IPv4 address inside one of the CIDRs. IPv6 addresses are never inside. */
export function inCidrs(ip: string | undefined, cidrs: readonly string[]): boolean {
  if (!ip) return false;
  const addr = ipv4ToInt(ip);
  if (addr === undefined) return false;
  return cidrs.some((c) => {
    const [net, len] = c.split('/');
    const n = ipv4ToInt(net);
    const prefix = Number(len);
    if (n === undefined || !(prefix >= 0 && prefix <= 32)) return false;
    const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
    return (addr & mask) >>> 0 === (n & mask) >>> 0;
  });
}

/**
 * Services reached through a gateway VPC endpoint: their traffic leaves the VPC by design (to the
 * service's public ranges). Every other AWS service is reached through an interface endpoint, an
 * address inside the VPC; `pkt-dst-aws-service` also names EC2 and other ranges anyone can rent, so
 * "some AWS service" is not exempt. https://docs.aws.amazon.com/vpc/latest/privatelink/gateway-endpoints.html
 */
export const GATEWAY_ENDPOINT_SERVICES: readonly string[] = Object.freeze(['S3', 'DYNAMODB']);

/**
 * `traffic-path` values of traffic through a gateway VPC endpoint: 2 (internet gateway or gateway
 * endpoint) and 7 (gateway endpoint, Nitro). 8 is an internet gateway (Nitro), 1 another resource
 * in the same VPC. https://docs.aws.amazon.com/vpc/latest/userguide/flow-log-records.html
 */
const GATEWAY_ENDPOINT_PATHS = [2, 7];

/**
 * An egress attempt: traffic leaving the VPC (flow-direction `egress`, or, for formats without it,
 * a source inside and a destination outside the VPC) to a packet destination outside the VPC's
 * CIDRs. Never one: a destination inside the VPC (interface endpoints, other nodes, whatever the
 * traffic-path says), and S3 or DynamoDB through their gateway endpoint ({@link GATEWAY_ENDPOINT_SERVICES},
 * traffic-path 2, 7 or unknown). S3 through an internet gateway (traffic-path 8) is one.
 * ACCEPTed means it got out: CRITICAL. REJECTed: MEDIUM (the black hole held). Anything else: undefined.
 */
export function signalFromFlowLog(record: FlowLogRecord, vpcCidrs: readonly string[]): ViolationSignal | undefined {
  if (record['log-status'] !== undefined && record['log-status'] !== 'OK') return undefined;
  const src = (record['pkt-srcaddr'] ?? record.srcaddr) as string | undefined;
  const dst = (record['pkt-dstaddr'] ?? record.dstaddr) as string | undefined;
  const direction = record['flow-direction'] as string | undefined;
  const leaving = direction !== undefined ? direction === 'egress' : inCidrs(src, vpcCidrs) && !inCidrs(dst, vpcCidrs);
  if (!leaving || !dst || inCidrs(dst, vpcCidrs)) return undefined;
  const path = record['traffic-path'];
  const service = record['pkt-dst-aws-service'];
  if (typeof service === 'string' && GATEWAY_ENDPOINT_SERVICES.includes(service) && (path === undefined || GATEWAY_ENDPOINT_PATHS.includes(Number(path)))) {
    return undefined;
  }
  const action = record.action as string | undefined;
  const subjects: Subject[] = [];
  if (record['instance-id']) subjects.push({ kind: 'instance', id: String(record['instance-id']) });
  if (record['interface-id']) subjects.push({ kind: 'eni', id: String(record['interface-id']) });
  const start = typeof record.start === 'number' ? record.start : undefined;
  return {
    source: 'flow-log',
    category: 'egress-attempt',
    technique: `${protocolName(record.protocol)}:${dst}:${record.dstport ?? '-'} ${action ?? ''}`.trim(),
    severity: action === 'ACCEPT' ? 'CRITICAL' : 'MEDIUM',
    time: start !== undefined ? isoSeconds(new Date(start * 1000)) : isoSeconds(new Date(0)),
    subjects,
    evidence: { ...record },
  };
}

function protocolName(p: unknown): string {
  return p === 6 ? 'tcp' : p === 17 ? 'udp' : p === 1 ? 'icmp' : `proto-${String(p ?? '-')}`;
}

/** ISO 8601 UTC without milliseconds. */
export function isoSeconds(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

// ---------- DNS (Resolver query logs, DNS Firewall) ----------

/** A Resolver query log record (JSON as delivered to CloudWatch Logs). */
export interface ResolverQueryLogRecord {
  readonly query_timestamp: string;
  readonly query_name: string;
  readonly query_type?: string;
  readonly srcaddr?: string;
  readonly vpc_id?: string;
  readonly srcids?: { readonly instance?: string; readonly resolver_endpoint?: string };
  readonly firewall_rule_action?: string;
  readonly firewall_rule_group_id?: string;
  readonly firewall_domain_list_id?: string;
  readonly [key: string]: unknown;
}

/** A DNS Firewall BLOCK is a violation (the walled garden held): MEDIUM. ALLOWed and unfiltered queries are not. */
export function signalFromResolverQuery(record: ResolverQueryLogRecord): ViolationSignal | undefined {
  if (record.firewall_rule_action !== 'BLOCK') return undefined;
  const subjects: Subject[] = record.srcids?.instance ? [{ kind: 'instance', id: record.srcids.instance }] : [];
  return {
    source: 'dns-firewall',
    category: 'dns-blocked',
    technique: `${record.query_type ?? 'DNS'} ${record.query_name}`,
    severity: 'MEDIUM',
    time: record.query_timestamp,
    subjects,
    evidence: {
      query_name: record.query_name,
      query_type: record.query_type,
      srcaddr: record.srcaddr,
      vpc_id: record.vpc_id,
      instance: record.srcids?.instance,
      firewall_rule_group_id: record.firewall_rule_group_id,
      firewall_domain_list_id: record.firewall_domain_list_id,
    },
  };
}

// ---------- GuardDuty ----------

/** Recursively lower-cases the first letter of every key: GetFindings PascalCase -> EventBridge camelCase. */
export function camelizeKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(camelizeKeys);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k.charAt(0).toLowerCase() + k.slice(1), camelizeKeys(v)]));
  }
  return value;
}

/** GuardDuty finding-type patterns this library acts on (ESCAPES.md 33-36), as EventBridge wildcard patterns. */
export const GUARDDUTY_FINDING_TYPE_PATTERNS: readonly string[] = Object.freeze([
  'CryptoCurrency:*',
  'Impact:*CryptoMiner*',
  'Backdoor:*',
  'Trojan:*DNS*',
  'UnauthorizedAccess:*',
  'Recon:*',
  'DefenseEvasion:*',
]);

/** Matches an EventBridge-style wildcard (`*` = any run of characters), case-sensitive as EventBridge is. */
export function wildcardMatch(pattern: string, value: string): boolean {
  const re = new RegExp(
    '^' +
      pattern
        .split('*')
        .map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
        .join('.*') +
      '$',
  );
  return re.test(value);
}

function guardDutyCategory(type: string): string {
  if (/CryptoMiner|^CryptoCurrency:/.test(type)) return 'crypto-mining';
  if (type.startsWith('Backdoor:')) return 'backdoor';
  if (type.startsWith('Trojan:')) return 'dns-exfiltration';
  if (type.startsWith('UnauthorizedAccess:')) return 'unauthorized-access';
  if (type.startsWith('Recon:')) return 'reconnaissance';
  if (type.startsWith('DefenseEvasion:')) return 'defense-evasion';
  return 'guardduty';
}

/** GuardDuty severity (1-10) to ours; mining, backdoors and DNS exfiltration are at least HIGH. */
function guardDutySeverity(score: number, category: string): ViolationSeverity {
  const base: ViolationSeverity = score >= 9 ? 'CRITICAL' : score >= 7 ? 'HIGH' : score >= 4 ? 'MEDIUM' : 'LOW';
  const floor: ViolationSeverity = ['crypto-mining', 'backdoor', 'dns-exfiltration'].includes(category) ? 'HIGH' : 'LOW';
  return SEVERITIES.indexOf(base) >= SEVERITIES.indexOf(floor) ? base : floor;
}

/**
 * A GuardDuty finding event (EventBridge `GuardDuty Finding`): its `detail` in EventBridge camelCase
 * or in GetFindings PascalCase. Findings whose type matches none of the patterns give undefined.
 */
export function signalFromGuardDuty(event: { detail?: unknown } | Record<string, unknown>): ViolationSignal | undefined {
  const raw = ('detail' in event && event.detail ? event.detail : event) as Record<string, unknown>;
  const f = camelizeKeys(raw) as any;
  const type: string | undefined = f.type;
  if (!type || !GUARDDUTY_FINDING_TYPE_PATTERNS.some((p) => wildcardMatch(p, type))) return undefined;
  const category = guardDutyCategory(type);
  const instance = f.resource?.instanceDetails;
  const subjects: Subject[] = [];
  if (instance?.instanceId) subjects.push({ kind: 'instance', id: instance.instanceId });
  for (const ni of instance?.networkInterfaces ?? []) {
    if (ni.networkInterfaceId) subjects.push({ kind: 'eni', id: ni.networkInterfaceId });
  }
  const key = f.resource?.accessKeyDetails;
  const time: string = f.service?.eventFirstSeen ?? f.createdAt ?? f.updatedAt;
  return {
    source: 'guardduty',
    category,
    technique: type,
    severity: guardDutySeverity(Number(f.severity ?? 0), category),
    time: isoSeconds(new Date(time)),
    subjects,
    principal: instance?.iamInstanceProfile?.arn ?? (key?.userName ? `${key.userType ?? 'principal'}:${key.userName}` : undefined),
    evidence: {
      findingId: f.id,
      findingArn: f.arn,
      type,
      severity: f.severity,
      title: f.title,
      description: f.description,
      actionType: f.service?.action?.actionType,
      domain: f.service?.action?.dnsRequestAction?.domain,
      count: f.service?.count,
      sample: typeof f.service?.additionalInfo?.value === 'string' && f.service.additionalInfo.value.includes('"sample":true') ? true : undefined,
    },
  };
}

// ---------- CloudTrail ----------

export const DENIED_ERROR_CODES: readonly string[] = Object.freeze([
  'AccessDenied',
  'Client.UnauthorizedOperation',
  'UnauthorizedOperation',
  'AccessDeniedException',
]);

/** API call prefixes whose denial is itself alarming (blinding monitors, identity, money): HIGH instead of MEDIUM. */
const ALARMING_SOURCES = [
  'iam.amazonaws.com',
  'organizations.amazonaws.com',
  'cloudtrail.amazonaws.com',
  'guardduty.amazonaws.com',
  'events.amazonaws.com',
  'budgets.amazonaws.com',
  'servicequotas.amazonaws.com',
];

/**
 * A denied API call by an assumed role (a CloudTrail record, or the EventBridge `AWS API Call via
 * CloudTrail` event around one). Calls that succeeded, and calls by other identity types, give undefined.
 * With `agentRoleArns`, only calls by those roles count.
 */
export function signalFromCloudTrail(input: Record<string, any>, agentRoleArns?: readonly string[]): ViolationSignal | undefined {
  const r = input['detail-type'] === 'AWS API Call via CloudTrail' ? input.detail : input;
  if (!r || !DENIED_ERROR_CODES.includes(r.errorCode)) return undefined;
  const identity = r.userIdentity ?? {};
  if (identity.type !== 'AssumedRole') return undefined;
  const roleArn: string | undefined = identity.sessionContext?.sessionIssuer?.arn;
  if (agentRoleArns && !(roleArn && agentRoleArns.includes(roleArn))) return undefined;
  const sessionArn: string = identity.arn;
  const subjects: Subject[] = [{ kind: 'session', id: sessionArn }];
  const sessionName = sessionArn.split('/').pop() ?? '';
  // EC2 instance-profile sessions are named after the instance.
  if (/^i-[0-9a-f]{8,17}$/.test(sessionName)) subjects.push({ kind: 'instance', id: sessionName });
  const service = String(r.eventSource ?? '').replace(/\.amazonaws\.com$/, '');
  // https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-user-identity.html
  // (AWS STS source identity). `userIdentity.onBehalfOf` names IAM Identity Center users, not STS sessions.
  const sourceIdentity =
    typeof identity.sessionContext?.sourceIdentity === 'string' && identity.sessionContext.sourceIdentity !== ''
      ? (identity.sessionContext.sourceIdentity as string)
      : undefined;
  return {
    source: 'cloudtrail',
    category: 'denied-api-call',
    technique: `${service}:${r.eventName}`,
    severity: ALARMING_SOURCES.includes(r.eventSource) ? 'HIGH' : 'MEDIUM',
    time: r.eventTime,
    subjects,
    principal: sessionArn,
    ...(sourceIdentity ? { sourceIdentity } : {}),
    evidence: {
      eventID: r.eventID,
      eventName: r.eventName,
      eventSource: r.eventSource,
      errorCode: r.errorCode,
      roleArn,
      sourceIPAddress: r.sourceIPAddress,
      awsRegion: r.awsRegion,
      recipientAccountId: r.recipientAccountId,
      ...(sourceIdentity ? { sourceIdentity } : {}),
    },
  };
}
