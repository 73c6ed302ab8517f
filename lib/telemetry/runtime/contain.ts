/**
 * The containment responder's logic: which actions a violation calls for (a pure plan), and their
 * execution through {@link ContainmentApis}. Order: revoke the role's sessions (credentials die
 * first), tag the evidence, move ENIs to the quarantine security group, stop instances and jobs.
 * A security-group swap does not cut tracked connections; stopping compute and revoking sessions do
 * (ARCHITECTURE.md), so all three happen.
 *
 * Instances are stopped through lib/compute/runtime/preserve-and-stop.ts, not a bare StopInstances:
 * a stopped instance of an Auto Scaling group would be terminated (root volume and evidence gone)
 * and replaced by one whose credentials postdate the revocation time, so its group's processes are
 * suspended and it is protected and detached first, and its volumes are snapshotted (tagged with the
 * violation, episode and environment) before the stop.
 */
import { preserveAndStopInstances, PreserveAndStopClient, stopTrainingJobs } from '../../compute/runtime/preserve-and-stop';
import { ENVIRONMENT_TAG } from '../../common/tags';
import type { BlackHoleViolation } from './correlate';
import { SEVERITIES, ViolationSeverity } from './signals';

/** `contain`: the responder acts on violations; `alert-only`: it only reports them. */
export type ContainmentMode = 'alert-only' | 'contain';

/** Name of the inline policy put on the agent role (same as AgentBoundary's SESSION_REVOCATION_POLICY_NAME). */
export const REVOCATION_POLICY_NAME = 'BlackHoleRevokeOlderSessions';
/**
 * The time rendered into the revocation template at synth time (through
 * `AgentBoundary.sessionRevocationPolicyDocument`), replaced by the incident time at run time.
 */
export const REVOCATION_TEMPLATE_TIME = '2000-01-01T00:00:00Z';
/** Tag keys written on contained resources (reserved prefix: agents cannot set or remove them). */
export const QUARANTINE_TAG = 'black-hole:quarantine';
export const VIOLATION_CATEGORY_TAG = 'black-hole:violation-category';
/** Tag key of the episode on evidence snapshots (the key SageMaker training jobs carry too). */
export const EPISODE_TAG = 'black-hole:episode';

/** Tags of the evidence snapshots of a violation: which violation, category, episode, environment. */
export function evidenceTags(v: BlackHoleViolation): Record<string, string> {
  return {
    [QUARANTINE_TAG]: v.id,
    [VIOLATION_CATEGORY_TAG]: v.category,
    ...(v.episodeId ? { [EPISODE_TAG]: v.episodeId } : {}),
    [ENVIRONMENT_TAG]: v.environment,
  };
}

export interface ResponderConfig {
  readonly mode: ContainmentMode;
  /** Violations at or above this severity are contained. */
  readonly minSeverity: ViolationSeverity;
  readonly quarantineSecurityGroupId: string;
  /** `AgentBoundary.sessionRevocationPolicyDocument(REVOCATION_TEMPLATE_TIME)` as JSON. */
  readonly revocationPolicyTemplate: string;
}

export type ContainmentAction =
  | { readonly kind: 'revoke-sessions'; readonly roleName: string; readonly issuedBefore: string }
  | { readonly kind: 'tag'; readonly resourceIds: readonly string[]; readonly instanceIds: readonly string[] }
  | { readonly kind: 'quarantine-enis'; readonly networkInterfaceIds: readonly string[]; readonly instanceIds: readonly string[] }
  | { readonly kind: 'stop-instances'; readonly instanceIds: readonly string[] }
  | { readonly kind: 'stop-training-job'; readonly trainingJobName: string };

/** Role name of an IAM role ARN or an assumed-role session ARN; undefined for anything else. */
export function roleNameOf(arn: string | undefined): string | undefined {
  if (!arn) return undefined;
  const role = /^arn:[\w-]+:iam::\d+:role\/(?:.*\/)?([\w+=,.@-]+)$/.exec(arn);
  if (role) return role[1];
  const session = /^arn:[\w-]+:sts::\d+:assumed-role\/([\w+=,.@-]+)\/[^/]+$/.exec(arn);
  return session?.[1];
}

/** The revocation document for sessions issued before `issuedBefore`, from the synthesized template. */
export function revocationDocument(template: string, issuedBefore: string): string {
  if (!template.includes(REVOCATION_TEMPLATE_TIME)) throw new Error('revocation template does not contain the template time');
  return template.split(REVOCATION_TEMPLATE_TIME).join(issuedBefore);
}

