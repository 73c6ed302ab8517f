import {
  AutoScalingClient,
  DescribeAutoScalingGroupsCommand,
  DescribeAutoScalingInstancesCommand,
  DetachInstancesCommand,
  SetInstanceProtectionCommand,
  SuspendProcessesCommand,
  UpdateAutoScalingGroupCommand,
} from '@aws-sdk/client-auto-scaling';
import { CreateSnapshotsCommand, DescribeInstancesCommand, EC2Client, StopInstancesCommand, TerminateInstancesCommand } from '@aws-sdk/client-ec2';
import { SageMakerClient, SearchCommand, StopTrainingJobCommand } from '@aws-sdk/client-sagemaker';
import { mockClient } from 'aws-sdk-client-mock';
import {
  DETACH_BATCH_SIZE,
  preserveAndStopEnvironment,
  preserveAndStopInstances,
  STOP_BATCH_SIZE,
  stopTrainingJobs,
  SUSPENDED_PROCESSES,
  TaggedGroup,
} from '../../lib/compute/runtime/preserve-and-stop';
import { sdkPreserveAndStopClient } from '../../lib/compute/runtime/preserve-and-stop-sdk';
import { FakeCompute } from './fake-compute';

type Call = [string, ...unknown[]];

const TAG = 'black-hole:environment';
const evidence = { description: 'Evidence of v1', tags: { 'black-hole:quarantine': 'v1', [TAG]: 'rl-1' } };
const names = (calls: Call[]) => calls.map((c) => c[0]);
const indexOf = (calls: Call[], name: string, arg?: unknown) =>
  calls.findIndex((c) => c[0] === name && (arg === undefined || JSON.stringify(c).includes(JSON.stringify(arg))));

test('the suspended processes are exactly those that launch, replace, rebalance or terminate', () => {
  expect([...SUSPENDED_PROCESSES].sort()).toEqual([
    'AZRebalance',
    'AlarmNotification',
    'HealthCheck',
    'InstanceRefresh',
    'Launch',
    'ReplaceUnhealthy',
    'ScheduledActions',
    'Terminate',
  ]);
});

describe('preserveAndStopInstances (containment)', () => {
  test('an instance in a group: suspend, protect, detach (decrement), snapshot, stop, in that order; one outside a group: snapshot, stop', async () => {
    const fake = new FakeCompute({ memberships: [{ instanceId: 'i-asg', autoScalingGroupName: 'fleet', lifecycleState: 'InService' }] });
    const result = await preserveAndStopInstances(fake, ['i-asg', 'i-bare'], evidence);
    expect(fake.calls).toEqual([
      ['describeAutoScalingInstances', ['i-asg', 'i-bare']],
      ['suspendProcesses', 'fleet', [...SUSPENDED_PROCESSES]],
      ['protectFromScaleIn', 'fleet', ['i-asg']],
      ['detachInstances', 'fleet', ['i-asg']],
      ['createSnapshots', 'i-asg', 'Evidence of v1', evidence.tags],
      ['createSnapshots', 'i-bare', 'Evidence of v1', evidence.tags],
      ['stopInstances', ['i-asg', 'i-bare']],
    ]);
    expect(result).toEqual({
      suspendedGroups: ['fleet'],
      detachedInstances: ['i-asg'],
      snapshots: { 'i-asg': ['snap-i-asg'], 'i-bare': ['snap-i-bare'] },
      stoppedInstances: ['i-asg', 'i-bare'],
      stoppedTrainingJobs: [],
      errors: [],
    });
  });

  test('every call is attempted when earlier ones fail; the failures are returned', async () => {
    const fake = new FakeCompute({ memberships: [{ instanceId: 'i-1', autoScalingGroupName: 'fleet' }] }, [
      'suspendProcesses',
      'detachInstances',
      'createSnapshots:i-1',
    ]);
    const result = await preserveAndStopInstances(fake, ['i-1'], evidence);
    expect(names(fake.calls)).toEqual([
      'describeAutoScalingInstances',
      'suspendProcesses',
      'protectFromScaleIn',
      'detachInstances',
      'createSnapshots',
      'stopInstances',
    ]);
    expect(result.errors).toEqual([
      'suspend processes of fleet: suspendProcesses failed',
      'detach from fleet i-1: detachInstances failed',
      'snapshot i-1: createSnapshots failed',
    ]);
    expect(result.stoppedInstances).toEqual(['i-1']);
  });

  test('when the group lookup fails the instance is still snapshotted before it is stopped', async () => {
    const fake = new FakeCompute({}, ['describeAutoScalingInstances']);
    const result = await preserveAndStopInstances(fake, ['i-1'], evidence);
    expect(names(fake.calls)).toEqual(['describeAutoScalingInstances', 'createSnapshots', 'stopInstances']);
    expect(result.errors).toEqual(['describe Auto Scaling instances: describeAutoScalingInstances failed']);
  });

  test('no instances: no calls', async () => {
    const fake = new FakeCompute();
    await preserveAndStopInstances(fake, [], evidence);
    expect(fake.calls).toEqual([]);
  });

  test('training jobs are stopped one by one, failures reported', async () => {
    const fake = new FakeCompute({}, ['stopTrainingJob:a']);
    const result = await stopTrainingJobs(fake, ['a', 'b', 'a']);
    expect(fake.calls).toEqual([
      ['stopTrainingJob', 'a'],
      ['stopTrainingJob', 'b'],
    ]);
    expect(result).toMatchObject({ stoppedTrainingJobs: ['b'], errors: ['stop a: stopTrainingJob failed'] });
  });
});

