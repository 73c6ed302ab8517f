import { DescribeAutoScalingInstancesCommand, AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { DynamoDBClient, PutItemCommand, QueryCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import {
  CreateSnapshotsCommand,
  CreateTagsCommand,
  DescribeInstancesCommand,
  DescribeNetworkInterfacesCommand,
  EC2Client,
  ModifyNetworkInterfaceAttributeCommand,
  StopInstancesCommand,
} from '@aws-sdk/client-ec2';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { IAMClient, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import * as fs from 'fs';
import * as path from 'path';
import { gzipSync } from 'zlib';
import { HANDLER_ENTRIES, handlerAssetPath } from '../../lib/common/handler-assets';
import { AgentBoundary } from '../../lib/identity/agent-boundary';
import { REVOCATION_POLICY_NAME, REVOCATION_TEMPLATE_TIME } from '../../lib/telemetry/runtime/contain';
import type { BlackHoleViolation } from '../../lib/telemetry/runtime/correlate';
import { flowLine, VPC_CIDR } from './flow-fixtures';

/**
 * The Lambda SDK adapters (issue 13): the correlator's DynamoDB, EventBridge and S3 calls and the
 * responder's IAM and EC2 calls, with aws-sdk-client-mock standing in for AWS: exact commands and
 * inputs, PutEvents in batches of ten. Each handler runs twice: from source, and as the BUILT
 * bundle (dist/handlers/<name>/index.js, `npm run build:handlers`, which pretest runs) loaded with
 * require, so the shipped code is what is proven.
 */
const root = path.resolve(__dirname, '../..');
const fixture = (p: string): unknown => JSON.parse(fs.readFileSync(path.join(root, 'test', 'fixtures', 'telemetry', p), 'utf8'));

const ddb = mockClient(DynamoDBClient);
const events = mockClient(EventBridgeClient);
const s3 = mockClient(S3Client);
const iam = mockClient(IAMClient);
const ec2 = mockClient(EC2Client);
const autoscaling = mockClient(AutoScalingClient);

type Handler = (event: any) => Promise<any>;

/**
 * The handler module. Each keeps its SDK clients in module state; aws-sdk-client-mock stubs the
 * clients' prototypes, so those clients answer through the mocks whenever they were made. The
 * bundle resolves the SDK (external) from node_modules: the same classes this file mocks.
 */
function loadHandler(name: 'correlator' | 'responder', from: 'source' | 'bundle'): Handler {
  const mod = from === 'source' ? require(path.join(root, HANDLER_ENTRIES[name])) : require(path.join(handlerAssetPath(name), 'index.js'));
  return (mod as { handler: Handler }).handler;
}

const savedEnv = { ...process.env };
beforeEach(() => {
  for (const m of [ddb, events, s3, iam, ec2, autoscaling]) m.reset();
});
afterEach(() => {
  process.env = { ...savedEnv };
});

describe.each(['source', 'bundle'] as const)('correlator (%s)', (from) => {
  const LEDGER_ITEM = {
    subject: { S: 'instance#i-99999999' },
    startedAt: { N: '1755826000000' },
    environment: { S: 'alpha' },
    episodeId: { S: 'ep-7' },
    runId: { S: 'run-1' },
    roleArn: { S: 'arn:aws:iam::111122223333:role/agent' },
  };

  beforeEach(() => {
    Object.assign(process.env, {
      ENVIRONMENT_NAME: 'alpha',
      EVENT_BUS_NAME: 'violations-bus',
      LEDGER_TABLE_NAME: 'Ledger',
      VPC_CIDRS: VPC_CIDR,
      ARCHIVE_BUCKET: 'telemetry-archive',
      ARCHIVE_PREFIX: 'violations/',
    });
  });

  test('a GuardDuty finding: one ledger Query per subject, the archive PutObject, one PutEvents with the exact entry', async () => {
    // The ledger knows the episode on the finding's instance only.
    ddb.on(QueryCommand).callsFake((input) => ({ Items: input.ExpressionAttributeValues[':s'].S === 'instance#i-99999999' ? [LEDGER_ITEM] : [] }));
    events.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: '1' }] });
    s3.on(PutObjectCommand).resolves({});
    const out = await loadHandler('correlator', from)(fixture('events/guardduty/Trojan_EC2_DNSDataExfiltration.json'));
    expect(out).toEqual({ violations: 1, skipped: 0 });

    const queries = ddb.commandCalls(QueryCommand).map((c) => c.args[0].input);
    expect(queries.length).toBeGreaterThan(0);
    for (const q of queries) {
      expect(q).toEqual({
        TableName: 'Ledger',
        KeyConditionExpression: '#s = :s AND #t <= :t',
        ExpressionAttributeNames: { '#s': 'subject', '#t': 'startedAt' },
        ExpressionAttributeValues: {
          ':s': { S: expect.stringMatching(/^(instance|eni|job|session)#/) },
          ':t': { N: String(Date.parse('2025-08-22T01:40:09Z')) },
        },
        ScanIndexForward: false,
        Limit: 1,
      });
    }
    expect(queries.map((q) => q.ExpressionAttributeValues![':s'].S)).toContain('instance#i-99999999');
    expect(ddb.commandCalls(PutItemCommand)).toHaveLength(0); // the correlator only reads the ledger
    expect(ddb.commandCalls(UpdateItemCommand)).toHaveLength(0);

    const [put] = events.commandCalls(PutEventsCommand).map((c) => c.args[0].input);
    expect(events.commandCalls(PutEventsCommand)).toHaveLength(1);
    expect(put.Entries).toHaveLength(1);
    const entry = put.Entries![0];
    expect(entry).toEqual({
      EventBusName: 'violations-bus',
      Source: 'black-hole.telemetry',
      DetailType: 'Black Hole Violation',
      Time: expect.any(Date),
      Detail: expect.any(String),
    });
    const violation = JSON.parse(entry.Detail!) as BlackHoleViolation;
    expect(violation).toMatchObject({
      environment: 'alpha',
      episodeId: 'ep-7',
      runId: 'run-1',
      roleArn: 'arn:aws:iam::111122223333:role/agent',
      severity: 'HIGH',
    });
    expect(entry.Time).toEqual(new Date(violation.time));

    const objects = s3.commandCalls(PutObjectCommand).map((c) => c.args[0].input);
    expect(objects).toEqual([
      { Bucket: 'telemetry-archive', Key: `violations/dt=2025-08-22/${violation.id}.json`, Body: expect.any(String), ContentType: 'application/json' },
    ]);
    expect(JSON.parse(objects[0].Body as string)).toMatchObject({ episode_id: 'ep-7' });
  });

  test('twelve egress flows in one log batch: PutEvents in batches of ten (10 + 2), every violation archived', async () => {
    ddb.on(QueryCommand).resolves({ Items: [] });
    events.on(PutEventsCommand).resolves({ FailedEntryCount: 0 });
    s3.on(PutObjectCommand).resolves({});
    const logEvents = Array.from({ length: 12 }, (_, i) => ({
      id: String(i),
      timestamp: 0,
      message: flowLine({ dstaddr: `203.0.113.${i + 1}`, 'pkt-dstaddr': `203.0.113.${i + 1}`, 'traffic-path': '8' }),
    }));
    const data = gzipSync(Buffer.from(JSON.stringify({ messageType: 'DATA_MESSAGE', logGroup: 'flow-logs', logStream: 's', logEvents }))).toString('base64');
    expect(await loadHandler('correlator', from)({ awslogs: { data } })).toEqual({ violations: 12, skipped: 0 });
    const puts = events.commandCalls(PutEventsCommand).map((c) => c.args[0].input.Entries!.length);
    expect(puts).toEqual([10, 2]);
    expect(s3.commandCalls(PutObjectCommand)).toHaveLength(12);
    expect(new Set(events.commandCalls(PutEventsCommand).flatMap((c) => c.args[0].input.Entries!.map((e) => e.EventBusName)))).toEqual(
      new Set(['violations-bus']),
    );
  });

  test('a failed PutEvents entry fails the invocation (Lambda retries it)', async () => {
    ddb.on(QueryCommand).resolves({ Items: [] });
    s3.on(PutObjectCommand).resolves({});
    events.on(PutEventsCommand).resolves({ FailedEntryCount: 1 });
    await expect(loadHandler('correlator', from)(fixture('events/guardduty/Trojan_EC2_DNSDataExfiltration.json'))).rejects.toThrow(/PutEvents failed for 1/);
  });

  test('without an archive bucket no S3 call is made', async () => {
    delete process.env.ARCHIVE_BUCKET;
    ddb.on(QueryCommand).resolves({ Items: [] });
    events.on(PutEventsCommand).resolves({ FailedEntryCount: 0 });
    await loadHandler('correlator', from)(fixture('events/guardduty/Trojan_EC2_DNSDataExfiltration.json'));
    expect(s3.calls()).toHaveLength(0);
    expect(events.commandCalls(PutEventsCommand)).toHaveLength(1);
  });
});

describe.each(['source', 'bundle'] as const)('responder (%s)', (from) => {
  const template = JSON.stringify(AgentBoundary.sessionRevocationPolicyDocument(REVOCATION_TEMPLATE_TIME));
  const violation: BlackHoleViolation = {
    id: 'v-1',
    environment: 'alpha',
    time: '2025-08-22T01:40:09Z',
    severity: 'HIGH',
    category: 'network-egress',
    source: 'flow-log',
    technique: 'tcp:203.0.113.7:443 ACCEPT',
    subjects: ['instance#i-0abc', 'eni#eni-0def'],
    roleArn: 'arn:aws:iam::111122223333:role/agent',
    episodeId: 'ep-7',
    runId: 'run-1',
    evidence: {},
  } as unknown as BlackHoleViolation;

  beforeEach(() => {
    Object.assign(process.env, { MODE: 'contain', MIN_SEVERITY: 'HIGH', QUARANTINE_SECURITY_GROUP_ID: 'sg-quarantine', REVOCATION_POLICY_TEMPLATE: template });
    jest.spyOn(console, 'log').mockImplementation(() => undefined);
  });
  afterEach(() => jest.restoreAllMocks());

  test('revokes sessions (IAM PutRolePolicy), tags and quarantines the ENIs (EC2), snapshots and stops the instance', async () => {
    iam.on(PutRolePolicyCommand).resolves({});
    ec2.on(CreateTagsCommand).resolves({});
    ec2.on(DescribeNetworkInterfacesCommand).resolves({ NetworkInterfaces: [{ NetworkInterfaceId: 'eni-0def' }, { NetworkInterfaceId: 'eni-0second' }] });
    ec2.on(ModifyNetworkInterfaceAttributeCommand).resolves({});
    ec2.on(DescribeInstancesCommand).resolves({ Reservations: [{ Instances: [{ InstanceId: 'i-0abc', State: { Name: 'running' } }] }] });
    ec2.on(CreateSnapshotsCommand).resolves({ Snapshots: [{ SnapshotId: 'snap-1' }] });
    ec2.on(StopInstancesCommand).resolves({});
    autoscaling.on(DescribeAutoScalingInstancesCommand).resolves({ AutoScalingInstances: [] });
    const report = await loadHandler('responder', from)({ detail: violation });
    expect(report.errors).toEqual([]);

    const [revoke] = iam.commandCalls(PutRolePolicyCommand).map((c) => c.args[0].input);
    expect(iam.commandCalls(PutRolePolicyCommand)).toHaveLength(1);
    expect(revoke).toEqual({ RoleName: 'agent', PolicyName: REVOCATION_POLICY_NAME, PolicyDocument: expect.any(String) });
    const doc = revoke.PolicyDocument!;
    expect(doc).not.toContain(REVOCATION_TEMPLATE_TIME);
    expect(doc).toBe(template.split(REVOCATION_TEMPLATE_TIME).join(report.actions.find((a: any) => a.kind === 'revoke-sessions').issuedBefore));

    expect(ec2.commandCalls(CreateTagsCommand).map((c) => c.args[0].input)).toContainEqual({
      Resources: ['i-0abc', 'eni-0def'],
      Tags: [
        { Key: 'black-hole:quarantine', Value: 'v-1' },
        { Key: 'black-hole:violation-category', Value: 'network-egress' },
      ],
    });
    expect(ec2.commandCalls(DescribeNetworkInterfacesCommand).map((c) => c.args[0].input)).toEqual([
      { Filters: [{ Name: 'attachment.instance-id', Values: ['i-0abc'] }] },
    ]);
    expect(ec2.commandCalls(ModifyNetworkInterfaceAttributeCommand).map((c) => c.args[0].input)).toEqual([
      { NetworkInterfaceId: 'eni-0def', Groups: ['sg-quarantine'] },
      { NetworkInterfaceId: 'eni-0second', Groups: ['sg-quarantine'] },
    ]);
    expect(ec2.commandCalls(StopInstancesCommand).map((c) => c.args[0].input)).toEqual([{ InstanceIds: ['i-0abc'], Force: false }]);
    expect(ec2.commandCalls(CreateSnapshotsCommand).map((c) => c.args[0].input.InstanceSpecification)).toEqual([
      { InstanceId: 'i-0abc', ExcludeBootVolume: false },
    ]);
  });

  test('every page of DescribeNetworkInterfaces is read: ENIs on a later page are quarantined too', async () => {
    iam.on(PutRolePolicyCommand).resolves({});
    ec2.on(CreateTagsCommand).resolves({});
    ec2
      .on(DescribeNetworkInterfacesCommand)
      .resolvesOnce({ NetworkInterfaces: [{ NetworkInterfaceId: 'eni-page1' }], NextToken: 'token-2' })
      .resolvesOnce({ NetworkInterfaces: [{ NetworkInterfaceId: 'eni-page2' }] });
    ec2.on(ModifyNetworkInterfaceAttributeCommand).resolves({});
    ec2.on(DescribeInstancesCommand).resolves({ Reservations: [] });
    ec2.on(CreateSnapshotsCommand).resolves({ Snapshots: [{ SnapshotId: 'snap-1' }] });
    ec2.on(StopInstancesCommand).resolves({});
    autoscaling.on(DescribeAutoScalingInstancesCommand).resolves({ AutoScalingInstances: [] });
    const report = await loadHandler('responder', from)({ detail: violation });
    expect(report.errors).toEqual([]);
    expect(ec2.commandCalls(DescribeNetworkInterfacesCommand).map((c) => c.args[0].input)).toEqual([
      { Filters: [{ Name: 'attachment.instance-id', Values: ['i-0abc'] }] },
      { Filters: [{ Name: 'attachment.instance-id', Values: ['i-0abc'] }], NextToken: 'token-2' },
    ]);
    expect(ec2.commandCalls(ModifyNetworkInterfaceAttributeCommand).map((c) => c.args[0].input.NetworkInterfaceId)).toEqual([
      'eni-0def',
      'eni-page1',
      'eni-page2',
    ]);
  });

  test('an IAM failure is reported and the invocation fails after every other action was attempted', async () => {
    iam.on(PutRolePolicyCommand).rejects(new Error('AccessDenied'));
    ec2.on(CreateTagsCommand).resolves({});
    ec2.on(DescribeNetworkInterfacesCommand).resolves({ NetworkInterfaces: [] });
    ec2.on(ModifyNetworkInterfaceAttributeCommand).resolves({});
    ec2.on(DescribeInstancesCommand).resolves({ Reservations: [] });
    ec2.on(StopInstancesCommand).resolves({});
    autoscaling.on(DescribeAutoScalingInstancesCommand).resolves({ AutoScalingInstances: [] });
    await expect(loadHandler('responder', from)({ detail: violation })).rejects.toThrow(/containment of v-1 failed in part: revoke agent: AccessDenied/);
    expect(ec2.commandCalls(ModifyNetworkInterfaceAttributeCommand).map((c) => c.args[0].input.NetworkInterfaceId)).toEqual(['eni-0def']);
  });

  test('alert-only: no IAM or EC2 call', async () => {
    process.env.MODE = 'alert-only';
    const report = await loadHandler('responder', from)({ detail: violation });
    expect(report.actions).toEqual([]);
    expect(iam.calls()).toHaveLength(0);
    expect(ec2.calls()).toHaveLength(0);
  });
});
