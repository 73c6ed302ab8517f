/**
 * Stopping compute without losing the evidence or the stop itself: one pure module, over an
 * injected client (one method per AWS API call), used by the billing guard's stop function
 * (lib/billing/stop-compute.ts) and by the containment responder (lib/telemetry/runtime/contain.ts).
 * The AWS SDK adapter is preserve-and-stop-sdk.ts; tests use a fake.
 *
 * Why not simply StopInstances (or desired capacity 0):
 * - A stopped instance of an Auto Scaling group fails its health check, is marked unhealthy and is
 *   terminated and replaced; the root volume (DeleteOnTermination) goes with it, and the replacement
 *   gets instance credentials issued after the responder's `aws:TokenIssueTime` revocation, so the
 *   revocation does not cover it (ARCHITECTURE.md, "Domain pitfalls").
 *   https://docs.aws.amazon.com/autoscaling/ec2/userguide/ec2-auto-scaling-health-checks.html
 * - Desired capacity 0 terminates the group's instances: spend stops, evidence goes.
 *
 * So, for an instance in a group: (1) suspend the group's processes that launch, replace, rebalance
 * or terminate (nothing new starts with fresh credentials, nothing is terminated while we work),
 * https://docs.aws.amazon.com/autoscaling/ec2/userguide/as-suspend-resume-processes.html
 * (2) protect the instance from scale in, (3) detach it with ShouldDecrementDesiredCapacity=true:
 * a detached instance keeps running and is no longer managed by the group, and decrementing means
 * no replacement is launched for it.
 * https://docs.aws.amazon.com/autoscaling/ec2/userguide/ec2-auto-scaling-detach-attach-instances.html
 * Detach rather than EnterStandby: an instance in Standby is still part of the group, so deleting
 * or force-deleting the group (a stack delete or rollback) terminates it, and anyone allowed
 * ExitStandby puts it back under health checks; a detached instance is out of the group's reach.
 * (4) snapshot its EBS volumes (CreateSnapshots: one crash-consistent, multi-volume point in time,
 * taken before the stop so that shutdown scripts planted on the instance cannot alter it), tagged
 * with the violation, episode and environment, https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateSnapshots.html
 * (5) stop it: the EBS volumes of a stopped instance persist.
 * https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/ec2-instance-lifecycle.html
 * Instances outside groups: snapshot and stop. SageMaker training jobs: StopTrainingJob (the job's
 * model artifacts and checkpoints stay in S3).
 * https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_StopTrainingJob.html
 *
 * Nothing here terminates an instance or changes a group's capacity: the client has no method that
 * could. Every call is attempted even when an earlier one fails (a kill switch must not stop at the
 * first error); failures are returned, and the handlers rethrow them.
 */

/**
 * Processes suspended on a group before its instances are detached and stopped: Launch (no new
 * instance, so no fresh credentials), Terminate (no scale in or rebalancing terminates an instance
 * while we work), HealthCheck and ReplaceUnhealthy (a stopped instance is not marked unhealthy and
 * replaced), AZRebalance, AlarmNotification and ScheduledActions (no scaling policy or schedule
 * changes the group), InstanceRefresh (no refresh replaces instances). They stay suspended: a
 * person resumes them after the investigation.
 */
export const SUSPENDED_PROCESSES: readonly string[] = Object.freeze([
  'Launch',
  'Terminate',
  'HealthCheck',
  'ReplaceUnhealthy',
  'AZRebalance',
  'AlarmNotification',
  'ScheduledActions',
  'InstanceRefresh',
]);

/** Instance states the environment-wide stop applies to. */
export const STOPPABLE_INSTANCE_STATES: readonly string[] = Object.freeze(['pending', 'running']);
/** Group lifecycle states an instance can be detached from (and is worth protecting in). */
export const DETACHABLE_LIFECYCLE_STATES: readonly string[] = Object.freeze(['InService', 'Standby']);

/** StopInstances ids per call (kept small so one bad id fails few). */
export const STOP_BATCH_SIZE = 50;
/** SetInstanceProtection takes at most 50 instance ids. */
export const PROTECT_BATCH_SIZE = 50;
/** DetachInstances takes at most 20 instance ids. */
export const DETACH_BATCH_SIZE = 20;

