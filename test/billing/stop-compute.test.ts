import { ENVIRONMENT_TAG } from '../../lib/common/tags';
import { ComputeStopper, handleUsageAlarm, STOP_BATCH_SIZE, stopEnvironmentCompute } from '../../lib/billing/stop-compute';

type Call = [string, ...unknown[]];

/** A fake EC2/Auto Scaling account: records every call in order. */
class FakeStopper implements ComputeStopper {
  public readonly calls: Call[] = [];
  constructor(
    private readonly groups: string[] = [],
    private readonly instances: string[] = [],
    private readonly failing: { scale?: string; stop?: boolean; describeGroups?: boolean } = {},
  ) {}

  async describeTaggedInstances(tagKey: string, tagValue: string, states: readonly string[]): Promise<string[]> {
    this.calls.push(['describeTaggedInstances', tagKey, tagValue, [...states]]);
    return this.instances;
  }
  async describeTaggedAutoScalingGroups(tagKey: string, tagValue: string): Promise<string[]> {
    this.calls.push(['describeTaggedAutoScalingGroups', tagKey, tagValue]);
    if (this.failing.describeGroups) throw new Error('Throttling');
    return this.groups;
  }
  async setCapacity(name: string, capacity: number): Promise<void> {
    this.calls.push(['setCapacity', name, capacity]);
    if (this.failing.scale === name) throw new Error('AccessDenied');
  }
  async stopInstances(ids: readonly string[]): Promise<void> {
    this.calls.push(['stopInstances', [...ids]]);
    if (this.failing.stop) throw new Error('IncorrectInstanceState');
  }
}

const alarm = (value: string) => ({ source: 'aws.cloudwatch', alarmArn: 'arn:aws:cloudwatch:eu-west-1:111122223333:alarm:x', alarmData: { alarmName: 'x', state: { value } } });

describe('stopEnvironmentCompute', () => {
  test('pins every tagged group to 0 first, then stops the pending and running tagged instances', async () => {
    const fake = new FakeStopper(['asg-a', 'asg-b'], ['i-1', 'i-2']);
    const result = await stopEnvironmentCompute(fake, ENVIRONMENT_TAG, 'rl-1');
    expect(fake.calls).toEqual([
      ['describeTaggedAutoScalingGroups', 'black-hole:environment', 'rl-1'],
      ['setCapacity', 'asg-a', 0],
      ['setCapacity', 'asg-b', 0],
      ['describeTaggedInstances', 'black-hole:environment', 'rl-1', ['pending', 'running']],
      ['stopInstances', ['i-1', 'i-2']],
    ]);
    expect(result).toEqual({ autoScalingGroups: ['asg-a', 'asg-b'], stoppedInstances: ['i-1', 'i-2'], errors: [] });
  });

  test('nothing to stop: only the two describes', async () => {
    const fake = new FakeStopper();
    await stopEnvironmentCompute(fake, ENVIRONMENT_TAG, 'rl-1');
    expect(fake.calls.map((c) => c[0])).toEqual(['describeTaggedAutoScalingGroups', 'describeTaggedInstances']);
  });

  test(`stops in batches of ${STOP_BATCH_SIZE}`, async () => {
    const ids = Array.from({ length: STOP_BATCH_SIZE * 2 + 1 }, (_, i) => `i-${i}`);
    const fake = new FakeStopper([], ids);
    await stopEnvironmentCompute(fake, ENVIRONMENT_TAG, 'rl-1');
    const stops = fake.calls.filter((c) => c[0] === 'stopInstances').map((c) => c[1] as string[]);
    expect(stops.map((b) => b.length)).toEqual([STOP_BATCH_SIZE, STOP_BATCH_SIZE, 1]);
    expect(stops.flat()).toEqual(ids);
  });

  test('a failing call does not stop the others; failures are reported', async () => {
    const fake = new FakeStopper(['asg-a', 'asg-b'], ['i-1'], { scale: 'asg-a' });
    const result = await stopEnvironmentCompute(fake, ENVIRONMENT_TAG, 'rl-1');
    expect(fake.calls).toContainEqual(['setCapacity', 'asg-b', 0]);
    expect(fake.calls).toContainEqual(['stopInstances', ['i-1']]);
    expect(result.autoScalingGroups).toEqual(['asg-b']);
    expect(result.errors).toEqual(['scale asg-a to 0: AccessDenied']);
  });

  test('instances are still stopped when listing the groups fails', async () => {
    const fake = new FakeStopper(['asg-a'], ['i-1'], { describeGroups: true });
    const result = await stopEnvironmentCompute(fake, ENVIRONMENT_TAG, 'rl-1');
    expect(fake.calls).toContainEqual(['stopInstances', ['i-1']]);
    expect(result.errors).toEqual(['describe Auto Scaling groups: Throttling']);
  });
});

