import { GroupMembership, PreserveAndStopClient, TaggedGroup } from '../../lib/compute/runtime/preserve-and-stop';

export type Call = [string, ...unknown[]];

/** A fake account: records every call in order; `fail` names calls (method or `method:arg`) that throw. */
export class FakeCompute implements PreserveAndStopClient {
  public readonly calls: Call[] = [];
  constructor(
    private readonly world: { memberships?: GroupMembership[]; groups?: TaggedGroup[]; tagged?: string[]; jobs?: string[] } = {},
    private readonly fail: string[] = [],
  ) {}
  private rec(name: string, ...args: unknown[]): void {
    this.calls.push([name, ...args]);
    if (this.fail.includes(name) || this.fail.includes(`${name}:${String(args[0])}`)) throw new Error(`${name} failed`);
  }
  async describeAutoScalingInstances(ids: readonly string[]) {
    this.rec('describeAutoScalingInstances', [...ids]);
    return this.world.memberships ?? [];
  }
  async describeTaggedAutoScalingGroups(k: string, v: string) {
    this.rec('describeTaggedAutoScalingGroups', k, v);
    return this.world.groups ?? [];
  }
  async suspendProcesses(g: string, p: readonly string[]) {
    this.rec('suspendProcesses', g, [...p]);
  }
  async protectFromScaleIn(g: string, ids: readonly string[]) {
    this.rec('protectFromScaleIn', g, [...ids]);
  }
  async detachInstances(g: string, ids: readonly string[]) {
    this.rec('detachInstances', g, [...ids]);
  }
  async describeTaggedInstances(k: string, v: string, s: readonly string[]) {
    this.rec('describeTaggedInstances', k, v, [...s]);
    return this.world.tagged ?? [];
  }
  async createSnapshots(id: string, d: string, t: Readonly<Record<string, string>>) {
    this.rec('createSnapshots', id, d, { ...t });
    return [`snap-${id}`];
  }
  async stopInstances(ids: readonly string[]) {
    this.rec('stopInstances', [...ids]);
  }
  async searchTaggedTrainingJobs(k: string, v: string) {
    this.rec('searchTaggedTrainingJobs', k, v);
    return this.world.jobs ?? [];
  }
  async stopTrainingJob(n: string) {
    this.rec('stopTrainingJob', n);
  }
}
