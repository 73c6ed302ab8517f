import { awsActionAccessLevel, expandActionPattern } from '../../common/aws-action-catalog';
import { RUNTIME_ROLE_PATH } from '../../common/runtime-roles';
import { AGENT_ROLE_TAG, AGENT_ROLE_TAG_VALUE, ENVIRONMENT_TAG } from '../../common/tags';
import { ModelResource, placeholdersToWildcards, possibilities, Resolved, StackModel, TemplateModel } from '../model';
import { resourcePatternsMayIntersect } from './arn-match';
import { lookupAwsManagedPolicy } from './aws-managed-policies';
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
      /** The environment subnet it runs in, or undefined when placement came from its tag. */
      readonly subnet?: string;
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
}

/** One sentence for a reason, e.g. "assumable from role S/Agent (granted by statement 0 of policy P on Agent)". */
export function describeReachReason(r: ReachReason): string {
  const grants = (g: readonly StatementRef[]) =>
    g.length ? ` (granted by ${g.map((s) => `statement ${s.statementIndex}${s.sid ? ` (Sid ${s.sid})` : ''} of policy ${s.policyName} on ${s.resource}`).join('; ')})` : '';
  switch (r.kind) {
    case 'agent-role-tag':
      return `tagged ${AGENT_ROLE_TAG}=${AGENT_ROLE_TAG_VALUE}`;
    case 'compute':
      return `credentials of ${r.compute.type} ${r.compute.stack}/${r.compute.logicalId} via ${r.via}, in environment ${r.environment}${r.subnet ? ` (subnet ${r.subnet})` : ' (by its tag)'}`;
    case 'sagemaker-role-tag':
      return `trusted by sagemaker.amazonaws.com and tagged with environment ${r.environment}`;
    case 'assumable':
      return `assumable from role ${r.from.stack}/${r.from.logicalId}: its trust policy admits ${r.trustedAs}${grants(r.grants)}`;
    case 'passable':
      return `passable to new compute by role ${r.from.stack}/${r.from.logicalId}${grants(r.grants)}`;
  }
}

interface ComputeSpec {
  /** Properties holding role ARNs/names (dotted paths; `[]` walks a list). */
  readonly roles?: readonly string[];
  /** Properties holding instance profile ARNs/names. */
  readonly profiles?: readonly string[];
  readonly subnets?: readonly string[];
}

const COMPUTE: Readonly<Record<string, ComputeSpec>> = {
  'AWS::EC2::Instance': { profiles: ['IamInstanceProfile'], subnets: ['SubnetId', 'NetworkInterfaces[].SubnetId'] },
  'AWS::EC2::LaunchTemplate': {
    profiles: ['LaunchTemplateData.IamInstanceProfile.Arn', 'LaunchTemplateData.IamInstanceProfile.Name'],
    subnets: ['LaunchTemplateData.NetworkInterfaces[].SubnetId'],
  },
  'AWS::AutoScaling::LaunchConfiguration': { profiles: ['IamInstanceProfile'] },
  'AWS::Lambda::Function': { roles: ['Role'], subnets: ['VpcConfig.SubnetIds'] },
  'AWS::SageMaker::NotebookInstance': { roles: ['RoleArn'], subnets: ['SubnetId'] },
  'AWS::SageMaker::Model': { roles: ['ExecutionRoleArn'], subnets: ['VpcConfig.Subnets'] },
  'AWS::SageMaker::Domain': { roles: ['DefaultUserSettings.ExecutionRole', 'DefaultSpaceSettings.ExecutionRole'], subnets: ['SubnetIds'] },
  'AWS::SageMaker::UserProfile': { roles: ['UserSettings.ExecutionRole'] },
  'AWS::SageMaker::Pipeline': { roles: ['RoleArn'] },
  'AWS::CodeBuild::Project': { roles: ['ServiceRole'], subnets: ['VpcConfig.Subnets'] },
  'AWS::ECS::TaskDefinition': { roles: ['TaskRoleArn'] },
  'AWS::Batch::JobDefinition': { roles: ['ContainerProperties.JobRoleArn', 'EcsProperties.TaskProperties[].TaskRoleArn'] },
  'AWS::Batch::ComputeEnvironment': { profiles: ['ComputeResources.InstanceRole'], subnets: ['ComputeResources.Subnets'] },
  'AWS::EC2::SpotFleet': {
    profiles: ['SpotFleetRequestConfigData.LaunchSpecifications[].IamInstanceProfile.Arn'],
    subnets: ['SpotFleetRequestConfigData.LaunchSpecifications[].SubnetId', 'SpotFleetRequestConfigData.LaunchSpecifications[].NetworkInterfaces[].SubnetId'],
  },
  // Pods on the nodes reach the node role through the instance metadata service.
  'AWS::EKS::Nodegroup': { roles: ['NodeRole'], subnets: ['Subnets'] },
  // SageMaker HyperPod: every instance group runs with its execution role.
  'AWS::SageMaker::Cluster': {
    roles: ['InstanceGroups[].ExecutionRole', 'RestrictedInstanceGroups[].ExecutionRole'],
    subnets: ['VpcConfig.Subnets', 'InstanceGroups[].OverrideVpcConfig.Subnets'],
  },
};

