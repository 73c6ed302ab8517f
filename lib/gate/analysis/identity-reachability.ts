import { awsActionAccessLevel, expandActionPattern } from '../../common/aws-action-catalog';
import { RUNTIME_ROLE_PATH } from '../../common/runtime-roles';
import { AGENT_ROLE_TAG, AGENT_ROLE_TAG_VALUE, ENVIRONMENT_TAG } from '../../common/tags';
import { literalEquals, mayBe, ModelResource, placeholdersToWildcards, possibilities, Resolved, StackModel, TemplateModel, unknown } from '../model';
import { resourcePatternsMayIntersect } from './arn-match';
import { lookupAwsManagedPolicy } from './aws-managed-policies';
import { COMPUTE_FORMS, type SubnetSource } from './compute-forms';
import { PermissionAnalysis, PrincipalPermissions } from './effective-permissions';
import { StatementRef } from './policy-document';

/**
 * The principals the gate analyses as agents (ARCHITECTURE.md): roles tagged as agent roles;
 * roles that compute inside an environment can obtain credentials for; and, transitively, roles
 * any of those may assume (sts:AssumeRole + a trust policy that could admit it) or pass to new
 * compute (iam:PassRole on it, and it trusts some service). Sound: when unsure, include.
 */

/** How a principal became reachable; `describeReachReason` renders it for findings. */
export type ReachReason =
  | { readonly kind: 'agent-role-tag' }
  | {
      readonly kind: 'compute';
      /** The compute resource (instance, launch template, ASG, function, notebook...). */
      readonly compute: { readonly stack: string; readonly logicalId: string; readonly type: string };
      /** How the compute gets the role: `instance profile X`, `launch template Y`, `property Role`... */
      readonly via: string;
      readonly environment: string;
      /** The environment subnet (or library SSM parameter) it runs in, or undefined when placement came from its tag or is only possible. */
      readonly subnet?: string;
      /** Set when the placement is only possible: why (a subnet value the gate cannot place). */
      readonly possible?: string;
    }
  | { readonly kind: 'sagemaker-role-tag'; readonly environment: string }
  | {
      readonly kind: 'assumable';
      readonly from: { readonly stack: string; readonly logicalId: string };
      /** The caller's grants of sts:AssumeRole on this role; empty when the trust policy names the caller (or `*`) directly. */
      readonly grants: readonly StatementRef[];
      /** The trust policy principal that admits the caller. */
      readonly trustedAs: string;
    }
  | { readonly kind: 'passable'; readonly from: { readonly stack: string; readonly logicalId: string }; readonly grants: readonly StatementRef[] };

export interface ReachablePrincipal {
  readonly stack: string;
  readonly logicalId: string;
  /** The first environment it was reached from (see `environments` for all). */
  readonly environment?: string;
  readonly environments: readonly string[];
  readonly reasons: readonly ReachReason[];
  readonly permissions: PrincipalPermissions;
  /**
   * The role is on the library's runtime path (`/black-hole-runtime/`), which the organisation
   * guardrail exempts: `certain` when its Path says so, `possible` when the Path cannot be resolved.
   */
  readonly runtimePath?: 'certain' | 'possible';
}

/**
 * A role trusted by SageMaker and tagged with an environment that the gate does not count as agent
 * compute: every principal of the app that may pass it may start SageMaker compute with it only
 * through CreateTrainingJob statements that require network isolation and environment subnets.
 */
export interface IsolatedExecutionRole {
  readonly stack: string;
  readonly logicalId: string;
  readonly environment: string;
  /** The roles that may pass it (`stack/logicalId`), each limited to isolated training jobs. */
  readonly launchers: readonly string[];
}

/** Compute in an environment whose role the gate could not identify (imported, unresolvable). */
export interface UnresolvedCompute {
  readonly stack: string;
  readonly logicalId: string;
  readonly type: string;
  readonly environment: string;
  readonly reason: string;
  /** Set when the compute only possibly runs in the environment: why. */
  readonly possible?: string;
}

/** Where compute runs (see IdentityReachability placement). */
interface Placement {
  /** The environment (the first, when several are possible). */
  readonly environment: string;
  /** Every environment it may run in. */
  readonly environments: readonly string[];
  readonly subnet?: string;
  readonly possible?: string;
}

/** One subnet value of a compute resource, resolved, with the property it came from. */
interface SubnetValue {
  readonly value: Resolved;
  readonly from: string;
}

