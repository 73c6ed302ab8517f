import * as fs from 'fs';
import * as path from 'path';
import { gzipSync } from 'zlib';
import { AgentBoundary } from '../../lib/identity/agent-boundary';
import { flowLogFormatString } from '../../lib/telemetry/flow-log-fields';
import { contain, ContainmentApis, planContainment, REVOCATION_TEMPLATE_TIME, revocationDocument, roleNameOf } from '../../lib/telemetry/runtime/contain';
import {
  archiveObject,
  attribute,
  BlackHoleViolation,
  correlate,
  CorrelatorApis,
  signalsFromInput,
  SkippedRecord,
} from '../../lib/telemetry/runtime/correlate';
import { findActiveEpisode, LedgerDynamoDb, recordEpisodeEnd, recordEpisodeStart } from '../../lib/telemetry/runtime/ledger-client';
import {
  camelizeKeys,
  parseFlowLogLine,
  signalFromCloudTrail,
  signalFromFlowLog,
  signalFromGuardDuty,
  signalFromResolverQuery,
  wildcardMatch,
} from '../../lib/telemetry/runtime/signals';
import { FLOWS, flowLine, LEAVING, VPC_CIDR } from './flow-fixtures';

const FIX = path.join(__dirname, '../fixtures/telemetry');
const read = (p: string) => fs.readFileSync(path.join(FIX, p), 'utf8');
const json = (p: string) => JSON.parse(read(p));

/** A flow-log fixture: header line with the docs' field names, then records. */
function flowFixture(file: string): Record<string, any>[] {
  const [header, ...lines] = read(file)
    .split('\n')
    .filter((l) => l.trim());
  return lines.map((l) => parseFlowLogLine(l, header.trim().split(/\s+/)));
}