/** Compute that runs inside a VPC only when it has a VpcConfig. */
const VPC_OPTIONAL_COMPUTE: readonly string[] = ['AWS::Lambda::Function', 'AWS::CodeBuild::Project'];

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

  /** The environment a compute resource runs in: its subnets' environment, else its tag. */
  private placement(r: ModelResource, extraSubnets: readonly { stack: StackModel; raw: unknown }[] = []): { environment: string; subnet?: string } | undefined {
    const spec = COMPUTE[r.type];
    const raws = [...(spec?.subnets ?? []).flatMap((p) => at(r.properties, p).map((raw) => ({ stack: r.stack, raw }))), ...extraSubnets];
    for (const { stack, raw } of raws) {
      for (const v of this.flatten(stack.resolve(raw))) {
        const placement = this.model.environments.subnetPlacementOf(v);
        if (placement.environment !== undefined && placement.subnet) {
          return { environment: placement.environment, subnet: `${placement.subnet.stack.name}/${placement.subnet.logicalId}` };
        }
      }
    }
    // A function or build project without a VpcConfig runs in AWS's network, not in the
    // environment: its environment tag says who owns it (e.g. the telemetry responders), not where it runs.
    if (VPC_OPTIONAL_COMPUTE.includes(r.type) && raws.length === 0) return undefined;
    const tag = r.tags.get(ENVIRONMENT_TAG);
    return tag !== undefined ? { environment: tag } : undefined;
  }

  /** A resolved value as a list of items: arrays (also Ref to list parameters) and alternatives are split. */
  private flatten(r: Resolved, depth = 0): Resolved[] {
    if (depth > 8) return [];
    if (r.kind === 'array') return r.items.flatMap((i) => this.flatten(i, depth + 1));
    if (r.kind === 'choice') return r.options.flatMap((o) => this.flatten(o, depth + 1));
    return [r];
  }

  private seedCompute(): void {
    const ltUsers = this.launchTemplateUsers();
    for (const [type, spec] of Object.entries(COMPUTE)) {
      for (const r of this.model.resourcesOfType(type)) {
        const users = ltUsers.get(r) ?? [];
        let place = this.placement(r);
        let via = '';
        if (!place || (place.subnet === undefined && users.length)) {
          // A launch template runs where the instances/ASGs that use it run.
          for (const u of users) {
            const p = this.placement(u.user, u.subnets);
            if (p && (!place || p.subnet)) {
              place = p;
              via = ` used by ${u.user.type} ${u.user.stack.name}/${u.user.logicalId}`;
              if (p.subnet) break;
            }
          }
        }
        if (!place) continue;
        const compute = { stack: r.stack.name, logicalId: r.logicalId, type: r.type };
        for (const path of spec.roles ?? []) {
          for (const raw of at(r.properties, path)) {
            const found = this.rolesFromValue(r.stack, raw);
            if (found === undefined) {
              this.unresolvedList.push({ ...compute, environment: place.environment, reason: `${path} cannot be resolved to a role of the app` });
              continue;
            }
            for (const role of found) {
              this.add(role, { kind: 'compute', compute, via: `${path}${via}`, environment: place.environment, ...(place.subnet ? { subnet: place.subnet } : {}) }, place.environment);
            }
          }
        }
        for (const path of spec.profiles ?? []) {
          for (const raw of at(r.properties, path)) {
            const profile = this.instanceProfile(r.stack, raw);
            if (!profile) {
              this.unresolvedList.push({ ...compute, environment: place.environment, reason: `${path} cannot be resolved to an instance profile of the app` });
              continue;
            }
            const rolesValue = profile.stack.resolve(profile.properties.Roles);
            const resolvedRoles: ModelResource[] = [];
            for (const item of rolesValue.kind === 'array' ? rolesValue.items : [rolesValue]) {
              const n = this.permissions.rolesNamed(item);
              if (n === 'any') {
                this.unresolvedList.push({ ...compute, environment: place.environment, reason: `a role of instance profile ${profile.logicalId} cannot be identified` });
              } else resolvedRoles.push(...n.roles);
            }
            for (const role of resolvedRoles) {
              this.add(
                role,
                {
                  kind: 'compute',
                  compute,
                  via: `instance profile ${profile.stack.name}/${profile.logicalId}${via}`,
                  environment: place.environment,
                  ...(place.subnet ? { subnet: place.subnet } : {}),
                },
                place.environment,
              );
            }
          }
        }
      }
    }
    this.seedEcsAndBatch();
  }

  /** ECS services in environment subnets run their task definition's task role; Batch jobs may run on environment compute. */
  private seedEcsAndBatch(): void {
    for (const svc of [...this.model.resourcesOfType('AWS::ECS::Service'), ...this.model.resourcesOfType('AWS::ECS::TaskSet')]) {
      const place = this.placement(svc, at(svc.properties, 'NetworkConfiguration.AwsvpcConfiguration.Subnets').map((raw) => ({ stack: svc.stack, raw })));
      if (!place) continue;
      const td = this.model.refTargetResource(svc.stack, svc.properties.TaskDefinition);
      if (!td || td.type !== 'AWS::ECS::TaskDefinition') continue;
      for (const raw of at(td.properties, 'TaskRoleArn')) {
        for (const role of this.rolesFromValue(td.stack, raw) ?? []) {
          this.add(
            role,
            {
              kind: 'compute',
              compute: { stack: td.stack.name, logicalId: td.logicalId, type: td.type },
              via: `TaskRoleArn, run by ${svc.type} ${svc.stack.name}/${svc.logicalId}`,
              environment: place.environment,
              ...(place.subnet ? { subnet: place.subnet } : {}),
            },
            place.environment,
          );
        }
      }
    }
    // Any job definition can be submitted to any queue: with Batch compute in an environment, every job role is reachable.
    const envCompute = this.model.resourcesOfType('AWS::Batch::ComputeEnvironment').map((c) => ({ c, p: this.placement(c) })).find((x) => x.p);
    if (!envCompute || !envCompute.p) return;
    for (const jd of this.model.resourcesOfType('AWS::Batch::JobDefinition')) {
      for (const path of COMPUTE['AWS::Batch::JobDefinition'].roles!) {
        for (const raw of at(jd.properties, path)) {
          for (const role of this.rolesFromValue(jd.stack, raw) ?? []) {
            this.add(
              role,
              {
                kind: 'compute',
                compute: { stack: jd.stack.name, logicalId: jd.logicalId, type: jd.type },
                via: `${path}, may run on Batch compute environment ${envCompute.c.stack.name}/${envCompute.c.logicalId}`,
                environment: envCompute.p.environment,
                ...(envCompute.p.subnet ? { subnet: envCompute.p.subnet } : {}),
              },
              envCompute.p.environment,
            );
          }
        }
      }
    }
  }

  /** Launch templates -> the instances, ASGs and fleets that use them (with those users' subnets). */
  private launchTemplateUsers(): Map<ModelResource, { user: ModelResource; subnets: { stack: StackModel; raw: unknown }[] }[]> {
    const out = new Map<ModelResource, { user: ModelResource; subnets: { stack: StackModel; raw: unknown }[] }[]>();
    const link = (user: ModelResource, ltRaw: unknown, subnetPaths: string[]) => {
      const lt = this.model.refTargetResource(user.stack, ltRaw) ?? this.byName(user.stack, ltRaw, ['AWS::EC2::LaunchTemplate', 'AWS::AutoScaling::LaunchConfiguration'], ['LaunchTemplateName']);
      if (!lt || (lt.type !== 'AWS::EC2::LaunchTemplate' && lt.type !== 'AWS::AutoScaling::LaunchConfiguration')) return;
      let list = out.get(lt);
      if (!list) out.set(lt, (list = []));
      list.push({ user, subnets: subnetPaths.flatMap((p) => at(user.properties, p).map((raw) => ({ stack: user.stack, raw }))) });
    };
    for (const asg of this.model.resourcesOfType('AWS::AutoScaling::AutoScalingGroup')) {
      const subnets = ['VPCZoneIdentifier'];
      for (const p of [
        'LaunchTemplate.LaunchTemplateId',
        'LaunchTemplate.LaunchTemplateName',
        'MixedInstancesPolicy.LaunchTemplate.LaunchTemplateSpecification.LaunchTemplateId',
        'MixedInstancesPolicy.LaunchTemplate.LaunchTemplateSpecification.LaunchTemplateName',
        'LaunchConfigurationName',
      ]) {
        for (const raw of at(asg.properties, p)) link(asg, raw, subnets);
      }
    }
    for (const i of this.model.resourcesOfType('AWS::EC2::Instance')) {
      for (const p of ['LaunchTemplate.LaunchTemplateId', 'LaunchTemplate.LaunchTemplateName']) {
        for (const raw of at(i.properties, p)) link(i, raw, ['SubnetId', 'NetworkInterfaces[].SubnetId']);
      }
    }
    for (const f of this.model.resourcesOfType('AWS::EC2::SpotFleet')) {
      for (const raw of at(f.properties, 'SpotFleetRequestConfigData.LaunchTemplateConfigs[].LaunchTemplateSpecification.LaunchTemplateId')) {
        link(f, raw, ['SpotFleetRequestConfigData.LaunchTemplateConfigs[].Overrides[].SubnetId']);
      }
    }
    for (const f of this.model.resourcesOfType('AWS::EC2::EC2Fleet')) {
      for (const raw of at(f.properties, 'LaunchTemplateConfigs[].LaunchTemplateSpecification.LaunchTemplateId')) {
        link(f, raw, ['LaunchTemplateConfigs[].Overrides[].SubnetId']);
      }
    }
    return out;
  }

  /** A resource of the given types whose name property equals the literal value. */
  private byName(stack: StackModel, raw: unknown, types: string[], nameProps: string[]): ModelResource | undefined {
    const v = stack.resolve(raw);
    if (v.kind !== 'literal' || typeof v.value !== 'string' || v.placeholders) return undefined;
    for (const t of types) {
      for (const r of this.model.resourcesOfType(t)) {
        for (const p of nameProps) {
          const n = r.stack.resolve(r.properties[p]);
          if (n.kind === 'literal' && n.value === v.value) return r;
        }
      }
    }
    return undefined;
  }

  /** Roles a RoleArn/Role value names; undefined when it cannot be identified. */
  private rolesFromValue(stack: StackModel, raw: unknown): ModelResource[] | undefined {
    const v = stack.resolve(raw);
    const out: ModelResource[] = [];
    for (const o of possibilities(v)) {
      if (o.kind === 'novalue') continue;
      if (o.kind === 'literal' && typeof o.value === 'string' && !o.placeholders) {
        // A literal ARN `arn:aws:iam::123:role/path/name` or a name.
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

  private instanceProfile(stack: StackModel, raw: unknown): ModelResource | undefined {
    const target = this.model.refTargetResource(stack, raw);
    if (target?.type === 'AWS::IAM::InstanceProfile') return target;
    const v = stack.resolve(raw);
    if (v.kind === 'literal' && typeof v.value === 'string' && !v.placeholders) {
      const name = v.value.startsWith('arn:') ? v.value.slice(v.value.lastIndexOf('/') + 1) : v.value;
      return this.byName(stack, name, ['AWS::IAM::InstanceProfile'], ['InstanceProfileName']);
    }
    return undefined;
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
    for (const passer of this.model.resourcesOfType('AWS::IAM::Role')) {
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
    for (const [type, spec] of Object.entries(COMPUTE)) {
      for (const r of this.model.resourcesOfType(type)) {
        for (const path of spec.roles ?? []) {
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
      if (!r.type.startsWith('AWS::SageMaker::') || COMPUTE[r.type]) continue;
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
      const matches = policies.items.filter((p) => p.kind === 'object' && p.entries.PolicyName?.kind === 'literal' && p.entries.PolicyName.value === ref.policyName);
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
          if (entry && !entry.environments.includes(e) && (added || entry.reasons.some((x) => (x.kind === 'assumable' || x.kind === 'passable') && x.from.logicalId === from.logicalId && x.from.stack === from.stack.name))) {
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
const IAM_UNANALYSED_PRINCIPAL_TYPES: readonly string[] = ['AWS::IAM::User', 'AWS::IAM::Group', 'AWS::IAM::UserPolicy', 'AWS::IAM::GroupPolicy', 'AWS::SSO::PermissionSet'];

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
      if (items.length > 0 && items.every((i) => i.kind === 'literal' && typeof i.value === 'string' && /^arn:[^:]*:sagemaker:[^:]*:[^:]*:training-job\//.test(placeholdersToWildcards(i.value)))) confined = true;
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
