import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { findActiveEpisode, LedgerDynamoDb } from '../../lib/telemetry/runtime/ledger-client';
import {
  datasetSessionPolicy,
  episodeIdOfSourceIdentity,
  episodeSourceIdentity,
  ROLE_PERMISSIONS_SESSION_POLICY,
  startEpisodeSession,
  stsFromSdkClient,
} from '../../lib/telemetry/runtime/episode-session';

const ROLE = 'arn:aws:iam::111122223333:role/Agent';
const SESSION_ARN = 'arn:aws:sts::111122223333:assumed-role/Agent/episode-42';
const EXPIRATION = new Date('2026-03-14T10:00:00Z');

function fakeLedger(): LedgerDynamoDb & { items: any[] } {
  const items: any[] = [];
  return {
    items,
    async putItem(input) {
      items.push(input.Item);
      return {};
    },
    async updateItem() {
      return {};
    },
    async query(input) {
      const s = (input.ExpressionAttributeValues[':s'] as any).S;
      const t = Number((input.ExpressionAttributeValues[':t'] as any).N);
      return { Items: items.filter((i) => i.subject.S === s && Number(i.startedAt.N) <= t).slice(0, 1) };
    },
  };
}

function setup() {
  const sts = mockClient(STSClient);
  sts.on(AssumeRoleCommand).resolves({
    Credentials: { AccessKeyId: 'ASIAEXAMPLE', SecretAccessKey: 'secret', SessionToken: 'token', Expiration: EXPIRATION },
    AssumedRoleUser: { AssumedRoleId: 'AROAEXAMPLE:episode-42', Arn: SESSION_ARN },
    SourceIdentity: 'episode-42',
  });
  const ledger = fakeLedger();
  const deps = {
    sts: stsFromSdkClient({ client: new STSClient({ region: 'eu-west-1' }), AssumeRoleCommand }),
    ledger: { db: ledger, tableName: 'Ledger', environment: 'rl-dev' },
    now: () => new Date('2026-03-14T09:00:00Z'),
  };
  return { sts, ledger, deps };
}

