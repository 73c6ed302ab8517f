import { awsActionExists } from '../../lib/common/aws-action-catalog';
import {
  AGENT_ALLOW_LIST,
  accessLevelOf,
  agentAllowListActions,
  agentAllowListEntry,
  agentCeilingEntries,
  isAgentAllowedAction,
} from '../../lib/identity/agent-allow-list';
import { findEscapePatterns } from '../../lib/identity/escape-catalog';
import { ENDPOINT_SERVICES } from '../../lib/network/endpoint-services';
import { WORKLOAD_FLOWS } from '../../lib/workload/workload-flows';

const entries = Object.entries(AGENT_ALLOW_LIST).flatMap(([service, list]) => list.map((e) => ({ service, ...e })));

describe('agent allow-list (data)', () => {
  test('one list per endpoint service of the allowlist, and no other', () => {
    expect(Object.keys(AGENT_ALLOW_LIST).sort()).toEqual(Object.keys(ENDPOINT_SERVICES).sort());
  });

  test('every action exists in the AWS action catalog, exactly (no wildcard: new actions stay outside)', () => {
    for (const e of entries) {
      expect([e.action, /[*?]/.test(e.action)]).toEqual([e.action, false]);
      expect([e.action, awsActionExists(e.action)]).toEqual([e.action, true]);
    }
  });

  test('every action belongs to an IAM prefix of its endpoint service', () => {
    for (const e of entries) expect([e.action, ENDPOINT_SERVICES[e.service].iamPrefixes]).toEqual([e.action, expect.arrayContaining([e.action.split(':')[0]])]);
  });

  test('access levels: data plane only (no permissions management, no tagging)', () => {
    const levels = Object.fromEntries(agentAllowListActions().map((a) => [a, accessLevelOf(a)]));
    for (const [action, level] of Object.entries(levels)) expect([action, ['Read', 'List', 'Write'].includes(level)]).toEqual([action, true]);
    // Shown for review: the Write-level actions are the ones whose safeWhen matters most.
    expect(
      Object.entries(levels)
        .filter(([, l]) => l === 'Write')
        .map(([a]) => a),
    ).toEqual(expect.arrayContaining(['s3:PutObject', 'logs:PutLogEvents', 'kms:GenerateDataKey']));
  });

  test('no action is in the escape catalog (the boundary denies catalog actions; a Deny wins)', () => {
    for (const a of agentAllowListActions()) expect([a, findEscapePatterns(a).map((c) => c.entry.id)]).toEqual([a, []]);
  });

  test('every action says why and what makes it safe', () => {
    for (const e of entries) {
      expect(e.reason.length).toBeGreaterThan(10);
      expect(e.safeWhen.length).toBeGreaterThan(10);
    }
  });

  test('what the escape catalog does not know is still outside: the capabilities of issue #12', () => {
    for (const a of [
      'logs:PutMetricFilter',
      's3:PutEncryptionConfiguration',
      's3:PutBucketNotification',
      's3:PutInventoryConfiguration',
      'ecr:CreatePullThroughCacheRule',
      'kms:CreateCustomKeyStore',
      'dynamodb:DeleteTable',
      'sqs:SetQueueAttributes',
      'sqs:SendMessage',
      'sts:AssumeRole',
      'sts:GetSessionToken',
      'ses:SendEmail',
      'sagemaker:DeleteTags',
      'ecr:BatchImportUpstreamImage',
    ]) {
      expect([a, isAgentAllowedAction(a)]).toEqual([a, false]);
    }
    expect(agentAllowListEntry('S3:GETOBJECT')?.action).toBe('s3:GetObject');
  });

  test('the workload entries cover every call the agent really makes (lib/workload/workload-flows.ts)', () => {
    const agentCalls = WORKLOAD_FLOWS.filter((f) => f.principal.kind === 'fleet-instance').flatMap((f) => f.calls.map((c) => c.action));
    expect(agentCalls.length).toBeGreaterThan(5);
    const base = agentCeilingEntries().map((e) => e.action);
    for (const a of new Set(agentCalls)) expect([a, base.includes(a)]).toEqual([a, true]);
  });

  test("the ceiling of a set of services is the workload entries plus those services' lists", () => {
    const withSqs = agentCeilingEntries(['sqs']).map((e) => e.action);
    expect(withSqs).toEqual(expect.arrayContaining(['s3:GetObject', 'sqs:ReceiveMessage']));
    expect(withSqs).not.toContain('xray:PutTraceSegments');
    expect(agentCeilingEntries(['no-such-service'])).toEqual(agentCeilingEntries());
  });
});
