import { ENDPOINT_SERVICES, endpointServiceIdOf, EndpointKind } from '../../network/endpoint-services';
import { asString, possibilities, type ModelResource, type Resolved, type TemplateModel } from '../model';

/**
 * Egress-path analysis over each environment VPC: every way the template lets traffic (or DNS, or
 * a tunnel) leave, and every detection control it lacks. Sound in the gate's sense: a resource whose
 * VPC or subnet cannot be resolved, in an app that has environments, is reported as a possible path
 * (marked `unresolved`), never assumed to be elsewhere.
 */

/** What kind of door a path is. Rules select paths by kind. */
export enum EgressKind {
  /** Internet gateway attached, egress-only gateway, NAT gateway, Elastic IP. */
  INTERNET = 'internet',
  /** A route other than `local` in an environment route table. */
  ROUTE = 'route',
  /** Peering, transit gateway, VPC Lattice, VPN, Client VPN, Verified Access. */
  CROSS_VPC = 'cross-vpc',
  /** An endpoint to a service that is not on the allowlist (a foreign PrivateLink service above all). */
  FOREIGN_ENDPOINT = 'foreign-endpoint',
  /** An endpoint whose policy does not confine principals and resources to the environment. */
  OPEN_ENDPOINT_POLICY = 'open-endpoint-policy',
  /** Outbound resolver endpoints and forwarding rules: DNS that leaves the walled garden. */
  DNS_REDIRECT = 'dns-redirect',
  /** EC2 Instance Connect endpoints: managed SSH tunnels. */
  TUNNEL = 'tunnel',
  /** Public IPv4 or IPv6 addressing in environment subnets or compute, Block Public Access exclusions. */
  PUBLIC_ADDRESS = 'public-address',
  /** Environment compute whose instance credentials are reachable with IMDSv1 or through extra hops. */
  INSTANCE_METADATA = 'instance-metadata',
  /** The VPC has no DNS firewall walled garden (or it fails open, or it has no catch-all block). */
  MISSING_DNS_FIREWALL = 'missing-dns-firewall',
  /** The VPC has no flow log of ALL traffic. */
  MISSING_FLOW_LOG = 'missing-flow-log',
  /** The VPC has no resolver query logging (the only record of DNS traffic). */
  MISSING_QUERY_LOG = 'missing-query-log',
}

export interface EgressPath {
  readonly kind: EgressKind;
  /** Environment whose VPC the path opens; undefined when the VPC could not be resolved. */
  readonly environment?: string;
  /** The environment VPC, when known. */
  readonly vpc?: ModelResource;
  /** The resource that creates the path (or the VPC, for a missing control). */
  readonly resource: ModelResource;
  /** One sentence: what the path is. */
  readonly detail: string;
  /** True when the path was reported because a value could not be resolved. */
  readonly unresolved?: boolean;
}

interface Placement {
  readonly environment?: string;
  readonly vpc?: ModelResource;
  /** Placement could not be resolved (imported or computed id). */
  readonly unresolved: boolean;
}

const NOT_PLACED: Placement = { unresolved: false };

const cache = new WeakMap<TemplateModel, EgressPathAnalysis>();

export class EgressPathAnalysis {
  /** The analysis of a model, computed once. */
  public static of(model: TemplateModel): EgressPathAnalysis {
    let a = cache.get(model);
    if (!a) {
      a = new EgressPathAnalysis(model);
      cache.set(model, a);
    }
    return a;
  }

  /** Every path found, in template order. */
  public readonly paths: readonly EgressPath[];
  private readonly hasEnvironments: boolean;

  private constructor(private readonly model: TemplateModel) {
    this.hasEnvironments = model.environments.environmentVpcs().length > 0;
    const out: EgressPath[] = [];
    this.collectAttachments(out);
    this.collectRoutes(out);
    this.collectEndpoints(out);
    this.collectDns(out);
    this.collectTunnelsAndAddresses(out);
    this.collectMissingControls(out);
    this.paths = out;
  }

  /** Paths of the given kinds. */
  public ofKind(...kinds: EgressKind[]): EgressPath[] {
    return this.paths.filter((p) => kinds.includes(p.kind));
  }

  /** Paths that open the given environment. */
  public ofEnvironment(environment: string): EgressPath[] {
    return this.paths.filter((p) => p.environment === environment);
  }

  // ---- placement helpers ---------------------------------------------------------------------

  private placeVpc(r: ModelResource, value: unknown): Placement {
    if (value === undefined) return NOT_PLACED;
    const target = this.model.refTargetResource(r.stack, value);
    if (target && target.type === 'AWS::EC2::VPC') {
      const environment = this.model.environments.environmentOfVpc(target);
      return environment === undefined ? NOT_PLACED : { environment, vpc: target, unresolved: false };
    }
    return this.unresolvedIfEnvironments(r, value);
  }

  private placeSubnet(r: ModelResource, value: unknown): Placement {
    if (value === undefined) return NOT_PLACED;
    const p = this.model.environments.subnetPlacement(r.stack, value);
    if (p.subnet) {
      return p.environment === undefined ? NOT_PLACED : { environment: p.environment, vpc: p.vpc, unresolved: false };
    }
    return this.unresolvedIfEnvironments(r, value);
  }

