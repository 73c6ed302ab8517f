import { Aws, Duration, Fn, RemovalPolicy, Stack, Tags, Token, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as route53resolver from 'aws-cdk-lib/aws-route53resolver';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { markRuntimeRolesOf } from '../common/runtime-roles';
import { ENVIRONMENT_TAG } from '../common/tags';
import { cloudWatchLogsKeyStatement, denyGrantsExceptForAwsResourcesStatement, logDeliveryKeyStatement } from '../identity/key-policies';
import { createAccessLogBucket, createEvidenceBucket, deliverAccessLogsByBucketPolicy } from '../common/evidence-buckets';
import { duplicatesOf, isIntegerIn, parseIpv4Cidr, PropsValidator } from '../common/validation';
import { publicSuffixWildcard } from './dns-firewall-match';
import { FLOW_LOG_KEY_PREFIX, flowLogFormatString } from '../telemetry/flow-log-fields';
import { allowedDomains, ENDPOINT_SERVICES, EndpointKind, isAllowedEndpointService } from './endpoint-services';

/** Pattern every environment name must match: it becomes part of tags, names and ARNs. */
export const ENVIRONMENT_NAME_PATTERN = /^[a-z][a-z0-9-]{0,30}[a-z0-9]$/;

/** Construct id of aws-cdk-lib's singleton provider function for AwsCustomResource. */
const AWS_CUSTOM_RESOURCE_PROVIDER_ID = 'AWS679f53fac002430cb0da5b7982bd2287';
/** Construct id of aws-cdk-lib's singleton provider that empties the default security group. */
const RESTRICT_DEFAULT_SG_PROVIDER_ID = 'Custom::VpcRestrictDefaultSGCustomResourceProvider';

const ORGANIZATION_ID_PATTERN = /^o-[a-z0-9]{10,32}$/;
const DOMAIN_PATTERN = /^(\*\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}\.?$/;

/** Options of the DNS walled garden. */
export interface DnsWalledGardenOptions {
  /**
   * Extra domains to resolve, e.g. the VPC's private hosted zones (`*.corp.internal`). Each must have
   * at least two labels; a bare `*` or a top-level wildcard (`*.com`) is rejected.
   * @default - none
   */
  readonly additionalAllowedDomains?: string[];

  /**
   * Add a DNS tunneling threat-protection rule (DNS Firewall Advanced) between the ALLOW list and
   * the catch-all BLOCK. It prevents nothing more: every name it could block is blocked by the
   * catch-all after it, and allowed names never reach it. It labels blocked queries that look like
   * tunnels in the query logs, and it makes the rule group DNS Firewall Advanced, billed per VPC
   * association and hour (about USD 117 a month per VPC under 2026 pricing, lib/pricing/prices.ts).
   * https://aws.amazon.com/route53/pricing/ (DNS Firewall Advanced)
   * @default false
   */
  readonly tunnelingDetection?: boolean;

  /**
   * Confidence threshold of the DNS tunneling rule; only with `tunnelingDetection: true`.
   * @default 'MEDIUM'
   */
  readonly tunnelingConfidence?: 'LOW' | 'MEDIUM' | 'HIGH';

  /**
   * Turn on mutation protection of the VPC's DNS Firewall rule group association, so that nobody
   * (not even CloudFormation) can disassociate or change it while it is on.
   *
   * Trade-off: CloudFormation can then neither update nor delete the association. A first deploy
   * that fails after the association exists cannot roll back (the stack ends in ROLLBACK_FAILED),
   * and the stack cannot be deleted. To delete or replace it, first deploy with this set to false
   * (or `aws route53resolver update-firewall-rule-group-association --mutation-protection DISABLED
   * --firewall-rule-group-association-id <id>`), then delete. Agents are already kept away from the
   * association by the escape catalog (route53resolver:UpdateFirewall*, DisassociateFirewallRuleGroup
   * and the like), so this guards against humans and other automation.
   * https://docs.aws.amazon.com/Route53/latest/APIReference/API_route53resolver_UpdateFirewallRuleGroupAssociation.html
   * @default false - the association can be updated and deleted by CloudFormation
   */
  readonly mutationProtection?: boolean;
}

/** Properties of a {@link BlackHoleVpc}. */
export interface BlackHoleVpcProps {
  /**
   * Name of the environment. Tagged as `black-hole:environment` on every resource; lower case
   * letters, digits and hyphens, 2 to 32 characters, starting with a letter.
   */
  readonly environmentName: string;

  /**
   * IPv4 CIDR of the VPC, a network address with a prefix from /16 to /24.
   * @default '10.80.0.0/16'
   */
  readonly cidr?: string;

  /**
   * Number of Availability Zones, each with one isolated subnet. Stacks without an explicit
   * environment get their zones through `Fn::GetAZs` at deploy time (no synth-time lookup).
   * @default 2
   */
  readonly maxAzs?: number;

  /**
   * Prefix length of each isolated subnet; from the VPC prefix (plus what the zones need) to /28.
   * @default 20
   */
  readonly subnetCidrMask?: number;

  /**
   * AWS services reachable through VPC endpoints, by id from the allowlist in `endpoint-services.ts`
   * (see `ENDPOINT_PRESETS`). The S3 gateway endpoint is always created.
   * @default ['s3'] - only the S3 gateway endpoint (the closed choice; what network-isolated
   * SageMaker training needs)
   */
  readonly endpointServices?: string[];

  /**
   * AWS Organizations organisation ID (`o-...`). When given, endpoint policies admit principals and
   * resources of the organisation (aws:PrincipalOrgID / aws:ResourceOrgID); otherwise only those of
   * this stack's account (aws:PrincipalAccount / aws:ResourceAccount).
   * @default - account-scoped endpoint policies
   */
  readonly organizationId?: string;

  /** Options of the DNS walled garden. @default - AWS service domains only */
  readonly dnsFirewall?: DnsWalledGardenOptions;

  /**
   * How long resolver query logs stay in CloudWatch Logs. Log groups and buckets are always
   * retained when the stack is deleted.
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly logRetention?: logs.RetentionDays;

  /**
   * Turn on VPC Block Public Access for the account and region (block-bidirectional). It is an
   * account-level setting, so at most one stack per account and region may enable it, and it
   * affects every VPC there: hence off by default. When an organisation manages it centrally, leave
   * this off.
   * @default false
   */
  readonly blockPublicAccess?: boolean;

  /**
   * Where the interface endpoints get their network interfaces. Interface endpoints are billed per
   * endpoint and per Availability Zone each hour (about USD 7.30 a month per endpoint and AZ in
   * us-east-1, see lib/pricing/prices.ts), so the default EC2 endpoint set costs about USD 88 a month
   * at 2 AZs before any GPU runs.
   *
   * - `'every-az'`: one network interface per isolated subnet: each AZ reaches AWS APIs in its own
   *   AZ, and an AZ outage affects only that AZ.
   * - `'single-az'`: every interface endpoint in the first isolated subnet only; the endpoints' private
   *   DNS names resolve to that AZ from every subnet. Halves the endpoint cost at 2 AZs (a third at
   *   3). Trade-offs: every call from another AZ to an interface-endpoint service (image pulls through
   *   ECR, STS, CloudWatch Logs...) crosses AZs and is billed as cross-AZ data transfer (USD 0.01/GB
   *   each way in most regions) on top of the endpoint's data processing; and an outage of that one
   *   AZ cuts the whole environment off those AWS APIs (no image pulls, credentials, logs or metrics
   *   anywhere), so training in the surviving AZs stalls. The S3 and DynamoDB gateway endpoints are
   *   route-table entries and keep serving every AZ either way. The security perimeter is the same:
   *   endpoint policies, security groups and the DNS walled garden do not change.
   * @default 'every-az'
   */
  readonly endpointPlacement?: 'every-az' | 'single-az';
}

/**
 * An air-gapped VPC for RL training: isolated subnets only, no internet routing of any kind, an
 * endpoint perimeter whose policies admit only the environment's own principals and resources, a
 * DNS walled garden (Route 53 Resolver DNS Firewall) that resolves only the enabled AWS services,
 * resolver query logging, and flow logs of all traffic to an encrypted, retained bucket.
 *
 * Network ACLs admit everything within the VPC CIDR. Gateway endpoints (S3, DynamoDB) reach the
 * services' public address ranges, which a NACL cannot name (NACLs take no prefix lists), so the
 * NACL also admits TCP 443 out and the TCP return traffic in; the route tables (only `local` and
 * the gateway endpoints' prefix lists) and the security groups (egress only to the endpoints and
 * the S3 prefix list) are what confine that traffic. See README, "Network ACLs and S3".
 */
export class BlackHoleVpc extends Construct {
  /** The underlying VPC. */
  public readonly vpc: ec2.Vpc;
  /** Environment name, as tagged. */
  public readonly environmentName: string;
  /** The isolated subnets, one per Availability Zone. */
  public readonly isolatedSubnets: ec2.ISubnet[];
  /** Security group of the interface endpoints: admits TCP 443 from the VPC CIDR only. */
  public readonly endpointSecurityGroup: ec2.SecurityGroup;
  /**
   * Security group for training compute: egress only to the endpoints (443), the S3 prefix list
   * (443) and members of the same group (for collective communication between nodes).
   */
  public readonly trainingSecurityGroup: ec2.SecurityGroup;
  /** Interface endpoints, by service id. */
  public readonly interfaceEndpoints: Readonly<Record<string, ec2.InterfaceVpcEndpoint>>;
  /** Gateway endpoints, by service id (`s3`, and `dynamodb` when enabled). */
  public readonly gatewayEndpoints: Readonly<Record<string, ec2.GatewayVpcEndpoint>>;
  /** Enabled endpoint service ids, `s3` included. */
  public readonly endpointServices: readonly string[];
  /** KMS key of the environment's logs (flow logs, resolver query logs). */
  public readonly logKey: kms.Key;
  /** Bucket that receives the flow logs. */
  public readonly flowLogBucket: s3.Bucket;
  /** Bucket that receives the flow-log bucket's server access logs. */
  public readonly accessLogBucket: s3.Bucket;
  /** The flow log of all traffic of the VPC. */
  public readonly flowLog: ec2.FlowLog;
  /** Log group of the resolver query logs (the only record of DNS traffic). */
  public readonly queryLogGroup: logs.LogGroup;
  /** The DNS firewall rule group associated with the VPC. */
  public readonly firewallRuleGroup: route53resolver.CfnFirewallRuleGroup;
  /** The network ACL of the isolated subnets. */
  public readonly networkAcl: ec2.NetworkAcl;

  constructor(scope: Construct, id: string, props: BlackHoleVpcProps) {
    super(scope, id);
    deliverAccessLogsByBucketPolicy(this);
    const resolved = validateBlackHoleVpcProps(props);
    this.environmentName = props.environmentName;
    this.endpointServices = resolved.endpointServices;
    const stack = Stack.of(this);

    this.vpc = new ec2.Vpc(this, 'Vpc', {
      ipAddresses: ec2.IpAddresses.cidr(resolved.cidr),
      availabilityZones: availabilityZoneTokens(resolved.maxAzs),
      natGateways: 0,
      createInternetGateway: false,
      enableDnsHostnames: true,
      enableDnsSupport: true,
      restrictDefaultSecurityGroup: true,
      subnetConfiguration: [{ name: 'Isolated', subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: resolved.subnetCidrMask }],
    });
    this.isolatedSubnets = this.vpc.isolatedSubnets;
    const subnets: ec2.SubnetSelection = { subnetType: ec2.SubnetType.PRIVATE_ISOLATED };

    this.networkAcl = this.createNetworkAcl(subnets);

    // Security groups: nothing is open to the world, nothing leaves except to the perimeter.
    this.endpointSecurityGroup = new ec2.SecurityGroup(this, 'EndpointSecurityGroup', {
      vpc: this.vpc,
      description: `Interface endpoints of black hole ${props.environmentName}: HTTPS from the VPC only`,
      allowAllOutbound: false,
    });
    this.endpointSecurityGroup.addIngressRule(ec2.Peer.ipv4(this.vpc.vpcCidrBlock), ec2.Port.tcp(443), 'HTTPS from inside the VPC');

    this.trainingSecurityGroup = new ec2.SecurityGroup(this, 'TrainingSecurityGroup', {
      vpc: this.vpc,
      description: `Training compute of black hole ${props.environmentName}: egress to the endpoint perimeter only`,
      allowAllOutbound: false,
    });
    this.trainingSecurityGroup.addEgressRule(this.endpointSecurityGroup, ec2.Port.tcp(443), 'Interface endpoints');
    this.endpointSecurityGroup.addIngressRule(this.trainingSecurityGroup, ec2.Port.tcp(443), 'Training compute');
    this.trainingSecurityGroup.addIngressRule(this.trainingSecurityGroup, ec2.Port.allTraffic(), 'Collective communication between training nodes');
    this.trainingSecurityGroup.addEgressRule(this.trainingSecurityGroup, ec2.Port.allTraffic(), 'Collective communication between training nodes');

    // Endpoint perimeter.
    const gateways: Record<string, ec2.GatewayVpcEndpoint> = {};
    const interfaces: Record<string, ec2.InterfaceVpcEndpoint> = {};
    for (const serviceId of resolved.endpointServices) {
      const def = ENDPOINT_SERVICES[serviceId];
      const cid = endpointConstructId(serviceId);
      if (def.kind === EndpointKind.GATEWAY) {
        const endpoint = this.vpc.addGatewayEndpoint(cid, {
          service: serviceId === 's3' ? ec2.GatewayVpcEndpointAwsService.S3 : ec2.GatewayVpcEndpointAwsService.DYNAMODB,
          subnets: [subnets],
        });
        for (const statement of perimeterStatements(serviceId, resolved, props.organizationId)) {
          endpoint.addToPolicy(statement);
        }
        gateways[serviceId] = endpoint;
      } else {
        const endpoint = this.vpc.addInterfaceEndpoint(cid, {
          service: new ec2.InterfaceVpcEndpointAwsService(serviceId),
          // single-az: the first isolated subnet serves every subnet (see endpointPlacement).
          subnets: props.endpointPlacement === 'single-az' ? { subnets: [this.isolatedSubnets[0]] } : subnets,
          privateDnsEnabled: true,
          open: false,
          securityGroups: [this.endpointSecurityGroup],
        });
        for (const statement of perimeterStatements(serviceId, resolved, props.organizationId)) {
          endpoint.addToPolicy(statement);
        }
        interfaces[serviceId] = endpoint;
      }
    }
    this.gatewayEndpoints = gateways;
    this.interfaceEndpoints = interfaces;
    this.trainingSecurityGroup.addEgressRule(ec2.Peer.prefixList(gatewayPrefixListIdToken(this, 's3')), ec2.Port.tcp(443), 'S3 through the gateway endpoint');
    if (resolved.endpointServices.includes('dynamodb')) {
      // The DynamoDB gateway endpoint reaches DynamoDB's public ranges, which only its prefix list names.
      this.trainingSecurityGroup.addEgressRule(
        ec2.Peer.prefixList(gatewayPrefixListIdToken(this, 'dynamodb')),
        ec2.Port.tcp(443),
        'DynamoDB through the gateway endpoint',
      );
    }

    // Logs: one key, retained; buckets and log groups are retained when the stack is deleted.
    this.logKey = new kms.Key(this, 'LogKey', {
      description: `Logs of black hole ${props.environmentName}`,
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.logKey.addToResourcePolicy(logDeliveryKeyStatement(stack));
    this.logKey.addToResourcePolicy(cloudWatchLogsKeyStatement(stack));
    this.logKey.addToResourcePolicy(denyGrantsExceptForAwsResourcesStatement());

    this.accessLogBucket = createAccessLogBucket(this, 'AccessLogBucket');
    this.flowLogBucket = createEvidenceBucket(this, 'FlowLogBucket', {
      key: this.logKey,
      accessLogs: this.accessLogBucket,
      accessLogsPrefix: 'flow-log-bucket/',
      transition: { storageClass: s3.StorageClass.INTELLIGENT_TIERING, after: Duration.days(30) },
    });

    this.flowLog = new ec2.FlowLog(this, 'FlowLog', {
      resourceType: ec2.FlowLogResourceType.fromVpc(this.vpc),
      trafficType: ec2.FlowLogTrafficType.ALL,
      maxAggregationInterval: ec2.FlowLogMaxAggregationInterval.ONE_MINUTE,
      logFormat: [ec2.LogFormat.custom(flowLogFormatString())],
      destination: ec2.FlowLogDestination.toS3(this.flowLogBucket, FLOW_LOG_KEY_PREFIX, {
        fileFormat: ec2.FlowLogFileFormat.PARQUET,
        hiveCompatiblePartitions: true,
        perHourPartition: true,
      }),
    });

    // DNS walled garden: the resolver answers public names even without an internet gateway, so a
    // DNS tunnel needs no route. Only the enabled services' domains resolve; everything else is
    // NXDOMAIN, and the firewall fails closed.
    this.queryLogGroup = new logs.LogGroup(this, 'ResolverQueryLogs', {
      retention: props.logRetention ?? logs.RetentionDays.ONE_YEAR,
      encryptionKey: this.logKey,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const queryLogConfig = new route53resolver.CfnResolverQueryLoggingConfig(this, 'QueryLogging', {
      destinationArn: this.queryLogGroup.logGroupArn,
    });
    new route53resolver.CfnResolverQueryLoggingConfigAssociation(this, 'QueryLoggingAssociation', {
      resolverQueryLogConfigId: queryLogConfig.attrId,
      resourceId: this.vpc.vpcId,
    });

    const allowList = new route53resolver.CfnFirewallDomainList(this, 'AllowedDomains', {
      domains: [...allowedDomains(resolved.endpointServices, stack.region), ...resolved.additionalAllowedDomains],
    });
    const everything = new route53resolver.CfnFirewallDomainList(this, 'AllDomains', {
      domains: ['*'],
    });
    this.firewallRuleGroup = new route53resolver.CfnFirewallRuleGroup(this, 'WalledGarden', {
      firewallRules: [
        {
          priority: 100,
          action: 'ALLOW',
          firewallDomainListId: allowList.attrId,
          // AWS answers some service names through CNAME chains to AWS-internal names outside the list
          // (s3.amazonaws.com -> s3-1.amazonaws.com, and AWS may change those names). With the default
          // INSPECT_REDIRECTION_DOMAIN every name in the chain must be on the list, or the catch-all
          // BLOCK answers NXDOMAIN for an allowed name. Trusting the chain of an ALLOWED name adds no
          // channel: a CNAME target is chosen by the zone's owner (AWS, or the owner of a zone in
          // additionalAllowedDomains), not by the querier, so no data rides on it.
          // https://docs.aws.amazon.com/Route53/latest/APIReference/API_route53resolver_FirewallRule.html
          firewallDomainRedirectionAction: 'TRUST_REDIRECTION_DOMAIN',
        },
        ...(props.dnsFirewall?.tunnelingDetection
          ? [
              {
                priority: 200,
                action: 'BLOCK',
                blockResponse: 'NXDOMAIN',
                dnsThreatProtection: 'DNS_TUNNELING',
                confidenceThreshold: props.dnsFirewall?.tunnelingConfidence ?? 'MEDIUM',
              },
            ]
          : []),
        { priority: 300, action: 'BLOCK', blockResponse: 'NXDOMAIN', firewallDomainListId: everything.attrId },
      ],
    });
    new route53resolver.CfnFirewallRuleGroupAssociation(this, 'WalledGardenAssociation', {
      firewallRuleGroupId: this.firewallRuleGroup.attrId,
      vpcId: this.vpc.vpcId,
      priority: 101,
      // ENABLED blocks CloudFormation too (stuck ROLLBACK_FAILED, undeletable stack): opt-in only.
      mutationProtection: props.dnsFirewall?.mutationProtection ? 'ENABLED' : 'DISABLED',
    });
    new route53resolver.CfnFirewallConfig(this, 'FirewallFailsClosed', {
      resourceId: this.vpc.vpcId,
      firewallFailOpen: 'DISABLED',
    });

    if (props.blockPublicAccess) {
      new ec2.CfnVPCBlockPublicAccessOptions(this, 'BlockPublicAccess', {
        internetGatewayBlockMode: 'block-bidirectional',
      });
    }

    Tags.of(this).add(ENVIRONMENT_TAG, props.environmentName);
    this.acknowledgeJustifiedFindings();

    // Its runtime roles (created above) and CDK's singleton provider roles of the stack go on the runtime
    // path, exempt from the guardrail SCP; roles added under this construct later are not marked.
    markRuntimeRolesOf(this);
  }

  /**
   * AwsSolutions and Control Tower (cdk-validator-cfnguard) findings that are true of this design and
   * justified; each with its reason (docs/COMPLIANCE.md lists them all).
   */
  private acknowledgeJustifiedFindings(): void {
    Validations.of(this.networkAcl).acknowledge({
      id: 'AwsSolutions-VPC3',
      reason: 'The NACL is deliberate defence in depth: it admits only VPC-internal traffic and HTTPS to the gateway endpoints.',
    });
    // CT.EC2.PR.5: the return-traffic entry's 1024-65535 range contains 3389.
    Validations.of(this.networkAcl.node.findChild('InboundReturnFromGatewayEndpoints')).acknowledge({
      id: 'cdk-validator-cfnguard::nacl_no_unrestricted_ssh_rdp_check',
      reason:
        'Return traffic of HTTPS to the S3/DynamoDB gateway endpoints, whose public ranges a NACL cannot name (README, "Network ACLs and S3"). ' +
        'No internet gateway or NAT exists, so nothing from outside the VPC can open a connection to port 3389 (or any port); port 22 is outside the range.',
    });
    Validations.of(this.endpointSecurityGroup).acknowledge({
      id: 'AwsSolutions-EC23',
      reason: 'Ingress is TCP 443 from the VPC CIDR (a token the rule cannot read), never from 0.0.0.0/0; the gate checks it.',
    });
    for (const id of ['S3PrefixListLookup', 'DynamodbPrefixListLookup']) {
      const lookup = this.node.tryFindChild(id);
      if (!lookup) continue;
      Validations.of(lookup).acknowledge({
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason: 'ec2:DescribeManagedPrefixLists supports no resource-level permissions; the deploy-time lookup role can only describe prefix lists.',
      });
    }
    // The deploy-time providers are stack-level singletons created by aws-cdk-lib (CT.LAMBDA.PR.3).
    const outsideTheVpc =
      'Deploy-time custom resource provider of aws-cdk-lib; it calls the EC2 API, which the black hole has no route to unless the ec2 endpoint is enabled, ' +
      "and inside the VPC it would be compute that the environment's agents could reach. It runs only when CloudFormation deploys the stack.";
    const provider = Stack.of(this).node.tryFindChild(AWS_CUSTOM_RESOURCE_PROVIDER_ID);
    if (provider) {
      Validations.of(provider).acknowledge(
        {
          id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
          reason: 'aws-cdk-lib custom resource provider: AWSLambdaBasicExecutionRole only lets it write its own logs.',
        },
        { id: 'cdk-validator-cfnguard::lambda_inside_vpc_check', reason: outsideTheVpc },
      );
    }
    const restrictDefaultSg = Stack.of(this).node.tryFindChild(RESTRICT_DEFAULT_SG_PROVIDER_ID);
    if (restrictDefaultSg) {
      Validations.of(restrictDefaultSg).acknowledge({ id: 'cdk-validator-cfnguard::lambda_inside_vpc_check', reason: outsideTheVpc });
    }
  }

  /** Subnet selection of the isolated subnets, for placing compute. */
  public get subnetSelection(): ec2.SubnetSelection {
    return { subnets: this.isolatedSubnets };
  }

  private createNetworkAcl(subnets: ec2.SubnetSelection): ec2.NetworkAcl {
    const acl = new ec2.NetworkAcl(this, 'NetworkAcl', { vpc: this.vpc, subnetSelection: subnets });
    const vpcCidr = ec2.AclCidr.ipv4(this.vpc.vpcCidrBlock);
    acl.addEntry('InboundFromVpc', { ruleNumber: 100, cidr: vpcCidr, traffic: ec2.AclTraffic.allTraffic(), direction: ec2.TrafficDirection.INGRESS });
    acl.addEntry('OutboundToVpc', { ruleNumber: 100, cidr: vpcCidr, traffic: ec2.AclTraffic.allTraffic(), direction: ec2.TrafficDirection.EGRESS });
    // Gateway endpoints reach S3/DynamoDB public ranges: HTTPS out, TCP return traffic in.
    acl.addEntry('OutboundHttpsToGatewayEndpoints', {
      ruleNumber: 200,
      cidr: ec2.AclCidr.anyIpv4(),
      traffic: ec2.AclTraffic.tcpPort(443),
      direction: ec2.TrafficDirection.EGRESS,
    });
    acl.addEntry('InboundReturnFromGatewayEndpoints', {
      ruleNumber: 200,
      cidr: ec2.AclCidr.anyIpv4(),
      traffic: ec2.AclTraffic.tcpPortRange(1024, 65535),
      direction: ec2.TrafficDirection.INGRESS,
    });
    return acl;
  }
}

interface ResolvedVpcProps {
  readonly cidr: string;
  readonly maxAzs: number;
  readonly subnetCidrMask: number;
  readonly endpointServices: string[];
  readonly additionalAllowedDomains: string[];
}

/** Validates every prop at once; returns the props with their defaults applied. */
function validateBlackHoleVpcProps(props: BlackHoleVpcProps): ResolvedVpcProps {
  const v = new PropsValidator('BlackHoleVpc');
  const cidr = props.cidr ?? '10.80.0.0/16';
  const maxAzs = props.maxAzs ?? 2;
  const subnetCidrMask = props.subnetCidrMask ?? 20;
  const requested = props.endpointServices ?? ['s3'];

  v.check(
    typeof props.environmentName === 'string' && ENVIRONMENT_NAME_PATTERN.test(props.environmentName),
    'environmentName',
    `'${props.environmentName}' is not allowed: use 2 to 32 lower case letters, digits and hyphens, starting with a letter and not ending with a hyphen`,
  );

  const parsed = Token.isUnresolved(cidr) ? undefined : parseIpv4Cidr(cidr);
  if (Token.isUnresolved(cidr)) {
    v.add('cidr', 'must be a literal CIDR, not a token (subnets are computed at synth time)');
  } else if (!parsed) {
    v.add('cidr', `'${cidr}' is not an IPv4 network address in CIDR notation (e.g. 10.80.0.0/16)`);
  } else if (parsed.prefix < 16 || parsed.prefix > 24) {
    v.add('cidr', `'${cidr}' has prefix /${parsed.prefix}; allowed: /16 to /24`);
  }

  v.check(isIntegerIn(maxAzs, 1, 6), 'maxAzs', `${maxAzs} is not allowed: use a whole number from 1 to 6`);

  if (!isIntegerIn(subnetCidrMask, 16, 28)) {
    v.add('subnetCidrMask', `${subnetCidrMask} is not allowed: use a whole number from 16 to 28`);
  } else if (parsed && isIntegerIn(maxAzs, 1, 6)) {
    const needed = parsed.prefix + Math.ceil(Math.log2(maxAzs));
    if (subnetCidrMask < needed) {
      v.add('subnetCidrMask', `/${subnetCidrMask} subnets do not fit ${maxAzs} times in ${cidr}: use /${needed} or longer`);
    }
  }

  const unknown = requested.filter((s) => !isAllowedEndpointService(s));
  v.check(
    unknown.length === 0,
    'endpointServices',
    `${unknown.map((s) => `'${s}'`).join(', ')} ${unknown.length === 1 ? 'is' : 'are'} not on the endpoint allowlist; allowed: ${Object.keys(ENDPOINT_SERVICES).join(', ')}`,
  );
  const dups = duplicatesOf(requested);
  v.check(dups.length === 0, 'endpointServices', `listed more than once: ${dups.join(', ')}`);

  if (props.organizationId !== undefined) {
    v.check(
      !Token.isUnresolved(props.organizationId) && ORGANIZATION_ID_PATTERN.test(props.organizationId),
      'organizationId',
      `'${props.organizationId}' is not an AWS Organizations ID (o- followed by 10 to 32 lower case letters or digits)`,
    );
  }

  const extraDomains = (props.dnsFirewall?.additionalAllowedDomains ?? []).map((d) => d.toLowerCase());
  for (const d of extraDomains) {
    const labels = d.replace(/^\*\./, '').replace(/\.$/, '').split('.');
    const wellFormed = DOMAIN_PATTERN.test(d) && labels.length >= 2;
    v.check(
      wellFormed,
      'dnsFirewall.additionalAllowedDomains',
      `'${d}' is not allowed: give a domain name with at least two labels, optionally prefixed with '*.' (a catch-all would reopen DNS tunnels)`,
    );
    const suffix = wellFormed ? publicSuffixWildcard(d) : undefined;
    v.check(
      suffix === undefined,
      'dnsFirewall.additionalAllowedDomains',
      `'${d}' is not allowed: '${suffix}' is a public suffix (Public Suffix List), so anyone may register a name under it and answer its queries (a DNS tunnel); allow the registrable domain's subdomains instead, e.g. '*.example.${suffix}'`,
    );
  }
  v.check(
    props.endpointPlacement === undefined || ['every-az', 'single-az'].includes(props.endpointPlacement),
    'endpointPlacement',
    `${JSON.stringify(props.endpointPlacement)} is not allowed: use 'every-az' or 'single-az'`,
  );
  const mutationProtection = props.dnsFirewall?.mutationProtection;
  v.check(
    mutationProtection === undefined || typeof mutationProtection === 'boolean',
    'dnsFirewall.mutationProtection',
    `${JSON.stringify(mutationProtection)} is not allowed: use true or false`,
  );
  const dupDomains = duplicatesOf(extraDomains);
  v.check(dupDomains.length === 0, 'dnsFirewall.additionalAllowedDomains', `listed more than once: ${dupDomains.join(', ')}`);
  v.check(
    props.dnsFirewall?.tunnelingConfidence === undefined || props.dnsFirewall?.tunnelingDetection === true,
    'dnsFirewall.tunnelingConfidence',
    'applies only with dnsFirewall.tunnelingDetection: true (the tunneling rule is off by default)',
  );

  v.throwIfAny();

  const endpointServices = requested.includes('s3') ? [...requested] : ['s3', ...requested];
  return { cidr, maxAzs, subnetCidrMask, endpointServices, additionalAllowedDomains: extraDomains };
}

/** Zones resolved at deploy time: no synth-time context lookup, so synth works offline. */
function availabilityZoneTokens(count: number): string[] {
  return Array.from({ length: count }, (_, i) => Fn.select(i, Fn.getAzs()));
}

function endpointConstructId(serviceId: string): string {
  return (
    serviceId
      .split(/[.-]/)
      .map((p) => p.charAt(0).toUpperCase() + p.slice(1))
      .join('') + 'Endpoint'
  );
}

/**
 * The perimeter policy of an endpoint: only principals AND resources of the environment's account
 * (or organisation), plus AWS service principals, plus the few AWS-owned resources a service needs
 * (ECR's image layers live in an AWS-owned bucket).
 */
function perimeterStatements(serviceId: string, resolved: ResolvedVpcProps, organizationId?: string): iam.PolicyStatement[] {
  const statements: iam.PolicyStatement[] = [];
  const principal = organizationId ? { 'aws:PrincipalOrgID': organizationId } : { 'aws:PrincipalAccount': Aws.ACCOUNT_ID };
  const resource = organizationId ? { 'aws:ResourceOrgID': organizationId } : { 'aws:ResourceAccount': Aws.ACCOUNT_ID };
  statements.push(
    new iam.PolicyStatement({
      sid: 'OwnPrincipalsToOwnResources',
      principals: [new iam.AnyPrincipal()],
      actions: ['*'],
      resources: ['*'],
      conditions: { StringEquals: { ...principal, ...resource } },
    }),
  );
  statements.push(
    new iam.PolicyStatement({
      sid: 'AwsServicePrincipals',
      principals: [new iam.AnyPrincipal()],
      actions: ['*'],
      resources: ['*'],
      conditions: { Bool: { 'aws:PrincipalIsAWSService': 'true' } },
    }),
  );
  if (serviceId === 's3' && resolved.endpointServices.includes('ecr.dkr')) {
    // Image layers are downloaded with pre-signed URLs that an ECR service account signs, so the
    // request's principal is not ours: an aws:PrincipalAccount/aws:PrincipalOrgID condition here
    // fails every image pull. As AWS documents ("Minimum Amazon S3 bucket permissions for Amazon
    // ECR", https://docs.aws.amazon.com/AmazonECR/latest/userguide/vpc-endpoints.html#ecr-minimum-s3-perms)
    // and as the data-perimeter examples do (aws-samples/data-perimeter-policy-examples,
    // vpc_endpoint_policies/s3_endpoint_policy.json, AllowRequestsToAWSOwnedResources: any principal,
    // s3:GetObject, that bucket's objects, no condition), the statement is scoped by resource and
    // action only: reads of ECR's AWS-owned layer bucket in this region, nothing else. The region is
    // the deploy-time pseudo parameter even in env-specific stacks: the gate can then prove that the
    // bucket is the deployment region's own (a literal could name a bucket anyone may register).
    statements.push(
      new iam.PolicyStatement({
        sid: 'EcrImageLayers',
        principals: [new iam.AnyPrincipal()],
        actions: ['s3:GetObject'],
        resources: [`arn:${Aws.PARTITION}:s3:::prod-${Aws.REGION}-starport-layer-bucket/*`],
      }),
    );
  }
  return statements;
}

/**
 * The region's managed prefix list of a gateway endpoint service (`com.amazonaws.<region>.s3` or `.dynamodb`), looked up at deploy time by a
 * CloudFormation custom resource: a synth-time lookup would need credentials, and prefix list IDs
 * differ per region. The lookup's role may only describe prefix lists; it is not agent-reachable.
 */
function gatewayPrefixListIdToken(scope: Construct, service: 's3' | 'dynamodb'): string {
  const lookup = new cr.AwsCustomResource(scope, `${service.charAt(0).toUpperCase()}${service.slice(1)}PrefixListLookup`, {
    onUpdate: {
      service: 'EC2',
      action: 'describeManagedPrefixLists',
      parameters: { Filters: [{ Name: 'prefix-list-name', Values: [`com.amazonaws.${Aws.REGION}.${service}`] }] },
      physicalResourceId: cr.PhysicalResourceId.of(`${service}-prefix-list-${Aws.REGION}`),
      outputPaths: ['PrefixLists.0.PrefixListId'],
    },
    policy: cr.AwsCustomResourcePolicy.fromStatements([new iam.PolicyStatement({ actions: ['ec2:DescribeManagedPrefixLists'], resources: ['*'] })]),
    installLatestAwsSdk: false,
  });
  return lookup.getResponseField('PrefixLists.0.PrefixListId');
}
