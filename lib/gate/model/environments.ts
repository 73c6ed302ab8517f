import { ENVIRONMENT_TAG } from '../../common/tags';
import type { ModelResource } from './stack-model';
import { refOf, type TemplateModel } from './template-model';
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