/** The environment of the library's own subnet SSM parameters (`/black-hole/<env>/...`), read as a parameter or a dynamic reference. */
function librarySsmEnvironment(value: Resolved): { environment: string; name: string } | undefined {
  let name: string | undefined;
  if (value.kind === 'unknown' && value.ssmParameter) name = value.ssmParameter;
  if (value.kind === 'literal' && typeof value.value === 'string') name = /^\{\{resolve:ssm:([^:}]+)/.exec(value.value)?.[1];
  const env = name ? /^\/black-hole\/([^/]+)\//.exec(name)?.[1] : undefined;
  return env && name ? { environment: env, name } : undefined;
}

/** Why a subnet value cannot be placed, for messages. */
function describeUnplaced(value: Resolved): string {
  if (value.kind === 'unknown') return `unresolvable (${value.reason})`;
  if (value.kind === 'literal')
    return value.parameters
      ? `parameter ${value.parameters.join(', ')} (any subnet at deploy time)`
      : `${String(value.value)}, a subnet the app does not define`;
  if (value.kind === 'ref' || value.kind === 'getatt') return `${value.logicalId}, a ${value.resourceType} and not a subnet`;
  return `a ${value.kind}`;
}

/**
 * Environment compute whose template switches off what containment relies on: the responder stops
 * instances (DisableApiStop refuses StopInstances), and the kill switches scale groups in (scale-in
 * protection and suspended Terminate/ReplaceUnhealthy/HealthCheck processes keep instances running).
 */
export interface ContainmentBlocker {
  readonly resource: ModelResource;
  readonly environment: string;
  /** Set when the compute only possibly runs in the environment: why. */
  readonly possible?: string;
  readonly detail: string;
}

/** Auto Scaling processes whose suspension keeps instances alive through a scale-in or a stop. */
const CONTAINMENT_PROCESSES = ['terminate', 'replaceunhealthy', 'healthcheck'];

/** One sentence for a reason, e.g. "assumable from role S/Agent (granted by statement 0 of policy P on Agent)". */
export function describeReachReason(r: ReachReason): string {
  const grants = (g: readonly StatementRef[]) =>
    g.length
      ? ` (granted by ${g.map((s) => `statement ${s.statementIndex}${s.sid ? ` (Sid ${s.sid})` : ''} of policy ${s.policyName} on ${s.resource}`).join('; ')})`
      : '';
  switch (r.kind) {
    case 'agent-role-tag':
      return `tagged ${AGENT_ROLE_TAG}=${AGENT_ROLE_TAG_VALUE}`;
    case 'compute':
      return `credentials of ${r.compute.type} ${r.compute.stack}/${r.compute.logicalId} via ${r.via}, ${r.possible ? `possibly in environment ${r.environment} (${r.possible})` : `in environment ${r.environment}${r.subnet ? ` (subnet ${r.subnet})` : ' (by its tag)'}`}`;
    case 'sagemaker-role-tag':
      return `trusted by sagemaker.amazonaws.com and tagged with environment ${r.environment}`;
    case 'assumable':
      return `assumable from role ${r.from.stack}/${r.from.logicalId}: its trust policy admits ${r.trustedAs}${grants(r.grants)}`;
    case 'passable':
      return `passable to new compute by role ${r.from.stack}/${r.from.logicalId}${grants(r.grants)}`;
  }
}

/** Raw values at a dotted path (`a.b[].c`). */
function at(props: Readonly<Record<string, unknown>>, path: string): unknown[] {
  let current: unknown[] = [props];
  for (const part of path.split('.')) {
    const list = part.endsWith('[]');
    const key = list ? part.slice(0, -2) : part;
    const next: unknown[] = [];
    for (const c of current) {
      if (typeof c !== 'object' || c === null || Array.isArray(c)) continue;
      const v = (c as Record<string, unknown>)[key];
      if (v === undefined) continue;
      if (list && Array.isArray(v)) next.push(...v);
      else next.push(v);
    }
    current = next;
  }
  return current;
}

const cache = new WeakMap<TemplateModel, IdentityReachability>();

/** Reachable principals of a model (cached per model). */
export class IdentityReachability {
  public static of(model: TemplateModel): IdentityReachability {
    let r = cache.get(model);
    if (!r) cache.set(model, (r = new IdentityReachability(model)));
    return r;
  }

  /** Reachable principals, in discovery order (seeds first). */
  public readonly principals: readonly ReachablePrincipal[];
  /** Compute in an environment whose role could not be identified. */
  public readonly unresolved: readonly UnresolvedCompute[];
  /** SageMaker execution roles not counted as agent compute (see {@link IsolatedExecutionRole}); still reachable if an agent may pass or assume them. */
  public readonly isolatedExecutionRoles: readonly IsolatedExecutionRole[];
  private readonly isolatedList: IsolatedExecutionRole[] = [];
  private readonly byRole = new Map<ModelResource, { environments: string[]; reasons: ReachReason[] }>();
  private readonly permissions: PermissionAnalysis;
  private readonly unresolvedList: UnresolvedCompute[] = [];
  private blockers?: ContainmentBlocker[];
  /** Set while seeding: where a Lambda network connector puts every function. */
  private connectorPlacement?: Placement;
  /** Roles that may pass some role (isolatedLaunchersOf), found on first use. */
  private rolePassers?: readonly ModelResource[];

  private constructor(private readonly model: TemplateModel) {
    this.permissions = PermissionAnalysis.of(model);
    this.seedTaggedRoles();
    this.seedCompute();
    this.closeTransitively();
    this.principals = [...this.byRole].map(([role, v]) => ({
      stack: role.stack.name,
      logicalId: role.logicalId,
      ...(v.environments[0] !== undefined ? { environment: v.environments[0] } : {}),
      environments: v.environments,
      reasons: v.reasons,
      permissions: this.permissions.principalOf(role),
      ...runtimePathOf(role),
    }));
    this.unresolved = this.unresolvedList;
    // Reached anyway (an agent may pass or assume it): not an exemption after all.
    this.isolatedExecutionRoles = this.isolatedList.filter((x) => !this.get(x.stack, x.logicalId));
  }

  /** Environment compute whose template disables containment (see {@link ContainmentBlocker}). */
  public get containmentBlockers(): readonly ContainmentBlocker[] {
    return (this.blockers ??= this.findContainmentBlockers());
  }

  private findContainmentBlockers(): ContainmentBlocker[] {
    const out: ContainmentBlocker[] = [];
    const mayBeTrue = (r: ModelResource, raw: unknown) => raw !== undefined && mayBe(this.model.possibleValues(r.stack, raw), (v) => literalEquals(v, 'true'));
    const push = (resource: ModelResource, place: Placement | undefined, detail: string) => {
      if (place) out.push({ resource, environment: place.environment, ...(place.possible ? { possible: place.possible } : {}), detail });
    };
    const ltUsers = this.launchTemplateUsers();
    for (const i of this.model.resourcesOfType('AWS::EC2::Instance')) {
      if (mayBeTrue(i, i.properties.DisableApiStop))
        push(i, this.placement(i), 'DisableApiStop may be true: the containment responder cannot stop the instance');
    }
    for (const lt of this.model.resourcesOfType('AWS::EC2::LaunchTemplate')) {
      const data = lt.properties.LaunchTemplateData;
      const raw = typeof data === 'object' && data !== null ? (data as Record<string, unknown>).DisableApiStop : undefined;
      if (!mayBeTrue(lt, raw)) continue;
      let place = this.placement(lt);
      for (const u of ltUsers.get(lt) ?? []) {
        const p = this.placement(u.user, u.subnets);
        if (p && (!place || p.subnet)) place = p;
      }
      push(lt, place, 'LaunchTemplateData.DisableApiStop may be true: the containment responder cannot stop its instances');
    }
    for (const g of this.model.resourcesOfType('AWS::AutoScaling::AutoScalingGroup')) {
      const values = at(g.properties, 'VPCZoneIdentifier').flatMap((raw) =>
        this.flatten(g.stack.resolve(raw)).map((value) => ({ value, from: 'VPCZoneIdentifier' })),
      );
      const place = this.placeOf(g, values, false);
      if (mayBeTrue(g, g.properties.NewInstancesProtectedFromScaleIn)) {
        push(g, place, 'NewInstancesProtectedFromScaleIn may be true: scaling the group in (the kill switches) leaves its instances running');
      }
      const raw = g.stack.template.Resources as Record<string, Record<string, unknown>>;
      const update = raw[g.logicalId]?.UpdatePolicy as Record<string, unknown> | undefined;
      const rolling = update && typeof update === 'object' ? (update.AutoScalingRollingUpdate as Record<string, unknown> | undefined) : undefined;
      if (rolling && typeof rolling === 'object' && rolling.SuspendProcesses !== undefined) {
        const suspended = g.stack.resolve(rolling.SuspendProcesses);
        const items = suspended.kind === 'array' ? suspended.items.flatMap((i) => possibilities(i)) : possibilities(suspended);
        const hit = items.filter(
          (i) => !(i.kind === 'literal' && typeof i.value === 'string' && !i.parameters && !CONTAINMENT_PROCESSES.includes(i.value.toLowerCase())),
        );
        if (hit.length > 0) {
          push(
            g,
            place,
            `UpdatePolicy suspends ${hit.map((i) => (i.kind === 'literal' ? String(i.value) : 'an unresolvable process')).join(', ')}: during an update the group neither terminates nor replaces instances`,
          );
        }
      }
    }
    return out;
  }

  /** The reachable principal for a role, if reachable. */
  public get(stack: StackModel | string, logicalId: string): ReachablePrincipal | undefined {
    const name = typeof stack === 'string' ? stack : stack.name;
    return this.principals.find((p) => p.stack === name && p.logicalId === logicalId);
  }

  private add(role: ModelResource, reason: ReachReason, environment: string | undefined): boolean {
    let entry = this.byRole.get(role);
    const isNew = !entry;
    if (!entry) this.byRole.set(role, (entry = { environments: [], reasons: [] }));
    if (!entry.reasons.some((r) => JSON.stringify(r) === JSON.stringify(reason))) entry.reasons.push(reason);
    if (environment !== undefined && !entry.environments.includes(environment)) entry.environments.push(environment);
    return isNew;
  }

  private seedTaggedRoles(): void {
    for (const role of this.model.resourcesOfType('AWS::IAM::Role')) {
      const tags = role.tags;
      const env = tags.get(ENVIRONMENT_TAG);
      if (tags.has(AGENT_ROLE_TAG)) {
        const v = tags.get(AGENT_ROLE_TAG);
        // An unresolvable tag value might be "true".
        if (v === undefined || v.toLowerCase() === AGENT_ROLE_TAG_VALUE) this.add(role, { kind: 'agent-role-tag' }, env);
      }
      if (env !== undefined && this.permissions.principalOf(role).trust.services.some((s) => /^sagemaker\./i.test(s))) {
        const launchers = this.isolatedLaunchersOf(role);
        if (launchers) {
          this.isolatedList.push({ stack: role.stack.name, logicalId: role.logicalId, environment: env, launchers });
          continue;
        }
        this.add(role, { kind: 'sagemaker-role-tag', environment: env }, env);
      }
    }
  }

  /**
   * Where a compute resource runs: an environment subnet (certain); the library's own subnet SSM
   * parameter `/black-hole/<env>/...` (that environment); a subnet value the gate cannot place (a
   * literal subnet id, a parameter, an import: possibly an environment's, when the app has one);
   * else its environment tag. A resource whose form runs outside any VPC unless a subnet property is
   * set (a Lambda without VpcConfig) and has none is not placed.
   */
  private placement(r: ModelResource, extraSubnets: readonly SubnetValue[] = []): Placement | undefined {
    const form = COMPUTE_FORMS[r.type];
    const values = [...(form?.subnets ?? []).flatMap((src) => this.subnetValues(r, src)), ...extraSubnets];
    return this.placeOf(
      r,
      values,
      form?.vpcOptional === true,
      this.connectorPlacement && r.type === 'AWS::Lambda::Function' ? this.connectorPlacement : undefined,
    );
  }

  /** The subnet values a subnet source of a resource gives (each resolved and flattened). */
  private subnetValues(r: ModelResource, src: SubnetSource): SubnetValue[] {
    const out: SubnetValue[] = [];
    if (typeof src === 'string') {
      for (const raw of at(r.properties, src)) out.push(...this.flatten(r.stack.resolve(raw)).map((value) => ({ value, from: src })));
      return out;
    }
    for (const raw of at(r.properties, src.via)) {
      const named = this.model.resourcesNamedBy(r.stack, raw, src.types, src.nameProperties ?? []);
      for (const target of named.resources) {
        for (const p of src.subnets) {
          for (const v of at(target.properties, p)) {
            out.push(...this.flatten(target.stack.resolve(v)).map((value) => ({ value, from: `${src.via} -> ${target.type} ${target.logicalId}.${p}` })));
          }
        }
      }
      for (const reason of named.unresolved) out.push({ value: unknown(reason), from: src.via });
    }
    return out;
  }

  private placeOf(r: ModelResource, values: readonly SubnetValue[], vpcOptional: boolean, fallback?: Placement): Placement | undefined {
    let possible: string | undefined;
    for (const { value, from } of values) {
      if (value.kind === 'novalue') continue;
      const p = this.model.environments.subnetPlacementOf(value);
      if (p.subnet) {
        if (p.environment !== undefined)
          return { environment: p.environment, environments: [p.environment], subnet: `${p.subnet.stack.name}/${p.subnet.logicalId}` };
        continue; // a subnet of another VPC of the app
      }
      const ssm = librarySsmEnvironment(value);
      if (ssm) return { environment: ssm.environment, environments: [ssm.environment], subnet: `SSM parameter ${ssm.name}` };
      possible ??= `${from} is ${describeUnplaced(value)}`;
    }
    const tag = r.tags.get(ENVIRONMENT_TAG);
    const names = this.model.environments.names();
    if (possible !== undefined && (tag !== undefined || names.length > 0)) {
      return { environment: tag ?? names[0], environments: tag !== undefined ? [tag] : names, possible };
    }
    if (fallback) return fallback;
    if (vpcOptional && values.length === 0) return undefined;
    return tag !== undefined ? { environment: tag, environments: [tag] } : undefined;
  }

  /** A resolved value as a list of items: arrays (also Ref to list parameters) and alternatives are split. */
  private flatten(r: Resolved, depth = 0): Resolved[] {
    if (depth > 8) return [unknown('subnet list nested too deeply')];
    if (r.kind === 'array') return r.items.flatMap((i) => this.flatten(i, depth + 1));
    if (r.kind === 'choice') return r.options.flatMap((o) => this.flatten(o, depth + 1));
    return [r];
  }

  private reasonFor(compute: ModelResource, via: string, place: Placement): ReachReason {
    return {
      kind: 'compute',
      compute: { stack: compute.stack.name, logicalId: compute.logicalId, type: compute.type },
      via,
      environment: place.environment,
      ...(place.subnet ? { subnet: place.subnet } : {}),
      ...(place.possible ? { possible: place.possible } : {}),
    };
  }

  private addCompute(role: ModelResource, reason: ReachReason, place: Placement): void {
    this.add(role, reason, place.environment);
    for (const e of place.environments) this.add(role, reason, e);
  }

  private unresolvedAt(compute: ModelResource, place: Placement, reason: string): void {
    this.unresolvedList.push({
      stack: compute.stack.name,
      logicalId: compute.logicalId,
      type: compute.type,
      environment: place.environment,
      reason,
      ...(place.possible ? { possible: place.possible } : {}),
    });
  }

  /** Roles of a compute resource's role and instance-profile properties, for a placement. */
  private seedRolesOf(r: ModelResource, place: Placement, via: string, rolePaths: readonly string[], profilePaths: readonly string[]): void {
    for (const path of rolePaths) {
      for (const raw of at(r.properties, path)) {
        const found = this.rolesFromValue(r.stack, raw);
        if (found === undefined) {
          this.unresolvedAt(r, place, `${path} cannot be resolved to a role of the app`);
          continue;
        }
        for (const role of found) this.addCompute(role, this.reasonFor(r, `${path}${via}`, place), place);
      }
    }
    for (const path of profilePaths) {
      for (const raw of at(r.properties, path)) {
        const named = this.model.resourcesNamedBy(r.stack, raw, ['AWS::IAM::InstanceProfile'], ['InstanceProfileName']);
        for (const reason of named.unresolved) this.unresolvedAt(r, place, `${path} cannot be resolved to an instance profile of the app (${reason})`);
        for (const profile of named.resources) {
          const rolesValue = profile.stack.resolve(profile.properties.Roles);
          const items = rolesValue.kind === 'array' ? rolesValue.items : [rolesValue];
          for (const item of items.flatMap((i) => possibilities(i))) {
            if (item.kind === 'novalue') continue;
            const n = this.permissions.rolesNamed(item);
            if (n === 'any' || n.roles.length === 0) {
              this.unresolvedAt(r, place, `a role of instance profile ${profile.logicalId} cannot be identified`);
              continue;
            }
            for (const role of n.roles)
              this.addCompute(role, this.reasonFor(r, `instance profile ${profile.stack.name}/${profile.logicalId}${via}`, place), place);
          }
        }
      }
    }
  }

  private seedCompute(): void {
    this.connectorPlacement = this.networkConnectorPlacement();
    const ltUsers = this.launchTemplateUsers();
    for (const [type, form] of Object.entries(COMPUTE_FORMS)) {
      for (const r of this.model.resourcesOfType(type)) {
        const users = ltUsers.get(r) ?? [];
        let place = this.placement(r);
        let via = '';
        if (!place || (place.subnet === undefined && users.length)) {
          // A launch template or configuration runs where the instances, groups and fleets that use it run.
          for (const u of users) {
            const p = this.placement(u.user, u.subnets);
            if (p && (!place || p.subnet || (place.possible === undefined && p.possible === undefined))) {
              place = p;
              via = ` used by ${u.user.type} ${u.user.stack.name}/${u.user.logicalId}`;
              if (p.subnet) break;
            }
          }
        }
        if (!place) continue;
        this.seedRolesOf(r, place, via, form.roles ?? [], form.profiles ?? []);
      }
    }
    this.seedLaunchers();
    this.seedBatch();
  }

  /** A Lambda network connector with environment (or unresolvable) subnets places every function there. */
  private networkConnectorPlacement(): Placement | undefined {
    for (const c of this.model.resourcesOfType('AWS::Lambda::NetworkConnector')) {
      const values = at(c.properties, 'Configuration.VpcEgressConfiguration.SubnetIds').flatMap((raw) =>
        this.flatten(c.stack.resolve(raw)).map((value) => ({ value, from: 'Configuration.VpcEgressConfiguration.SubnetIds' })),
      );
      const p = this.placeOf(c, values, true);
      if (p)
        return { ...p, possible: `${p.possible ? `${p.possible}; ` : ''}Lambda network connector ${c.stack.name}/${c.logicalId} gives functions egress there` };
    }
    return undefined;
  }

  /**
   * ECS tasks however launched (services, task sets, EventBridge rules, EventBridge Scheduler,
   * Pipes) run their task definition's task role where the launcher puts them. A task definition
   * the gate cannot find (named from outside the app) on environment compute is unresolved.
   */
  private seedLaunchers(): void {
    const launchers: { type: string; tasks: string; subnets: string; roles?: string }[] = [
      { type: 'AWS::ECS::Service', tasks: 'TaskDefinition', subnets: 'NetworkConfiguration.AwsvpcConfiguration.Subnets' },
      { type: 'AWS::ECS::TaskSet', tasks: 'TaskDefinition', subnets: 'NetworkConfiguration.AwsVpcConfiguration.Subnets' },
      {
        type: 'AWS::Events::Rule',
        tasks: 'Targets[].EcsParameters.TaskDefinitionArn',
        subnets: 'Targets[].EcsParameters.NetworkConfiguration.AwsVpcConfiguration.Subnets',
      },
      {
        type: 'AWS::Scheduler::Schedule',
        tasks: 'Target.EcsParameters.TaskDefinitionArn',
        subnets: 'Target.EcsParameters.NetworkConfiguration.AwsvpcConfiguration.Subnets',
      },
      {
        type: 'AWS::Pipes::Pipe',
        tasks: 'TargetParameters.EcsTaskParameters.TaskDefinitionArn',
        subnets: 'TargetParameters.EcsTaskParameters.NetworkConfiguration.AwsvpcConfiguration.Subnets',
        roles: 'TargetParameters.EcsTaskParameters.Overrides.TaskRoleArn',
      },
    ];
    const family = (v: string) => v.slice(v.lastIndexOf('/') + 1).replace(/:\d+$/, '');
    for (const l of launchers) {
      for (const launcher of this.model.resourcesOfType(l.type)) {
        const taskRaws = at(launcher.properties, l.tasks);
        if (taskRaws.length === 0) continue;
        const values = at(launcher.properties, l.subnets).flatMap((raw) =>
          this.flatten(launcher.stack.resolve(raw)).map((value) => ({ value, from: l.subnets })),
        );
        const place = this.placeOf(launcher, values, false);
        if (!place) continue;
        const via = `, run by ${launcher.type} ${launcher.stack.name}/${launcher.logicalId}`;
        for (const raw of taskRaws) {
          const named = this.model.resourcesNamedBy(launcher.stack, raw, ['AWS::ECS::TaskDefinition'], ['Family'], family);
          for (const reason of named.unresolved)
            this.unresolvedAt(launcher, place, `${l.tasks} cannot be resolved to a task definition of the app (${reason})`);
          for (const td of named.resources) {
            for (const r of at(td.properties, 'TaskRoleArn')) {
              const found = this.rolesFromValue(td.stack, r);
              if (found === undefined) this.unresolvedAt(td, place, `TaskRoleArn cannot be resolved to a role of the app${via}`);
              for (const role of found ?? []) this.addCompute(role, this.reasonFor(td, `TaskRoleArn${via}`, place), place);
            }
          }
        }
        if (l.roles) this.seedRolesOf(launcher, place, '', [l.roles], []);
      }
    }
  }

  /** Any job definition can be submitted to any queue: with Batch compute in an environment, every job role is reachable. */
  private seedBatch(): void {
    const envCompute = this.model
      .resourcesOfType('AWS::Batch::ComputeEnvironment')
      .map((c) => ({ c, p: this.placement(c) }))
      .find((x) => x.p);
    if (!envCompute || !envCompute.p) return;
    const via = `, may run on Batch compute environment ${envCompute.c.stack.name}/${envCompute.c.logicalId}`;
    for (const jd of this.model.resourcesOfType('AWS::Batch::JobDefinition')) {
      this.seedRolesOf(jd, envCompute.p, via, COMPUTE_FORMS['AWS::Batch::JobDefinition'].roles ?? [], []);
    }
  }

  /** Launch templates and configurations -> the instances, groups and fleets that use them (with those users' subnets). */
  private launchTemplateUsers(): Map<ModelResource, { user: ModelResource; subnets: SubnetValue[] }[]> {
    const out = new Map<ModelResource, { user: ModelResource; subnets: SubnetValue[] }[]>();
    const types = ['AWS::EC2::LaunchTemplate', 'AWS::AutoScaling::LaunchConfiguration'];
    const link = (user: ModelResource, path: string, subnetPaths: string[]) => {
      for (const raw of at(user.properties, path)) {
        const subnets = subnetPaths.flatMap((p) =>
          at(user.properties, p).flatMap((v) => this.flatten(user.stack.resolve(v)).map((value) => ({ value, from: p }))),
        );
        const named = this.model.resourcesNamedBy(user.stack, raw, types, ['LaunchTemplateName', 'LaunchConfigurationName']);
        for (const lt of named.resources) {
          let list = out.get(lt);
          if (!list) out.set(lt, (list = []));
          list.push({ user, subnets });
        }
        if (named.unresolved.length > 0) {
          // The instances' role is in a launch template the gate cannot see.
          const place = this.placement(user, subnets);
          if (place) this.unresolvedAt(user, place, `${path} names a launch template or configuration outside the app (${named.unresolved.join('; ')})`);
        }
      }
    };
    const ltPaths = (prefix: string) => [`${prefix}.LaunchTemplateId`, `${prefix}.LaunchTemplateName`];
    for (const asg of this.model.resourcesOfType('AWS::AutoScaling::AutoScalingGroup')) {
      for (const p of [
        ...ltPaths('LaunchTemplate'),
        ...ltPaths('MixedInstancesPolicy.LaunchTemplate.LaunchTemplateSpecification'),
        // Per-instance-type overrides launch their own template.
        ...ltPaths('MixedInstancesPolicy.LaunchTemplate.Overrides[].LaunchTemplateSpecification'),
        'LaunchConfigurationName',
      ])
        link(asg, p, ['VPCZoneIdentifier']);
    }
    for (const i of this.model.resourcesOfType('AWS::EC2::Instance')) {
      for (const p of ltPaths('LaunchTemplate')) link(i, p, ['SubnetId', 'NetworkInterfaces[].SubnetId']);
    }
    for (const f of this.model.resourcesOfType('AWS::EC2::SpotFleet')) {
      for (const p of ltPaths('SpotFleetRequestConfigData.LaunchTemplateConfigs[].LaunchTemplateSpecification'))
        link(f, p, ['SpotFleetRequestConfigData.LaunchTemplateConfigs[].Overrides[].SubnetId']);
    }
    for (const f of this.model.resourcesOfType('AWS::EC2::EC2Fleet')) {
      for (const p of ltPaths('LaunchTemplateConfigs[].LaunchTemplateSpecification')) link(f, p, ['LaunchTemplateConfigs[].Overrides[].SubnetId']);
    }
    for (const c of this.model.resourcesOfType('AWS::Batch::ComputeEnvironment')) {
      for (const p of [...ltPaths('ComputeResources.LaunchTemplate'), ...ltPaths('ComputeResources.LaunchTemplate.Overrides[]')])
        link(c, p, ['ComputeResources.Subnets']);
    }
    for (const g of this.model.resourcesOfType('AWS::GameLift::GameServerGroup')) {
      for (const p of ltPaths('LaunchTemplate')) link(g, p, ['VpcSubnets']);
    }
    for (const n of this.model.resourcesOfType('AWS::EKS::Nodegroup')) {
      for (const p of ['LaunchTemplate.Id', 'LaunchTemplate.Name']) link(n, p, ['Subnets']);
    }
    return out;
  }

  /** Roles a RoleArn/Role value names, in every alternative; undefined when one cannot be identified. */
  private rolesFromValue(stack: StackModel, raw: unknown): ModelResource[] | undefined {
    const v = stack.resolve(raw);
    const out: ModelResource[] = [];
    for (const o of possibilities(v)) {
      if (o.kind === 'novalue') continue;
      if (o.kind === 'literal' && typeof o.value === 'string' && !o.placeholders) {
        // A literal ARN `arn:aws:iam::123:role/path/name` or a name; a parameter's Default may be overridden.
        if (o.parameters) return undefined;
        const name = o.value.startsWith('arn:') ? o.value.slice(o.value.lastIndexOf('/') + 1) : o.value;
        const named = this.permissions.rolesNamed({ kind: 'literal', value: name });
        if (named === 'any' || named.roles.length === 0) return undefined;
        out.push(...named.roles);
        continue;
      }
      const named = this.permissions.rolesNamed(o);
      if (named === 'any' || named.roles.length === 0) return undefined;
      out.push(...named.roles);
    }
    return out;
  }
  /**
   * The launchers of a SageMaker execution role when it is used only for network-isolated training
   * jobs in environment subnets; undefined otherwise (then it is agent compute). Fail closed:
   * - it trusts only SageMaker (no AWS or federated principal, nothing unresolvable) and is no agent role;
   * - no compute resource of the app uses it (nor one whose role cannot be identified), and no
   *   AWS::SageMaker::* resource refers to it;
   * - the app has no IAM users or groups (their policies are not analysed here);
   * - at least one role may pass it, and each role that may pass it may start SageMaker compute only
   *   with sagemaker:CreateTrainingJob, every Allow of which requires `Bool sagemaker:NetworkIsolation
   *   true`, `Null sagemaker:VpcSubnets false` and `ForAllValues:StringEquals|StringLike
   *   sagemaker:VpcSubnets` naming only environment subnets. Any other SageMaker write (CreateProcessingJob,
   *   CreateNotebookInstance, CreateModel, CreateEndpointConfig, CreatePipeline, Update*...) disqualifies.
   * Conditions the gate cannot read (unverifiable policies, Fn::If, imports) disqualify.
   */
  private isolatedLaunchersOf(role: ModelResource): string[] | undefined {
    const t = this.permissions.principalOf(role);
    if (t.trust.unknown || t.trust.aws.length > 0 || t.trust.federated.length > 0) return undefined;
    if (!t.trust.services.every((svc) => /^sagemaker\.amazonaws\.com(\.cn)?$/i.test(svc))) return undefined;
    if (role.tags.has(AGENT_ROLE_TAG)) return undefined;
    if (IAM_UNANALYSED_PRINCIPAL_TYPES.some((type) => this.model.resourcesOfType(type).length > 0)) return undefined;
    if (this.usedByCompute(role)) return undefined;
    const launchers: string[] = [];
    // Only roles that may pass some role may pass this one (a targeted answer never allows what the
    // untargeted one denies): found once, then asked per execution role.
    this.rolePassers ??= this.model.resourcesOfType('AWS::IAM::Role').filter((r) => this.permissions.principalOf(r).mayAllow('iam:PassRole').allowed);
    for (const passer of this.rolePassers) {
      if (passer === role) continue;
      const p = this.permissions.principalOf(passer);
      if (!p.mayAllow('iam:PassRole', t.asTarget()).allowed) continue;
      for (const action of sageMakerComputeActions()) {
        const r = p.mayAllow(action);
        if (!r.allowed) continue;
        if (action.toLowerCase() !== 'sagemaker:createtrainingjob') return undefined;
        if (r.unverifiable.length > 0 || r.grants.length === 0) return undefined;
        for (const g of r.grants) {
          const statement = this.rawStatement(g);
          if (!statement || !this.requiresIsolatedPlacement(statement.condition)) return undefined;
        }
      }
      launchers.push(`${passer.stack.name}/${passer.logicalId}`);
    }
    // Nobody in the app may pass it: it is exempt only if its trust policy itself confines it to
    // training jobs (aws:SourceArn training-job ARNs), as SageMakerExecutionRole's does; a bare
    // SageMaker trust could serve notebooks, processing jobs or endpoints started from outside.
    if (launchers.length === 0 && !trustConfinedToTrainingJobs(role)) return undefined;
    return launchers;
  }

  /** Some compute resource of the app runs with the role, or with a role the gate cannot identify. */
  private usedByCompute(role: ModelResource): boolean {
    const rolePaths: [string, readonly string[]][] = [
      ...Object.entries(COMPUTE_FORMS).map(([type, form]): [string, readonly string[]] => [type, form.roles ?? []]),
      ['AWS::Pipes::Pipe', ['TargetParameters.EcsTaskParameters.Overrides.TaskRoleArn']],
    ];
    for (const [type, paths] of rolePaths) {
      for (const r of this.model.resourcesOfType(type)) {
        for (const path of paths) {
          for (const raw of at(r.properties, path)) {
            const found = this.rolesFromValue(r.stack, raw);
            if (found === undefined || found.includes(role)) return true;
          }
        }
      }
    }
    // SageMaker resources the table above does not list (e.g. AWS::SageMaker::Space, future types):
    // any mention of the role (Ref, GetAtt, Sub) in the same stack counts as a use.
    const id = role.logicalId;
    for (const r of role.stack.resources.values()) {
      if (!r.type.startsWith('AWS::SageMaker::') || COMPUTE_FORMS[r.type]) continue;
      const text = JSON.stringify(r.properties);
      if (text.includes(`"${id}"`) || text.includes(`\${${id}}`) || text.includes(`\${${id}.`)) return true;
    }
    return false;
  }

  /** The Condition of the statement a grant names, with its stack; undefined when it cannot be read. */
  private rawStatement(ref: StatementRef): { condition: Resolved } | undefined {
    const stack = this.model.stack(ref.stack);
    if (!stack) return undefined;
    let doc: Resolved | undefined;
    if (ref.source === 'inline') {
      const role = stack.resource(ref.resource);
      const policies = role ? stack.resolve(role.properties.Policies) : undefined;
      if (!policies || policies.kind !== 'array') return undefined;
      const matches = policies.items.filter(
        (p) => p.kind === 'object' && p.entries.PolicyName?.kind === 'literal' && p.entries.PolicyName.value === ref.policyName,
      );
      if (matches.length !== 1 || matches[0].kind !== 'object') return undefined;
      doc = matches[0].entries.PolicyDocument;
    } else if (ref.source === 'AWS::IAM::Policy' || ref.source === 'AWS::IAM::ManagedPolicy' || ref.source === 'AWS::IAM::RolePolicy') {
      const policy = stack.resource(ref.resource);
      doc = policy ? stack.resolve(policy.properties.PolicyDocument) : undefined;
    } else if (ref.source === 'aws-managed' && ref.managedPolicyArn) {
      const found = lookupAwsManagedPolicy(ref.managedPolicyArn);
      doc = found.found ? stack.resolve(found.document) : undefined;
    }
    if (doc && doc.kind === 'literal' && typeof doc.value === 'string' && !doc.placeholders) {
      try {
        doc = stack.resolve(JSON.parse(doc.value));
      } catch {
        return undefined;
      }
    }
    if (!doc || doc.kind !== 'object') return undefined;
    // The same flattening as compileResolvedDocument (nested arrays, no-values skipped), so that the
    // index names the same statement; alternatives (Fn::If) are not followed: fail closed.
    const flat: Resolved[] = [];
    let alternatives = false;
    const collect = (r: Resolved, depth: number): void => {
      if (depth > 8 || r.kind === 'choice') alternatives = true;
      else if (r.kind === 'array') r.items.forEach((i) => collect(i, depth + 1));
      else if (r.kind !== 'novalue') flat.push(r);
    };
    if (doc.entries.Statement) collect(doc.entries.Statement, 0);
    if (alternatives) return undefined;
    const statement = flat[ref.statementIndex];
    if (!statement || statement.kind !== 'object') return undefined;
    return { condition: statement.entries.Condition ?? { kind: 'novalue' } };
  }

  /** The Condition requires network isolation and a VpcConfig whose subnets are all environment subnets. */
  private requiresIsolatedPlacement(condition: Resolved): boolean {
    if (condition.kind !== 'object') return false;
    const block = (operator: string, key: string): Resolved | undefined => {
      const b = condition.entries[operator];
      if (!b || b.kind !== 'object') return undefined;
      const k = Object.keys(b.entries).find((x) => x.toLowerCase() === key.toLowerCase());
      return k ? b.entries[k] : undefined;
    };
    const literals = (v: Resolved | undefined): string[] | undefined => {
      if (!v) return undefined;
      const items = v.kind === 'array' ? v.items : [v];
      const out: string[] = [];
      for (const i of items) {
        if (i.kind !== 'literal' || i.placeholders || i.value === null) return undefined;
        out.push(String(i.value).toLowerCase());
      }
      return out.length > 0 ? out : undefined;
    };
    // Bool, not BoolIfExists: a request without EnableNetworkIsolation must not match.
    const isolation = literals(block('Bool', 'sagemaker:NetworkIsolation'));
    if (!isolation || !isolation.every((x) => x === 'true')) return false;
    // ForAllValues holds for an absent key: the Null check makes the VpcConfig mandatory.
    const present = literals(block('Null', 'sagemaker:VpcSubnets'));
    if (!present || !present.every((x) => x === 'false')) return false;
    const subnets = block('ForAllValues:StringEquals', 'sagemaker:VpcSubnets') ?? block('ForAllValues:StringLike', 'sagemaker:VpcSubnets');
    if (!subnets) return false;
    const items = subnets.kind === 'array' ? subnets.items : [subnets];
    if (items.length === 0) return false;
    return items.every((i) => i.kind !== 'choice' && this.model.environments.subnetPlacementOf(i).environment !== undefined);
  }

  private closeTransitively(): void {
    const roles = this.model.resourcesOfType('AWS::IAM::Role');
    const queue = [...this.byRole.keys()];
    while (queue.length) {
      const from = queue.shift()!;
      const p = this.permissions.principalOf(from);
      const envs = this.byRole.get(from)!.environments;
      const fromRef = { stack: from.stack.name, logicalId: from.logicalId };
      const mayAssume = p.mayAllow('sts:AssumeRole').allowed;
      const mayPass = p.mayAllow('iam:PassRole').allowed;
      for (const target of roles) {
        if (target === from) continue;
        const t = this.permissions.principalOf(target);
        let added = false;
        const admitted = trustAdmits(t, p);
        if (admitted) {
          let grants: readonly StatementRef[] = [];
          let ok = admitted.direct;
          if (!ok && mayAssume) {
            const r = p.mayAllow('sts:AssumeRole', t.asTarget());
            ok = r.allowed;
            grants = r.grants;
          }
          if (ok) added = this.add(target, { kind: 'assumable', from: fromRef, grants, trustedAs: admitted.as }, envs[0]) || added;
        }
        if (mayPass && (t.trust.services.length > 0 || t.trust.unknown)) {
          const r = p.mayAllow('iam:PassRole', t.asTarget());
          if (r.allowed) added = this.add(target, { kind: 'passable', from: fromRef, grants: r.grants }, envs[0]) || added;
        }
        for (const e of envs) {
          const entry = this.byRole.get(target);
          if (
            entry &&
            !entry.environments.includes(e) &&
            (added ||
              entry.reasons.some(
                (x) => (x.kind === 'assumable' || x.kind === 'passable') && x.from.logicalId === from.logicalId && x.from.stack === from.stack.name,
              ))
          ) {
            entry.environments.push(e);
          }
        }
        if (added) queue.push(target);
      }
    }
  }
}

/** Could the target's trust policy admit the caller? `direct`: it names the caller (or `*`), so no identity grant is needed. */
function trustAdmits(target: PrincipalPermissions, caller: PrincipalPermissions): { direct: boolean; as: string } | undefined {
  if (target.trust.unknown) return { direct: false, as: 'an unresolvable principal' };
  let account: string | undefined;
  for (const a of target.trust.aws) {
    if (a.text === '*') return { direct: true, as: '*' };
    if (a.ref) {
      if (a.ref.stack === caller.stack && a.ref.logicalId === caller.logicalId) return { direct: true, as: `role ${caller.logicalId}` };
      continue;
    }
    const text = a.text;
    if (/^\d{12}$/.test(text) || /^\$\{AWS::AccountId\}$/.test(text) || /:root$/.test(text)) {
      account ??= text;
      continue;
    }
    const glob = placeholdersToWildcards(text);
    if (/^arn:[^:]*:(iam|sts)::/i.test(text) && /:(role|assumed-role)\//i.test(text)) {
      const roleGlob = glob.replace(/:assumed-role\/([^/]*)\/.*$/i, ':role/*$1');
      if (resourcePatternsMayIntersect(roleGlob.replace(/:sts::/i, ':iam::'), caller.arnGlob)) return { direct: true, as: text };
      continue;
    }
    if (/[*?]/.test(glob)) account ??= text; // a wildcard principal pattern: could be anyone
  }
  return account !== undefined ? { direct: false, as: `account ${account}` } : undefined;
}

/** Principal types whose policies the permission analysis does not read: their presence voids the execution-role exemption. */
const IAM_UNANALYSED_PRINCIPAL_TYPES: readonly string[] = [
  'AWS::IAM::User',
  'AWS::IAM::Group',
  'AWS::IAM::UserPolicy',
  'AWS::IAM::GroupPolicy',
  'AWS::SSO::PermissionSet',
];

let sageMakerComputeActionList: readonly string[] | undefined;

/**
 * SageMaker actions that may start or change compute running with a passed role: every Write or
 * Permissions management action except Stop*, Delete* and tagging. Deliberately broad (sound):
 * CreateTrainingJob is the only one a launcher of isolated jobs may have.
 */
function sageMakerComputeActions(): readonly string[] {
  sageMakerComputeActionList ??= expandActionPattern('sagemaker:*').filter((a) => {
    const level = awsActionAccessLevel(a) ?? 'Write';
    // Access levels can be combined (AddTags is "Tagging, Write").
    if (level === 'Read' || level === 'List' || level.includes('Tagging')) return false;
    return !/^sagemaker:(Stop|Delete)/i.test(a);
  });
  return sageMakerComputeActionList;
}

/**
 * Every Allow statement of the role's trust policy requires `aws:SourceArn` (ArnLike/ArnEquals/
 * StringLike/StringEquals) to be SageMaker training-job ARNs: SageMaker can then assume it for
 * training jobs only (https://docs.aws.amazon.com/sagemaker/latest/dg/security-confused-deputy-prevention.html).
 */
function trustConfinedToTrainingJobs(role: ModelResource): boolean {
  const doc = role.stack.resolve(role.properties.AssumeRolePolicyDocument);
  if (doc.kind !== 'object' || !doc.entries.Statement) return false;
  const statements = doc.entries.Statement.kind === 'array' ? doc.entries.Statement.items : [doc.entries.Statement];
  let any = false;
  for (const st of statements) {
    if (st.kind !== 'object') return false;
    const effect = st.entries.Effect;
    if (!effect || effect.kind !== 'literal') return false;
    if (effect.value !== 'Allow') continue;
    any = true;
    const condition = st.entries.Condition;
    if (!condition || condition.kind !== 'object') return false;
    let confined = false;
    for (const op of ['ArnLike', 'ArnEquals', 'StringLike', 'StringEquals']) {
      const block = condition.entries[op];
      if (!block || block.kind !== 'object') continue;
      const key = Object.keys(block.entries).find((k) => k.toLowerCase() === 'aws:sourcearn');
      if (!key) continue;
      const v = block.entries[key];
      const items = v.kind === 'array' ? v.items : [v];
      if (
        items.length > 0 &&
        items.every(
          (i) =>
            i.kind === 'literal' && typeof i.value === 'string' && /^arn:[^:]*:sagemaker:[^:]*:[^:]*:training-job\//.test(placeholdersToWildcards(i.value)),
        )
      )
        confined = true;
    }
    if (!confined) return false;
  }
  return any;
}

/** Whether a role's Path is the library's runtime path (see lib/common/runtime-roles.ts). */
function runtimePathOf(role: ModelResource): { runtimePath?: 'certain' | 'possible' } {
  const raw = role.properties.Path;
  if (raw === undefined) return {};
  let possible = false;
  for (const v of possibilities(role.stack.resolve(raw))) {
    if (v.kind === 'novalue') continue;
    if (v.kind === 'literal' && typeof v.value === 'string' && !v.placeholders) {
      if (v.value === RUNTIME_ROLE_PATH) {
        if (role.stack.resolve(raw).kind !== 'choice') return { runtimePath: 'certain' };
        possible = true;
      }
      continue;
    }
    possible = true; // a Path the gate cannot read might be the runtime path
  }
  return possible ? { runtimePath: 'possible' } : {};
}
