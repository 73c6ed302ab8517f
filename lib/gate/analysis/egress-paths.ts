import { publicSuffixWildcard } from '../../network/dns-firewall-match';
import { ENDPOINT_SERVICES, endpointServiceIdOf, EndpointKind } from '../../network/endpoint-services';
import { asString, possibilities, type ModelResource, type Resolved, type TemplateModel } from '../model';
import { PermissionAnalysis } from './effective-permissions';
import { IdentityReachability, type ReachablePrincipal } from './identity-reachability';
import type { ResourceTarget } from './policy-document';

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
  /**
   * Managed compute the environment uses that AWS connects to the internet itself: SageMaker notebooks
   * with direct internet access, Studio domains on PublicInternetOnly, models without VPC or isolation.
   */
  MANAGED_INTERNET = 'managed-internet',
  /**
   * A template-level sink: a bucket agents write that is readable by, replicated, notified or exported
   * to another account; a log subscription to a foreign destination; access keys whose secret reaches
   * environment compute.
   */
  DATA_SINK = 'data-sink',
}

/** One way out of an environment the network analysis found, or a control it misses. */
export interface EgressPath {
  /** What kind of path it is (see EgressKind). */
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

/** Which side of the perimeter a network interface is on. */
type InterfaceSide =
  | { readonly kind: 'none' }
  | { readonly kind: 'env'; readonly environment: string; readonly vpc?: ModelResource }
  | { readonly kind: 'outside'; readonly what: string }
  | { readonly kind: 'unknown'; readonly what: string };

/** A DNS Firewall rule group applied to a VPC, directly or through a Route 53 Profile. */
interface FirewallAssociation {
  /** The association (its stack resolves the priority). */
  readonly at: ModelResource;
  readonly priority: unknown;
  readonly group?: ModelResource;
  readonly viaProfile?: boolean;
}

const cache = new WeakMap<TemplateModel, EgressPathAnalysis>();

/**
 * The network analysis of a model: every path out of an environment's VPC (routes, gateways,
 * peering, endpoints and their policies, DNS, dual-homed hosts, public front doors, data sinks) and
 * every missing control. `EgressPathAnalysis.of(model)` computes it once per model; the NET and EXF
 * rules read it.
 */
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
  /** Principals that may do an action on some resource, by action (environmentOfWriters). */
  private readonly writersOf = new Map<string, readonly ReachablePrincipal[]>();