  private placeSubnets(r: ModelResource, value: unknown): Placement {
    const resolved = this.model.resolve(r.stack, value);
    const items = resolved.kind === 'array' ? resolved.items : possibilities(resolved);
    let unresolved = false;
    for (const item of items) {
      const p = this.placeSubnetResolved(r, item);
      if (p.environment !== undefined) return p;
      unresolved ||= p.unresolved;
    }
    return { unresolved };
  }

  private placeSubnetResolved(r: ModelResource, item: Resolved): Placement {
    if ((item.kind === 'ref' || item.kind === 'getatt') && item.stack) {
      const subnet = this.model.resourceAt({ stack: item.stack, logicalId: item.logicalId });
      if (subnet?.type === 'AWS::EC2::Subnet') {
        const vpc = this.model.environments.vpcOf(subnet);
        const environment = (vpc && this.model.environments.environmentOfVpc(vpc)) ?? this.model.environments.environmentOf(subnet);
        return environment === undefined ? NOT_PLACED : { environment, vpc, unresolved: false };
      }
      return NOT_PLACED;
    }
    if (item.kind === 'literal' && typeof item.value === 'string' && !item.placeholders) {
      return { unresolved: this.hasEnvironments && this.envOfTag(r) === undefined };
    }
    return { unresolved: this.hasEnvironments };
  }

  /** A value that names no template resource: a path is possible in any environment VPC. */
  private unresolvedIfEnvironments(r: ModelResource, value: unknown): Placement {
    const tagged = this.envOfTag(r);
    if (tagged !== undefined) return { environment: tagged, vpc: this.model.environments.vpcsOf(tagged)[0], unresolved: false };
    const resolved = this.model.resolve(r.stack, value);
    const target = this.model.refTargetResource(r.stack, value);
    if (target) return NOT_PLACED; // names a template resource that is not in an environment
    if (resolved.kind === 'novalue') return NOT_PLACED;
    return { unresolved: this.hasEnvironments };
  }

  private envOfTag(r: ModelResource): string | undefined {
    return this.model.environments.environmentOf(r);
  }

  private push(out: EgressPath[], kind: EgressKind, r: ModelResource, p: Placement, detail: string): void {
    const environment = p.environment ?? this.envOfTag(r);
    if (environment === undefined && !p.unresolved) return;
    out.push({
      kind,
      resource: r,
      detail: p.unresolved && environment === undefined ? `${detail} (its VPC or subnet cannot be resolved: it may be an environment's)` : detail,
      ...(environment !== undefined ? { environment } : {}),
      ...(p.vpc ? { vpc: p.vpc } : environment !== undefined && this.model.environments.vpcsOf(environment)[0]
        ? { vpc: this.model.environments.vpcsOf(environment)[0] } : {}),
      ...(p.unresolved && environment === undefined ? { unresolved: true } : {}),
    });
  }

  // ---- collectors ----------------------------------------------------------------------------

