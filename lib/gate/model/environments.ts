import { AGENT_ROLE_TAG, AGENT_ROLE_TAG_VALUE, ENVIRONMENT_TAG } from '../../common/tags';
import { GateInputError } from './errors';
import type { LoadedTemplate } from './loader';
import type { ModelResource } from './stack-model';
import { refOf, TemplateModel } from './template-model';
import type { Resolved } from './values';

/** Where a SubnetId value points. */
export interface SubnetPlacement {
  /** The template subnet, when the value refers to one (Ref, GetAtt, import). */
  readonly subnet?: ModelResource;
  /** Its VPC, when the subnet's VpcId refers to a template VPC. */
  readonly vpc?: ModelResource;
  /** The environment of the VPC (or of the subnet's own tag). */
  readonly environment?: string;
}

/**
 * Environment membership by the `black-hole:environment` tag, and the network resources of each
 * environment VPC. A subnet or security group belongs to its VPC's environment even if untagged.
 */
export class EnvironmentIndex {
  private readonly members = new Map<string, ModelResource[]>();
  private readonly vpcEnv = new Map<ModelResource, string | undefined>();
  private readonly subnetsByVpc = new Map<ModelResource, ModelResource[]>();
  private readonly sgsByVpc = new Map<ModelResource, ModelResource[]>();
  private readonly vpcOfResource = new Map<ModelResource, ModelResource>();

  constructor(private readonly model: TemplateModel) {
    for (const r of model.allResources()) {
      const env = r.tags.get(ENVIRONMENT_TAG);
      if (env === undefined) continue;
      let list = this.members.get(env);
      if (!list) this.members.set(env, (list = []));
      list.push(r);
    }
    for (const vpc of model.resourcesOfType('AWS::EC2::VPC')) {
      this.vpcEnv.set(vpc, vpc.tags.get(ENVIRONMENT_TAG));
      this.subnetsByVpc.set(vpc, []);
      this.sgsByVpc.set(vpc, []);
    }
    const attach = (type: string, index: Map<ModelResource, ModelResource[]>) => {
      for (const r of model.resourcesOfType(type)) {
        const vpc = model.refTargetResource(r.stack, r.properties.VpcId);
        if (vpc && vpc.type === 'AWS::EC2::VPC') {
          index.get(vpc)!.push(r);
          this.vpcOfResource.set(r, vpc);
        }
      }
    };
    attach('AWS::EC2::Subnet', this.subnetsByVpc);
    attach('AWS::EC2::SecurityGroup', this.sgsByVpc);
  }

  /** Names of all environments (values of the environment tag), sorted. */
  public names(): string[] {
    return [...this.members.keys()].sort();
  }

  /** The environment a resource is tagged with, if any. */
  public environmentOf(resource: ModelResource): string | undefined {
    return resource.tags.get(ENVIRONMENT_TAG);
  }

  /** Every resource tagged with the environment. */
  public resourcesOf(environment: string): readonly ModelResource[] {
    return this.members.get(environment) ?? [];
  }

  /** VPCs tagged with the environment. */
  public vpcsOf(environment: string): ModelResource[] {
    return [...this.vpcEnv].filter(([, e]) => e === environment).map(([v]) => v);
  }

  /** Every environment VPC with its environment. */
  public environmentVpcs(): { readonly environment: string; readonly vpc: ModelResource }[] {
    return [...this.vpcEnv].filter(([, e]) => e !== undefined).map(([vpc, environment]) => ({ vpc, environment: environment! }));
  }

  /** The environment of a VPC (its tag). */
  public environmentOfVpc(vpc: ModelResource): string | undefined {
    return this.vpcEnv.get(vpc);
  }

  /** Template subnets whose VpcId refers to the VPC. */
  public subnetsOfVpc(vpc: ModelResource): readonly ModelResource[] {
    return this.subnetsByVpc.get(vpc) ?? [];
  }

  /** Template security groups whose VpcId refers to the VPC. */
  public securityGroupsOfVpc(vpc: ModelResource): readonly ModelResource[] {
    return this.sgsByVpc.get(vpc) ?? [];
  }

  /** The VPC of a subnet or security group, when its VpcId refers to a template VPC. */
  public vpcOf(resource: ModelResource): ModelResource | undefined {
    return this.vpcOfResource.get(resource);
  }