/** What to do about a violation; empty in alert-only mode or below the severity threshold. */
export function planContainment(v: BlackHoleViolation, config: Pick<ResponderConfig, 'mode' | 'minSeverity'>, now: Date): ContainmentAction[] {
  if (config.mode !== 'contain' || SEVERITIES.indexOf(v.severity) < SEVERITIES.indexOf(config.minSeverity)) return [];
  const ids = (kind: string) => v.subjects.filter((s) => s.startsWith(`${kind}#`)).map((s) => s.slice(kind.length + 1));
  const instances = [...new Set(ids('instance'))];
  const enis = [...new Set(ids('eni'))];
  const jobs = [...new Set(ids('job'))];
  const actions: ContainmentAction[] = [];
  const roleName = roleNameOf(v.roleArn) ?? roleNameOf(v.principal);
  if (roleName) actions.push({ kind: 'revoke-sessions', roleName, issuedBefore: now.toISOString().replace(/\.\d{3}Z$/, 'Z') });
  if (instances.length || enis.length) {
    actions.push({ kind: 'tag', resourceIds: [...instances, ...enis], instanceIds: instances });
    actions.push({ kind: 'quarantine-enis', networkInterfaceIds: enis, instanceIds: instances });
  }
  if (instances.length) actions.push({ kind: 'stop-instances', instanceIds: instances });
  for (const job of jobs) actions.push({ kind: 'stop-training-job', trainingJobName: job });
  return actions;
}

/**
 * The AWS calls the responder makes: IAM and EC2 network calls with their API inputs; the stop of
 * instances and jobs through the shared preserve-and-stop client (Auto Scaling, EC2, SageMaker).
 */
export interface ContainmentApis {
  readonly iam: { putRolePolicy(input: { RoleName: string; PolicyName: string; PolicyDocument: string }): Promise<unknown> };
  readonly ec2: {
    describeNetworkInterfaces(input: {
      Filters: { Name: string; Values: string[] }[];
      NextToken?: string;
    }): Promise<{ NetworkInterfaces?: { NetworkInterfaceId?: string }[]; NextToken?: string }>;
    modifyNetworkInterfaceAttribute(input: { NetworkInterfaceId: string; Groups: string[] }): Promise<unknown>;
    createTags(input: { Resources: string[]; Tags: { Key: string; Value: string }[] }): Promise<unknown>;
  };
  readonly compute: PreserveAndStopClient;
}

export interface ContainmentReport {
  readonly violationId: string;
  readonly mode: ContainmentMode;
  readonly actions: readonly ContainmentAction[];
  /** Evidence snapshots by instance. */
  readonly snapshots: Readonly<Record<string, string[]>>;
  readonly errors: readonly string[];
}

/** Plans and executes containment; every action is attempted even if an earlier one fails. */
export async function contain(v: BlackHoleViolation, config: ResponderConfig, apis: ContainmentApis, now: Date): Promise<ContainmentReport> {
  const actions = planContainment(v, config, now);
  const errors: string[] = [];
  const snapshots: Record<string, string[]> = {};
  const attempt = async (what: string, f: () => Promise<unknown>): Promise<void> => {
    try {
      await f();
    } catch (e) {
      errors.push(`${what}: ${(e as Error).message}`);
    }
  };
  for (const a of actions) {
    switch (a.kind) {
      case 'revoke-sessions':
        await attempt(`revoke ${a.roleName}`, () =>
          apis.iam.putRolePolicy({
            RoleName: a.roleName,
            PolicyName: REVOCATION_POLICY_NAME,
            PolicyDocument: revocationDocument(config.revocationPolicyTemplate, a.issuedBefore),
          }),
        );
        break;
      case 'tag':
        await attempt('tag evidence', () =>
          apis.ec2.createTags({
            Resources: [...a.resourceIds],
            Tags: [
              { Key: QUARANTINE_TAG, Value: v.id },
              { Key: VIOLATION_CATEGORY_TAG, Value: v.category },
            ],
          }),
        );
        break;
      case 'quarantine-enis': {
        const enis = new Set(a.networkInterfaceIds);
        if (a.instanceIds.length) {
          await attempt('find ENIs', async () => {
            // Every page: a filtered DescribeNetworkInterfaces may return part of the result with a NextToken.
            let nextToken: string | undefined;
            do {
              const out = await apis.ec2.describeNetworkInterfaces({
                Filters: [{ Name: 'attachment.instance-id', Values: [...a.instanceIds] }],
                ...(nextToken ? { NextToken: nextToken } : {}),
              });
              for (const ni of out.NetworkInterfaces ?? []) if (ni.NetworkInterfaceId) enis.add(ni.NetworkInterfaceId);
              nextToken = out.NextToken;
            } while (nextToken);
          });
        }
        for (const eni of enis) {
          await attempt(`quarantine ${eni}`, () =>
            apis.ec2.modifyNetworkInterfaceAttribute({ NetworkInterfaceId: eni, Groups: [config.quarantineSecurityGroupId] }),
          );
        }
        break;
      }
      case 'stop-instances': {
        const r = await preserveAndStopInstances(apis.compute, a.instanceIds, {
          description: `Evidence of black hole violation ${v.id} (${v.category})${v.episodeId ? `, episode ${v.episodeId}` : ''}, environment ${v.environment}`,
          tags: evidenceTags(v),
        });
        Object.assign(snapshots, r.snapshots);
        errors.push(...r.errors);
        break;
      }
      case 'stop-training-job':
        errors.push(...(await stopTrainingJobs(apis.compute, [a.trainingJobName])).errors);
        break;
    }
  }
  return { violationId: v.id, mode: config.mode, actions, snapshots, errors };
}