  private collectAttachments(out: EgressPath[]): void {
    const m = this.model;
    for (const r of m.resourcesOfType('AWS::EC2::VPCGatewayAttachment')) {
      const p = this.placeVpc(r, r.properties.VpcId);
      if (r.properties.InternetGatewayId !== undefined) {
        this.push(out, EgressKind.INTERNET, r, p, 'internet gateway attached to the VPC');
      } else {
        this.push(out, EgressKind.CROSS_VPC, r, p, 'VPN gateway attached to the VPC');
      }
    }
    for (const r of m.resourcesOfType('AWS::EC2::InternetGateway')) {
      this.push(out, EgressKind.INTERNET, r, NOT_PLACED, 'internet gateway created in the environment');
    }
    for (const r of m.resourcesOfType('AWS::EC2::EgressOnlyInternetGateway')) {
      this.push(out, EgressKind.INTERNET, r, this.placeVpc(r, r.properties.VpcId), 'egress-only internet gateway (IPv6 out) on the VPC');
    }
    for (const r of m.resourcesOfType('AWS::EC2::NatGateway')) {
      const priv = r.properties.ConnectivityType === 'private';
      this.push(out, EgressKind.INTERNET, r, this.placeSubnet(r, r.properties.SubnetId),
        priv ? 'private NAT gateway: a path to other networks through transit gateways or peering' : 'NAT gateway: outbound internet access');
    }
    for (const r of m.resourcesOfType('AWS::EC2::EIP')) {
      this.push(out, EgressKind.INTERNET, r, NOT_PLACED, 'Elastic IP address allocated in the environment');
    }
    for (const r of m.resourcesOfType('AWS::EC2::EIPAssociation')) {
      const p = r.properties.NetworkInterfaceId !== undefined
        ? this.placeEni(r, r.properties.NetworkInterfaceId)
        : this.placeInstance(r, r.properties.InstanceId);
      this.push(out, EgressKind.INTERNET, r, p, 'Elastic IP associated with environment compute');
    }
    for (const r of m.resourcesOfType('AWS::EC2::VPCPeeringConnection')) {
      const a = this.placeVpc(r, r.properties.VpcId);
      const b = this.placeVpc(r, r.properties.PeerVpcId);
      this.push(out, EgressKind.CROSS_VPC, r, a.environment !== undefined ? a : b.environment !== undefined ? b : { unresolved: a.unresolved || b.unresolved },
        'VPC peering connection');
    }
    for (const type of ['AWS::EC2::TransitGatewayAttachment', 'AWS::EC2::TransitGatewayVpcAttachment']) {
      for (const r of m.resourcesOfType(type)) {
        const p = this.placeVpc(r, r.properties.VpcId);
        this.push(out, EgressKind.CROSS_VPC, r, p.environment !== undefined ? p : this.placeSubnets(r, r.properties.SubnetIds),
          'transit gateway attachment');
      }
    }
    for (const type of ['AWS::VpcLattice::ServiceNetworkVpcAssociation', 'AWS::VpcLattice::ResourceGateway']) {
      for (const r of m.resourcesOfType(type)) {
        this.push(out, EgressKind.CROSS_VPC, r, this.placeVpc(r, r.properties.VpcIdentifier), 'VPC Lattice association: a path to services outside the VPC');
      }
    }
    for (const r of m.resourcesOfType('AWS::EC2::ClientVpnEndpoint')) {
      this.push(out, EgressKind.CROSS_VPC, r, this.placeVpc(r, r.properties.VpcId), 'Client VPN endpoint');
    }
    for (const r of m.resourcesOfType('AWS::EC2::ClientVpnTargetNetworkAssociation')) {
      this.push(out, EgressKind.CROSS_VPC, r, this.placeSubnet(r, r.properties.SubnetId), 'Client VPN network association');
    }
    for (const r of m.resourcesOfType('AWS::EC2::VerifiedAccessEndpoint')) {
      const opts = (r.properties.NetworkInterfaceOptions ?? r.properties.LoadBalancerOptions) as Record<string, unknown> | undefined;
      const p = opts?.SubnetIds !== undefined ? this.placeSubnets(r, opts.SubnetIds) : NOT_PLACED;
      this.push(out, EgressKind.CROSS_VPC, r, p, 'Verified Access endpoint: a public front door into the VPC');
    }
    for (const r of m.resourcesOfType('AWS::EC2::VPNConnection')) {
      this.push(out, EgressKind.CROSS_VPC, r, NOT_PLACED, 'site-to-site VPN connection');
    }
    // Public front doors to a relay inside (ESCAPES.md 7): the door lives outside, its targets inside.
    for (const r of m.resourcesOfType('AWS::ApiGatewayV2::VpcLink')) {
      this.push(out, EgressKind.CROSS_VPC, r, this.placeSubnets(r, r.properties.SubnetIds), 'API Gateway VPC link: a public API that relays into the VPC');
    }
    for (const r of m.resourcesOfType('AWS::ApiGateway::VpcLink')) {
      this.push(out, EgressKind.CROSS_VPC, r, this.placeLoadBalancers(r, r.properties.TargetArns), 'API Gateway VPC link: a public API that relays into the VPC');
    }
    for (const r of m.resourcesOfType('AWS::EC2::VPCEndpointService')) {
      const lbs = [r.properties.NetworkLoadBalancerArns, r.properties.GatewayLoadBalancerArns].filter((x) => x !== undefined);
      let p: Placement = NOT_PLACED;
      for (const v of lbs) {
        const q = this.placeLoadBalancers(r, v);
        if (q.environment !== undefined) { p = q; break; }
        if (q.unresolved) p = q;
      }
      this.push(out, EgressKind.CROSS_VPC, r, p, 'VPC endpoint service: other accounts\' VPCs connect into the environment through PrivateLink');
    }
    for (const r of m.resourcesOfType('AWS::Lambda::Url')) {
      const fn = m.refTargetResource(r.stack, r.properties.TargetFunctionArn);
      const subnets = fn?.type === 'AWS::Lambda::Function' ? (fn.properties.VpcConfig as Record<string, unknown> | undefined)?.SubnetIds : undefined;
      const p = fn ? (subnets !== undefined ? this.placeSubnets(fn, subnets) : NOT_PLACED) : this.unresolvedIfEnvironments(r, r.properties.TargetFunctionArn);
      this.push(out, EgressKind.CROSS_VPC, r, p, 'Lambda function URL on a function in the VPC: a public front door to a relay inside');
    }
  }

  /** Load balancers named by ARN (Ref/GetAtt or literal): placed by their subnets. */
  private placeLoadBalancers(r: ModelResource, value: unknown): Placement {
    const resolved = this.model.resolve(r.stack, value);
    const items = resolved.kind === 'array' ? resolved.items : possibilities(resolved);
    let unresolved = false;
    for (const item of items) {
      const ref = (item.kind === 'ref' || item.kind === 'getatt') && item.stack ? this.model.resourceAt({ stack: item.stack, logicalId: item.logicalId }) : undefined;
      if (ref?.type === 'AWS::ElasticLoadBalancingV2::LoadBalancer') {
        const mappings = Array.isArray(ref.properties.SubnetMappings) ? (ref.properties.SubnetMappings as Record<string, unknown>[]).map((x) => x?.SubnetId) : [];
        const p = ref.properties.Subnets !== undefined ? this.placeSubnets(ref, ref.properties.Subnets) : this.placeSubnets(ref, mappings);
        if (p.environment !== undefined) return p;
        unresolved ||= p.unresolved;
      } else if (!ref) {
        unresolved ||= this.hasEnvironments && this.envOfTag(r) === undefined;
      }
    }
    return { unresolved };
  }