describe('startEpisodeSession', () => {
  test('AssumeRole carries the episode as source identity, transitive tag and session name, and the dataset session policy', async () => {
    const { sts, ledger, deps } = setup();
    const session = await startEpisodeSession(
      { roleArn: ROLE, episodeId: '42', runId: 'run-7', dataset: { bucketName: 'datasets-bucket', prefix: 'task-17/' }, durationSeconds: 900 },
      deps,
    );
    const calls = sts.commandCalls(AssumeRoleCommand);
    expect(calls).toHaveLength(1);
    const input = calls[0].args[0].input;
    expect(input).toEqual({
      RoleArn: ROLE,
      RoleSessionName: 'episode-42',
      SourceIdentity: 'episode-42',
      Tags: [{ Key: 'black-hole:episode', Value: 'episode-42' }],
      TransitiveTagKeys: ['black-hole:episode'],
      Policy: JSON.stringify(datasetSessionPolicy({ bucketName: 'datasets-bucket', prefix: 'task-17/' })),
      DurationSeconds: 900,
    });
    expect(JSON.parse(input.Policy!).Statement).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ Action: ['s3:GetObject', 's3:GetObjectVersion'], Resource: 'arn:aws:s3:::datasets-bucket/task-17/*' }),
      ]),
    );
    expect(session).toMatchObject({
      sourceIdentity: 'episode-42',
      assumedRoleId: 'AROAEXAMPLE:episode-42',
      sessionArn: SESSION_ARN,
      credentials: { accessKeyId: 'ASIAEXAMPLE', secretAccessKey: 'secret', sessionToken: 'token', expiration: EXPIRATION },
    });
    // The ledger knows the session: the correlator finds the episode by the session's principal ARN.
    expect(ledger.items).toHaveLength(1);
    expect(ledger.items[0]).toMatchObject({
      subject: { S: `session#${SESSION_ARN}` },
      episodeId: { S: '42' },
      runId: { S: 'run-7' },
      roleArn: { S: ROLE },
      sessionAssumedRoleId: { S: 'AROAEXAMPLE:episode-42' },
      sessionSourceIdentity: { S: 'episode-42' },
      sessionExpiresAt: { N: String(EXPIRATION.getTime()) },
    });
    expect(await findActiveEpisode(ledger, 'Ledger', { kind: 'session', id: SESSION_ARN }, new Date('2026-03-14T09:30:00Z'))).toMatchObject({
      episodeId: '42',
      session: { assumedRoleId: 'AROAEXAMPLE:episode-42', sourceIdentity: 'episode-42', expiresAt: EXPIRATION.getTime() },
    });
    sts.restore();
  });

  test('further subjects are recorded next to the session; an explicit session policy is sent as is', async () => {
    const { sts, ledger, deps } = setup();
    await startEpisodeSession(
      { roleArn: ROLE, episodeId: '42', runId: 'r', sessionPolicy: ROLE_PERMISSIONS_SESSION_POLICY, subjects: [{ kind: 'instance', id: 'i-0abc12345678' }] },
      deps,
    );
    expect(sts.commandCalls(AssumeRoleCommand)[0].args[0].input).toMatchObject({
      Policy: JSON.stringify(ROLE_PERMISSIONS_SESSION_POLICY),
      DurationSeconds: 3600,
    });
    expect(ledger.items.map((i) => i.subject.S)).toEqual([`session#${SESSION_ARN}`, 'instance#i-0abc12345678']);
    sts.restore();
  });

  test('invalid input throws before any STS call, naming every problem', async () => {
    const { sts, deps } = setup();
    await expect(
      startEpisodeSession({ roleArn: 'arn:aws:iam::111122223333:user/bob', episodeId: 'has space', runId: '', durationSeconds: 7200 }, deps),
    ).rejects.toThrow(/roleArn[\s\S]*episodeId[\s\S]*runId[\s\S]*sessionPolicy or dataset[\s\S]*durationSeconds/);
    await expect(startEpisodeSession({ roleArn: ROLE, episodeId: '42', runId: 'r', dataset: { bucketName: 'b-b', prefix: 'x*' } }, deps)).rejects.toThrow(
      /dataset\.prefix/,
    );
    await expect(startEpisodeSession({ roleArn: ROLE, episodeId: 'a,b', runId: 'r', sessionPolicy: ROLE_PERMISSIONS_SESSION_POLICY }, deps)).rejects.toThrow(
      /episodeId/,
    );
    const huge = {
      Version: '2012-10-17' as const,
      Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: Array.from({ length: 80 }, (_, i) => `arn:aws:s3:::bucket/prefix-${i}/*`) }],
    };
    await expect(startEpisodeSession({ roleArn: ROLE, episodeId: '42', runId: 'r', sessionPolicy: huge }, deps)).rejects.toThrow(/over IAM's 2048/);
    expect(sts.commandCalls(AssumeRoleCommand)).toHaveLength(0);
    sts.restore();
  });

  test('an answer without credentials, or with another source identity, is an error and nothing is recorded', async () => {
    const { sts, ledger, deps } = setup();
    sts
      .on(AssumeRoleCommand)
      .resolvesOnce({})
      .resolvesOnce({
        Credentials: { AccessKeyId: 'a', SecretAccessKey: 's', SessionToken: 't', Expiration: EXPIRATION },
        AssumedRoleUser: { AssumedRoleId: 'AROA:x', Arn: SESSION_ARN },
        SourceIdentity: 'episode-1',
      });
    const req = { roleArn: ROLE, episodeId: '42', runId: 'r', sessionPolicy: ROLE_PERMISSIONS_SESSION_POLICY };
    await expect(startEpisodeSession(req, deps)).rejects.toThrow(/without credentials/);
    await expect(startEpisodeSession(req, deps)).rejects.toThrow(/source identity 'episode-1'/);
    expect(ledger.items).toHaveLength(0);
    sts.restore();
  });
});

describe('episode source identities', () => {
  test('round trip; other values are not episodes', () => {
    expect(episodeSourceIdentity('ep_7.a@b')).toBe('episode-ep_7.a@b');
    expect(episodeIdOfSourceIdentity('episode-ep_7.a@b')).toBe('ep_7.a@b');
    expect(episodeIdOfSourceIdentity('alice@example.com')).toBeUndefined();
    expect(episodeIdOfSourceIdentity('episode-')).toBeUndefined();
    expect(episodeIdOfSourceIdentity(undefined)).toBeUndefined();
    expect(() => episodeSourceIdentity('x'.repeat(57))).toThrow(/1-56 characters/);
  });
});