/** An instance's group, from DescribeAutoScalingInstances. */
export interface GroupMembership {
  readonly instanceId: string;
  readonly autoScalingGroupName: string;
  readonly lifecycleState?: string;
}

/** A group tagged with the environment, with its instances, from DescribeAutoScalingGroups. */
export interface TaggedGroup {
  readonly name: string;
  readonly instances: ReadonlyArray<{ readonly instanceId: string; readonly lifecycleState?: string }>;
}

/** The AWS calls made; one method per API call, pagination inside the adapter. */
export interface PreserveAndStopClient {
  /** DescribeAutoScalingInstances for the ids (instances in no group are absent). */
  describeAutoScalingInstances(instanceIds: readonly string[]): Promise<GroupMembership[]>;
  /** DescribeAutoScalingGroups filtered by `tag:<tagKey>=<tagValue>` (all pages). */
  describeTaggedAutoScalingGroups(tagKey: string, tagValue: string): Promise<TaggedGroup[]>;
  /** SuspendProcesses of the group. */
  suspendProcesses(autoScalingGroupName: string, processes: readonly string[]): Promise<void>;
  /** SetInstanceProtection with ProtectedFromScaleIn=true. */
  protectFromScaleIn(autoScalingGroupName: string, instanceIds: readonly string[]): Promise<void>;
  /** DetachInstances with ShouldDecrementDesiredCapacity=true. */
  detachInstances(autoScalingGroupName: string, instanceIds: readonly string[]): Promise<void>;
  /** DescribeInstances filtered by `tag:<tagKey>=<tagValue>` and the states (all pages). */
  describeTaggedInstances(tagKey: string, tagValue: string, states: readonly string[]): Promise<string[]>;
  /** CreateSnapshots of every EBS volume of the instance, the snapshots tagged at creation; returns their ids. */
  createSnapshots(instanceId: string, description: string, tags: Readonly<Record<string, string>>): Promise<string[]>;
  /** StopInstances (not forced: the file systems are flushed). */
  stopInstances(instanceIds: readonly string[]): Promise<void>;
  /** Search of TrainingJob resources InProgress with tag `<tagKey>=<tagValue>` (all pages); returns names. */
  searchTaggedTrainingJobs(tagKey: string, tagValue: string): Promise<string[]>;
  /** StopTrainingJob. */
  stopTrainingJob(trainingJobName: string): Promise<void>;
}

export interface PreserveAndStopResult {
  /** Groups whose processes were suspended. */
  readonly suspendedGroups: string[];
  /** Instances detached from their group (desired capacity decremented). */
  readonly detachedInstances: string[];
  /** Evidence snapshots by instance. */
  readonly snapshots: Record<string, string[]>;
  readonly stoppedInstances: string[];
  readonly stoppedTrainingJobs: string[];
  /** Calls that failed, with their error message; the others still ran. */
  readonly errors: string[];
}

/** Runs calls, recording failures instead of throwing. */
class Attempts {
  public readonly errors: string[] = [];
  async run<T>(what: string, call: () => Promise<T>): Promise<T | undefined> {
    try {
      return await call();
    } catch (e) {
      this.errors.push(`${what}: ${(e as Error).message}`);
      return undefined;
    }
  }
  /** Runs `call` per batch; returns the items of the batches that succeeded. */
  async batches(what: string, items: readonly string[], size: number, call: (batch: string[]) => Promise<void>): Promise<string[]> {
    const done: string[] = [];
    for (let i = 0; i < items.length; i += size) {
      const batch = items.slice(i, i + size);
      const ok = await this.run(`${what} ${batch.join(', ')}`, async () => {
        await call(batch);
        return true;
      });
      if (ok) done.push(...batch);
    }
    return done;
  }
}

function emptyResult(): Omit<PreserveAndStopResult, 'errors'> {
  return { suspendedGroups: [], detachedInstances: [], snapshots: {}, stoppedInstances: [], stoppedTrainingJobs: [] };
}

/** Suspends a group's processes, then protects and detaches (decrementing) the instances. */
async function releaseFromGroup(
  client: PreserveAndStopClient,
  at: Attempts,
  result: ReturnType<typeof emptyResult>,
  group: string,
  instanceIds: readonly string[],
): Promise<void> {
  const suspended = await at.run(`suspend processes of ${group}`, async () => {
    await client.suspendProcesses(group, SUSPENDED_PROCESSES);
    return true;
  });
  if (suspended) result.suspendedGroups.push(group);
  if (instanceIds.length === 0) return;
  await at.batches(`protect in ${group}`, instanceIds, PROTECT_BATCH_SIZE, (b) => client.protectFromScaleIn(group, b));
  result.detachedInstances.push(...(await at.batches(`detach from ${group}`, instanceIds, DETACH_BATCH_SIZE, (b) => client.detachInstances(group, b))));
}