  private collectRoutes(out: EgressPath[]): void {
    const m = this.model;
    for (const r of m.resourcesOfType('AWS::EC2::Route')) {
      const table = m.refTargetResource(r.stack, r.properties.RouteTableId);
      const p = table?.type === 'AWS::EC2::RouteTable' ? this.placeVpc(table, table.properties.VpcId) : this.unresolvedIfEnvironments(r, r.properties.RouteTableId);
      const dest = asString(m.resolve(r.stack, r.properties.DestinationCidrBlock ?? r.properties.DestinationIpv6CidrBlock ?? r.properties.DestinationPrefixListId ?? '')) ?? 'an unresolved destination';
      const target = Object.keys(r.properties).find((k) => /(GatewayId|InstanceId|NetworkInterfaceId|PeeringConnectionId|TransitGatewayId|EndpointId|CoreNetworkArn)$/.test(k)) ?? 'an unknown target';
      this.push(out, EgressKind.ROUTE, r, p, `route to ${dest} through ${target}: the only route an environment may have is local`);
    }
    for (const r of m.resourcesOfType('AWS::EC2::VPNGatewayRoutePropagation')) {
      this.push(out, EgressKind.ROUTE, r, NOT_PLACED, 'VPN route propagation into environment route tables');
    }
  }

  private collectEndpoints(out: EgressPath[]): void {
    const m = this.model;
    for (const r of m.resourcesOfType('AWS::EC2::VPCEndpoint')) {
      const p = this.placeVpc(r, r.properties.VpcId);
      if (p.environment === undefined && !p.unresolved && this.envOfTag(r) === undefined) continue;
      const type = String(r.properties.VpcEndpointType ?? 'Gateway');
      const serviceName = asString(m.resolve(r.stack, r.properties.ServiceName ?? ''));
      const id = serviceName ? endpointServiceIdOf(normaliseServiceName(serviceName)) : undefined;
      const def = id ? ENDPOINT_SERVICES[id] : undefined;
      const kindMatches = def && ((def.kind === EndpointKind.GATEWAY) === (type === 'Gateway'));
      if (!serviceName || !def || !kindMatches || !['Gateway', 'Interface'].includes(type)) {
        const what = !serviceName ? 'an unresolvable service' : serviceName.includes('vpce-svc') ? `a PrivateLink service owned by someone (${serviceName})` : `${serviceName} (${type})`;
        this.push(out, EgressKind.FOREIGN_ENDPOINT, r, p, `VPC endpoint to ${what}, which is not on the endpoint allowlist`);
        continue;
      }
      const problem = endpointPolicyProblem(m, r);
      if (problem) this.push(out, EgressKind.OPEN_ENDPOINT_POLICY, r, p, `endpoint to ${id}: ${problem}`);
    }
  }

  private collectDns(out: EgressPath[]): void {
    const m = this.model;
    for (const r of m.resourcesOfType('AWS::Route53Resolver::ResolverEndpoint')) {
      if (String(r.properties.Direction ?? '').toUpperCase() === 'INBOUND') continue;
      const ips = Array.isArray(r.properties.IpAddresses) ? r.properties.IpAddresses as Record<string, unknown>[] : [];
      let p: Placement = ips.length === 0 ? this.unresolvedIfEnvironments(r, r.properties.IpAddresses) : NOT_PLACED;
      for (const ip of ips) {
        const q = this.placeSubnet(r, ip?.SubnetId);
        if (q.environment !== undefined) { p = q; break; }
        if (q.unresolved) p = q;
      }
      this.push(out, EgressKind.DNS_REDIRECT, r, p, 'outbound resolver endpoint: DNS queries leave the walled garden');
    }
    for (const r of m.resourcesOfType('AWS::Route53Resolver::ResolverRuleAssociation')) {
      const rule = m.refTargetResource(r.stack, r.properties.ResolverRuleId);
      if (rule && String(rule.properties.RuleType ?? '').toUpperCase() !== 'FORWARD') continue;
      this.push(out, EgressKind.DNS_REDIRECT, r, this.placeVpc(r, r.properties.VPCId), 'forwarding resolver rule associated with the VPC');
    }
  }