  private constructor(private readonly model: TemplateModel) {
    this.hasEnvironments = model.environments.environmentVpcs().length > 0;
    const out: EgressPath[] = [];
    this.collectAttachments(out);
    this.collectRoutes(out);
    this.collectEndpoints(out);
    this.collectDns(out);
    this.collectTunnelsAndAddresses(out);
    this.collectHosts(out);
    this.collectFrontDoors(out);
    this.collectManagedInternet(out);
    this.collectSinks(out);
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
      ...(p.vpc
        ? { vpc: p.vpc }
        : environment !== undefined && this.model.environments.vpcsOf(environment)[0]
          ? { vpc: this.model.environments.vpcsOf(environment)[0] }
          : {}),
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
      this.push(
        out,
        EgressKind.INTERNET,
        r,
        this.placeSubnet(r, r.properties.SubnetId),
        priv ? 'private NAT gateway: a path to other networks through transit gateways or peering' : 'NAT gateway: outbound internet access',
      );
    }
    for (const r of m.resourcesOfType('AWS::EC2::EIP')) {
      const p = r.properties.InstanceId !== undefined ? this.placeInstance(r, r.properties.InstanceId) : NOT_PLACED;
      this.push(
        out,
        EgressKind.INTERNET,
        r,
        p,
        p.environment !== undefined ? 'Elastic IP address on environment compute' : 'Elastic IP address allocated in the environment',
      );
    }
    for (const r of m.resourcesOfType('AWS::EC2::EIPAssociation')) {
      const p =
        r.properties.NetworkInterfaceId !== undefined ? this.placeEni(r, r.properties.NetworkInterfaceId) : this.placeInstance(r, r.properties.InstanceId);
      this.push(out, EgressKind.INTERNET, r, p, 'Elastic IP associated with environment compute');
    }
    for (const r of m.resourcesOfType('AWS::EC2::VPCPeeringConnection')) {
      const a = this.placeVpc(r, r.properties.VpcId);
      const b = this.placeVpc(r, r.properties.PeerVpcId);
      this.push(
        out,
        EgressKind.CROSS_VPC,
        r,
        a.environment !== undefined ? a : b.environment !== undefined ? b : { unresolved: a.unresolved || b.unresolved },
        'VPC peering connection',
      );
    }
    for (const type of ['AWS::EC2::TransitGatewayAttachment', 'AWS::EC2::TransitGatewayVpcAttachment']) {
      for (const r of m.resourcesOfType(type)) {
        const p = this.placeVpc(r, r.properties.VpcId);
        this.push(out, EgressKind.CROSS_VPC, r, p.environment !== undefined ? p : this.placeSubnets(r, r.properties.SubnetIds), 'transit gateway attachment');
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
      this.push(
        out,
        EgressKind.CROSS_VPC,
        r,
        this.placeLoadBalancers(r, r.properties.TargetArns),
        'API Gateway VPC link: a public API that relays into the VPC',
      );
    }
    for (const r of m.resourcesOfType('AWS::EC2::VPCEndpointService')) {
      const lbs = [r.properties.NetworkLoadBalancerArns, r.properties.GatewayLoadBalancerArns].filter((x) => x !== undefined);
      let p: Placement = NOT_PLACED;
      for (const v of lbs) {
        const q = this.placeLoadBalancers(r, v);
        if (q.environment !== undefined) {
          p = q;
          break;
        }
        if (q.unresolved) p = q;
      }
      this.push(out, EgressKind.CROSS_VPC, r, p, "VPC endpoint service: other accounts' VPCs connect into the environment through PrivateLink");
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
      const ref =
        (item.kind === 'ref' || item.kind === 'getatt') && item.stack ? this.model.resourceAt({ stack: item.stack, logicalId: item.logicalId }) : undefined;
      if (ref?.type === 'AWS::ElasticLoadBalancingV2::LoadBalancer') {
        const mappings = Array.isArray(ref.properties.SubnetMappings)
          ? (ref.properties.SubnetMappings as Record<string, unknown>[]).map((x) => x?.SubnetId)
          : [];
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
      const p =
        table?.type === 'AWS::EC2::RouteTable' ? this.placeVpc(table, table.properties.VpcId) : this.unresolvedIfEnvironments(r, r.properties.RouteTableId);
      const dest =
        asString(
          m.resolve(r.stack, r.properties.DestinationCidrBlock ?? r.properties.DestinationIpv6CidrBlock ?? r.properties.DestinationPrefixListId ?? ''),
        ) ?? 'an unresolved destination';
      const target =
        Object.keys(r.properties).find((k) =>
          /(GatewayId|InstanceId|NetworkInterfaceId|PeeringConnectionId|TransitGatewayId|EndpointId|CoreNetworkArn)$/.test(k),
        ) ?? 'an unknown target';
      this.push(out, EgressKind.ROUTE, r, p, `route to ${dest} through ${target}: the only route an environment may have is local`);
    }
    for (const r of m.resourcesOfType('AWS::EC2::VPNGatewayRoutePropagation')) {
      this.push(out, EgressKind.ROUTE, r, NOT_PLACED, 'VPN route propagation into environment route tables');
    }
  }

  private collectEndpoints(out: EgressPath[]): void {
    const m = this.model;
    const judged: { r: ModelResource; p: Placement; id: string }[] = [];
    for (const r of m.resourcesOfType('AWS::EC2::VPCEndpoint')) {
      const p = this.placeVpc(r, r.properties.VpcId);
      if (p.environment === undefined && !p.unresolved && this.envOfTag(r) === undefined) continue;
      const types = this.possibleStrings(r, r.properties.VpcEndpointType ?? 'Gateway');
      const type = types?.length === 1 ? types[0] : undefined;
      const serviceName = asString(m.resolve(r.stack, r.properties.ServiceName ?? ''));
      const id = serviceName ? endpointServiceIdOf(normaliseServiceName(serviceName)) : undefined;
      const def = id ? ENDPOINT_SERVICES[id] : undefined;
      // S3 is offered as a gateway, but an S3 interface endpoint (the README's choice for a NACL that
      // admits only the VPC CIDR) is the same service: with private DNS it answers the S3 names
      // (`s3.<region>.amazonaws.com`, `*.s3.<region>.amazonaws.com`) the walled garden already allows.
      // https://docs.aws.amazon.com/AmazonS3/latest/userguide/privatelink-interface-endpoints.html
      const kindMatches = def && ((def.kind === EndpointKind.GATEWAY) === (type === 'Gateway') || (id === 's3' && type === 'Interface'));
      if (!serviceName || !def || !kindMatches || type === undefined || !['Gateway', 'Interface'].includes(type)) {
        const what = !serviceName
          ? 'an unresolvable service'
          : serviceName.includes('vpce-svc')
            ? `a PrivateLink service owned by someone (${serviceName})`
            : `${serviceName} (${type ?? 'an unresolvable endpoint type'})`;
        this.push(out, EgressKind.FOREIGN_ENDPOINT, r, p, `VPC endpoint to ${what}, which is not on the endpoint allowlist`);
        continue;
      }
      judged.push({ r, p, id: id! });
    }
    // The organisation id counts as the environment's only when every endpoint of its VPC names the same one.
    const orgsByVpc = new Map<ModelResource | undefined, Set<string>[]>();
    for (const { r, p } of judged) {
      const key = p.vpc;
      orgsByVpc.set(key, [...(orgsByVpc.get(key) ?? []), r.properties.PolicyDocument === undefined ? new Set<string>() : orgIdsOf(m, r)]);
    }
    for (const { r, p, id } of judged) {
      const sets = orgsByVpc.get(p.vpc) ?? [];
      const first = sets[0];
      const orgId = first && first.size === 1 && sets.every((x) => x.size === 1 && [...x][0] === [...first][0]) ? [...first][0] : undefined;
      const identity: PerimeterIdentity = { accounts: assertedAccounts(r.stack), ...(orgId ? { orgId } : {}) };
      const problem = endpointPolicyProblem(m, r, identity);
      if (problem) this.push(out, EgressKind.OPEN_ENDPOINT_POLICY, r, p, `endpoint to ${id}: ${problem}`);
    }
  }

  /**
   * The literal string values a property may take at deploy time, or undefined when one of them
   * cannot be known. A parameter counts by its AllowedValues (a deployer may override the Default);
   * without AllowedValues it may be anything.
   */
  private possibleStrings(r: ModelResource, raw: unknown): string[] | undefined {
    const p = this.model.possibleValues(r.stack, raw);
    if (p.unknown.length > 0 || p.values.some((v) => v === null)) return undefined;
    return p.values.filter((v) => v !== undefined).map(String);
  }

  /** Launch templates a LaunchTemplate specification names, by id (Ref) or by LaunchTemplateName. */
  private launchTemplatesNamed(r: ModelResource, spec: Record<string, unknown>): ModelResource[] {
    const value = spec.LaunchTemplateId ?? spec.LaunchTemplateName;
    if (value === undefined) return [];
    return this.model.resourcesNamedBy(r.stack, value, ['AWS::EC2::LaunchTemplate'], ['LaunchTemplateName']).resources;
  }

  private collectDns(out: EgressPath[]): void {
    const m = this.model;
    for (const r of m.resourcesOfType('AWS::Route53Resolver::ResolverEndpoint')) {
      if (String(r.properties.Direction ?? '').toUpperCase() === 'INBOUND') continue;
      const ips = Array.isArray(r.properties.IpAddresses) ? (r.properties.IpAddresses as Record<string, unknown>[]) : [];
      let p: Placement = ips.length === 0 ? this.unresolvedIfEnvironments(r, r.properties.IpAddresses) : NOT_PLACED;
      for (const ip of ips) {
        const q = this.placeSubnet(r, ip?.SubnetId);
        if (q.environment !== undefined) {
          p = q;
          break;
        }
        if (q.unresolved) p = q;
      }
      this.push(out, EgressKind.DNS_REDIRECT, r, p, 'outbound resolver endpoint: DNS queries leave the walled garden');
    }
    for (const r of m.resourcesOfType('AWS::Route53Resolver::ResolverRuleAssociation')) {
      const rule = m.refTargetResource(r.stack, r.properties.ResolverRuleId);
      if (rule && this.isLocalResolverRule(rule)) continue;
      this.push(out, EgressKind.DNS_REDIRECT, r, this.placeVpc(r, r.properties.VPCId), 'forwarding resolver rule associated with the VPC');
    }
    // Route 53 Profiles carry resolver rules, DNS Firewall rule groups and zones to every VPC they are
    // associated with (https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/profiles.html).
    for (const { association, resource, placement } of this.profileResources()) {
      const target = m.refTargetResource(resource.stack, resource.properties.ResourceArn);
      const arn = asString(m.resolve(resource.stack, resource.properties.ResourceArn)) ?? '';
      if (target?.type === 'AWS::Route53Resolver::ResolverRule' || (!target && /:resolver-rule\//.test(arn))) {
        if (target && this.isLocalResolverRule(target)) continue;
        this.push(
          out,
          EgressKind.DNS_REDIRECT,
          resource,
          placement,
          `Route 53 Profile ${association.logicalId} carries a forwarding resolver rule${target ? ` (${target.logicalId})` : ''} to the VPC`,
        );
      } else if (target?.type === 'AWS::Route53Resolver::FirewallRuleGroup' || (!target && /:firewall-rule-group\//.test(arn))) {
        continue; // judged with the VPC's own firewall associations (collectMissingControls)
      } else if (target?.type === 'AWS::Route53::HostedZone' || (!target && /:hostedzone\//.test(arn))) {
        continue; // private zones answer names; they send no query anywhere
      } else {
        this.push(
          out,
          EgressKind.DNS_REDIRECT,
          resource,
          placement,
          `Route 53 Profile ${association.logicalId} carries ${target ? `${target.type} ${target.logicalId}` : `a resource the gate cannot identify (${arn || 'unresolvable ARN'})`} to the VPC`,
        );
      }
    }
  }

  /** A resolver rule that certainly resolves locally (SYSTEM or RECURSIVE for every deploy-time value of RuleType). */
  private isLocalResolverRule(rule: ModelResource): boolean {
    const types = this.possibleStrings(rule, rule.properties.RuleType);
    return types !== undefined && types.length > 0 && types.every((t) => ['SYSTEM', 'RECURSIVE'].includes(t.toUpperCase()));
  }

  /**
   * Every resource a Route 53 Profile carries into an environment VPC: profile associations whose VPC
   * is an environment's (or cannot be resolved), joined with the profile's resource associations.
   */
  private profileResources(): { association: ModelResource; resource: ModelResource; placement: Placement }[] {
    const m = this.model;
    const out: { association: ModelResource; resource: ModelResource; placement: Placement }[] = [];
    const resources = m.resourcesOfType('AWS::Route53Profiles::ProfileResourceAssociation');
    for (const a of m.resourcesOfType('AWS::Route53Profiles::ProfileAssociation')) {
      const placement = this.placeVpc(a, a.properties.ResourceId);
      if (placement.environment === undefined && !placement.unresolved && this.envOfTag(a) === undefined) continue;
      const profile = m.refTargetResource(a.stack, a.properties.ProfileId);
      for (const r of resources) {
        const p = m.refTargetResource(r.stack, r.properties.ProfileId);
        // An imported profile on either side may be the same profile.
        if (profile && p && profile !== p) continue;
        out.push({ association: a, resource: r, placement });
      }
      if (!profile && resources.length === 0) {
        out.push({ association: a, resource: a, placement }); // an imported profile: what it carries is unknown
      }
    }
    return out;
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
      const v6 =
        r.properties.AmazonProvidedIpv6CidrBlock !== undefined ||
        r.properties.Ipv6Pool !== undefined ||
        r.properties.Ipv6CidrBlock !== undefined ||
        r.properties.Ipv6IpamPoolId !== undefined;
      if (v6) this.push(out, EgressKind.PUBLIC_ADDRESS, r, this.placeVpc(r, r.properties.VpcId), 'IPv6 CIDR block added to the VPC');
    }
    for (const r of m.resourcesOfType('AWS::EC2::SubnetCidrBlock')) {
      this.push(
        out,
        EgressKind.PUBLIC_ADDRESS,
        r,
        this.placeSubnet(r, r.properties.SubnetId),
        'IPv6 CIDR block associated with the subnet (the IPv6 side door)',
      );
    }
    for (const r of m.resourcesOfType('AWS::EC2::VPCBlockPublicAccessExclusion')) {
      const p = r.properties.VpcId !== undefined ? this.placeVpc(r, r.properties.VpcId) : this.placeSubnet(r, r.properties.SubnetId);
      this.push(out, EgressKind.PUBLIC_ADDRESS, r, p, 'VPC Block Public Access exclusion');
    }
    const checkInterfaces = (r: ModelResource, interfaces: unknown) => {
      if (!Array.isArray(interfaces)) return;
      for (const ni of interfaces as Record<string, unknown>[]) {
        if (!ni || !isTrueish(m.resolve(r.stack, ni.AssociatePublicIpAddress))) continue;
        const subnet = ni.SubnetId ?? r.properties.SubnetId;
        const p = subnet !== undefined ? this.placeSubnet(r, subnet) : NOT_PLACED;
        this.push(out, EgressKind.PUBLIC_ADDRESS, r, p, 'network interface with a public IP address');
      }
    };
    for (const r of m.resourcesOfType('AWS::EC2::Instance')) checkInterfaces(r, r.properties.NetworkInterfaces);
    // A launch template's interfaces rarely name a subnet: it runs where its Auto Scaling groups put it.
    const groupsOfTemplate = new Map<ModelResource, ModelResource[]>();
    for (const g of m.resourcesOfType('AWS::AutoScaling::AutoScalingGroup')) {
      const mixed = (g.properties.MixedInstancesPolicy as Record<string, any> | undefined)?.LaunchTemplate?.LaunchTemplateSpecification;
      const spec = (g.properties.LaunchTemplate as Record<string, unknown> | undefined) ?? mixed;
      for (const lt of spec ? this.launchTemplatesNamed(g, spec) : []) groupsOfTemplate.set(lt, [...(groupsOfTemplate.get(lt) ?? []), g]);
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
    const usersOf = (lt: ModelResource) =>
      m.resourcesOfType('AWS::EC2::Instance').filter((i) => {
        const spec = i.properties.LaunchTemplate as Record<string, unknown> | undefined;
        return spec !== undefined && this.launchTemplatesNamed(i, spec).includes(lt);
      });
    for (const r of m.resourcesOfType('AWS::EC2::LaunchTemplate')) {
      const data = (r.properties.LaunchTemplateData ?? {}) as Record<string, unknown>;
      const problem = metadataProblem(m, r, data.MetadataOptions);
      if (!problem) continue;
      const interfaces = Array.isArray(data.NetworkInterfaces) ? (data.NetworkInterfaces as Record<string, unknown>[]) : [];
      const instances = usersOf(r);
      const subnets = [
        ...interfaces.map((ni) => ni?.SubnetId).filter((x) => x !== undefined),
        ...instances.map((i) => i.properties.SubnetId).filter((x) => x !== undefined),
      ];
      this.push(out, EgressKind.INSTANCE_METADATA, r, placeVia(r, subnets, groupsOfTemplate.get(r) ?? []), `launch template ${problem}`);
    }
    for (const r of m.resourcesOfType('AWS::EC2::Instance')) {
      if (r.properties.LaunchTemplate !== undefined) continue; // judged through its launch template
      const interfaces = Array.isArray(r.properties.NetworkInterfaces) ? (r.properties.NetworkInterfaces as Record<string, unknown>[]) : [];
      const subnets = [r.properties.SubnetId, ...interfaces.map((ni) => ni?.SubnetId)].filter((x) => x !== undefined);
      this.push(
        out,
        EgressKind.INSTANCE_METADATA,
        r,
        placeVia(r, subnets, []),
        'instance without a launch template: IMDSv1 stays allowed (CloudFormation sets metadata options only through a launch template)',
      );
    }
    for (const r of m.resourcesOfType('AWS::AutoScaling::LaunchConfiguration')) {
      const problem = metadataProblem(m, r, r.properties.MetadataOptions);
      if (!problem) continue;
      const groups = m
        .resourcesOfType('AWS::AutoScaling::AutoScalingGroup')
        .filter(
          (g) =>
            g.properties.LaunchConfigurationName !== undefined &&
            m
              .resourcesNamedBy(g.stack, g.properties.LaunchConfigurationName, ['AWS::AutoScaling::LaunchConfiguration'], ['LaunchConfigurationName'])
              .resources.includes(r),
        );
      this.push(out, EgressKind.INSTANCE_METADATA, r, placeVia(r, [], groups), `launch configuration ${problem}`);
    }
  }

  private collectMissingControls(out: EgressPath[]): void {
    const m = this.model;
    const firewallOf = new Map<ModelResource, FirewallAssociation[]>();
    const addFirewall = (vpc: ModelResource, f: FirewallAssociation) => firewallOf.set(vpc, [...(firewallOf.get(vpc) ?? []), f]);
    for (const a of m.resourcesOfType('AWS::Route53Resolver::FirewallRuleGroupAssociation')) {
      const vpc = m.refTargetResource(a.stack, a.properties.VpcId);
      if (vpc) addFirewall(vpc, { at: a, priority: a.properties.Priority, group: m.refTargetResource(a.stack, a.properties.FirewallRuleGroupId) });
    }
    // Rule groups a Route 53 Profile carries take part in the same priority order.
    const profileGroups: { vpc?: ModelResource; f: FirewallAssociation }[] = [];
    for (const { resource, placement } of this.profileResources()) {
      if (resource.type !== 'AWS::Route53Profiles::ProfileResourceAssociation') continue;
      const target = m.refTargetResource(resource.stack, resource.properties.ResourceArn);
      const arn = asString(m.resolve(resource.stack, resource.properties.ResourceArn)) ?? '';
      if (target?.type !== 'AWS::Route53Resolver::FirewallRuleGroup' && !(!target && /:firewall-rule-group\//.test(arn))) continue;
      const props = m.resolve(resource.stack, resource.properties.ResourceProperties);
      const parsed =
        props.kind === 'literal' && typeof props.value === 'string' && !props.placeholders
          ? (parseJson(props.value) as Record<string, unknown> | undefined)
          : undefined;
      const priority = parsed && typeof parsed === 'object' ? (parsed.priority ?? parsed.Priority) : undefined;
      profileGroups.push({ ...(placement.vpc ? { vpc: placement.vpc } : {}), f: { at: resource, priority, group: target, viaProfile: true } });
    }
    for (const { vpc } of m.environments.environmentVpcs()) {
      for (const g of profileGroups) if (!g.vpc || g.vpc === vpc) addFirewall(vpc, g.f);
    }
    const failOpen = new Set<ModelResource>();
    for (const c of m.resourcesOfType('AWS::Route53Resolver::FirewallConfig')) {
      const vpc = m.refTargetResource(c.stack, c.properties.ResourceId);
      if (!vpc || c.properties.FirewallFailOpen === undefined) continue;
      const values = this.possibleStrings(c, c.properties.FirewallFailOpen);
      if (values === undefined || values.some((v) => v.toUpperCase() !== 'DISABLED')) failOpen.add(vpc);
    }
    const flowLogged = new Set<ModelResource>();
    for (const f of m.resourcesOfType('AWS::EC2::FlowLog')) {
      const traffic = this.possibleStrings(f, f.properties.TrafficType);
      if (traffic === undefined || traffic.length === 0 || traffic.some((t) => t.toUpperCase() !== 'ALL')) continue;
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
        this.push(
          out,
          EgressKind.MISSING_DNS_FIREWALL,
          vpc,
          p,
          'no DNS firewall rule group is associated with the VPC: its resolver answers any public name (a DNS tunnel)',
        );
      } else if (!this.isWalledGarden(associations)) {
        const profile = associations.some((a) => a.viaProfile) ? ' (including the rule groups its Route 53 Profiles carry)' : '';
        this.push(
          out,
          EgressKind.MISSING_DNS_FIREWALL,
          vpc,
          p,
          `the DNS firewall associated with the VPC${profile} does not end in a BLOCK of every domain, or a rule evaluated before that BLOCK lets any domain (or a public suffix wildcard such as *.co.uk) through (or its rule group cannot be read from the template)`,
        );
      }
      if (failOpen.has(vpc)) {
        this.push(
          out,
          EgressKind.MISSING_DNS_FIREWALL,
          vpc,
          p,
          'the DNS firewall may fail open (FirewallFailOpen is, or may be set at deploy time to, ENABLED)',
        );
      }
      if (!flowLogged.has(vpc)) {
        const subnets = m.environments.subnetsOfVpc(vpc);
        const allSubnetsLogged = subnets.length > 0 && subnets.every((s) => flowLogged.has(s));
        if (!allSubnetsLogged)
          this.push(
            out,
            EgressKind.MISSING_FLOW_LOG,
            vpc,
            p,
            'no flow log of ALL traffic on the VPC (a TrafficType parameter counts only when ALL is its only allowed value)',
          );
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
   * `*.com` or `*.co.uk`, or cannot be read, or a threat-protection rule that lets matches through.
   * Unresolvable priorities are read pessimistically (open rules first, the catch-all BLOCK last).
   */
  private isWalledGarden(associations: readonly FirewallAssociation[]): boolean {
    const order: { assoc: number; rule: number; block: boolean }[] = [];
    const FIRST = -Number.MAX_SAFE_INTEGER;
    const LAST = Number.MAX_SAFE_INTEGER;
    const priority = (r: ModelResource, raw: unknown, unknownAs: number): number => {
      const values = this.possibleStrings(r, raw);
      const numbers = (values ?? []).map(Number);
      if (values === undefined || values.length === 0 || !numbers.every(Number.isFinite)) return unknownAs;
      // A deploy-time choice: the open rule at its earliest, the catch-all BLOCK at its latest.
      return unknownAs === FIRST ? Math.min(...numbers) : Math.max(...numbers);
    };
    for (const a of associations) {
      const group = a.group;
      const rules = group?.type === 'AWS::Route53Resolver::FirewallRuleGroup' ? group.properties.FirewallRules : undefined;
      if (!group || !Array.isArray(rules)) {
        order.push({ assoc: priority(a.at, a.priority, FIRST), rule: FIRST, block: false });
        continue;
      }
      for (const rule of rules as Record<string, unknown>[]) {
        const actions = this.possibleStrings(group, rule?.Action);
        const domains = this.domainsOf(group, rule?.FirewallDomainListId);
        if (actions !== undefined && actions.length > 0 && actions.every((x) => x.toUpperCase() === 'BLOCK')) {
          if (domains?.includes('*')) order.push({ assoc: priority(a.at, a.priority, LAST), rule: priority(group, rule.Priority, LAST), block: true });
        } else if (domains === undefined || domains.some(isBroadDomain)) {
          order.push({ assoc: priority(a.at, a.priority, FIRST), rule: priority(group, rule?.Priority, FIRST), block: false });
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

  // ---- hosts, front doors, managed internet (ESCAPES.md 5, 7, 20) ------------------------------

  /** Which side of the perimeter a network interface's subnet is on. */
  private interfaceSide(r: ModelResource, subnet: unknown): InterfaceSide {
    return subnet === undefined ? { kind: 'none' } : this.sideOf(this.model.resolve(r.stack, subnet));
  }

  private sideOf(resolved: Resolved): InterfaceSide {
    if (resolved.kind === 'novalue') return { kind: 'none' };
    const p = this.model.environments.subnetPlacementOf(resolved);
    if (p.subnet) {
      return p.environment !== undefined
        ? { kind: 'env', environment: p.environment, ...(p.vpc ? { vpc: p.vpc } : {}) }
        : { kind: 'outside', what: `subnet ${p.subnet.logicalId}, which is not an environment's` };
    }
    return { kind: 'unknown', what: `a subnet the gate cannot resolve (${asString(resolved) ?? resolved.kind})` };
  }

  /** The side of an ENI named by NetworkInterfaceId. */
  private eniSide(r: ModelResource, value: unknown): InterfaceSide {
    const eni = this.model.refTargetResource(r.stack, value);
    if (eni?.type === 'AWS::EC2::NetworkInterface') {
      const side = this.interfaceSide(eni, eni.properties.SubnetId);
      return side.kind === 'none' ? { kind: 'unknown', what: `network interface ${eni.logicalId} without a subnet` } : side;
    }
    return { kind: 'unknown', what: 'a network interface the gate cannot identify' };
  }

  /** The sides of an interface list (Instance.NetworkInterfaces, LaunchTemplateData.NetworkInterfaces). */
  private sidesOf(r: ModelResource, interfaces: unknown): InterfaceSide[] {
    const list = this.model.resolve(r.stack, interfaces);
    if (list.kind === 'novalue') return [];
    if (list.kind !== 'array') return [{ kind: 'unknown', what: 'network interfaces the gate cannot read' }];
    const raw = Array.isArray(interfaces) ? (interfaces as Record<string, unknown>[]) : [];
    return raw.map((ni) => (ni?.NetworkInterfaceId !== undefined ? this.eniSide(r, ni.NetworkInterfaceId) : this.interfaceSide(r, ni?.SubnetId)));
  }

  /** A host with an interface in an environment and another anywhere else is a bridge out. */
  private judgeHost(out: EgressPath[], r: ModelResource, sides: readonly InterfaceSide[], what: string): void {
    const inside = sides.find((x): x is Extract<InterfaceSide, { kind: 'env' }> => x.kind === 'env');
    if (!inside) return;
    const other = sides.find((x) => x.kind === 'outside' || x.kind === 'unknown' || (x.kind === 'env' && x.environment !== inside.environment));
    if (!other) return;
    const where = other.kind === 'env' ? `environment ${other.environment}` : other.kind === 'none' ? '' : other.what;
    this.push(
      out,
      EgressKind.CROSS_VPC,
      r,
      { environment: inside.environment, ...(inside.vpc ? { vpc: inside.vpc } : {}), unresolved: false },
      `dual-homed ${what}: one network interface in the environment, another in ${where}: a bridge out of the black hole`,
    );
  }

  private collectHosts(out: EgressPath[]): void {
    const m = this.model;
    const templateOf = (r: ModelResource): ModelResource | undefined => {
      const spec = r.properties.LaunchTemplate as Record<string, unknown> | undefined;
      return spec ? this.launchTemplatesNamed(r, spec)[0] : undefined;
    };
    const ltData = (lt: ModelResource) => (lt.properties.LaunchTemplateData ?? {}) as Record<string, unknown>;
    for (const r of m.resourcesOfType('AWS::EC2::Instance')) {
      const lt = templateOf(r);
      const own = this.sidesOf(r, r.properties.NetworkInterfaces);
      const sides = [this.interfaceSide(r, r.properties.SubnetId), ...own, ...(lt && own.length === 0 ? this.sidesOf(lt, ltData(lt).NetworkInterfaces) : [])];
      const tagged = this.envOfTag(r);
      if (tagged !== undefined && !sides.some((x) => x.kind === 'env')) sides.push({ kind: 'env', environment: tagged });
      this.judgeHost(out, r, sides, 'instance');
    }
    // Launch templates run where their Auto Scaling groups (or instances) put interface 0.
    const placedBy = new Map<ModelResource, InterfaceSide[]>();
    for (const g of m.resourcesOfType('AWS::AutoScaling::AutoScalingGroup')) {
      const mixed = (g.properties.MixedInstancesPolicy as Record<string, any> | undefined)?.LaunchTemplate;
      const specs = [
        g.properties.LaunchTemplate,
        mixed?.LaunchTemplateSpecification,
        ...(Array.isArray(mixed?.Overrides) ? mixed.Overrides.map((o: any) => o?.LaunchTemplateSpecification) : []),
      ].filter((x): x is Record<string, unknown> => !!x && typeof x === 'object');
      const zones = m.resolve(g.stack, g.properties.VPCZoneIdentifier);
      const sides: InterfaceSide[] = zones.kind === 'array' ? zones.items.map((z) => this.sideOf(z)) : [];
      for (const spec of specs) {
        for (const lt of this.launchTemplatesNamed(g, spec)) placedBy.set(lt, [...(placedBy.get(lt) ?? []), ...sides.filter((x) => x.kind === 'env')]);
      }
    }
    for (const lt of m.resourcesOfType('AWS::EC2::LaunchTemplate')) {
      const interfaces = this.sidesOf(lt, ltData(lt).NetworkInterfaces);
      if (interfaces.length === 0) continue;
      const sides = [...interfaces.filter((x) => x.kind !== 'none'), ...(placedBy.get(lt) ?? [])];
      const tagged = this.envOfTag(lt);
      if (tagged !== undefined && !sides.some((x) => x.kind === 'env')) sides.push({ kind: 'env', environment: tagged });
      this.judgeHost(out, lt, sides, `launch template (${interfaces.length} network interfaces)`);
    }
    for (const a of m.resourcesOfType('AWS::EC2::NetworkInterfaceAttachment')) {
      const eni = this.eniSide(a, a.properties.NetworkInterfaceId);
      const instance = m.refTargetResource(a.stack, a.properties.InstanceId);
      let host: InterfaceSide[];
      if (instance?.type === 'AWS::EC2::Instance') {
        const lt = templateOf(instance);
        host = [
          this.interfaceSide(instance, instance.properties.SubnetId),
          ...this.sidesOf(instance, instance.properties.NetworkInterfaces),
          ...(lt ? this.sidesOf(lt, ltData(lt).NetworkInterfaces) : []),
          ...(lt ? (placedBy.get(lt) ?? []) : []),
        ];
        const tagged = this.envOfTag(instance);
        if (tagged !== undefined) host.push({ kind: 'env', environment: tagged });
      } else {
        host = [{ kind: 'unknown', what: 'an instance the gate cannot identify' }];
      }
      this.judgeHost(out, a, [eni, ...host], 'instance (network interface attachment)');
    }
  }

  /** Is the function (named by ARN, name or Ref; through an alias or version) placed in an environment's subnets? */
  private placeFunction(r: ModelResource, value: unknown): Placement {
    let fn = this.model.refTargetResource(r.stack, value);
    for (let i = 0; i < 3 && (fn?.type === 'AWS::Lambda::Alias' || fn?.type === 'AWS::Lambda::Version'); i++) {
      fn = this.model.refTargetResource(fn.stack, fn.properties.FunctionName);
    }
    if (fn?.type === 'AWS::Lambda::Function') {
      const subnets = (fn.properties.VpcConfig as Record<string, unknown> | undefined)?.SubnetIds;
      return subnets !== undefined ? this.placeSubnets(fn, subnets) : NOT_PLACED;
    }
    if (fn) return NOT_PLACED;
    return this.unresolvedIfEnvironments(r, value);
  }

  private collectFrontDoors(out: EgressPath[]): void {
    const m = this.model;
    const identity = (r: ModelResource): PerimeterIdentity => ({ accounts: assertedAccounts(r.stack) });
    for (const r of m.resourcesOfType('AWS::Lambda::Permission')) {
      const p = this.placeFunction(r, r.properties.FunctionName);
      if (p.environment === undefined && !p.unresolved) continue;
      const principal = asString(m.resolve(r.stack, r.properties.Principal));
      const urlAuth = this.possibleStrings(r, r.properties.FunctionUrlAuthType);
      const id = identity(r);
      const ownAccount = principal !== undefined && (isOwnAccount(principal, id) || (ownArn(principal, id) && /:root$/.test(principal)));
      const service = principal !== undefined && /\.amazonaws\.com(\.cn)?$/.test(principal);
      const sourceOwn = [r.properties.SourceAccount, r.properties.SourceArn].some((v) => {
        const x = v === undefined ? undefined : asString(m.resolve(r.stack, v));
        return x !== undefined && (isOwnAccount(x, id) || ownArn(x, id));
      });
      let problem: string | undefined;
      if (r.properties.FunctionUrlAuthType !== undefined && (urlAuth === undefined || urlAuth.some((x) => x.toUpperCase() === 'NONE')))
        problem = 'lets anyone call its function URL (FunctionUrlAuthType NONE)';
      else if (principal === undefined) problem = 'admits a principal the gate cannot resolve';
      else if (principal === '*') problem = 'admits any principal (`*`)';
      else if (service && principal.startsWith('apigateway.')) problem = `admits API Gateway (${principal}): a public API in front of it`;
      else if (service && !sourceOwn) problem = `admits ${principal} for any account's resources (no SourceAccount or SourceArn of this account)`;
      else if (!service && !ownAccount) problem = `admits ${principal}, outside this account`;
      if (problem) this.push(out, EgressKind.CROSS_VPC, r, p, `Lambda permission on a function in the VPC ${problem}: a public front door to a relay inside`);
    }
    const placeLink = (r: ModelResource, connection: unknown): Placement => {
      const link = m.refTargetResource(r.stack, connection);
      if (link?.type === 'AWS::ApiGatewayV2::VpcLink') return this.placeSubnets(link, link.properties.SubnetIds);
      if (link?.type === 'AWS::ApiGateway::VpcLink') return this.placeLoadBalancers(link, link.properties.TargetArns);
      if (link) return NOT_PLACED;
      return { unresolved: this.hasEnvironments };
    };
    const placeIntegration = (r: ModelResource, connectionType: unknown, connectionId: unknown, uri: unknown): Placement => {
      const types = this.possibleStrings(r, connectionType);
      if (connectionType !== undefined && (types === undefined || types.some((t) => t.toUpperCase() === 'VPC_LINK'))) {
        const q = placeLink(r, connectionId);
        if (q.environment !== undefined || q.unresolved) return q;
      }
      if (uri !== undefined) {
        const target = m.refTargetResource(r.stack, uri);
        if (target?.type === 'AWS::Lambda::Function' || target?.type === 'AWS::Lambda::Alias') return this.placeFunction(r, uri);
      }
      return NOT_PLACED;
    };
    for (const r of m.resourcesOfType('AWS::ApiGateway::Method')) {
      const i = r.properties.Integration as Record<string, unknown> | undefined;
      if (!i || typeof i !== 'object') continue;
      this.push(
        out,
        EgressKind.CROSS_VPC,
        r,
        placeIntegration(r, i.ConnectionType, i.ConnectionId, i.Uri),
        'API Gateway integration into the VPC (VPC link or a function in it): a public API that relays into the environment',
      );
    }
    for (const r of m.resourcesOfType('AWS::ApiGatewayV2::Integration')) {
      this.push(
        out,
        EgressKind.CROSS_VPC,
        r,
        placeIntegration(r, r.properties.ConnectionType, r.properties.ConnectionId, r.properties.IntegrationUri),
        'API Gateway integration into the VPC (VPC link or a function in it): a public API that relays into the environment',
      );
    }
    for (const r of m.resourcesOfType('AWS::AppRunner::VpcConnector')) {
      this.push(
        out,
        EgressKind.CROSS_VPC,
        r,
        this.placeSubnets(r, r.properties.Subnets),
        'App Runner VPC connector: a public App Runner service reaches into the environment subnets',
      );
    }
    for (const r of m.resourcesOfType('AWS::AppRunner::VpcIngressConnection')) {
      const cfg = r.properties.IngressVpcConfiguration as Record<string, unknown> | undefined;
      this.push(
        out,
        EgressKind.CROSS_VPC,
        r,
        this.placeVpc(r, cfg?.VpcId ?? { 'Fn::ImportValue': 'unresolved' }),
        'App Runner VPC ingress connection: the environment reaches an App Runner service, which has the internet',
      );
    }
  }

  /** The environment of an agent-reachable role the value names; unresolved when it may name any role. */
  private placeRole(r: ModelResource, value: unknown): Placement {
    if (value === undefined) return NOT_PLACED;
    const named = PermissionAnalysis.of(this.model).rolesNamed(this.model.resolve(r.stack, value));
    if (named === 'any') return { unresolved: this.hasEnvironments };
    const reach = IdentityReachability.of(this.model);
    for (const role of named.roles) {
      const principal = reach.get(role.stack, role.logicalId);
      if (principal?.environment !== undefined) return { environment: principal.environment, unresolved: false };
    }
    return NOT_PLACED;
  }

  /** Every subnet the value names is an environment subnet (the first environment's), else undefined. */
  private allInEnvironment(r: ModelResource, value: unknown): string | undefined {
    const resolved = this.model.resolve(r.stack, value);
    if (resolved.kind !== 'array' || resolved.items.length === 0) return undefined;
    const envs = resolved.items.map((i) => this.model.environments.subnetPlacementOf(i).environment);
    return envs.every((e) => e !== undefined && e === envs[0]) ? envs[0] : undefined;
  }

  private collectManagedInternet(out: EgressPath[]): void {
    const m = this.model;
    const first = (...ps: Placement[]): Placement => ps.find((p) => p.environment !== undefined) ?? ps.find((p) => p.unresolved) ?? NOT_PLACED;
    for (const r of m.resourcesOfType('AWS::SageMaker::NotebookInstance')) {
      const direct = this.possibleStrings(r, r.properties.DirectInternetAccess ?? 'Enabled');
      if (direct !== undefined && direct.length > 0 && direct.every((d) => d === 'Disabled')) continue;
      const p = first(r.properties.SubnetId !== undefined ? this.placeSubnet(r, r.properties.SubnetId) : NOT_PLACED, this.placeRole(r, r.properties.RoleArn));
      this.push(
        out,
        EgressKind.MANAGED_INTERNET,
        r,
        p,
        'SageMaker notebook instance with direct internet access (DirectInternetAccess is, or defaults to, Enabled): SageMaker gives it an interface on the internet',
      );
    }
    for (const r of m.resourcesOfType('AWS::SageMaker::Domain')) {
      const access = this.possibleStrings(r, r.properties.AppNetworkAccessType ?? 'PublicInternetOnly');
      if (access !== undefined && access.length > 0 && access.every((a) => a === 'VpcOnly')) continue;
      const settings = (r.properties.DefaultUserSettings ?? {}) as Record<string, unknown>;
      const p = first(this.placeSubnets(r, r.properties.SubnetIds), this.placeVpc(r, r.properties.VpcId), this.placeRole(r, settings.ExecutionRole));
      this.push(
        out,
        EgressKind.MANAGED_INTERNET,
        r,
        p,
        "SageMaker Studio domain on PublicInternetOnly (the default AppNetworkAccessType): its apps reach the internet through SageMaker's network",
      );
    }
    const reach = (): IdentityReachability => IdentityReachability.of(m);
    const environmentStore = (r: ModelResource, raw: unknown): string | undefined => {
      const resolved = m.resolve(r.stack, raw);
      for (const o of possibilities(resolved)) {
        const refs = o.kind === 'literal' ? (o.refs ?? []) : o.kind === 'ref' || o.kind === 'getatt' ? [o] : [];
        for (const ref of refs) {
          const store = m.resourceAt(ref);
          if (!store) continue;
          const env = this.envOfTag(store);
          if (env !== undefined) return env;
          if (store.type === 'AWS::S3::Bucket' || store.type === 'AWS::ECR::Repository') {
            const action = store.type === 'AWS::S3::Bucket' ? 's3:PutObject' : 'ecr:PutImage';
            const writer = reach().principals.find((p) => p.environment !== undefined && p.permissions.mayAllow(action, storeTarget(store)).allowed);
            if (writer) return writer.environment;
          }
        }
      }
      return undefined;
    };
    for (const r of m.resourcesOfType('AWS::SageMaker::Model')) {
      const isolation = this.possibleStrings(r, r.properties.EnableNetworkIsolation);
      if (isolation !== undefined && isolation.length > 0 && isolation.every((x) => x.toLowerCase() === 'true')) continue;
      const vpc = r.properties.VpcConfig as Record<string, unknown> | undefined;
      if (vpc && this.allInEnvironment(r, vpc.Subnets) !== undefined) continue;
      const containers = [r.properties.PrimaryContainer, ...(Array.isArray(r.properties.Containers) ? r.properties.Containers : [])].filter(
        (c): c is Record<string, any> => !!c && typeof c === 'object',
      );
      let env: string | undefined;
      for (const c of containers) {
        env ??= environmentStore(r, c.Image) ?? environmentStore(r, c.ModelDataUrl) ?? environmentStore(r, c.ModelDataSource?.S3DataSource?.S3Uri);
      }
      const p = first(env !== undefined ? { environment: env, unresolved: false } : NOT_PLACED, this.placeRole(r, r.properties.ExecutionRoleArn));
      this.push(
        out,
        EgressKind.MANAGED_INTERNET,
        r,
        p,
        'SageMaker model running agent-written code (its role is agent-reachable, or its image or model data comes from an environment store) without EnableNetworkIsolation and outside the environment subnets: its containers reach the internet',
      );
    }
  }

  // ---- template-level sinks (ESCAPES.md 16-18, 23) ----------------------------------------------

  /** The environment of the first agent-reachable principal that may perform the action on the target. */
  private environmentOfWriters(action: string, target: ResourceTarget): { environment?: string; writers: string[] } {
    // Only principals that may do the action on some resource may do it on this one (a targeted
    // answer never allows what the untargeted one denies): found once per action, then asked per target.
    let candidates = this.writersOf.get(action);
    if (!candidates)
      this.writersOf.set(action, (candidates = IdentityReachability.of(this.model).principals.filter((p) => p.permissions.mayAllow(action).allowed)));
    const writers = candidates.filter((p) => p.permissions.mayAllow(action, target).allowed);
    const environment = writers.find((w) => w.environment !== undefined)?.environment;
    return { ...(environment !== undefined ? { environment } : {}), writers: writers.map((p) => `${p.stack}/${p.logicalId}`) };
  }

  /**
   * A destination is the environment's own when it names a template resource of the given types, or an
   * ARN in the stack's own account; anything else (a literal account, a bucket named by a literal,
   * an unresolvable value) may be someone else's.
   */
  private foreignDestination(r: ModelResource, value: unknown, account?: unknown): string | undefined {
    const m = this.model;
    const id: PerimeterIdentity = { accounts: assertedAccounts(r.stack) };
    if (account !== undefined) {
      const a = this.possibleStrings(r, account);
      if (a === undefined || a.some((x) => !isOwnAccount(x, id))) {
        const shown = asString(m.resolve(r.stack, account));
        if (!(shown !== undefined && isOwnAccount(shown, id))) return `account ${shown ?? 'that cannot be resolved'}`;
      }
    }
    if (value === undefined) return account === undefined ? 'a destination that cannot be resolved' : undefined;
    if (m.refTargetResource(r.stack, value)) return undefined;
    for (const o of possibilities(m.resolve(r.stack, value))) {
      const text = asString(o);
      if (text === undefined) return 'a destination that cannot be resolved';
      if (o.kind === 'literal' && o.refs?.length) continue;
      if (!ownArn(text, id) || /^arn:[^:]*:s3:::/.test(text)) return text;
    }
    return undefined;
  }

  private collectSinks(out: EgressPath[]): void {
    const m = this.model;
    if (!this.hasEnvironments) return;
    const identity = (r: ModelResource): PerimeterIdentity => ({ accounts: assertedAccounts(r.stack) });
    const place = (environment: string | undefined): Placement => (environment !== undefined ? { environment, unresolved: false } : NOT_PLACED);
    const policiesOf = new Map<ModelResource, ModelResource[]>();
    for (const bp of m.resourcesOfType('AWS::S3::BucketPolicy')) {
      const b = m.refTargetResource(bp.stack, bp.properties.Bucket);
      if (b) policiesOf.set(b, [...(policiesOf.get(b) ?? []), bp]);
    }
    for (const b of m.resourcesOfType('AWS::S3::Bucket')) {
      // What would leak, found first; whose bucket it is (who may write it: a query per principal and
      // bucket, the costly part at scale) only when something would.
      const issues: [ModelResource, (who: string) => string][] = [];
      const props = b.properties;
      for (const bp of policiesOf.get(b) ?? []) {
        const problems = policyProblems(m, bp, bp.properties.PolicyDocument, identity(bp), { resources: false, servicesWithSource: true, ecrLayers: false });
        if (problems.length) issues.push([bp, (who) => `bucket policy of ${b.logicalId} (${who}) opens it to others: ${problems.join('; ')}`]);
      }
      const acl = this.possibleStrings(b, props.AccessControl);
      if (props.AccessControl !== undefined && (acl === undefined || acl.some((x) => !['Private', 'BucketOwnerFullControl', 'LogDeliveryWrite'].includes(x)))) {
        issues.push([b, (who) => `bucket ${b.logicalId} (${who}) has the canned ACL ${acl?.join('/') ?? 'from an unresolvable value'}: others may read it`]);
      }
      const replication = props.ReplicationConfiguration as Record<string, any> | undefined;
      for (const rule of Array.isArray(replication?.Rules) ? replication!.Rules : replication ? [undefined] : []) {
        const dest = rule?.Destination;
        const foreign = dest ? this.foreignDestination(b, dest.Bucket, dest.Account) : 'a destination that cannot be read';
        if (foreign) issues.push([b, (who) => `bucket ${b.logicalId} (${who}) replicates to ${foreign}, which may be another account's`]);
      }
      const notifications = props.NotificationConfiguration as Record<string, any> | undefined;
      for (const [key, field] of [
        ['TopicConfigurations', 'Topic'],
        ['QueueConfigurations', 'Queue'],
        ['LambdaConfigurations', 'Function'],
      ] as const) {
        for (const c of Array.isArray(notifications?.[key]) ? notifications![key] : []) {
          const foreign = this.foreignDestination(b, c?.[field]);
          if (foreign) issues.push([b, (who) => `bucket ${b.logicalId} (${who}) sends object keys to ${foreign} (${key}), which may be another account's`]);
        }
      }
      for (const c of Array.isArray(props.InventoryConfigurations) ? (props.InventoryConfigurations as Record<string, any>[]) : []) {
        const d = c?.Destination;
        const foreign = d ? this.foreignDestination(b, d.BucketArn, d.BucketAccountId) : 'a destination that cannot be read';
        if (foreign) issues.push([b, (who) => `bucket ${b.logicalId} (${who}) exports its inventory to ${foreign}, which may be another account's`]);
      }
      for (const c of Array.isArray(props.AnalyticsConfigurations) ? (props.AnalyticsConfigurations as Record<string, any>[]) : []) {
        const d = c?.StorageClassAnalysis?.DataExport?.Destination;
        if (!d) continue;
        const foreign = this.foreignDestination(b, d.BucketArn, d.BucketAccountId);
        if (foreign) issues.push([b, (who) => `bucket ${b.logicalId} (${who}) exports storage-class analysis to ${foreign}, which may be another account's`]);
      }
      if (issues.length === 0) continue;
      const { environment, writers } = this.environmentOfWriters('s3:PutObject', storeTarget(b));
      if (environment === undefined) continue;
      const who = `written by ${writers.slice(0, 3).join(', ')}${writers.length > 3 ? ' and others' : ''}`;
      for (const [resource, detail] of issues) this.push(out, EgressKind.DATA_SINK, resource, place(environment), detail(who));
    }
    // Log subscriptions: the log group is the environment's when tagged so or agent-writable; a name
    // the template does not define counts when some agent may write a group of that name.
    for (const f of m.resourcesOfType('AWS::Logs::SubscriptionFilter')) {
      const group = m.refTargetResource(f.stack, f.properties.LogGroupName);
      const name = asString(m.resolve(f.stack, f.properties.LogGroupName));
      let environment = group ? this.envOfTag(group) : undefined;
      const target: ResourceTarget = {
        glob: `arn:*:logs:*:*:log-group:${name && !/\$\{/.test(name) ? name : '*'}:*`,
        ...(group ? { ref: { stack: group.stack.name, logicalId: group.logicalId } } : {}),
      };
      environment ??= this.environmentOfWriters('logs:PutLogEvents', target).environment;
      const unknownGroup = !group && (name === undefined || /\$\{/.test(name));
      if (environment === undefined && !unknownGroup) continue;
      const foreign = this.foreignLogDestination(f);
      if (foreign) {
        this.push(
          out,
          EgressKind.DATA_SINK,
          f,
          environment !== undefined ? place(environment) : { unresolved: true },
          `log subscription filter on ${group ? group.logicalId : (name ?? 'an unresolvable log group')} sends its events to ${foreign}`,
        );
      }
    }
    this.collectAccessKeys(out);
  }

  /** Why a subscription filter's destination may leave the account, or undefined when it stays. */
  private foreignLogDestination(f: ModelResource): string | undefined {
    const m = this.model;
    const dest = m.refTargetResource(f.stack, f.properties.DestinationArn);
    const text = asString(m.resolve(f.stack, f.properties.DestinationArn)) ?? 'an unresolvable destination';
    if (!dest) return `${text}, which is not a resource of the template (another account's, or a stream, Firehose or function the gate cannot see)`;
    if (dest.type === 'AWS::Logs::Destination') {
      const inner = m.refTargetResource(dest.stack, dest.properties.TargetArn);
      if (!inner)
        return `logs destination ${dest.logicalId}, whose target ${asString(m.resolve(dest.stack, dest.properties.TargetArn)) ?? 'cannot be resolved'} is not a resource of the template`;
      return undefined;
    }
    if (dest.type === 'AWS::KinesisFirehose::DeliveryStream') {
      const props = dest.properties;
      const s3 = (props.ExtendedS3DestinationConfiguration ?? props.S3DestinationConfiguration) as Record<string, unknown> | undefined;
      const others = Object.keys(props).filter((k) => /DestinationConfiguration$/.test(k) && !/^(Extended)?S3DestinationConfiguration$/.test(k));
      if (others.length) return `Firehose ${dest.logicalId}, which delivers outside the account (${others.join(', ')})`;
      const foreign = s3 ? this.foreignDestination(dest, s3.BucketARN) : 'an unreadable destination';
      if (foreign) return `Firehose ${dest.logicalId}, which delivers to ${foreign}`;
    }
    return undefined;
  }

  /**
   * Long-lived access keys whose secret reaches environment compute (user data, container or function
   * environment) or a parameter or secret an agent may read: credentials that work from anywhere.
   */
  private collectAccessKeys(out: EgressPath[]): void {
    const m = this.model;
    const keys = m.resourcesOfType('AWS::IAM::AccessKey');
    if (keys.length === 0) return;
    const place = (environment: string | undefined): Placement => (environment !== undefined ? { environment, unresolved: false } : NOT_PLACED);
    for (const r of m.allResources()) {
      if (r.type === 'AWS::IAM::AccessKey') continue;
      const key = keys.find((k) => k.stack === r.stack && mentionsSecret(m.resolve(r.stack, r.properties), k.logicalId));
      if (!key) continue;
      const what = `the secret of access key ${key.logicalId} (IAM user ${m.refTarget(key.stack, key.properties.UserName) ?? asString(m.resolve(key.stack, key.properties.UserName)) ?? 'unknown'})`;
      let p: Placement;
      if (r.type === 'AWS::SSM::Parameter') {
        const name = asString(m.resolve(r.stack, r.properties.Name));
        p = place(
          this.environmentOfWriters('ssm:GetParameter', {
            glob: `arn:*:ssm:*:*:parameter/${name && !/\$\{/.test(name) ? name.replace(/^\//, '') : '*'}`,
            ref: { stack: r.stack.name, logicalId: r.logicalId },
          }).environment,
        );
      } else if (r.type === 'AWS::SecretsManager::Secret') {
        p = place(
          this.environmentOfWriters('secretsmanager:GetSecretValue', {
            glob: 'arn:*:secretsmanager:*:*:secret:*',
            ref: { stack: r.stack.name, logicalId: r.logicalId },
          }).environment,
        );
      } else {
        p = this.computePlacement(r);
      }
      const tagged = this.envOfTag(r);
      if (p.environment === undefined && tagged !== undefined) p = place(tagged);
      this.push(out, EgressKind.DATA_SINK, r, p, `${r.type} ${r.logicalId} carries ${what}: long-lived credentials usable from anywhere reach the environment`);
    }
  }

  /** Where compute runs, as far as its own subnets, role or task use say; unresolved for compute that can be launched anywhere. */
  private computePlacement(r: ModelResource): Placement {
    const props = r.properties as Record<string, any>;
    switch (r.type) {
      case 'AWS::EC2::Instance':
        return this.placeSubnets(
          r,
          [props.SubnetId, ...(Array.isArray(props.NetworkInterfaces) ? props.NetworkInterfaces.map((n: any) => n?.SubnetId) : [])].filter(
            (x) => x !== undefined,
          ),
        );
      case 'AWS::Lambda::Function':
        return props.VpcConfig?.SubnetIds !== undefined ? this.placeSubnets(r, props.VpcConfig.SubnetIds) : this.placeRole(r, props.Role);
      case 'AWS::EC2::LaunchTemplate':
      case 'AWS::AutoScaling::LaunchConfiguration':
      case 'AWS::ECS::TaskDefinition':
      case 'AWS::Batch::JobDefinition':
      case 'AWS::CodeBuild::Project':
      case 'AWS::SageMaker::Model':
      case 'AWS::SageMaker::NotebookInstance':
      case 'AWS::SageMaker::NotebookInstanceLifecycleConfig':
        return { unresolved: true };
      default:
        return NOT_PLACED;
    }
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
    if (!(hops === 1))
      return `lets instance credentials travel ${Number.isFinite(hops) ? hops : 'an unknown number of'} hops (HttpPutResponseHopLimit must be 1)`;
  }
  return undefined;
}

/** `com.amazonaws.${AWS::Region}.s3` (placeholders from Join/Sub) reads as `com.amazonaws.region.s3`. */
function normaliseServiceName(name: string): string {
  return name.replace(/\$\{AWS::Region\}/g, 'region').replace(/\$\{[^}]*\}/g, 'unresolved');
}

/**
 * A domain-list entry that may match names anyone can register: `*`, a wildcard over a public suffix
 * (`*.com`, `*.co.uk`, `*.github.io`: Public Suffix List), a wildcard anywhere but in front, an exact
 * name of fewer than two labels, a value that is (partly) unresolvable, or unreadable. The deployment
 * region (`${AWS::Region}`) reads as a region.
 */
function isBroadDomain(d: string | undefined): boolean {
  if (d === undefined) return true;
  const s = d
    .trim()
    .toLowerCase()
    .replace(/\.$/, '')
    .replace(/\$\{aws::region\}/g, 'us-east-1');
  if (/[?${}]/.test(s)) return true;
  if (s === '*' || (s.includes('*') && (!s.startsWith('*.') || s.indexOf('*', 1) !== -1))) return true;
  if (publicSuffixWildcard(s) !== undefined) return true;
  const labels = s.replace(/^\*\./, '').split('.');
  return labels.filter((l) => l !== '').length < 2;
}

function isTrueish(v: Resolved): boolean {
  return possibilities(v).some((o) => (o.kind === 'literal' && (o.value === true || String(o.value).toLowerCase() === 'true')) || o.kind === 'unknown');
}

/**
 * Who counts as the environment's own in a policy: the deploying account (`${AWS::AccountId}`, or a
 * literal account the template asserts in its Rules section) and the organisation the environment's
 * endpoints agree on (BlackHoleVpc's `organizationId` renders the same id on every endpoint).
 */
export interface PerimeterIdentity {
  readonly accounts: ReadonlySet<string>;
  readonly orgId?: string;
}

type Plain = Record<string, unknown>;

/** One condition entry: operator (qualifier and IfExists included), key (lower case), values. */
interface ConditionEntry {
  readonly op: string;
  readonly key: string;
  readonly values: readonly unknown[];
}

function conditionEntries(cond: unknown): ConditionEntry[] | undefined {
  if (cond === undefined) return [];
  if (!cond || typeof cond !== 'object' || Array.isArray(cond) || '__unknown' in cond) return undefined;
  const out: ConditionEntry[] = [];
  for (const [op, block] of Object.entries(cond as Plain)) {
    if (!block || typeof block !== 'object' || Array.isArray(block) || '__unknown' in block) return undefined;
    for (const [key, v] of Object.entries(block as Plain)) out.push({ op, key: key.toLowerCase(), values: ([] as unknown[]).concat(v) });
  }
  return out;
}

/**
 * A positive, exact comparison: StringEquals, StringEqualsIgnoreCase, or StringLike whose values
 * have no wildcard. No set qualifier (ForAllValues is true when the key is absent; ForAnyValue on a
 * single-valued key is a trick), no IfExists (an anonymous request has no principal account).
 */
function isExactPositive(e: ConditionEntry): boolean {
  if (e.op === 'StringEquals' || e.op === 'StringEqualsIgnoreCase') return true;
  return e.op === 'StringLike' && e.values.every((v) => typeof v === 'string' && !/[*?]/.test(placeholderless(v)));
}

/** A string with its `${...}` placeholders removed (wildcards inside placeholders are not wildcards). */
function placeholderless(s: string): string {
  return s.replace(/\$\{[^}]*\}/g, '');
}

function isOwnAccount(v: unknown, id: PerimeterIdentity): boolean {
  return typeof v === 'string' && (v === '${AWS::AccountId}' || id.accounts.has(v));
}

/** A placeholder for a template resource (`${Bucket}`, `${Role.Arn}`), optionally followed by a path. */
function isTemplateResourcePlaceholder(v: string): boolean {
  return /^\$\{(?!AWS::)[^}]+\}(\/.*)?$/.test(v);
}

/** The condition scopes principals to the environment's own account or organisation. */
function scopesPrincipals(entries: readonly ConditionEntry[], id: PerimeterIdentity): boolean {
  return entries.some((e) => {
    if (e.key === 'aws:principalaccount') return isExactPositive(e) && e.values.length > 0 && e.values.every((v) => isOwnAccount(v, id));
    if (e.key === 'aws:principalorgid') return id.orgId !== undefined && isExactPositive(e) && e.values.length > 0 && e.values.every((v) => v === id.orgId);
    if (e.key === 'aws:principalorgpaths') return orgPathsOwn(e, id);
    return false;
  });
}

/** The condition scopes resources to the environment's own account or organisation. */
function scopesResources(entries: readonly ConditionEntry[], id: PerimeterIdentity): boolean {
  return entries.some((e) => {
    if (e.key === 'aws:resourceaccount') return isExactPositive(e) && e.values.length > 0 && e.values.every((v) => isOwnAccount(v, id));
    if (e.key === 'aws:resourceorgid') return id.orgId !== undefined && isExactPositive(e) && e.values.length > 0 && e.values.every((v) => v === id.orgId);
    if (e.key === 'aws:resourceorgpaths') return orgPathsOwn(e, id);
    return false;
  });
}

/** Org paths (a multivalued key) under the environment's organisation: `o-x/...`, the org part literal. */
function orgPathsOwn(e: ConditionEntry, id: PerimeterIdentity): boolean {
  if (id.orgId === undefined) return false;
  if (!['ForAnyValue:StringEquals', 'ForAnyValue:StringLike', 'StringEquals', 'StringLike'].includes(e.op)) return false;
  return e.values.length > 0 && e.values.every((v) => typeof v === 'string' && v.startsWith(`${id.orgId}/`));
}

/** `Bool aws:PrincipalIsAWSService "true"`: only AWS services acting on their own behalf. */
function servicePrincipalsOnly(entries: readonly ConditionEntry[]): boolean {
  return entries.some(
    (e) => e.op === 'Bool' && e.key === 'aws:principalisawsservice' && e.values.length > 0 && e.values.every((v) => v === true || v === 'true'),
  );
}

/** The request came from the environment's own account or resources (confused-deputy conditions on service principals). */
function scopesSource(entries: readonly ConditionEntry[], id: PerimeterIdentity): boolean {
  return entries.some((e) => {
    if (e.key === 'aws:sourceaccount') return isExactPositive(e) && e.values.length > 0 && e.values.every((v) => isOwnAccount(v, id));
    if (e.key === 'aws:sourceorgid') return id.orgId !== undefined && isExactPositive(e) && e.values.length > 0 && e.values.every((v) => v === id.orgId);
    if (e.key === 'aws:sourcearn') {
      return (
        ['ArnEquals', 'ArnLike', 'StringEquals', 'StringLike'].includes(e.op) &&
        e.values.length > 0 &&
        e.values.every((v) => typeof v === 'string' && (isTemplateResourcePlaceholder(v) || ownArn(v, id)))
      );
    }
    return false;
  });
}

/** An ARN in the environment's own account (literal account segment, no wildcard), or naming a template resource. */
function ownArn(v: string, id: PerimeterIdentity): boolean {
  if (isTemplateResourcePlaceholder(v)) return true;
  const parts = v.split(':');
  if (parts.length < 6 || parts[0] !== 'arn') return false;
  return isOwnAccount(parts[4], id);
}

/** Explicit principals (not `*`) that are all the environment's own: its account, or template roles. */
function principalsOwn(p: unknown, id: PerimeterIdentity): boolean {
  if (!p || typeof p !== 'object' || Array.isArray(p) || '__unknown' in p) return false;
  const entries = Object.entries(p as Plain);
  return (
    entries.length > 0 &&
    entries.every(
      ([k, v]) => k === 'AWS' && ([] as unknown[]).concat(v).every((x) => typeof x === 'string' && x !== '*' && (isOwnAccount(x, id) || ownArn(x, id))),
    )
  );
}

/**
 * Actions by which a log-delivery service (CloudTrail, S3 server access logs, VPC flow logs) puts its
 * files into a bucket and checks it may: they carry nothing out of the bucket, so a service principal
 * granted only these needs no source condition (aws-cdk-lib's Trail writes such a policy).
 */
const DELIVERY_ACTIONS = ['s3:putobject', 's3:getbucketacl', 's3:getbucketlocation'];

function onlyDeliveryActions(st: Plain): boolean {
  if (st.NotAction !== undefined) return false;
  const actions = ([] as unknown[]).concat(st.Action ?? []);
  return actions.length > 0 && actions.every((a) => typeof a === 'string' && DELIVERY_ACTIONS.includes(a.toLowerCase()));
}

/** Only service principals (`{ Service: ... }`). */
function onlyServicePrincipals(p: unknown): boolean {
  if (!p || typeof p !== 'object' || Array.isArray(p) || '__unknown' in p) return false;
  const keys = Object.keys(p as Plain);
  return keys.length > 0 && keys.every((k) => k === 'Service');
}

/**
 * A resource of the environment's own: a template resource, an ARN in its own account, an S3 bucket
 * of the template (`arn:...:s3:::${Bucket}/...`). `*`, `arn:aws:s3:::*` or `?*`, or a bucket named by
 * a literal (anyone may own it) are not.
 */
function resourceOwn(v: unknown, id: PerimeterIdentity): boolean {
  if (typeof v !== 'string') return false;
  if (isTemplateResourcePlaceholder(v)) return true;
  const parts = v.split(':');
  if (parts.length < 6 || parts[0] !== 'arn') return false;
  if (parts[2] === 's3' && parts[4] === '') {
    const bucket = parts.slice(5).join(':').split('/')[0];
    return /^\$\{(?!AWS::)[^}]+\}$/.test(bucket);
  }
  return isOwnAccount(parts[4], id);
}

/**
 * Whether an Allow statement of a resource or endpoint policy confines principals (and, for endpoint
 * policies, resources) to the environment's own, judged by operator and value. Undefined when it does.
 */
function judgeStatement(st: Plain, id: PerimeterIdentity, opts: { resources: boolean; servicesWithSource: boolean }): string | undefined {
  const entries = conditionEntries(st.Condition);
  if (entries === undefined) return 'its condition cannot be read from the template';
  const serviceOnly = servicePrincipalsOnly(entries);
  const principalOk =
    serviceOnly ||
    principalsOwn(st.Principal, id) ||
    scopesPrincipals(entries, id) ||
    (opts.servicesWithSource && onlyServicePrincipals(st.Principal) && (scopesSource(entries, id) || onlyDeliveryActions(st)));
  if (!principalOk) {
    return "allows principals outside the environment's account or organisation: confine them with StringEquals aws:PrincipalAccount ${AWS::AccountId} (or aws:PrincipalOrgID)";
  }
  if (!opts.resources || serviceOnly) return undefined;
  const resources = ([] as unknown[]).concat(st.Resource ?? []);
  const resourceOk = scopesResources(entries, id) || (st.NotResource === undefined && resources.length > 0 && resources.every((x) => resourceOwn(x, id)));
  if (!resourceOk) {
    return "allows resources outside the environment's account or organisation: confine them with StringEquals aws:ResourceAccount ${AWS::AccountId} (or aws:ResourceOrgID), or name its own resources";
  }
  return undefined;
}

/** The Allow statements of a policy document (every alternative) that open it, as `statement i (Sid): problem`. */
function policyProblems(
  m: TemplateModel,
  r: ModelResource,
  raw: unknown,
  id: PerimeterIdentity,
  opts: { resources: boolean; servicesWithSource: boolean; ecrLayers: boolean },
): string[] {
  const out: string[] = [];
  for (const docObj of documentAlternatives(m, r, raw)) {
    if (!docObj || typeof docObj !== 'object' || '__unknown' in (docObj as Plain)) {
      out.push('the policy cannot be read from the template');
      continue;
    }
    const statements = ([] as unknown[]).concat((docObj as Plain).Statement ?? []);
    for (const [i, s] of statements.entries()) {
      const label = `statement ${i}${s && typeof s === 'object' && typeof (s as Plain).Sid === 'string' ? ` (${(s as Plain).Sid})` : ''}`;
      if (!s || typeof s !== 'object' || '__unknown' in (s as Plain)) {
        out.push(`${label} cannot be read`);
        continue;
      }
      const st = s as Plain;
      if (st.Effect === 'Deny') continue;
      if (opts.ecrLayers && st.Effect === 'Allow' && isEcrLayerRead(st)) continue;
      const problem = judgeStatement(st, id, opts);
      if (problem) out.push(`${label} ${problem}`);
    }
  }
  return [...new Set(out)];
}

/** Every alternative of a policy document (all Fn::If branches), as plain JSON. */
function documentAlternatives(m: TemplateModel, r: ModelResource, raw: unknown): unknown[] {
  const doc = m.resolve(r.stack, raw);
  return plainAlternatives(doc).map((d) => (typeof d === 'string' ? parseJson(d) : d));
}

/**
 * Why an endpoint's policy does not confine it to the environment's principals AND resources, or
 * undefined when it does. Without a PolicyDocument an endpoint allows everything to everyone.
 */
function endpointPolicyProblem(m: TemplateModel, r: ModelResource, id: PerimeterIdentity): string | undefined {
  if (r.properties.PolicyDocument === undefined) return 'no endpoint policy (full access for any principal to any resource)';
  const problems = policyProblems(m, r, r.properties.PolicyDocument, id, { resources: true, servicesWithSource: false, ecrLayers: true });
  return problems.length ? problems.join('; ') : undefined;
}

/** Organisation ids named by positive aws:PrincipalOrgID / aws:ResourceOrgID conditions of a policy. */
function orgIdsOf(m: TemplateModel, r: ModelResource): Set<string> {
  const out = new Set<string>();
  for (const docObj of documentAlternatives(m, r, r.properties.PolicyDocument)) {
    if (!docObj || typeof docObj !== 'object') continue;
    for (const s of ([] as unknown[]).concat((docObj as Plain).Statement ?? [])) {
      const entries = s && typeof s === 'object' ? conditionEntries((s as Plain).Condition) : undefined;
      for (const e of entries ?? []) {
        if ((e.key === 'aws:principalorgid' || e.key === 'aws:resourceorgid') && isExactPositive(e)) {
          for (const v of e.values) if (typeof v === 'string') out.add(v);
        }
      }
    }
  }
  return out;
}

/** Literal accounts a stack asserts it deploys to: Rules assertions `Fn::Equals [Ref AWS::AccountId, "<id>"]`. */
function assertedAccounts(stack: ModelResource['stack']): Set<string> {
  const out = new Set<string>();
  const rules = stack.template.Rules;
  if (!rules || typeof rules !== 'object') return out;
  for (const rule of Object.values(rules as Plain)) {
    if (!rule || typeof rule !== 'object' || (rule as Plain).RuleCondition !== undefined) continue;
    for (const a of ([] as unknown[]).concat((rule as Plain).Assertions ?? [])) {
      const eq = a && typeof a === 'object' ? ((a as Plain).Assert as Plain | undefined)?.['Fn::Equals'] : undefined;
      if (!Array.isArray(eq) || eq.length !== 2) continue;
      const isAccount = (x: unknown) => !!x && typeof x === 'object' && (x as Plain).Ref === 'AWS::AccountId';
      const lit = isAccount(eq[0]) ? eq[1] : isAccount(eq[1]) ? eq[0] : undefined;
      if (typeof lit === 'string' && /^\d{12}$/.test(lit)) out.add(lit);
    }
  }
  return out;
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
  return (
    actions.length > 0 &&
    actions.every((a) => typeof a === 'string' && a.toLowerCase() === 's3:getobject') &&
    resources.length > 0 &&
    resources.every((r) => typeof r === 'string' && ECR_LAYER_BUCKET_OBJECTS.test(r))
  );
}

const ECR_LAYER_BUCKET_OBJECTS = /^arn:(\$\{AWS::Partition\}|aws|aws-cn|aws-us-gov):s3:::prod-\$\{AWS::Region\}-starport-layer-bucket\/\*$/;

function parseJson(s: string): unknown {
  try {
    return JSON.parse(s);
  } catch {
    return undefined;
  }
}

/** Most alternatives a policy document is expanded to; more is read as unknown. */
const MAX_DOCUMENT_ALTERNATIVES = 64;

/**
 * A resolved value back as plain JSON, once per combination of its alternatives (every Fn::If
 * branch), with placeholders for references; unknown parts become a marker.
 */
function plainAlternatives(v: Resolved): unknown[] {
  const tooMany = [{ __unknown: 'too many alternatives' }];
  const product = (lists: unknown[][]): unknown[][] | undefined => {
    let acc: unknown[][] = [[]];
    for (const l of lists) {
      const next: unknown[][] = [];
      for (const a of acc) for (const x of l) next.push([...a, x]);
      if (next.length > MAX_DOCUMENT_ALTERNATIVES) return undefined;
      acc = next;
    }
    return acc;
  };
  switch (v.kind) {
    case 'literal':
      return [v.value];
    case 'array': {
      const p = product(v.items.map(plainAlternatives));
      return p ? p.map((items) => items.filter((x) => x !== undefined)) : tooMany;
    }
    case 'object': {
      const keys = Object.keys(v.entries);
      const p = product(keys.map((k) => plainAlternatives(v.entries[k])));
      return p ? p.map((vals) => Object.fromEntries(keys.map((k, i) => [k, vals[i]]).filter(([, x]) => x !== undefined))) : tooMany;
    }
    case 'choice': {
      const all = v.options.flatMap(plainAlternatives);
      return all.length > MAX_DOCUMENT_ALTERNATIVES ? tooMany : all;
    }
    case 'novalue':
      return [undefined];
    case 'unknown':
      return [{ __unknown: v.reason }];
    default:
      return [asString(v)];
  }
}

/** The resource target of a bucket (its objects) or repository, for may-allow questions. */
function storeTarget(store: ModelResource): ResourceTarget {
  const nameProp = store.type === 'AWS::S3::Bucket' ? store.properties.BucketName : store.properties.RepositoryName;
  const name = asString(store.stack.resolve(nameProp));
  const literal = name !== undefined && !/\$\{/.test(name) ? name : '*';
  const glob = store.type === 'AWS::S3::Bucket' ? `arn:*:s3:::${literal}/*` : `arn:*:ecr:*:*:repository/${literal}`;
  return { glob, ref: { stack: store.stack.name, logicalId: store.logicalId } };
}

/** The value refers to the SecretAccessKey attribute of the access key (GetAtt, or inside Join/Sub). */
function mentionsSecret(v: Resolved, keyId: string, depth = 0): boolean {
  if (depth > 32) return false;
  switch (v.kind) {
    case 'getatt':
      return v.logicalId === keyId && v.attribute === 'SecretAccessKey';
    case 'literal':
      return (v.refs ?? []).some((r) => r.logicalId === keyId && r.attribute === 'SecretAccessKey');
    case 'array':
      return v.items.some((x) => mentionsSecret(x, keyId, depth + 1));
    case 'object':
      return Object.values(v.entries).some((x) => mentionsSecret(x, keyId, depth + 1));
    case 'choice':
      return v.options.some((x) => mentionsSecret(x, keyId, depth + 1));
    default:
      return false;
  }
}