  /** Where a SubnetId value (Ref, GetAtt, import, literal) points, as far as the template says. */
  public subnetPlacement(stack: ModelResource['stack'] | string, value: unknown): SubnetPlacement {
    return this.subnetPlacementOf(this.model.resolve(stack, value));
  }

  /** As subnetPlacement, for an already resolved value. */
  public subnetPlacementOf(value: Resolved): SubnetPlacement {
    const ref = refOf(value);
    const subnet = ref ? this.model.resourceAt(ref) : undefined;
    if (!subnet || subnet.type !== 'AWS::EC2::Subnet') return {};
    const vpc = this.vpcOfResource.get(subnet);
    const environment = (vpc && this.vpcEnv.get(vpc)) ?? subnet.tags.get(ENVIRONMENT_TAG);
    return { subnet, ...(vpc ? { vpc } : {}), ...(environment !== undefined ? { environment } : {}) };
  }
}

/**
 * Environment VPCs and agent roles named by the user rather than by tags, for templates this library
 * did not build (`black-hole audit --environment-vpc/--agent-role`, `black-hole.config.json`,
 * `BlackHoleChecks({ designations })`). A designation is applied as the tag it stands for, before any
 * analysis runs, so it feeds the model exactly as a tag does.
 *
 * A pattern is a logical ID or a glob over logical IDs (`*` any characters, `?` one), or, with a
 * `/`, over `<stack>/<logicalId>` (stack name or cdk.out display name).
 */
export interface Designations {
  /** Environments: each names the VPCs that are its network. */
  readonly environments?: readonly DesignatedEnvironment[];
  /** Roles to analyse as agent roles (as if tagged `black-hole:agent-role=true`). */
  readonly agentRoles?: readonly string[];
  /** Where the designations came from (a config file, a flag), for messages. @default 'designations' */
  readonly source?: string;
}

/** One designated environment. */
export interface DesignatedEnvironment {
  /** Environment name (the value of the `black-hole:environment` tag it stands for). */
  readonly name: string;
  /** Patterns naming AWS::EC2::VPC resources. */
  readonly vpcs: readonly string[];
  /** Where this entry came from, for messages. @default the Designations' source */
  readonly source?: string;
}

/** A resource a designation applied to. */
export interface DesignatedResource {
  /** An environment VPC or an agent role. */
  readonly kind: 'environment-vpc' | 'agent-role';
  /** Its stack's name. */
  readonly stack: string;
  /** Its logical ID. */
  readonly logicalId: string;
  /** For an environment VPC: the environment. */
  readonly environment?: string;
  /** The pattern that named it. */
  readonly pattern: string;
  /** Where the pattern came from: a config file's path, `--environment-vpc`, `--agent-role`. */
  readonly source: string;
}

/** The model with the designations applied, and what they named. */
export interface DesignatedModel {
  /** The model with the designations applied as tags. */
  readonly model: TemplateModel;
  /** What the designations named. */
  readonly designated: readonly DesignatedResource[];
}

/** Whether a designation pattern names a resource. */
export function designationMatches(pattern: string, resource: ModelResource): boolean {
  const re = globRegExp(pattern);
  if (!pattern.includes('/')) return re.test(resource.logicalId);
  return re.test(`${resource.stack.name}/${resource.logicalId}`) || re.test(`${resource.stack.displayName}/${resource.logicalId}`);
}