  private collectTunnelsAndAddresses(out: EgressPath[]): void {
    const m = this.model;
    for (const r of m.resourcesOfType('AWS::EC2::InstanceConnectEndpoint')) {
      this.push(out, EgressKind.TUNNEL, r, this.placeSubnet(r, r.properties.SubnetId), 'EC2 Instance Connect endpoint: a managed SSH tunnel into the VPC');
    }
    for (const { vpc } of m.environments.environmentVpcs()) {
      for (const s of m.environments.subnetsOfVpc(vpc)) {
        const p = this.placeVpc(s, s.properties.VpcId);
        if (isTrueish(m.resolve(s.stack, s.properties.MapPublicIpOnLaunch))) {
          this.push(out, EgressKind.PUBLIC_ADDRESS, s, p, 'subnet maps public IPv4 addresses on launch');
        }
        if (s.properties.Ipv6CidrBlock !== undefined || isTrueish(m.resolve(s.stack, s.properties.AssignIpv6AddressOnCreation))) {
          this.push(out, EgressKind.PUBLIC_ADDRESS, s, p, 'subnet has IPv6 addressing (the IPv6 side door)');
        }
      }
    }
    for (const r of m.resourcesOfType('AWS::EC2::VPCCidrBlock')) {
      const v6 = r.properties.AmazonProvidedIpv6CidrBlock !== undefined || r.properties.Ipv6Pool !== undefined || r.properties.Ipv6CidrBlock !== undefined || r.properties.Ipv6IpamPoolId !== undefined;
      if (v6) this.push(out, EgressKind.PUBLIC_ADDRESS, r, this.placeVpc(r, r.properties.VpcId), 'IPv6 CIDR block added to the VPC');
    }
    for (const r of m.resourcesOfType('AWS::EC2::SubnetCidrBlock')) {
      this.push(out, EgressKind.PUBLIC_ADDRESS, r, this.placeSubnet(r, r.properties.SubnetId), 'IPv6 CIDR block associated with the subnet (the IPv6 side door)');
    }
    for (const r of m.resourcesOfType('AWS::EC2::VPCBlockPublicAccessExclusion')) {
      const p = r.properties.VpcId !== undefined ? this.placeVpc(r, r.properties.VpcId) : this.placeSubnet(r, r.properties.SubnetId);
      this.push(out, EgressKind.PUBLIC_ADDRESS, r, p, 'VPC Block Public Access exclusion');
    }
    const checkInterfaces = (r: ModelResource, interfaces: unknown) => {
      if (!Array.isArray(interfaces)) return;
      for (const ni of interfaces as Record<string, unknown>[]) {
        if (!ni || !isTrueish(m.resolve(r.stack, ni.AssociatePublicIpAddress))) continue;
        const p = ni.SubnetId !== undefined ? this.placeSubnet(r, ni.SubnetId) : NOT_PLACED;
        this.push(out, EgressKind.PUBLIC_ADDRESS, r, p, 'network interface with a public IP address');
      }
    };
    for (const r of m.resourcesOfType('AWS::EC2::Instance')) checkInterfaces(r, r.properties.NetworkInterfaces);
    // A launch template's interfaces rarely name a subnet: it runs where its Auto Scaling groups put it.
    const groupsOfTemplate = new Map<ModelResource, ModelResource[]>();
    for (const g of m.resourcesOfType('AWS::AutoScaling::AutoScalingGroup')) {
      const mixed = (g.properties.MixedInstancesPolicy as Record<string, any> | undefined)?.LaunchTemplate?.LaunchTemplateSpecification;
      const spec = (g.properties.LaunchTemplate as Record<string, unknown> | undefined) ?? mixed;
      const lt = spec ? m.refTargetResource(g.stack, spec.LaunchTemplateId ?? spec.LaunchTemplateName) : undefined;
      if (lt) groupsOfTemplate.set(lt, [...(groupsOfTemplate.get(lt) ?? []), g]);
    }
    for (const r of m.resourcesOfType('AWS::EC2::LaunchTemplate')) {
      const interfaces = (r.properties.LaunchTemplateData as Record<string, unknown> | undefined)?.NetworkInterfaces;
      if (!Array.isArray(interfaces)) continue;
      for (const ni of interfaces as Record<string, unknown>[]) {
        if (!ni || !isTrueish(m.resolve(r.stack, ni.AssociatePublicIpAddress))) continue;
        let p: Placement = ni.SubnetId !== undefined ? this.placeSubnet(r, ni.SubnetId) : NOT_PLACED;
        for (const g of groupsOfTemplate.get(r) ?? []) {
          if (p.environment !== undefined) break;
          const q = this.placeSubnets(g, g.properties.VPCZoneIdentifier);
          if (q.environment !== undefined || q.unresolved) p = q;
        }
        this.push(out, EgressKind.PUBLIC_ADDRESS, r, p, 'launch template network interface with a public IP address');
      }
    }
    this.collectInstanceMetadata(out, groupsOfTemplate);
  }

