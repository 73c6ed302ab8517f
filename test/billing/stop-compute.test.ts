import * as fs from 'fs';
import * as path from 'path';
import {
  AutoScalingClient,
  DescribeAutoScalingGroupsCommand,
  DetachInstancesCommand,
  SuspendProcessesCommand,
  UpdateAutoScalingGroupCommand,
} from '@aws-sdk/client-auto-scaling';
import { DescribeInstancesCommand, EC2Client, StopInstancesCommand, TerminateInstancesCommand } from '@aws-sdk/client-ec2';
import { SageMakerClient, SearchCommand, StopTrainingJobCommand } from '@aws-sdk/client-sagemaker';
import { mockClient } from 'aws-sdk-client-mock';
import { ENVIRONMENT_TAG } from '../../lib/common/tags';
import { BUDGET_ACTION_THRESHOLD_PERCENT } from '../../lib/billing/billing-guard';
import { BUDGET_STOP_THRESHOLD_PERCENT, handleStopEvent, isBudgetStopNotification, parseBudgetNotification, SnsEvent } from '../../lib/billing/stop-compute';
import { FakeCompute } from '../compute/fake-compute';

const FIXTURE = JSON.parse(
  fs.readFileSync(path.join(__dirname, '..', 'fixtures', 'billing', 'budget-sns-notification_actual-cost-exceeded_cds-snc-sre-bot.json'), 'utf8'),
);
const config = { tagKey: ENVIRONMENT_TAG, environmentName: 'rl-1', budgetName: 'black-hole-rl-1' };

/** The captured message with only the budget name and the amounts changed (same lines, same format). */
function budgetMessage(options: { name?: string; type?: string; threshold: string; budgeted: string }): string {
  return (FIXTURE.Message as string)
    .replace(/Test Budget/g, options.name ?? config.budgetName)
    .replace(/ACTUAL/g, options.type ?? 'ACTUAL')
    .replace('Budgeted Amount: $0.20', `Budgeted Amount: $${options.budgeted}`)
    .replace('Alert Threshold: > $0.16', `Alert Threshold: > $${options.threshold}`);
}
/** The Lambda SNS event envelope around a message (https://docs.aws.amazon.com/lambda/latest/dg/with-sns.html). */
const sns = (message: string): SnsEvent => ({
  Records: [{ EventSource: 'aws:sns', Sns: { TopicArn: FIXTURE.TopicArn, Subject: FIXTURE.Subject, Message: message } }],
});
const alarm = (value: string) => ({
  source: 'aws.cloudwatch',
  alarmArn: 'arn:aws:cloudwatch:eu-west-1:111122223333:alarm:x',
  alarmData: { alarmName: 'x', state: { value } },
});
const AT_100 = budgetMessage({ threshold: '5,000.00', budgeted: '5,000.00' });

describe('budget notifications', () => {
  test('the captured notification reads as an 80 % ACTUAL alert of its budget (the lines the handler relies on exist)', () => {
    expect(FIXTURE.MessageAttributes).toBeUndefined(); // nothing an SNS filter policy could select on
    expect(parseBudgetNotification(FIXTURE.Message)).toEqual({
      budgetName: 'Test Budget',
      alertType: 'ACTUAL',
      thresholdAmount: 0.16,
      budgetedAmount: 0.2,
      thresholdPercent: 80,
    });
    expect(isBudgetStopNotification(parseBudgetNotification(FIXTURE.Message), 'Test Budget')).toBe(false);
  });

  test("100 % ACTUAL of this budget stops; the stop threshold is the budget actions' threshold", () => {
    expect(BUDGET_STOP_THRESHOLD_PERCENT).toBe(BUDGET_ACTION_THRESHOLD_PERCENT);
    expect(parseBudgetNotification(AT_100)).toMatchObject({ thresholdAmount: 5000, budgetedAmount: 5000, thresholdPercent: 100 });
    expect(isBudgetStopNotification(parseBudgetNotification(AT_100), config.budgetName)).toBe(true);
    expect(isBudgetStopNotification(parseBudgetNotification(budgetMessage({ threshold: '7500', budgeted: '5000' })), config.budgetName)).toBe(true);
  });

  test.each([
    ['80 % ACTUAL', budgetMessage({ threshold: '4,000.00', budgeted: '5,000.00' })],
    ['100 % FORECASTED', budgetMessage({ type: 'FORECASTED', threshold: '5,000.00', budgeted: '5,000.00' })],
    ['another budget at 100 %', budgetMessage({ name: 'someone-else', threshold: '5,000.00', budgeted: '5,000.00' })],
    ['an alarm message on the topic', JSON.stringify({ AlarmName: 'x', NewStateValue: 'ALARM' })],
    ['anything else', 'hello'],
  ])('%s touches nothing', async (_, message) => {
    const fake = new FakeCompute({ tagged: ['i-1'] });
    await expect(handleStopEvent(sns(message), fake, config)).resolves.toEqual({
      skipped: 'no ACTUAL notification at 100 % or more of budget black-hole-rl-1',
    });
    expect(fake.calls).toEqual([]);
  });
});

