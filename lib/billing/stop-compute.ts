/**
 * The fast path's "stop compute" logic, as a pure function over an injected client: the Lambda
 * handler (stop-compute-handler.ts) wires it to the AWS SDK; tests wire it to a fake.
 *
 * Order matters: Auto Scaling groups are pinned to zero first (min = max = desired = 0) so that
 * nothing replaces the instances stopped next; then every pending or running instance tagged with
 * the environment is stopped (not terminated: disks and evidence stay).
 */

/** Instance states the stop applies to. */
export const STOPPABLE_INSTANCE_STATES: readonly string[] = Object.freeze(['pending', 'running']);

/** Largest number of instance ids sent in one StopInstances call. */
export const STOP_BATCH_SIZE = 50;

/** What the handler needs from EC2 and Auto Scaling; one method per API call it makes. */
export interface ComputeStopper {
  /** Ids of instances tagged `tagKey=tagValue` in one of `states` (all pages). */
  describeTaggedInstances(tagKey: string, tagValue: string, states: readonly string[]): Promise<string[]>;
  /** Names of Auto Scaling groups tagged `tagKey=tagValue` (all pages). */
  describeTaggedAutoScalingGroups(tagKey: string, tagValue: string): Promise<string[]>;
  /** UpdateAutoScalingGroup with MinSize = MaxSize = DesiredCapacity = `capacity`. */
  setCapacity(autoScalingGroupName: string, capacity: number): Promise<void>;
  /** StopInstances for the ids. */
  stopInstances(instanceIds: readonly string[]): Promise<void>;
}

export interface StopComputeResult {
  readonly autoScalingGroups: string[];
  readonly stoppedInstances: string[];
  /** Calls that failed, with their error message; the others still ran. */
  readonly errors: string[];
}

/**
 * Scales the environment's Auto Scaling groups to zero and stops its instances. Every call is
 * attempted even when an earlier one fails (a kill switch must not stop at the first error); the
 * failures are returned and the handler rethrows them so that the invocation is retried and visible.
 */
export async function stopEnvironmentCompute(stopper: ComputeStopper, tagKey: string, environmentName: string): Promise<StopComputeResult> {
  const errors: string[] = [];
  const attempt = async <T>(what: string, call: () => Promise<T>): Promise<T | undefined> => {
    try {
      return await call();
    } catch (e) {
      errors.push(`${what}: ${(e as Error).message}`);
      return undefined;
    }
  };

  const groups = (await attempt('describe Auto Scaling groups', () => stopper.describeTaggedAutoScalingGroups(tagKey, environmentName))) ?? [];
  const scaled: string[] = [];
  for (const group of groups) {
    const ok = await attempt(`scale ${group} to 0`, async () => { await stopper.setCapacity(group, 0); return true; });
    if (ok) scaled.push(group);
  }

  const instances = (await attempt('describe instances', () => stopper.describeTaggedInstances(tagKey, environmentName, STOPPABLE_INSTANCE_STATES))) ?? [];
  const stopped: string[] = [];
  for (let i = 0; i < instances.length; i += STOP_BATCH_SIZE) {
    const batch = instances.slice(i, i + STOP_BATCH_SIZE);
    const ok = await attempt(`stop ${batch.join(', ')}`, async () => { await stopper.stopInstances(batch); return true; });
    if (ok) stopped.push(...batch);
  }
  return { autoScalingGroups: scaled, stoppedInstances: stopped, errors };
}

/** The part of a CloudWatch alarm's Lambda action event the handler reads. */
export interface AlarmEvent {
  readonly source?: string;
  readonly alarmArn?: string;
  readonly alarmData?: { readonly alarmName?: string; readonly state?: { readonly value?: string } };
}

/**
 * The handler's logic: stops the environment's compute when the alarm is in ALARM (a Lambda alarm
 * action is invoked on every state change it is configured for; only ALARM stops anything).
 * Throws when any call failed, after attempting all of them.
 */
export async function handleUsageAlarm(event: AlarmEvent, stopper: ComputeStopper, tagKey: string, environmentName: string): Promise<StopComputeResult | { skipped: string }> {
  const state = event.alarmData?.state?.value;
  if (state !== 'ALARM') {
    return { skipped: `alarm state is ${state ?? 'unknown'}, not ALARM` };
  }
  const result = await stopEnvironmentCompute(stopper, tagKey, environmentName);
  if (result.errors.length > 0) {
    throw new Error(`stopping the compute of ${environmentName} failed in part: ${result.errors.join('; ')}`);
  }
  return result;
}