  /**
   * Instance credentials must need IMDSv2 with a hop limit of 1: with IMDSv1 (or a larger hop
   * limit) a process in a container or behind a proxy on the instance can lift the role's
   * credentials and use them elsewhere (ESCAPES.md 28).
   */
  private collectInstanceMetadata(out: EgressPath[], groupsOfTemplate: Map<ModelResource, ModelResource[]>): void {
    const m = this.model;
    const placeVia = (r: ModelResource, subnets: unknown[], groups: readonly ModelResource[]): Placement => {
      let p: Placement = NOT_PLACED;
      for (const s of subnets) {
        const q = this.placeSubnet(r, s);
        if (q.environment !== undefined) return q;
        if (q.unresolved) p = q;
      }
      for (const g of groups) {
        const q = this.placeSubnets(g, g.properties.VPCZoneIdentifier);
        if (q.environment !== undefined) return q;
        if (q.unresolved) p = q;
      }
      return p;
    };
    const usersOf = (lt: ModelResource) => m.resourcesOfType('AWS::EC2::Instance').filter((i) => {
      const spec = i.properties.LaunchTemplate as Record<string, unknown> | undefined;
      return spec !== undefined && m.refTargetResource(i.stack, spec.LaunchTemplateId ?? spec.LaunchTemplateName) === lt;
    });
    for (const r of m.resourcesOfType('AWS::EC2::LaunchTemplate')) {
      const data = (r.properties.LaunchTemplateData ?? {}) as Record<string, unknown>;
      const problem = metadataProblem(m, r, data.MetadataOptions);
      if (!problem) continue;
      const interfaces = Array.isArray(data.NetworkInterfaces) ? (data.NetworkInterfaces as Record<string, unknown>[]) : [];
      const instances = usersOf(r);
      const subnets = [...interfaces.map((ni) => ni?.SubnetId).filter((x) => x !== undefined), ...instances.map((i) => i.properties.SubnetId).filter((x) => x !== undefined)];
      this.push(out, EgressKind.INSTANCE_METADATA, r, placeVia(r, subnets, groupsOfTemplate.get(r) ?? []), `launch template ${problem}`);
    }
    for (const r of m.resourcesOfType('AWS::EC2::Instance')) {
      if (r.properties.LaunchTemplate !== undefined) continue; // judged through its launch template
      const interfaces = Array.isArray(r.properties.NetworkInterfaces) ? (r.properties.NetworkInterfaces as Record<string, unknown>[]) : [];
      const subnets = [r.properties.SubnetId, ...interfaces.map((ni) => ni?.SubnetId)].filter((x) => x !== undefined);
      this.push(out, EgressKind.INSTANCE_METADATA, r, placeVia(r, subnets, []),
        'instance without a launch template: IMDSv1 stays allowed (CloudFormation sets metadata options only through a launch template)');
    }
    for (const r of m.resourcesOfType('AWS::AutoScaling::LaunchConfiguration')) {
      const problem = metadataProblem(m, r, r.properties.MetadataOptions);
      if (!problem) continue;
      const groups = m.resourcesOfType('AWS::AutoScaling::AutoScalingGroup').filter((g) => m.refTargetResource(g.stack, g.properties.LaunchConfigurationName) === r);
      this.push(out, EgressKind.INSTANCE_METADATA, r, placeVia(r, [], groups), `launch configuration ${problem}`);
    }
  }

  private collectMissingControls(out: EgressPath[]): void {
    const m = this.model;
    const firewallOf = new Map<ModelResource, ModelResource[]>();
    for (const a of m.resourcesOfType('AWS::Route53Resolver::FirewallRuleGroupAssociation')) {
      const vpc = m.refTargetResource(a.stack, a.properties.VpcId);
      if (vpc) firewallOf.set(vpc, [...(firewallOf.get(vpc) ?? []), a]);
    }
    const failOpen = new Set<ModelResource>();
    for (const c of m.resourcesOfType('AWS::Route53Resolver::FirewallConfig')) {
      const vpc = m.refTargetResource(c.stack, c.properties.ResourceId);
      if (vpc && String(c.properties.FirewallFailOpen ?? '').toUpperCase() === 'ENABLED') failOpen.add(vpc);
    }
    const flowLogged = new Set<ModelResource>();
    for (const f of m.resourcesOfType('AWS::EC2::FlowLog')) {
      if (String(f.properties.TrafficType ?? '').toUpperCase() !== 'ALL') continue;
      const target = m.refTargetResource(f.stack, f.properties.ResourceId);
      if (target) flowLogged.add(target);
    }
    const queryLogged = new Set<ModelResource>();
    for (const q of m.resourcesOfType('AWS::Route53Resolver::ResolverQueryLoggingConfigAssociation')) {
      const target = m.refTargetResource(q.stack, q.properties.ResourceId);
      if (target) queryLogged.add(target);
    }

    for (const { environment, vpc } of m.environments.environmentVpcs()) {
      const p: Placement = { environment, vpc, unresolved: false };
      const associations = firewallOf.get(vpc) ?? [];
      if (associations.length === 0) {
        this.push(out, EgressKind.MISSING_DNS_FIREWALL, vpc, p, 'no DNS firewall rule group is associated with the VPC: its resolver answers any public name (a DNS tunnel)');
      } else if (!this.isWalledGarden(associations)) {
        this.push(out, EgressKind.MISSING_DNS_FIREWALL, vpc, p, 'the DNS firewall associated with the VPC does not end in a BLOCK of every domain, or a rule evaluated before that BLOCK lets any domain (or a public suffix wildcard) through (or its rule group cannot be read from the template)');
      }
      if (failOpen.has(vpc)) {
        this.push(out, EgressKind.MISSING_DNS_FIREWALL, vpc, p, 'the DNS firewall fails open (FirewallFailOpen ENABLED)');
      }
      if (!flowLogged.has(vpc)) {
        const subnets = m.environments.subnetsOfVpc(vpc);
        const allSubnetsLogged = subnets.length > 0 && subnets.every((s) => flowLogged.has(s));
        if (!allSubnetsLogged) this.push(out, EgressKind.MISSING_FLOW_LOG, vpc, p, 'no flow log of ALL traffic on the VPC');
      }
      if (!queryLogged.has(vpc)) {
        this.push(out, EgressKind.MISSING_QUERY_LOG, vpc, p, 'no resolver query logging on the VPC: DNS traffic is recorded nowhere else');
      }
    }
  }