describe('handleStopEvent', () => {
  test('the 100 % ACTUAL budget notification stops the whole environment (groups released first, jobs too)', async () => {
    const fake = new FakeCompute({
      groups: [{ name: 'fleet', instances: [{ instanceId: 'i-1', lifecycleState: 'InService' }] }],
      tagged: ['i-1'],
      jobs: ['job-1'],
    });
    const result = await handleStopEvent(sns(AT_100), fake, config);
    expect(result).toMatchObject({
      trigger: 'budget black-hole-rl-1: ACTUAL above 100 %',
      detachedInstances: ['i-1'],
      stoppedInstances: ['i-1'],
      stoppedTrainingJobs: ['job-1'],
    });
    expect(fake.calls.map((c) => c[0])).toEqual([
      'describeTaggedAutoScalingGroups',
      'suspendProcesses',
      'protectFromScaleIn',
      'detachInstances',
      'describeTaggedInstances',
      'stopInstances',
      'searchTaggedTrainingJobs',
      'stopTrainingJob',
    ]);
  });

  test('ALARM stops the compute', async () => {
    const fake = new FakeCompute({ tagged: ['i-1'] });
    await expect(handleStopEvent(alarm('ALARM'), fake, config)).resolves.toMatchObject({ stoppedInstances: ['i-1'], errors: [] });
  });

  test.each(['OK', 'INSUFFICIENT_DATA'])('%s touches nothing', async (state) => {
    const fake = new FakeCompute({ tagged: ['i-1'] });
    await expect(handleStopEvent(alarm(state), fake, config)).resolves.toEqual({ skipped: `alarm state is ${state}, not ALARM` });
    expect(fake.calls).toEqual([]);
  });

  test('partial failure throws after attempting everything (the invocation fails and is retried)', async () => {
    const fake = new FakeCompute({ groups: [{ name: 'fleet', instances: [] }], tagged: ['i-1'], jobs: ['job-1'] }, ['stopInstances']);
    await expect(handleStopEvent(alarm('ALARM'), fake, config)).rejects.toThrow(/rl-1 failed in part: stop i-1: stopInstances failed/);
    expect(fake.calls).toContainEqual(['stopTrainingJob', 'job-1']);
  });
});

describe('Lambda entry with the AWS SDK (aws-sdk-client-mock)', () => {
  const asg = mockClient(AutoScalingClient);
  const ec2 = mockClient(EC2Client);
  const sm = mockClient(SageMakerClient);
  beforeEach(() => {
    asg.reset();
    ec2.reset();
    sm.reset();
    process.env.ENVIRONMENT_NAME = 'rl-1';
    process.env.ENVIRONMENT_TAG_KEY = ENVIRONMENT_TAG;
    process.env.BUDGET_NAME = 'black-hole-rl-1';
  });
  afterAll(() => {
    asg.restore();
    ec2.restore();
    sm.restore();
    delete process.env.ENVIRONMENT_NAME;
    delete process.env.ENVIRONMENT_TAG_KEY;
    delete process.env.BUDGET_NAME;
  });

  test('the budget message stops through the SDK, following pagination; no capacity change, no termination', async () => {
    asg
      .on(DescribeAutoScalingGroupsCommand, { NextToken: undefined } as any)
      .resolves({ AutoScalingGroups: [{ AutoScalingGroupName: 'a', Instances: [{ InstanceId: 'i-1', LifecycleState: 'InService' }] } as any], NextToken: 't' });
    asg
      .on(DescribeAutoScalingGroupsCommand, { NextToken: 't' } as any)
      .resolves({ AutoScalingGroups: [{ AutoScalingGroupName: 'b', Instances: [{ InstanceId: 'i-2', LifecycleState: 'InService' }] } as any] });
    ec2.on(DescribeInstancesCommand).resolves({ Reservations: [{ Instances: [{ InstanceId: 'i-1' }, { InstanceId: 'i-2' }] }] });
    sm.on(SearchCommand).resolves({ Results: [{ TrainingJob: { TrainingJobName: 'job-1' } }] });
    const { handler } = await import('../../lib/billing/stop-compute-handler');
    const log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
    await handler(sns(AT_100));
    log.mockRestore();
    expect(asg.commandCalls(SuspendProcessesCommand).map((c) => c.args[0].input.AutoScalingGroupName)).toEqual(['a', 'b']);
    expect(asg.commandCalls(DetachInstancesCommand).map((c) => c.args[0].input)).toEqual([
      { AutoScalingGroupName: 'a', InstanceIds: ['i-1'], ShouldDecrementDesiredCapacity: true },
      { AutoScalingGroupName: 'b', InstanceIds: ['i-2'], ShouldDecrementDesiredCapacity: true },
    ]);
    expect(ec2.commandCalls(StopInstancesCommand).map((c) => c.args[0].input)).toEqual([{ InstanceIds: ['i-1', 'i-2'], Force: false }]);
    expect(sm.commandCalls(StopTrainingJobCommand).map((c) => c.args[0].input)).toEqual([{ TrainingJobName: 'job-1' }]);
    expect(asg.commandCalls(UpdateAutoScalingGroupCommand)).toHaveLength(0);
    expect(ec2.commandCalls(TerminateInstancesCommand)).toHaveLength(0);
  });

  test('refuses to run without its environment variables', async () => {
    delete process.env.BUDGET_NAME;
    const { handler } = await import('../../lib/billing/stop-compute-handler');
    await expect(handler(alarm('ALARM'))).rejects.toThrow(/BUDGET_NAME/);
    expect(asg.calls()).toHaveLength(0);
    expect(ec2.calls()).toHaveLength(0);
  });
});