/**
 * The containment path for named instances: their groups' processes suspended, the instances
 * protected and detached, their volumes snapshotted with `evidenceTags`, then stopped.
 */
export async function preserveAndStopInstances(
  client: PreserveAndStopClient,
  instanceIds: readonly string[],
  evidence: { readonly description: string; readonly tags: Readonly<Record<string, string>> },
): Promise<PreserveAndStopResult> {
  const at = new Attempts();
  const result = emptyResult();
  const ids = [...new Set(instanceIds)];
  if (ids.length === 0) return { ...result, errors: at.errors };

  // If the lookup fails, the instances are still snapshotted (before the stop) and stopped: a
  // replacement would then lose the root volume, but not the evidence.
  const memberships = (await at.run('describe Auto Scaling instances', () => client.describeAutoScalingInstances(ids))) ?? [];
  const byGroup = new Map<string, string[]>();
  for (const m of memberships) {
    if (!ids.includes(m.instanceId)) continue;
    byGroup.set(m.autoScalingGroupName, [...(byGroup.get(m.autoScalingGroupName) ?? []), m.instanceId]);
  }
  for (const [group, members] of byGroup) await releaseFromGroup(client, at, result, group, members);

  for (const id of ids) {
    const snaps = await at.run(`snapshot ${id}`, () => client.createSnapshots(id, evidence.description, evidence.tags));
    if (snaps) result.snapshots[id] = snaps;
  }
  result.stoppedInstances.push(...(await at.batches('stop', ids, STOP_BATCH_SIZE, (b) => client.stopInstances(b))));
  return { ...result, errors: at.errors };
}

/** Stops named training jobs (containment). */
export async function stopTrainingJobs(client: PreserveAndStopClient, names: readonly string[]): Promise<PreserveAndStopResult> {
  const at = new Attempts();
  const result = emptyResult();
  for (const name of [...new Set(names)]) {
    const ok = await at.run(`stop ${name}`, async () => {
      await client.stopTrainingJob(name);
      return true;
    });
    if (ok) result.stoppedTrainingJobs.push(name);
  }
  return { ...result, errors: at.errors };
}

/**
 * The billing path for a whole environment: every tagged group's processes suspended and its
 * in-service and standby instances protected and detached (desired decremented, never set), then
 * every pending or running tagged instance stopped, then every in-progress tagged training job
 * stopped. No snapshots: nothing is suspected, and the volumes of stopped instances persist.
 */
export async function preserveAndStopEnvironment(client: PreserveAndStopClient, tagKey: string, environmentName: string): Promise<PreserveAndStopResult> {
  const at = new Attempts();
  const result = emptyResult();

  const groups = (await at.run('describe Auto Scaling groups', () => client.describeTaggedAutoScalingGroups(tagKey, environmentName))) ?? [];
  const groupInstances: string[] = [];
  for (const g of groups) {
    const detachable = g.instances.filter((i) => DETACHABLE_LIFECYCLE_STATES.includes(i.lifecycleState ?? '')).map((i) => i.instanceId);
    groupInstances.push(...detachable);
    await releaseFromGroup(client, at, result, g.name, detachable);
  }

  const tagged = (await at.run('describe instances', () => client.describeTaggedInstances(tagKey, environmentName, STOPPABLE_INSTANCE_STATES))) ?? [];
  const toStop = [...new Set([...tagged, ...groupInstances])];
  result.stoppedInstances.push(...(await at.batches('stop', toStop, STOP_BATCH_SIZE, (b) => client.stopInstances(b))));

  const jobs = (await at.run('search training jobs', () => client.searchTaggedTrainingJobs(tagKey, environmentName))) ?? [];
  for (const job of jobs) {
    const ok = await at.run(`stop ${job}`, async () => {
      await client.stopTrainingJob(job);
      return true;
    });
    if (ok) result.stoppedTrainingJobs.push(job);
  }
  return { ...result, errors: at.errors };
}