  /**
   * The VPC's DNS firewall is a walled garden when, in evaluation order (association priority, then
   * rule priority; the first matching rule decides), a BLOCK of `*` comes before any non-BLOCK rule
   * that could match any domain: one whose domain list holds `*`, a public-suffix wildcard such as
   * `*.com`, or cannot be read, or a threat-protection rule that lets matches through. Unresolvable
   * priorities are read pessimistically (open rules first, the catch-all BLOCK last).
   */
  private isWalledGarden(associations: readonly ModelResource[]): boolean {
    const m = this.model;
    const order: { assoc: number; rule: number; block: boolean }[] = [];
    const FIRST = -Number.MAX_SAFE_INTEGER;
    const LAST = Number.MAX_SAFE_INTEGER;
    const priority = (r: ModelResource, raw: unknown, unknownAs: number): number => {
      const v = m.resolve(r.stack, raw);
      const n = v.kind === 'literal' ? Number(v.value) : NaN;
      return v.kind === 'literal' && v.value !== null && v.value !== '' && Number.isFinite(n) ? n : unknownAs;
    };
    for (const a of associations) {
      const group = m.refTargetResource(a.stack, a.properties.FirewallRuleGroupId);
      const rules = group?.type === 'AWS::Route53Resolver::FirewallRuleGroup' ? group.properties.FirewallRules : undefined;
      if (!group || !Array.isArray(rules)) {
        order.push({ assoc: priority(a, a.properties.Priority, FIRST), rule: FIRST, block: false });
        continue;
      }
      for (const rule of rules as Record<string, unknown>[]) {
        const action = String(rule?.Action ?? '').toUpperCase();
        const domains = this.domainsOf(group, rule?.FirewallDomainListId);
        if (action === 'BLOCK') {
          if (domains?.includes('*')) order.push({ assoc: priority(a, a.properties.Priority, LAST), rule: priority(group, rule.Priority, LAST), block: true });
        } else if (domains === undefined || domains.some(isBroadDomain)) {
          order.push({ assoc: priority(a, a.properties.Priority, FIRST), rule: priority(group, rule?.Priority, FIRST), block: false });
        }
      }
    }
    order.sort((x, y) => x.assoc - y.assoc || x.rule - y.rule || Number(x.block) - Number(y.block));
    return order.length > 0 && order[0].block;
  }

  /** The domains of a firewall domain list the rule names; undefined when it cannot be read (no list, imported, file URL). */
  private domainsOf(group: ModelResource, listId: unknown): (string | undefined)[] | undefined {
    if (listId === undefined) return undefined;
    const list = this.model.refTargetResource(group.stack, listId);
    if (!list || list.type !== 'AWS::Route53Resolver::FirewallDomainList') return undefined;
    const domains = this.model.resolve(list.stack, list.properties.Domains);
    return domains.kind === 'array' ? domains.items.map((d) => asString(d)) : undefined;
  }

  private placeInstance(r: ModelResource, value: unknown): Placement {
    const instance = this.model.refTargetResource(r.stack, value);
    if (instance?.type === 'AWS::EC2::Instance') {
      if (instance.properties.SubnetId !== undefined) return this.placeSubnet(instance, instance.properties.SubnetId);
      const tagged = this.envOfTag(instance);
      return tagged !== undefined ? { environment: tagged, unresolved: false } : NOT_PLACED;
    }
    return this.unresolvedIfEnvironments(r, value);
  }

  private placeEni(r: ModelResource, value: unknown): Placement {
    const eni = this.model.refTargetResource(r.stack, value);
    if (eni?.type === 'AWS::EC2::NetworkInterface') return this.placeSubnet(eni, eni.properties.SubnetId);
    return this.unresolvedIfEnvironments(r, value);
  }
}

/** Why metadata options leave instance credentials reachable, or undefined when IMDSv2 with hop limit 1 (or IMDS off). */
function metadataProblem(m: TemplateModel, r: ModelResource, options: unknown): string | undefined {
  if (!options || typeof options !== 'object') return 'allows IMDSv1 (no MetadataOptions: HttpTokens defaults to optional)';
  const o = options as Record<string, unknown>;
  const literal = (v: unknown) => {
    const x = m.resolve(r.stack, v);
    return x.kind === 'literal' && !x.placeholders ? x.value : undefined;
  };
  if (o.HttpEndpoint !== undefined && String(literal(o.HttpEndpoint)).toLowerCase() === 'disabled') return undefined;
  if (String(literal(o.HttpTokens) ?? '').toLowerCase() !== 'required') return 'allows IMDSv1 (HttpTokens is not required)';
  if (o.HttpPutResponseHopLimit !== undefined) {
    const hops = Number(literal(o.HttpPutResponseHopLimit));
    if (!(hops === 1)) return `lets instance credentials travel ${Number.isFinite(hops) ? hops : 'an unknown number of'} hops (HttpPutResponseHopLimit must be 1)`;
  }
  return undefined;
}

/** `com.amazonaws.${AWS::Region}.s3` (placeholders from Join/Sub) reads as `com.amazonaws.region.s3`. */
function normaliseServiceName(name: string): string {
  return name.replace(/\$\{AWS::Region\}/g, 'region').replace(/\$\{[^}]*\}/g, 'unresolved');
}

/**
 * A domain-list entry that may match names anyone can register: `*`, a wildcard over fewer than two
 * literal labels (`*.com`), a value that is (partly) unresolvable in its first labels, or unreadable.
 */
function isBroadDomain(d: string | undefined): boolean {
  if (d === undefined) return true;
  const labels = d.trim().toLowerCase().replace(/\.$/, '').split('.');
  return labels.filter((l) => l !== '' && !/[*?${}]/.test(l)).length < 2;
}