function globRegExp(pattern: string): RegExp {
  const body = pattern
    .split('')
    .map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${body}$`);
}

/**
 * Applies designations: returns a new model whose designated VPCs carry `black-hole:environment=<name>`
 * and designated roles `black-hole:agent-role=true`, and the list of what was designated. Fails
 * closed with a GateInputError naming the source when a pattern names nothing, or when a VPC would
 * belong to two environments (by tag or designation): a designation that silently applies to
 * nothing would turn the audit into a pass over no environment.
 */
export function applyDesignations(model: TemplateModel, designations: Designations | undefined): DesignatedModel {
  const defaultSource = designations?.source ?? 'designations';
  const tagsFor = new Map<ModelResource, Map<string, string>>();
  const designated: DesignatedResource[] = [];
  const setTag = (r: ModelResource, key: string, value: string, source: string) => {
    let m = tagsFor.get(r);
    if (!m) tagsFor.set(r, (m = new Map()));
    const previous = m.get(key) ?? (key === ENVIRONMENT_TAG ? r.tags.get(ENVIRONMENT_TAG) : undefined);
    if (key === ENVIRONMENT_TAG && r.tags.has(ENVIRONMENT_TAG) && previous === undefined) {
      throw new GateInputError(
        source,
        `VPC ${r.stack.name}/${r.logicalId} has a black-hole:environment tag whose value cannot be resolved; it cannot also be designated '${value}'`,
      );
    }
    if (previous !== undefined && previous !== value) {
      throw new GateInputError(source, `VPC ${r.stack.name}/${r.logicalId} would belong to two environments ('${previous}' and '${value}')`);
    }
    m.set(key, value);
  };
  for (const env of designations?.environments ?? []) {
    const source = env.source ?? defaultSource;
    if (!env.name) throw new GateInputError(source, 'an environment needs a non-empty name');
    for (const pattern of env.vpcs) {
      const vpcs = model.resourcesOfType('AWS::EC2::VPC').filter((v) => designationMatches(pattern, v));
      if (vpcs.length === 0) throw new GateInputError(source, `'${pattern}' names no AWS::EC2::VPC of the input (environment '${env.name}')`);
      for (const vpc of vpcs) {
        setTag(vpc, ENVIRONMENT_TAG, env.name, source);
        designated.push({ kind: 'environment-vpc', stack: vpc.stack.name, logicalId: vpc.logicalId, environment: env.name, pattern, source });
      }
    }
  }
  for (const pattern of designations?.agentRoles ?? []) {
    const roles = model.resourcesOfType('AWS::IAM::Role').filter((r) => designationMatches(pattern, r));
    if (roles.length === 0) throw new GateInputError(defaultSource, `'${pattern}' names no AWS::IAM::Role of the input (agent role)`);
    for (const role of roles) {
      setTag(role, AGENT_ROLE_TAG, AGENT_ROLE_TAG_VALUE, defaultSource);
      designated.push({ kind: 'agent-role', stack: role.stack.name, logicalId: role.logicalId, pattern, source: defaultSource });
    }
  }
  if (tagsFor.size === 0) return { model, designated };
  const inputs: LoadedTemplate[] = model.stacks.map((s) => {
    const changed = [...tagsFor].filter(([r]) => r.stack === s);
    let template = s.template;
    if (changed.length > 0) {
      const resources = { ...(s.template.Resources as Record<string, Record<string, unknown>>) };
      for (const [r, tags] of changed) {
        const raw = resources[r.logicalId];
        const properties = (typeof raw.Properties === 'object' && raw.Properties !== null ? raw.Properties : {}) as Record<string, unknown>;
        resources[r.logicalId] = { ...raw, Properties: { ...properties, Tags: withTags(properties.Tags, tags) } };
      }
      template = { ...s.template, Resources: resources };
    }
    const parent = s.nestedParent;
    return {
      stackName: s.name,
      template,
      ...(s.templatePath !== undefined ? { templatePath: s.templatePath } : {}),
      displayName: s.displayName,
      ...(parent?.logicalId !== undefined ? { nestedIn: { stackName: parent.stack.name, logicalId: parent.logicalId } } : {}),
    };
  });
  return { model: TemplateModel.fromTemplates(inputs), designated };
}

/**
 * Tags with the designated ones set: a list keeps its other entries; a map form gets keys; a value
 * the gate cannot read as a list (an intrinsic) is replaced by the designated tags alone (the gate
 * could not have read its tags either).
 */
function withTags(raw: unknown, tags: ReadonlyMap<string, string>): unknown {
  if (typeof raw === 'object' && raw !== null && !Array.isArray(raw) && !Object.keys(raw).some((k) => k === 'Ref' || k.startsWith('Fn::'))) {
    return { ...(raw as Record<string, unknown>), ...Object.fromEntries(tags) };
  }
  const kept = Array.isArray(raw) ? raw.filter((t) => !(typeof t === 'object' && t !== null && tags.has(String((t as Record<string, unknown>).Key)))) : [];
  return [...kept, ...[...tags].map(([Key, Value]) => ({ Key, Value }))];
}