describe('handleUsageAlarm', () => {
  test('ALARM stops the compute', async () => {
    const fake = new FakeStopper(['asg-a'], ['i-1']);
    await expect(handleUsageAlarm(alarm('ALARM'), fake, ENVIRONMENT_TAG, 'rl-1')).resolves.toEqual({ autoScalingGroups: ['asg-a'], stoppedInstances: ['i-1'], errors: [] });
  });

  test.each(['OK', 'INSUFFICIENT_DATA'])('%s touches nothing', async (state) => {
    const fake = new FakeStopper(['asg-a'], ['i-1']);
    await expect(handleUsageAlarm(alarm(state), fake, ENVIRONMENT_TAG, 'rl-1')).resolves.toEqual({ skipped: `alarm state is ${state}, not ALARM` });
    expect(fake.calls).toEqual([]);
  });

  test('an event without alarm data touches nothing', async () => {
    const fake = new FakeStopper(['asg-a'], ['i-1']);
    await handleUsageAlarm({}, fake, ENVIRONMENT_TAG, 'rl-1');
    expect(fake.calls).toEqual([]);
  });

  test('partial failure throws after attempting everything (the invocation fails and is retried)', async () => {
    const fake = new FakeStopper(['asg-a'], ['i-1'], { stop: true });
    await expect(handleUsageAlarm(alarm('ALARM'), fake, ENVIRONMENT_TAG, 'rl-1')).rejects.toThrow(/rl-1 failed in part: stop i-1: IncorrectInstanceState/);
    expect(fake.calls).toContainEqual(['setCapacity', 'asg-a', 0]);
  });
});

describe('AWS SDK adapter (the Lambda entry)', () => {
  // The SDK comes from the Lambda runtime; here virtual modules record the commands sent.
  const sent: Array<{ client: string; command: string; input: any }> = [];
  const pages: Record<string, any[]> = {};
  const command = (name: string) => class { constructor(public readonly input: any) { (this as any).name = name; } };
  const client = (clientName: string) => class {
    async send(cmd: any) {
      sent.push({ client: clientName, command: cmd.name, input: cmd.input });
      return (pages[cmd.name] ?? []).shift() ?? {};
    }
  };

  beforeEach(() => {
    sent.length = 0;
    for (const k of Object.keys(pages)) delete pages[k];
    jest.resetModules();
    jest.doMock('@aws-sdk/client-ec2', () => ({
      EC2Client: client('ec2'),
      DescribeInstancesCommand: command('DescribeInstances'),
      StopInstancesCommand: command('StopInstances'),
    }), { virtual: true });
    jest.doMock('@aws-sdk/client-auto-scaling', () => ({
      AutoScalingClient: client('autoscaling'),
      DescribeAutoScalingGroupsCommand: command('DescribeAutoScalingGroups'),
      UpdateAutoScalingGroupCommand: command('UpdateAutoScalingGroup'),
    }), { virtual: true });
    process.env.ENVIRONMENT_NAME = 'rl-1';
    process.env.ENVIRONMENT_TAG_KEY = ENVIRONMENT_TAG;
  });
  afterEach(() => {
    delete process.env.ENVIRONMENT_NAME;
    delete process.env.ENVIRONMENT_TAG_KEY;
  });

  test('sends exactly these API calls, following pagination', async () => {
    pages.DescribeAutoScalingGroups = [
      { AutoScalingGroups: [{ AutoScalingGroupName: 'asg-a' }], NextToken: 't1' },
      { AutoScalingGroups: [{ AutoScalingGroupName: 'asg-b' }] },
    ];
    pages.DescribeInstances = [
      { Reservations: [{ Instances: [{ InstanceId: 'i-1' }, { InstanceId: 'i-2' }] }], NextToken: 'n1' },
      { Reservations: [{ Instances: [{ InstanceId: 'i-3' }] }] },
    ];
    const { handler } = await import('../../lib/billing/stop-compute-handler');
    const log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
    await handler(alarm('ALARM'));
    log.mockRestore();
    const tagFilter = { Name: 'tag:black-hole:environment', Values: ['rl-1'] };
    expect(sent).toEqual([
      { client: 'autoscaling', command: 'DescribeAutoScalingGroups', input: { Filters: [tagFilter], NextToken: undefined } },
      { client: 'autoscaling', command: 'DescribeAutoScalingGroups', input: { Filters: [tagFilter], NextToken: 't1' } },
      { client: 'autoscaling', command: 'UpdateAutoScalingGroup', input: { AutoScalingGroupName: 'asg-a', MinSize: 0, MaxSize: 0, DesiredCapacity: 0 } },
      { client: 'autoscaling', command: 'UpdateAutoScalingGroup', input: { AutoScalingGroupName: 'asg-b', MinSize: 0, MaxSize: 0, DesiredCapacity: 0 } },
      { client: 'ec2', command: 'DescribeInstances', input: { Filters: [tagFilter, { Name: 'instance-state-name', Values: ['pending', 'running'] }], NextToken: undefined } },
      { client: 'ec2', command: 'DescribeInstances', input: { Filters: [tagFilter, { Name: 'instance-state-name', Values: ['pending', 'running'] }], NextToken: 'n1' } },
      { client: 'ec2', command: 'StopInstances', input: { InstanceIds: ['i-1', 'i-2', 'i-3'] } },
    ]);
  });

  test('refuses to run without its environment variables', async () => {
    delete process.env.ENVIRONMENT_NAME;
    const { handler } = await import('../../lib/billing/stop-compute-handler');
    await expect(handler(alarm('ALARM'))).rejects.toThrow(/ENVIRONMENT_NAME/);
    expect(sent).toEqual([]);
  });
});