function isTrueish(v: Resolved): boolean {
  return possibilities(v).some((o) => (o.kind === 'literal' && (o.value === true || String(o.value).toLowerCase() === 'true')) || o.kind === 'unknown');
}

const PRINCIPAL_SCOPING_KEYS = ['aws:principalaccount', 'aws:principalorgid', 'aws:principalorgpaths', 'aws:principalisawsservice'];
const RESOURCE_SCOPING_KEYS = ['aws:resourceaccount', 'aws:resourceorgid', 'aws:resourceorgpaths'];

/**
 * Why an endpoint's policy does not confine it to the environment's principals AND resources, or
 * undefined when it does. Without a PolicyDocument an endpoint allows everything to everyone.
 */
function endpointPolicyProblem(m: TemplateModel, r: ModelResource): string | undefined {
  if (r.properties.PolicyDocument === undefined) return 'no endpoint policy (full access for any principal to any resource)';
  const doc = m.resolve(r.stack, r.properties.PolicyDocument);
  const docObj = doc.kind === 'literal' && typeof doc.value === 'string' ? parseJson(doc.value) : toPlain(doc);
  if (!docObj || typeof docObj !== 'object') return 'the endpoint policy cannot be read from the template';
  const statements = ([] as unknown[]).concat((docObj as Record<string, unknown>).Statement ?? []);
  for (const [i, s] of statements.entries()) {
    if (!s || typeof s !== 'object') return `statement ${i} cannot be read`;
    const st = s as Record<string, unknown>;
    if (String(st.Effect) !== 'Allow') continue;
    if (isEcrLayerRead(st)) continue;
    const conditionKeys = Object.values((st.Condition ?? {}) as Record<string, unknown>)
      .flatMap((block) => (block && typeof block === 'object' ? Object.keys(block) : []))
      .map((k) => k.toLowerCase());
    const principalScoped = conditionKeys.some((k) => PRINCIPAL_SCOPING_KEYS.includes(k)) || !isWildcardPrincipal(st.Principal);
    const serviceOnly = conditionKeys.includes('aws:principalisawsservice');
    const resources = ([] as unknown[]).concat(st.Resource ?? []);
    const resourceScoped = conditionKeys.some((k) => RESOURCE_SCOPING_KEYS.includes(k))
      || (st.NotResource === undefined && resources.length > 0 && resources.every((x) => typeof x === 'string' && x !== '*' && !/^arn:[^:]*:[^:]*:[^:]*:[^:]*:\*$/.test(x)));
    if (!principalScoped) return `statement ${i}${st.Sid ? ` (${st.Sid})` : ''} allows any principal: add aws:PrincipalAccount or aws:PrincipalOrgID`;
    if (!resourceScoped && !serviceOnly) return `statement ${i}${st.Sid ? ` (${st.Sid})` : ''} allows any resource: add aws:ResourceAccount or aws:ResourceOrgID`;
  }
  return undefined;
}

/**
 * ECR's image layers are pre-signed S3 GETs of an AWS-owned bucket, signed by an ECR service
 * account: an endpoint policy must admit them without a principal condition
 * (https://docs.aws.amazon.com/AmazonECR/latest/userguide/vpc-endpoints.html#ecr-minimum-s3-perms).
 * Safe only in exactly that form: s3:GetObject alone, on `prod-${AWS::Region}-starport-layer-bucket`
 * of the deployment region (a literal region could name a bucket anyone may register), no NotAction
 * or NotResource.
 */
function isEcrLayerRead(st: Record<string, unknown>): boolean {
  if (st.NotAction !== undefined || st.NotResource !== undefined) return false;
  const actions = ([] as unknown[]).concat(st.Action ?? []);
  const resources = ([] as unknown[]).concat(st.Resource ?? []);
  return actions.length > 0 && actions.every((a) => typeof a === 'string' && a.toLowerCase() === 's3:getobject')
    && resources.length > 0 && resources.every((r) => typeof r === 'string' && ECR_LAYER_BUCKET_OBJECTS.test(r));
}

const ECR_LAYER_BUCKET_OBJECTS = /^arn:(\$\{AWS::Partition\}|aws|aws-cn|aws-us-gov):s3:::prod-\$\{AWS::Region\}-starport-layer-bucket\/\*$/;

function isWildcardPrincipal(p: unknown): boolean {
  if (p === undefined || p === '*') return true;
  if (p && typeof p === 'object') {
    return Object.values(p as Record<string, unknown>).some((v) => ([] as unknown[]).concat(v).some((x) => x === '*' || typeof x !== 'string'));
  }
  return true;
}

function parseJson(s: string): unknown {
  try {
    return JSON.parse(s);
  } catch {
    return undefined;
  }
}

/** A resolved value back as plain JSON, with placeholders for references; unknown parts become a marker. */
function toPlain(v: Resolved): unknown {
  switch (v.kind) {
    case 'literal': return v.value;
    case 'array': return v.items.map(toPlain);
    case 'object': return Object.fromEntries(Object.entries(v.entries).map(([k, x]) => [k, toPlain(x)]));
    case 'choice': return toPlain(v.options[0]);
    case 'novalue': return undefined;
    case 'unknown': return { __unknown: v.reason };
    default: return asString(v);
  }
}