describe('flow-log records (AWS docs samples)', () => {
  test('v5 records parse by header; S3 through an internet gateway (traffic-path 8) is egress, through the gateway endpoint it is not', () => {
    const [ingress, egress] = flowFixture('flowlogs/custom-v5-traffic-path-flow-direction-examples.txt');
    expect(egress).toMatchObject({
      'flow-direction': 'egress',
      'pkt-dst-aws-service': 'S3',
      'traffic-path': 8,
      'instance-id': 'i-0c50d5961bcb2d47b',
      start: 1616729292,
    });
    expect(ingress['pkt-dst-aws-service']).toBeUndefined();
    expect(signalFromFlowLog(ingress, ['10.0.0.0/16'])).toBeUndefined();
    // Deliberate change: the docs' record went out through an internet gateway (8), which a black hole
    // must not have; only traffic-path 2 or 7 (gateway endpoint) exempts S3 and DynamoDB.
    expect(signalFromFlowLog(egress, ['10.0.0.0/16'])).toMatchObject({
      category: 'egress-attempt',
      severity: 'CRITICAL',
      technique: 'tcp:52.95.128.179:80 ACCEPT',
    });
    expect(signalFromFlowLog({ ...egress, 'traffic-path': 7 }, ['10.0.0.0/16'])).toBeUndefined();
    expect(signalFromFlowLog({ ...egress, 'traffic-path': 2 }, ['10.0.0.0/16'])).toBeUndefined();
  });

  test('NAT gateway docs records (no flow-direction): the flows towards 203.0.113.5 are egress, the replies and the NAT hop inside are not', () => {
    const [header, ...lines] = read('flowlogs/custom-nat-gateway-examples.txt')
      .split('\n')
      .filter((l) => l.trim());
    const records = lines.map((l) => parseFlowLogLine(l.replace(/#.*$/, ''), header.trim().split(/\s+/)));
    const signals = records.map((r) => signalFromFlowLog(r, ['10.0.0.0/16']));
    // 1: instance -> NAT ENI, packet to the internet; 2: NAT -> internet; 5: instance -> internet (instance ENI).
    expect(signals.map((x) => (x ? x.technique : undefined))).toEqual([
      'proto--:203.0.113.5:-',
      'proto--:203.0.113.5:-',
      undefined,
      undefined,
      'proto--:203.0.113.5:-',
      undefined,
    ]);
  });

  test('v3 records (no flow-direction, one double space): accepted egress to the internet is CRITICAL', () => {
    const records = flowFixture('flowlogs/custom-v3-tcp-flags-examples.txt');
    expect(records).toHaveLength(8);
    const signals = records.map((r) => signalFromFlowLog(r, ['10.0.0.0/16'])).filter((s) => s);
    expect(signals).toHaveLength(4); // the 4 records from 10.0.0.62 to 52.213.180.42
    expect(signals[0]).toEqual({
      source: 'flow-log',
      category: 'egress-attempt',
      technique: 'tcp:52.213.180.42:43416 ACCEPT',
      severity: 'CRITICAL',
      time: '2019-08-26T19:47:55Z',
      subjects: [
        { kind: 'instance', id: 'i-01234567890123456' },
        { kind: 'eni', id: 'eni-1235b8ca123456789' },
      ],
      evidence: expect.objectContaining({ srcaddr: '10.0.0.62', dstaddr: '52.213.180.42', 'tcp-flags': 18 }),
    });
  });

  test('a record in the pipeline format parses with the one field list; a REJECT to the internet is MEDIUM', () => {
    const names = flowLogFormatString()
      .match(/\$\{([a-z-]+)\}/g)!
      .map((m) => m.slice(2, -1));
    const values: Record<string, string> = {
      version: '5',
      'account-id': '123456789012',
      'vpc-id': 'vpc-1',
      'subnet-id': 'subnet-1',
      'interface-id': 'eni-0a',
      'instance-id': 'i-0abc12345678',
      srcaddr: '10.80.1.5',
      dstaddr: '203.0.113.7',
      'pkt-srcaddr': '10.80.1.5',
      'pkt-dstaddr': '203.0.113.7',
      srcport: '40000',
      dstport: '22',
      protocol: '6',
      packets: '3',
      bytes: '180',
      start: '1767225600',
      end: '1767225660',
      action: 'REJECT',
      'log-status': 'OK',
      'tcp-flags': '2',
      'flow-direction': 'egress',
      'traffic-path': '-',
      'pkt-src-aws-service': '-',
      'pkt-dst-aws-service': '-',
    };
    const s = signalFromFlowLog(parseFlowLogLine(names.map((n) => values[n]).join(' ')), ['10.80.0.0/16'])!;
    expect(s.severity).toBe('MEDIUM');
    expect(s.technique).toBe('tcp:203.0.113.7:22 REJECT');
    expect(s.time).toBe('2026-01-01T00:00:00Z');
    expect(() => parseFlowLogLine('5 too few')).toThrow(/2 fields|3 fields/);
  });
});

describe('flows inside the VPC are never violations (pipeline format, VPC_CIDRS)', () => {
  const signal = (line: string) => signalFromFlowLog(parseFlowLogLine(line), [VPC_CIDR]);

  test('to an interface endpoint ENI, to another node, an ingress answer: none', () => {
    expect(signal(FLOWS.toInterfaceEndpoint)).toBeUndefined();
    expect(signal(FLOWS.toOtherNode)).toBeUndefined();
    expect(signal(FLOWS.ingressFromEndpoint)).toBeUndefined();
  });

  test('a destination inside the VPC CIDR is never one, whatever traffic-path and service say', () => {
    expect(signal(flowLine({ 'traffic-path': '8', 'pkt-dst-aws-service': 'EC2' }))).toBeUndefined();
    expect(signal(flowLine({ action: 'REJECT', 'traffic-path': '-' }))).toBeUndefined();
    // Secondary CIDRs: every CIDR given in VPC_CIDRS counts.
    expect(signalFromFlowLog(parseFlowLogLine(FLOWS.toPeeredVpc), [VPC_CIDR, '10.99.0.0/16'])).toBeUndefined();
  });

  test('S3 and DynamoDB through their gateway endpoints: none', () => {
    expect(signal(FLOWS.toS3GatewayEndpoint)).toBeUndefined();
    expect(signal(FLOWS.toDynamoDbGatewayEndpoint)).toBeUndefined();
  });

  test('a public IP is one, also when pkt-dst-aws-service names EC2 (anyone can rent those addresses)', () => {
    expect(signal(FLOWS.toInternet)).toMatchObject({ category: 'egress-attempt', severity: 'CRITICAL', technique: 'tcp:203.0.113.7:443 ACCEPT' });
    expect(signal(FLOWS.toEc2PublicIp)).toMatchObject({ severity: 'CRITICAL', technique: 'tcp:3.120.0.10:443 ACCEPT' });
    expect(signal(FLOWS.toPeeredVpc)).toMatchObject({ severity: 'CRITICAL', technique: 'tcp:10.99.0.5:443 ACCEPT' });
    expect(signal(flowLine({ dstaddr: '198.51.100.1', 'pkt-dstaddr': '198.51.100.1', action: 'REJECT', 'traffic-path': '-' }))).toMatchObject({
      severity: 'MEDIUM',
    });
  });

  test('every named case: a signal exactly for the flows that left the VPC', () => {
    const flagged = Object.entries(FLOWS)
      .filter(([, line]) => signal(line))
      .map(([name]) => name);
    expect(flagged.sort()).toEqual([...LEAVING].sort());
  });
});

describe('DNS firewall (Resolver query log, AWS docs sample)', () => {
  test('the BLOCK record is a dns-blocked violation of its instance', () => {
    expect(signalFromResolverQuery(json('dnslogs/route53-resolver-query-log_dns-firewall-BLOCK_aws-docs.json'))).toEqual({
      source: 'dns-firewall',
      category: 'dns-blocked',
      technique: 'PTR 15.3.4.32.in-addr.arpa.',
      severity: 'MEDIUM',
      time: '2021-02-04T17:51:55Z',
      subjects: [{ kind: 'instance', id: 'i-0d15cd0d3example' }],
      evidence: expect.objectContaining({ firewall_rule_group_id: 'rslvr-frg-01234567890abcdef', vpc_id: 'vpc-7example' }),
    });
    expect(
      signalFromResolverQuery({ ...json('dnslogs/route53-resolver-query-log_dns-firewall-BLOCK_aws-docs.json'), firewall_rule_action: 'ALLOW' }),
    ).toBeUndefined();
  });
});

describe('GuardDuty findings (PascalCase sample and its camelCase EventBridge form)', () => {
  const trojan = json('events/guardduty/Trojan_EC2_DNSDataExfiltration.json');
  const recon = json('events/guardduty/Recon_EC2_Portscan.json');

  test('Trojan:EC2/DNSDataExfiltration: HIGH, instance and all its ENIs, first-seen time', () => {
    const s = signalFromGuardDuty(trojan)!;
    expect(s).toMatchObject({
      source: 'guardduty',
      category: 'dns-exfiltration',
      technique: 'Trojan:EC2/DNSDataExfiltration',
      severity: 'HIGH',
      time: '2025-08-22T01:40:09Z',
    });
    expect(s.subjects.slice(0, 3)).toEqual([
      { kind: 'instance', id: 'i-99999999' },
      { kind: 'eni', id: 'eni-abcdef00' },
      { kind: 'eni', id: 'eni-abcdef01' },
    ]);
    expect(s.evidence).toMatchObject({
      findingId: '859a6c2165c14a8e92d12050fe60e052',
      actionType: 'DNS_REQUEST',
      domain: 'GeneratedFindingAdditionalDomainName',
      sample: true,
    });
  });

  test('the same finding in camelCase (as EventBridge delivers it) gives the same signal', () => {
    const camel = { ...trojan, detail: camelizeKeys(trojan.detail) };
    expect(camel.detail.resource.instanceDetails.instanceId).toBe('i-99999999');
    expect(signalFromGuardDuty(camel)).toEqual(signalFromGuardDuty(trojan));
  });

  test('Recon:EC2/Portscan severity 5 is MEDIUM; types outside the patterns are ignored', () => {
    expect(signalFromGuardDuty(recon)).toMatchObject({ category: 'reconnaissance', severity: 'MEDIUM' });
    expect(signalFromGuardDuty({ ...recon, detail: { ...recon.detail, Type: 'Policy:S3/BucketBlockPublicAccessDisabled' } })).toBeUndefined();
  });

  test('wildcards behave as EventBridge wildcard patterns', () => {
    expect(wildcardMatch('Impact:*CryptoMiner*', 'Impact:Runtime/CryptoMinerExecuted')).toBe(true);
    expect(wildcardMatch('Trojan:*DNS*', 'Trojan:EC2/DNSDataExfiltration')).toBe(true);
    expect(wildcardMatch('Trojan:*DNS*', 'Trojan:EC2/BlackholeTraffic')).toBe(false);
  });
});

describe('CloudTrail (Stratus detonation records)', () => {
  test('RunInstances Client.UnauthorizedOperation by an assumed role: a denied-api-call of that session', () => {
    const [denied, ...rest] = json('events/cloudtrail/ec2_RunInstances_Client.UnauthorizedOperation_assumed-role.stratus.json');
    const s = signalFromCloudTrail(denied)!;
    expect(s).toMatchObject({
      source: 'cloudtrail',
      category: 'denied-api-call',
      technique: 'ec2:RunInstances',
      severity: 'MEDIUM',
      time: '2024-08-01T11:30:23Z',
      principal: 'arn:aws:sts::900138736586:assumed-role/stratus-red-team-ec2lui-role-idtzskbvtd/aws-go-sdk-1722511821294449000',
      subjects: [{ kind: 'session', id: 'arn:aws:sts::900138736586:assumed-role/stratus-red-team-ec2lui-role-idtzskbvtd/aws-go-sdk-1722511821294449000' }],
    });
    expect(rest.map((r: any) => signalFromCloudTrail(r))).toEqual([undefined, undefined]); // successful AssumeRole
    expect(signalFromCloudTrail(denied, ['arn:aws:iam::900138736586:role/other'])).toBeUndefined();
    expect(signalFromCloudTrail({ 'detail-type': 'AWS API Call via CloudTrail', source: 'aws.ec2', detail: denied })).toEqual(s);
  });

  test('a record of an episode session carries its source identity (userIdentity.sessionContext.sourceIdentity); others do not', () => {
    const [chain, run] = json('events/cloudtrail/episode-session_AccessDenied_source-identity.json').map((r: any) => signalFromCloudTrail(r));
    expect(chain).toMatchObject({
      technique: 'sts:AssumeRole',
      sourceIdentity: 'episode-42',
      evidence: expect.objectContaining({ sourceIdentity: 'episode-42' }),
    });
    expect(run).toMatchObject({
      technique: 'ec2:RunInstances',
      sourceIdentity: 'episode-42',
      principal: 'arn:aws:sts::111122223333:assumed-role/Agent/episode-42',
    });
    const [stratus] = json('events/cloudtrail/ec2_RunInstances_Client.UnauthorizedOperation_assumed-role.stratus.json');
    expect(signalFromCloudTrail(stratus)!.sourceIdentity).toBeUndefined();
  });

  test('LeaveOrganization AccessDenied is HIGH; a successful AuthorizeSecurityGroupIngress is not a denial', () => {
    const leave = json('events/cloudtrail/organizations_LeaveOrganization_AccessDenied_assumed-role.stratus.json')
      .map((r: any) => signalFromCloudTrail(r))
      .filter((x: any) => x);
    expect(leave).toHaveLength(1);
    expect(leave[0]).toMatchObject({ technique: 'organizations:LeaveOrganization', severity: 'HIGH' });
    expect(json('events/cloudtrail/ec2_AuthorizeSecurityGroupIngress_success.stratus.json').map((r: any) => signalFromCloudTrail(r))).toEqual([undefined]);
  });
});

/** An in-memory DynamoDB fake that records calls and answers the ledger's one query shape. */
function fakeLedger(): LedgerDynamoDb & { calls: any[]; items: any[] } {
  const items: any[] = [];
  const calls: any[] = [];
  return {
    calls,
    items,
    async putItem(input) {
      calls.push(['putItem', input]);
      items.push(input.Item);
      return {};
    },
    async updateItem(input) {
      calls.push(['updateItem', input]);
      const it = items.find((i) => i.subject.S === (input.Key.subject as any).S && i.startedAt.N === (input.Key.startedAt as any).N);
      if (it) it.endedAt = input.ExpressionAttributeValues[':end'];
      return {};
    },
    async query(input) {
      calls.push(['query', input]);
      const s = (input.ExpressionAttributeValues[':s'] as any).S;
      const t = Number((input.ExpressionAttributeValues[':t'] as any).N);
      const hits = items.filter((i) => i.subject.S === s && Number(i.startedAt.N) <= t).sort((a, b) => Number(b.startedAt.N) - Number(a.startedAt.N));
      return { Items: hits.slice(0, input.Limit) };
    },
  };
}

describe('episode ledger client', () => {
  test('records one item per subject with TTL, finds the active episode, and respects the end', async () => {
    const db = fakeLedger();
    await recordEpisodeStart(db, 'Ledger', {
      environment: 'alpha',
      episodeId: 'ep-7',
      runId: 'run-1',
      roleArn: 'arn:aws:iam::111122223333:role/agent',
      subjects: [
        { kind: 'instance', id: 'i-99999999' },
        { kind: 'eni', id: 'eni-abcdef00' },
      ],
      startedAt: new Date('2025-08-22T01:00:00Z'),
      retentionDays: 30,
    });
    expect(db.calls[0]).toEqual([
      'putItem',
      {
        TableName: 'Ledger',
        Item: {
          subject: { S: 'instance#i-99999999' },
          startedAt: { N: '1755824400000' },
          episodeId: { S: 'ep-7' },
          runId: { S: 'run-1' },
          environment: { S: 'alpha' },
          expiresAt: { N: String(1755824400 + 30 * 86400) },
          roleArn: { S: 'arn:aws:iam::111122223333:role/agent' },
        },
      },
    ]);
    const at = new Date('2025-08-22T01:40:09Z');
    expect(await findActiveEpisode(db, 'Ledger', { kind: 'eni', id: 'eni-abcdef00' }, at)).toMatchObject({ episodeId: 'ep-7', runId: 'run-1' });
    expect(db.calls[2]).toEqual([
      'query',
      {
        TableName: 'Ledger',
        KeyConditionExpression: '#s = :s AND #t <= :t',
        ExpressionAttributeNames: { '#s': 'subject', '#t': 'startedAt' },
        ExpressionAttributeValues: { ':s': { S: 'eni#eni-abcdef00' }, ':t': { N: String(at.getTime()) } },
        ScanIndexForward: false,
        Limit: 1,
      },
    ]);
    expect(await findActiveEpisode(db, 'Ledger', { kind: 'eni', id: 'eni-abcdef00' }, new Date('2025-08-22T00:59:59Z'))).toBeUndefined();
    await recordEpisodeEnd(db, 'Ledger', {
      episodeId: 'ep-7',
      subjects: [{ kind: 'eni', id: 'eni-abcdef00' }],
      startedAt: new Date('2025-08-22T01:00:00Z'),
      endedAt: new Date('2025-08-22T01:30:00Z'),
    });
    expect(await findActiveEpisode(db, 'Ledger', { kind: 'eni', id: 'eni-abcdef00' }, at)).toBeUndefined();
    expect(await findActiveEpisode(db, 'Ledger', { kind: 'instance', id: 'i-99999999' }, at)).toMatchObject({ episodeId: 'ep-7' });
    await expect(recordEpisodeStart(db, 'Ledger', { environment: 'a', episodeId: 'e', runId: 'r', subjects: [] })).rejects.toThrow(/at least one subject/);
  });
});

describe('correlator', () => {
  const config = { environment: 'alpha', eventBusName: 'bus', ledgerTableName: 'Ledger', vpcCidrs: ['10.0.0.0/16'], archiveBucket: 'telemetry' };

  async function run(input: unknown) {
    const ledger = fakeLedger();
    await recordEpisodeStart(ledger, 'Ledger', {
      environment: 'alpha',
      episodeId: 'ep-7',
      runId: 'run-1',
      roleArn: 'arn:aws:iam::111122223333:role/agent',
      subjects: [
        { kind: 'eni', id: 'eni-abcdef00' },
        { kind: 'instance', id: 'i-0d15cd0d3example' },
      ],
      startedAt: new Date('2020-01-01T00:00:00Z'),
    });
    const puts: any[] = [];
    const objects: any[] = [];
    const apis: CorrelatorApis = {
      ledger,
      events: {
        putEvents: async (i) => {
          puts.push(i);
          return { FailedEntryCount: 0 };
        },
      },
      archive: {
        putObject: async (i) => {
          objects.push(i);
          return {};
        },
      },
    };
    const violations = await correlate(input, config, apis);
    return { violations, puts, objects };
  }

  test('a GuardDuty finding is attributed through its ENI and published as a Black Hole Violation', async () => {
    const { violations, puts, objects } = await run(json('events/guardduty/Trojan_EC2_DNSDataExfiltration.json'));
    expect(violations).toHaveLength(1);
    const v = violations[0];
    expect(v).toMatchObject({
      environment: 'alpha',
      episodeId: 'ep-7',
      runId: 'run-1',
      roleArn: 'arn:aws:iam::111122223333:role/agent',
      category: 'dns-exfiltration',
      severity: 'HIGH',
    });
    expect(puts).toEqual([
      {
        Entries: [
          {
            EventBusName: 'bus',
            Source: 'black-hole.telemetry',
            DetailType: 'Black Hole Violation',
            Time: new Date('2025-08-22T01:40:09Z'),
            Detail: JSON.stringify(v),
          },
        ],
      },
    ]);
    expect(objects).toEqual([archiveObject(v, 'telemetry')]);
    expect(objects[0].Key).toBe(`violations/dt=2025-08-22/${v.id}.json`);
    expect(JSON.parse(objects[0].Body)).toMatchObject({ episode_id: 'ep-7', run_id: 'run-1', subjects: expect.arrayContaining(['eni#eni-abcdef00']) });
  });

  test('a CloudWatch Logs subscription batch of the Resolver query log is decoded and attributed through the instance', async () => {
    const record = read('dnslogs/route53-resolver-query-log_dns-firewall-BLOCK_aws-docs.json');
    const batch = {
      messageType: 'DATA_MESSAGE',
      logGroup: 'g',
      logStream: 's',
      logEvents: [{ id: '1', timestamp: 0, message: JSON.stringify(JSON.parse(record)) }],
    };
    const input = { awslogs: { data: gzipSync(Buffer.from(JSON.stringify(batch))).toString('base64') } };
    const { violations } = await run(input);
    expect(violations).toEqual([expect.objectContaining({ category: 'dns-blocked', episodeId: 'ep-7', subjects: ['instance#i-0d15cd0d3example'] })]);
  });

  test('a batch of one malformed and two good flow-log lines: the two are published, the bad one is skipped and counted', async () => {
    const batch = {
      messageType: 'DATA_MESSAGE',
      logGroup: 'flow-logs',
      logStream: 'eni-0node1-all',
      subscriptionFilters: ['EgressFlowSubscription'],
      logEvents: [
        { id: '1', timestamp: 0, message: flowLine({ dstaddr: '203.0.113.7', 'pkt-dstaddr': '203.0.113.7', 'traffic-path': '8' }) },
        { id: '2', timestamp: 0, message: '5 123456789012 vpc-0abc eni-0node1 truncated record' },
        { id: '3', timestamp: 0, message: flowLine({ dstaddr: '198.51.100.1', 'pkt-dstaddr': '198.51.100.1', 'traffic-path': '8', action: 'REJECT' }) },
      ],
    };
    const input = { awslogs: { data: gzipSync(Buffer.from(JSON.stringify(batch))).toString('base64') } };
    const skipped: SkippedRecord[] = [];
    const warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
    try {
      const ledger = fakeLedger();
      const puts: any[] = [];
      const violations = await correlate(
        input,
        { ...config, vpcCidrs: [VPC_CIDR] },
        {
          ledger,
          events: {
            putEvents: async (i) => {
              puts.push(i);
              return { FailedEntryCount: 0 };
            },
          },
          archive: { putObject: async () => ({}) },
        },
        skipped,
      );
      expect(violations.map((v) => v.technique)).toEqual(['tcp:203.0.113.7:443 ACCEPT', 'tcp:198.51.100.1:443 REJECT']);
      expect(puts[0].Entries).toHaveLength(2);
      expect(skipped).toEqual([{ reason: 'flow-log record has 6 fields, the format has 24', message: '5 123456789012 vpc-0abc eni-0node1 truncated record' }]);
      expect(warn).toHaveBeenCalledTimes(1);
      expect(JSON.parse(warn.mock.calls[0][0])).toMatchObject({ skipped: 1 });
    } finally {
      warn.mockRestore();
    }
    // A bad JSON line and a record whose time cannot be read are skipped the same way.
    const more: SkippedRecord[] = [];
    const lines = [
      '{"query_timestamp": ',
      flowLine({ dstaddr: '203.0.113.7', 'pkt-dstaddr': '203.0.113.7', 'traffic-path': '8', start: '99999999999999999' }),
      FLOWS.toInternet,
    ];
    const data = gzipSync(
      Buffer.from(JSON.stringify({ messageType: 'DATA_MESSAGE', logEvents: lines.map((message, i) => ({ id: String(i), timestamp: 0, message })) })),
    ).toString('base64');
    expect(signalsFromInput({ awslogs: { data } }, { vpcCidrs: [VPC_CIDR] }, more)).toHaveLength(1);
    expect(more).toHaveLength(2);
  });

  describe('attribution by source identity first', () => {
    const SESSION = 'arn:aws:sts::111122223333:assumed-role/Agent/episode-42';
    const records = () => json('events/cloudtrail/episode-session_AccessDenied_source-identity.json');
    const correlateWith = async (ledger: ReturnType<typeof fakeLedger>, input: unknown) =>
      correlate(input, config, {
        ledger,
        events: { putEvents: async () => ({ FailedEntryCount: 0 }) },
      });

    test('a CloudTrail record with an episode source identity is attributed to that episode, with no ledger entry at all', async () => {
      const [chain] = records();
      const [v] = await correlateWith(fakeLedger(), { 'detail-type': 'AWS API Call via CloudTrail', source: 'aws.sts', detail: chain });
      expect(v).toMatchObject({ episodeId: '42', attribution: 'source-identity', technique: 'sts:AssumeRole', principal: SESSION });
      expect(v.runId).toBeUndefined();
    });

    test('the ledger entry of the same session and episode adds run and role; one naming another episode does not override the source identity', async () => {
      const [, run] = records();
      const ledger = fakeLedger();
      await recordEpisodeStart(ledger, 'Ledger', {
        environment: 'alpha',
        episodeId: '42',
        runId: 'run-9',
        roleArn: 'arn:aws:iam::111122223333:role/Agent',
        subjects: [{ kind: 'session', id: SESSION }],
        startedAt: new Date('2026-03-14T09:00:00Z'),
        session: { assumedRoleId: 'AROAIDPPEZS35WEXAMPLE:episode-42', sourceIdentity: 'episode-42', expiresAt: new Date('2026-03-14T10:00:00Z') },
      });
      const [v] = await correlateWith(ledger, run);
      expect(v).toMatchObject({
        episodeId: '42',
        runId: 'run-9',
        roleArn: 'arn:aws:iam::111122223333:role/Agent',
        environment: 'alpha',
        attribution: 'source-identity',
      });

      // A later ledger entry on the same session subject naming episode 43 (a reused session name, a
      // wrong harness record): the time window would pick it; the source identity does not.
      await recordEpisodeStart(ledger, 'Ledger', {
        environment: 'alpha',
        episodeId: '43',
        runId: 'run-9',
        subjects: [{ kind: 'session', id: SESSION }],
        startedAt: new Date('2026-03-14T09:10:00Z'),
      });
      const [again] = await correlateWith(ledger, run);
      expect(again).toMatchObject({ episodeId: '42', attribution: 'source-identity' });
      expect(again.runId).toBeUndefined();
      const { sourceIdentity: _si, ...withoutSourceIdentity } = signalsFromInput(run, config)[0];
      expect(await attribute(withoutSourceIdentity, ledger, 'Ledger')).toMatchObject({ episodeId: '43', attribution: 'time-window' });
    });

    test('network signals and records without a source identity keep the ledger time window', async () => {
      const { violations } = await run(json('events/guardduty/Trojan_EC2_DNSDataExfiltration.json'));
      expect(violations[0]).toMatchObject({ episodeId: 'ep-7', attribution: 'time-window' });
      const [denied] = json('events/cloudtrail/ec2_RunInstances_Client.UnauthorizedOperation_assumed-role.stratus.json');
      const unattributed = await run(denied);
      expect(unattributed.violations[0].attribution).toBeUndefined();
    });
  });

  test('an unattributed denied call is still published, without an episode', async () => {
    const [denied] = json('events/cloudtrail/ec2_RunInstances_Client.UnauthorizedOperation_assumed-role.stratus.json');
    const { violations, puts } = await run({ 'detail-type': 'AWS API Call via CloudTrail', source: 'aws.ec2', detail: denied });
    expect(violations[0].episodeId).toBeUndefined();
    expect(puts).toHaveLength(1);
    expect(signalsFromInput({ unrelated: true }, config)).toEqual([]);
  });
});

describe('containment responder', () => {
  const template = JSON.stringify(AgentBoundary.sessionRevocationPolicyDocument(REVOCATION_TEMPLATE_TIME));
  const config = { mode: 'contain' as const, minSeverity: 'HIGH' as const, quarantineSecurityGroupId: 'sg-quarantine', revocationPolicyTemplate: template };
  const now = new Date('2025-08-22T01:41:00.123Z');
  const violation: BlackHoleViolation = {
    id: 'v1',
    time: '2025-08-22T01:40:09Z',
    environment: 'alpha',
    episodeId: 'ep-7',
    runId: 'run-1',
    roleArn: 'arn:aws:iam::111122223333:role/agent-role',
    source: 'guardduty',
    category: 'crypto-mining',
    technique: 'CryptoCurrency:EC2/BitcoinTool.B!DNS',
    severity: 'HIGH',
    subjects: ['instance#i-99999999', 'eni#eni-abcdef00', 'job#train-7'],
    evidence: {},
  };

  function fakeApis(failOn?: string) {
    const calls: [string, any][] = [];
    const rec =
      (name: string, out: any = {}) =>
      async (input: any) => {
        calls.push([name, input]);
        if (name === failOn) throw new Error('boom');
        return out;
      };
    const apis: ContainmentApis = {
      iam: { putRolePolicy: rec('iam.putRolePolicy') },
      ec2: {
        describeNetworkInterfaces: rec('ec2.describeNetworkInterfaces', {
          NetworkInterfaces: [{ NetworkInterfaceId: 'eni-abcdef00' }, { NetworkInterfaceId: 'eni-abcdef01' }],
        }),
        modifyNetworkInterfaceAttribute: rec('ec2.modifyNetworkInterfaceAttribute'),
        createTags: rec('ec2.createTags'),
      },
      // The stop goes through lib/compute/runtime/preserve-and-stop.ts (test/telemetry/containment.test.ts).
      compute: new Proxy(
        {},
        {
          get:
            (_, m: string) =>
            async (...args: any[]) => {
              calls.push([`compute.${m}`, args]);
              return m.startsWith('describe') || m === 'createSnapshots' ? [] : undefined;
            },
        },
      ) as any,
    };
    return { apis, calls };
  }

  test('contain mode: exact calls, in order, with the AgentBoundary revocation document', async () => {
    const { apis, calls } = fakeApis();
    const report = await contain(violation, config, apis, now);
    expect(report.errors).toEqual([]);
    expect(calls).toEqual([
      [
        'iam.putRolePolicy',
        {
          RoleName: 'agent-role',
          PolicyName: 'BlackHoleRevokeOlderSessions',
          PolicyDocument: JSON.stringify(AgentBoundary.sessionRevocationPolicyDocument(new Date('2025-08-22T01:41:00Z'))),
        },
      ],
      [
        'ec2.createTags',
        {
          Resources: ['i-99999999', 'eni-abcdef00'],
          Tags: [
            { Key: 'black-hole:quarantine', Value: 'v1' },
            { Key: 'black-hole:violation-category', Value: 'crypto-mining' },
          ],
        },
      ],
      ['ec2.describeNetworkInterfaces', { Filters: [{ Name: 'attachment.instance-id', Values: ['i-99999999'] }] }],
      ['ec2.modifyNetworkInterfaceAttribute', { NetworkInterfaceId: 'eni-abcdef00', Groups: ['sg-quarantine'] }],
      ['ec2.modifyNetworkInterfaceAttribute', { NetworkInterfaceId: 'eni-abcdef01', Groups: ['sg-quarantine'] }],
      ['compute.describeAutoScalingInstances', [['i-99999999']]],
      ['compute.createSnapshots', ['i-99999999', expect.stringContaining('v1'), expect.objectContaining({ 'black-hole:quarantine': 'v1' })]],
      ['compute.stopInstances', [['i-99999999']]],
      ['compute.stopTrainingJob', ['train-7']],
    ]);
  });

  test('a failing call does not stop the others', async () => {
    const { apis, calls } = fakeApis('iam.putRolePolicy');
    const report = await contain(violation, config, apis, now);
    expect(report.errors).toEqual(['revoke agent-role: boom']);
    expect(calls.map(([n]) => n)).toContain('compute.stopInstances');
  });

  test('alert-only mode and sub-threshold severities make no calls', async () => {
    const { apis, calls } = fakeApis();
    await contain(violation, { ...config, mode: 'alert-only' }, apis, now);
    await contain({ ...violation, severity: 'MEDIUM' }, config, apis, now);
    expect(calls).toEqual([]);
    expect(planContainment({ ...violation, severity: 'CRITICAL' }, config, now)).toHaveLength(5);
  });

  test('role names come from role and assumed-role ARNs only', () => {
    expect(roleNameOf('arn:aws:sts::900138736586:assumed-role/stratus-role/aws-go-sdk-1')).toBe('stratus-role');
    expect(roleNameOf('arn:aws:iam::1:role/path/x')).toBe('x');
    expect(roleNameOf('arn:aws:iam::1:user/bob')).toBeUndefined();
    expect(() => revocationDocument('{}', 'x')).toThrow(/template time/);
  });
});