describe('preserveAndStopEnvironment (billing)', () => {
  const groups: TaggedGroup[] = [
    {
      name: 'fleet',
      instances: [
        { instanceId: 'i-1', lifecycleState: 'InService' },
        { instanceId: 'i-2', lifecycleState: 'Standby' },
        { instanceId: 'i-9', lifecycleState: 'Terminating' },
      ],
    },
    { name: 'empty', instances: [] },
  ];

  test('suspend every tagged group, protect and detach its instances, then stop every instance, then stop every job', async () => {
    const fake = new FakeCompute({ groups, tagged: ['i-1', 'i-2', 'i-bare'], jobs: ['job-1'] });
    const result = await preserveAndStopEnvironment(fake, TAG, 'rl-1');
    expect(fake.calls).toEqual([
      ['describeTaggedAutoScalingGroups', TAG, 'rl-1'],
      ['suspendProcesses', 'fleet', [...SUSPENDED_PROCESSES]],
      ['protectFromScaleIn', 'fleet', ['i-1', 'i-2']],
      ['detachInstances', 'fleet', ['i-1', 'i-2']],
      ['suspendProcesses', 'empty', [...SUSPENDED_PROCESSES]],
      ['describeTaggedInstances', TAG, 'rl-1', ['pending', 'running']],
      ['stopInstances', ['i-1', 'i-2', 'i-bare']],
      ['searchTaggedTrainingJobs', TAG, 'rl-1'],
      ['stopTrainingJob', 'job-1'],
    ]);
    expect(result).toEqual({
      suspendedGroups: ['fleet', 'empty'],
      detachedInstances: ['i-1', 'i-2'],
      snapshots: {},
      stoppedInstances: ['i-1', 'i-2', 'i-bare'],
      stoppedTrainingJobs: ['job-1'],
      errors: [],
    });
  });

  test('order: each group is suspended before its detach, every detach comes before any stop; nothing terminates or sets capacity', async () => {
    const fake = new FakeCompute({ groups, tagged: ['i-1'] });
    await preserveAndStopEnvironment(fake, TAG, 'rl-1');
    expect(indexOf(fake.calls, 'suspendProcesses', 'fleet')).toBeLessThan(indexOf(fake.calls, 'detachInstances', 'fleet'));
    expect(indexOf(fake.calls, 'detachInstances')).toBeLessThan(indexOf(fake.calls, 'stopInstances'));
    // The client cannot terminate or set capacity; the calls made are only these.
    expect(new Set(names(fake.calls))).toEqual(
      new Set([
        'describeTaggedAutoScalingGroups',
        'suspendProcesses',
        'protectFromScaleIn',
        'detachInstances',
        'describeTaggedInstances',
        'stopInstances',
        'searchTaggedTrainingJobs',
      ]),
    );
  });

  test(`batches: detach ${DETACH_BATCH_SIZE}, stop ${STOP_BATCH_SIZE}`, async () => {
    const ids = Array.from({ length: 45 }, (_, i) => `i-${i}`);
    const fake = new FakeCompute({
      groups: [{ name: 'big', instances: ids.map((instanceId) => ({ instanceId, lifecycleState: 'InService' })) }],
      tagged: [...ids, ...Array.from({ length: 10 }, (_, i) => `i-x${i}`)],
    });
    await preserveAndStopEnvironment(fake, TAG, 'rl-1');
    expect(fake.calls.filter((c) => c[0] === 'detachInstances').map((c) => (c[2] as string[]).length)).toEqual([20, 20, 5]);
    expect(fake.calls.filter((c) => c[0] === 'protectFromScaleIn').map((c) => (c[2] as string[]).length)).toEqual([45]);
    expect(fake.calls.filter((c) => c[0] === 'stopInstances').map((c) => (c[1] as string[]).length)).toEqual([50, 5]);
  });

  test('partial failure: every call is still attempted, the failures are returned', async () => {
    const fake = new FakeCompute({ groups, tagged: ['i-1'], jobs: ['a', 'b'] }, [
      'describeTaggedAutoScalingGroups:black-hole:environment',
      'stopInstances',
      'stopTrainingJob:a',
    ]);
    const result = await preserveAndStopEnvironment(fake, TAG, 'rl-1');
    expect(names(fake.calls)).toEqual([
      'describeTaggedAutoScalingGroups',
      'describeTaggedInstances',
      'stopInstances',
      'searchTaggedTrainingJobs',
      'stopTrainingJob',
      'stopTrainingJob',
    ]);
    expect(result.errors).toEqual([
      'describe Auto Scaling groups: describeTaggedAutoScalingGroups failed',
      'stop i-1: stopInstances failed',
      'stop a: stopTrainingJob failed',
    ]);
    expect(result.stoppedTrainingJobs).toEqual(['b']);
  });
});

describe('AWS SDK adapter', () => {
  const asg = mockClient(AutoScalingClient);
  const ec2 = mockClient(EC2Client);
  const sm = mockClient(SageMakerClient);
  beforeEach(() => {
    asg.reset();
    ec2.reset();
    sm.reset();
  });
  afterAll(() => {
    asg.restore();
    ec2.restore();
    sm.restore();
  });

  test('environment path: exact commands, every page followed, never UpdateAutoScalingGroup or TerminateInstances', async () => {
    const tagFilter = { Name: `tag:${TAG}`, Values: ['rl-1'] };
    asg.on(DescribeAutoScalingGroupsCommand, { Filters: [tagFilter], NextToken: undefined }).resolves({
      AutoScalingGroups: [{ AutoScalingGroupName: 'fleet', Instances: [{ InstanceId: 'i-1', LifecycleState: 'InService' }] } as any],
      NextToken: 'g2',
    });
    asg
      .on(DescribeAutoScalingGroupsCommand, { Filters: [tagFilter], NextToken: 'g2' })
      .resolves({ AutoScalingGroups: [{ AutoScalingGroupName: 'fleet-b', Instances: [] } as any] });
    ec2.on(DescribeInstancesCommand, { NextToken: undefined } as any).resolves({ Reservations: [{ Instances: [{ InstanceId: 'i-1' }] }], NextToken: 'n2' });
    ec2.on(DescribeInstancesCommand, { NextToken: 'n2' } as any).resolves({ Reservations: [{ Instances: [{ InstanceId: 'i-3' }] }] });
    sm.on(SearchCommand, { NextToken: undefined } as any).resolves({ Results: [{ TrainingJob: { TrainingJobName: 'job-1' } }], NextToken: 's2' });
    sm.on(SearchCommand, { NextToken: 's2' } as any).resolves({ Results: [{ TrainingJob: { TrainingJobName: 'job-2' } }] });

    const result = await preserveAndStopEnvironment(sdkPreserveAndStopClient(), TAG, 'rl-1');
    expect(result.errors).toEqual([]);
    expect(asg.commandCalls(DescribeAutoScalingGroupsCommand).map((c) => c.args[0].input.NextToken)).toEqual([undefined, 'g2']);
    expect(asg.commandCalls(SuspendProcessesCommand).map((c) => c.args[0].input)).toEqual([
      { AutoScalingGroupName: 'fleet', ScalingProcesses: [...SUSPENDED_PROCESSES] },
      { AutoScalingGroupName: 'fleet-b', ScalingProcesses: [...SUSPENDED_PROCESSES] },
    ]);
    expect(asg.commandCalls(SetInstanceProtectionCommand).map((c) => c.args[0].input)).toEqual([
      { AutoScalingGroupName: 'fleet', InstanceIds: ['i-1'], ProtectedFromScaleIn: true },
    ]);
    expect(asg.commandCalls(DetachInstancesCommand).map((c) => c.args[0].input)).toEqual([
      { AutoScalingGroupName: 'fleet', InstanceIds: ['i-1'], ShouldDecrementDesiredCapacity: true },
    ]);
    expect(ec2.commandCalls(DescribeInstancesCommand).map((c) => c.args[0].input)).toEqual([
      { Filters: [tagFilter, { Name: 'instance-state-name', Values: ['pending', 'running'] }], NextToken: undefined },
      { Filters: [tagFilter, { Name: 'instance-state-name', Values: ['pending', 'running'] }], NextToken: 'n2' },
    ]);
    expect(ec2.commandCalls(StopInstancesCommand).map((c) => c.args[0].input)).toEqual([{ InstanceIds: ['i-1', 'i-3'], Force: false }]);
    expect(sm.commandCalls(SearchCommand)[0].args[0].input).toEqual({
      Resource: 'TrainingJob',
      SearchExpression: {
        Filters: [
          { Name: `Tags.${TAG}`, Operator: 'Equals', Value: 'rl-1' },
          { Name: 'TrainingJobStatus', Operator: 'Equals', Value: 'InProgress' },
        ],
        Operator: 'And',
      },
      MaxResults: 100,
      NextToken: undefined,
    });
    expect(sm.commandCalls(StopTrainingJobCommand).map((c) => c.args[0].input)).toEqual([{ TrainingJobName: 'job-1' }, { TrainingJobName: 'job-2' }]);
    expect(asg.commandCalls(UpdateAutoScalingGroupCommand)).toHaveLength(0);
    expect(ec2.commandCalls(TerminateInstancesCommand)).toHaveLength(0);
    expect(ec2.commandCalls(CreateSnapshotsCommand)).toHaveLength(0);
  });

  test('instance path: group lookup (paginated), snapshots tagged on creation, unforced stop', async () => {
    asg
      .on(DescribeAutoScalingInstancesCommand, { NextToken: undefined } as any)
      .resolves({ AutoScalingInstances: [{ InstanceId: 'i-1', AutoScalingGroupName: 'fleet', LifecycleState: 'InService' } as any], NextToken: 'a2' });
    asg.on(DescribeAutoScalingInstancesCommand, { NextToken: 'a2' } as any).resolves({ AutoScalingInstances: [] });
    ec2.on(CreateSnapshotsCommand).resolves({ Snapshots: [{ SnapshotId: 'snap-1' }, { SnapshotId: 'snap-2' }] });

    const result = await preserveAndStopInstances(sdkPreserveAndStopClient(), ['i-1'], evidence);
    expect(result).toMatchObject({ detachedInstances: ['i-1'], snapshots: { 'i-1': ['snap-1', 'snap-2'] }, stoppedInstances: ['i-1'], errors: [] });
    expect(asg.commandCalls(DescribeAutoScalingInstancesCommand).map((c) => c.args[0].input)).toEqual([
      { InstanceIds: ['i-1'], NextToken: undefined },
      { InstanceIds: ['i-1'], NextToken: 'a2' },
    ]);
    expect(ec2.commandCalls(CreateSnapshotsCommand)[0].args[0].input).toEqual({
      InstanceSpecification: { InstanceId: 'i-1', ExcludeBootVolume: false },
      Description: 'Evidence of v1',
      TagSpecifications: [
        {
          ResourceType: 'snapshot',
          Tags: [
            { Key: 'black-hole:quarantine', Value: 'v1' },
            { Key: TAG, Value: 'rl-1' },
          ],
        },
      ],
    });
    expect(ec2.commandCalls(StopInstancesCommand).map((c) => c.args[0].input)).toEqual([{ InstanceIds: ['i-1'], Force: false }]);
  });
});
