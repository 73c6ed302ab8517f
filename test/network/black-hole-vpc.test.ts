import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { BlackHoleVpc, BlackHoleVpcProps, ENDPOINT_PRESETS } from '../../lib/network';
import { FLOW_LOG_FIELDS } from '../../lib/telemetry/flow-log-fields';

function synth(props: Partial<BlackHoleVpcProps> = {}, stackProps = {}): Template {
  const app = new App();
  const stack = new Stack(app, 'Test', stackProps);
  new BlackHoleVpc(stack, 'Net', { environmentName: 'team-a', ...props });
  return Template.fromStack(stack);
}

function resourcesOf(t: Template, type: string): Record<string, any> {
  return t.findResources(type);
}

describe('BlackHoleVpc: no path out', () => {
  const t = synth({ endpointServices: [...ENDPOINT_PRESETS.EC2_TRAINING] });

  test.each([
    'AWS::EC2::InternetGateway',
    'AWS::EC2::NatGateway',
    'AWS::EC2::EgressOnlyInternetGateway',
    'AWS::EC2::VPNGateway',
    'AWS::EC2::VPCGatewayAttachment',
    'AWS::EC2::TransitGatewayAttachment',
    'AWS::EC2::TransitGatewayVpcAttachment',
    'AWS::EC2::VPCPeeringConnection',
    'AWS::EC2::InstanceConnectEndpoint',
    'AWS::EC2::EIP',
    'AWS::EC2::VPCCidrBlock',
    'AWS::Route53Resolver::ResolverEndpoint',
    'AWS::Route53Resolver::ResolverRule',
  ])('creates no %s', (type) => {
    t.resourceCountIs(type, 0);
  });

  test('creates no route at all: only the implicit local route and gateway endpoint prefix lists', () => {
    t.resourceCountIs('AWS::EC2::Route', 0);
  });

  test('only isolated subnets, in 2 AZs by default, that never map public IPs', () => {
    const subnets = Object.values(resourcesOf(t, 'AWS::EC2::Subnet'));
    expect(subnets).toHaveLength(2);
    for (const s of subnets) {
      expect(s.Properties.MapPublicIpOnLaunch).toBe(false);
      expect(s.Properties.AssignIpv6AddressOnCreation).toBeUndefined();
      expect(s.Properties.Ipv6CidrBlock).toBeUndefined();
    }
    const tags = subnets.map((s) => s.Properties.Tags.find((x: any) => x.Key === 'aws-cdk:subnet-type').Value);
    expect(new Set(tags)).toEqual(new Set(['Isolated']));
  });

  test('AZs are resolved at deploy time, not looked up at synth', () => {
    const subnets = Object.values(resourcesOf(t, 'AWS::EC2::Subnet'));
    expect(subnets[0].Properties.AvailabilityZone).toEqual({ 'Fn::Select': [0, { 'Fn::GetAZs': '' }] });
    expect(subnets[1].Properties.AvailabilityZone).toEqual({ 'Fn::Select': [1, { 'Fn::GetAZs': '' }] });
  });

  test('IPv4-only VPC with DNS support for private endpoint DNS', () => {
    t.hasResourceProperties('AWS::EC2::VPC', {
      CidrBlock: '10.80.0.0/16',
      EnableDnsHostnames: true,
      EnableDnsSupport: true,
    });
  });

  test('default security group is stripped of its rules', () => {
    t.hasResourceProperties('Custom::VpcRestrictDefaultSG', {
      DefaultSecurityGroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp('NetVpc'), 'DefaultSecurityGroup'] },
    });
  });
});

describe('BlackHoleVpc: network ACL', () => {
  const t = synth();

  test('one ACL associated with every isolated subnet', () => {
    t.resourceCountIs('AWS::EC2::NetworkAcl', 1);
    t.resourceCountIs('AWS::EC2::SubnetNetworkAclAssociation', 2);
  });

  test('admits all traffic only within the VPC CIDR, plus HTTPS to gateway endpoints and its return traffic', () => {
    const entries = Object.values(resourcesOf(t, 'AWS::EC2::NetworkAclEntry')).map((e) => e.Properties);
    expect(entries).toHaveLength(4);
    const vpcWide = entries.filter((e) => e.Protocol === -1);
    expect(vpcWide).toHaveLength(2);
    for (const e of vpcWide) {
      expect(e.CidrBlock['Fn::GetAtt'][0]).toMatch(/^NetVpc/);
      expect(e.CidrBlock['Fn::GetAtt'][1]).toBe('CidrBlock');
      expect(e.RuleAction).toBe('allow');
    }
    const anywhere = entries.filter((e) => e.CidrBlock === '0.0.0.0/0');
    expect(anywhere).toHaveLength(2);
    const out = anywhere.find((e) => e.Egress === true);
    const back = anywhere.find((e) => !e.Egress);
    expect(out).toMatchObject({ Protocol: 6, PortRange: { From: 443, To: 443 }, RuleAction: 'allow' });
    expect(back).toMatchObject({ Protocol: 6, PortRange: { From: 1024, To: 65535 }, RuleAction: 'allow' });
  });
});

describe('BlackHoleVpc: endpoint perimeter', () => {
  test('by default only the S3 gateway endpoint (the closed choice)', () => {
    const t = synth();
    const endpoints = Object.values(resourcesOf(t, 'AWS::EC2::VPCEndpoint'));
    expect(endpoints).toHaveLength(1);
    expect(endpoints[0].Properties.VpcEndpointType).toBe('Gateway');
    expect(JSON.stringify(endpoints[0].Properties.ServiceName)).toContain('.s3');
  });

  test('EC2 training preset: S3 gateway plus ECR api+dkr, Logs, monitoring, STS, KMS interface endpoints', () => {
    const t = synth({ endpointServices: [...ENDPOINT_PRESETS.EC2_TRAINING] });
    const endpoints = Object.values(resourcesOf(t, 'AWS::EC2::VPCEndpoint'));
    const names = endpoints.map((e) => JSON.stringify(e.Properties.ServiceName));
    expect(endpoints).toHaveLength(7);
    for (const svc of ['ecr.api', 'ecr.dkr', 'logs', 'monitoring', 'sts', 'kms']) {
      expect(names.some((n) => n.endsWith(`.${svc}"]]}`))).toBe(true);
    }
  });

  test('interface endpoints: private DNS, isolated subnets, only the endpoint security group', () => {
    const t = synth({ endpointServices: ['sts'] });
    t.hasResourceProperties('AWS::EC2::VPCEndpoint', {
      VpcEndpointType: 'Interface',
      PrivateDnsEnabled: true,
      SubnetIds: Match.arrayWith([{ Ref: Match.stringLikeRegexp('IsolatedSubnet1') }]),
      SecurityGroupIds: [{ 'Fn::GetAtt': [Match.stringLikeRegexp('EndpointSecurityGroup'), 'GroupId'] }],
    });
  });

  test('endpoint security group admits HTTPS from the VPC CIDR and training compute only, nothing from the world', () => {
    const t = synth({ endpointServices: ['sts'] });
    const groups = resourcesOf(t, 'AWS::EC2::SecurityGroup');
    const [epId, ep] = Object.entries(groups).find(([id]) => id.includes('EndpointSecurityGroup'))!;
    const ingress = ep.Properties.SecurityGroupIngress;
    expect(ingress).toHaveLength(1);
    expect(ingress[0]).toMatchObject({ IpProtocol: 'tcp', FromPort: 443, ToPort: 443 });
    expect(JSON.stringify(ingress[0].CidrIp)).toContain('CidrBlock');
    const extra = Object.values(resourcesOf(t, 'AWS::EC2::SecurityGroupIngress'))
      .map((r) => r.Properties)
      .filter((p) => JSON.stringify(p.GroupId).includes(epId));
    expect(extra).toEqual([expect.objectContaining({ IpProtocol: 'tcp', FromPort: 443, ToPort: 443 })]);
    for (const g of Object.values(groups)) {
      for (const rule of g.Properties.SecurityGroupIngress ?? []) {
        expect(rule.CidrIp).not.toBe('0.0.0.0/0');
      }
      // allowAllOutbound false: CDK renders a rule that matches no traffic
      for (const rule of g.Properties.SecurityGroupEgress ?? []) {
        expect(rule.CidrIp).not.toBe('0.0.0.0/0');
      }
    }
  });

  test('training security group: egress only to the endpoints, the S3 prefix list and its own members', () => {
    const t = synth({ endpointServices: ['sts'] });
    const egress = Object.values(resourcesOf(t, 'AWS::EC2::SecurityGroupEgress')).map((r) => r.Properties);
    const fromTraining = egress.filter((p) => JSON.stringify(p.GroupId).includes('TrainingSecurityGroup'));
    expect(fromTraining).toHaveLength(3);
    for (const p of fromTraining) {
      expect(p.CidrIp).toBeUndefined();
      expect(p.DestinationSecurityGroupId ?? p.DestinationPrefixListId).toBeDefined();
    }
    const toPrefixList = fromTraining.find((p) => p.DestinationPrefixListId);
    expect(toPrefixList).toMatchObject({ IpProtocol: 'tcp', FromPort: 443, ToPort: 443 });
    expect(JSON.stringify(toPrefixList!.DestinationPrefixListId)).toContain('S3PrefixListLookup');
    const lookup = Object.values(resourcesOf(t, 'Custom::AWS'))[0].Properties;
    const call = JSON.stringify(lookup.Update);
    expect(call).toContain('describeManagedPrefixLists');
    expect(call).toContain('prefix-list-name');
    expect(lookup.InstallLatestAwsSdk).toBe(false); // no download at deploy time
    t.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: [{ Action: 'ec2:DescribeManagedPrefixLists', Effect: 'Allow', Resource: '*' }] },
    });
  });

  test('with DynamoDB enabled, training compute may also reach the DynamoDB prefix list (the gateway endpoint reaches its public ranges)', () => {
    const t = synth({ endpointServices: ['dynamodb'] });
    const egress = Object.values(resourcesOf(t, 'AWS::EC2::SecurityGroupEgress')).map((r) => r.Properties);
    const toPrefixLists = egress.filter((p) => JSON.stringify(p.GroupId).includes('TrainingSecurityGroup') && p.DestinationPrefixListId);
    expect(toPrefixLists.map((p) => JSON.stringify(p.DestinationPrefixListId).match(/(S3|Dynamodb)PrefixListLookup/)![1]).sort()).toEqual(['Dynamodb', 'S3']);
    for (const p of toPrefixLists) expect(p).toMatchObject({ IpProtocol: 'tcp', FromPort: 443, ToPort: 443 });
    const calls = Object.values(resourcesOf(t, 'Custom::AWS')).map((r) => JSON.stringify(r.Properties.Update));
    expect(calls.some((c) => c.includes('.dynamodb'))).toBe(true);
  });

  test('every endpoint policy admits only principals AND resources of the account, plus AWS services', () => {
    const t = synth({ endpointServices: [...ENDPOINT_PRESETS.EC2_TRAINING] });
    for (const e of Object.values(resourcesOf(t, 'AWS::EC2::VPCEndpoint'))) {
      const statements = e.Properties.PolicyDocument.Statement;
      const own = statements.find((s: any) => s.Sid === 'OwnPrincipalsToOwnResources');
      expect(own).toMatchObject({
        Effect: 'Allow',
        Principal: { AWS: '*' },
        Action: '*',
        Resource: '*',
        Condition: { StringEquals: { 'aws:PrincipalAccount': { Ref: 'AWS::AccountId' }, 'aws:ResourceAccount': { Ref: 'AWS::AccountId' } } },
      });
      for (const s of statements) {
        expect(s.Effect).toBe('Allow');
        // no unconditional allow to the world, except reads of ECR's AWS-owned layer bucket (below)
        if (s.Sid !== 'EcrImageLayers') expect(s.Condition).toBeDefined();
      }
    }
  });

  test('with an organisation ID the perimeter is the organisation', () => {
    const t = synth({ organizationId: 'o-abcdef1234' });
    t.hasResourceProperties('AWS::EC2::VPCEndpoint', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Sid: 'OwnPrincipalsToOwnResources',
            Condition: { StringEquals: { 'aws:PrincipalOrgID': 'o-abcdef1234', 'aws:ResourceOrgID': 'o-abcdef1234' } },
          }),
        ]),
      },
    });
  });

  describe('ECR image layers (an AWS-owned bucket, pre-signed URLs signed by ECR)', () => {
    const endpointPolicies = (t: Template) =>
      Object.values(resourcesOf(t, 'AWS::EC2::VPCEndpoint')).map((e) => ({
        type: e.Properties.VpcEndpointType,
        service: JSON.stringify(e.Properties.ServiceName),
        statements: e.Properties.PolicyDocument.Statement,
      }));
    const s3Policy = (t: Template) => endpointPolicies(t).find((e) => e.type === 'Gateway' && e.service.includes('.s3'))!.statements;

    test("any principal may GetObject on exactly the region's layer bucket, with no condition", () => {
      const t = synth({ endpointServices: ['ecr.api', 'ecr.dkr'] }, { env: { account: '111122223333', region: 'eu-west-1' } });
      const layers = s3Policy(t).filter((s: any) => s.Sid === 'EcrImageLayers');
      expect(layers).toHaveLength(1);
      // The layer download's principal is an ECR service account: any principal condition breaks pulls.
      expect(layers[0]).toEqual({
        Sid: 'EcrImageLayers',
        Effect: 'Allow',
        Principal: { AWS: '*' },
        Action: 's3:GetObject',
        // The deploy-time region even in an env-specific stack: the gate proves it is the deployment region's own bucket.
        Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':s3:::prod-', { Ref: 'AWS::Region' }, '-starport-layer-bucket/*']] },
      });
      expect(layers[0].Condition).toBeUndefined();
    });

    test('the same in an environment-agnostic stack', () => {
      const layers = s3Policy(synth({ endpointServices: ['ecr.api', 'ecr.dkr'] })).find((s: any) => s.Sid === 'EcrImageLayers');
      expect(layers.Resource).toEqual({
        'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':s3:::prod-', { Ref: 'AWS::Region' }, '-starport-layer-bucket/*']],
      });
      expect(layers.Condition).toBeUndefined();
    });

    test('only with ecr.dkr enabled, only on the S3 endpoint, and no other unconditional statement anywhere', () => {
      expect(s3Policy(synth()).find((s: any) => s.Sid === 'EcrImageLayers')).toBeUndefined();
      expect(s3Policy(synth({ endpointServices: ['ecr.api'] })).find((s: any) => s.Sid === 'EcrImageLayers')).toBeUndefined();
      const all = endpointPolicies(synth({ endpointServices: [...ENDPOINT_PRESETS.EC2_TRAINING, 'dynamodb'] }));
      for (const e of all) {
        const unconditional = e.statements.filter((s: any) => s.Condition === undefined);
        expect({ service: e.service, sids: unconditional.map((s: any) => s.Sid) }).toEqual({
          service: e.service,
          sids: e.type === 'Gateway' && e.service.includes('.s3') ? ['EcrImageLayers'] : [],
        });
      }
    });
  });
});

describe('BlackHoleVpc: DNS walled garden', () => {
  const t = synth({ endpointServices: ['ecr.api', 'ecr.dkr', 'logs'] });

  test('allow list holds the enabled services and EC2 internal names, nothing else', () => {
    const lists = Object.values(resourcesOf(t, 'AWS::Route53Resolver::FirewallDomainList')).map((l) => l.Properties.Domains);
    const allow = lists.find((d) => d.length > 1)!;
    const rendered = JSON.stringify(allow);
    for (const expected of ['*.dkr.ecr.', 'api.ecr.', 'logs.', 's3.', '*.compute.internal', '*.ec2.internal']) {
      expect(rendered).toContain(expected);
    }
    expect(rendered).not.toContain('sts.');
    expect(allow).not.toContain('*');
    expect(lists).toContainEqual(['*']);
  });

  test('rules: ALLOW the list, then BLOCK everything with NXDOMAIN (no DNS Firewall Advanced rule by default)', () => {
    const group = Object.values(resourcesOf(t, 'AWS::Route53Resolver::FirewallRuleGroup'))[0];
    const rules = [...group.Properties.FirewallRules].sort((a: any, b: any) => a.Priority - b.Priority);
    expect(rules.map((r: any) => r.Action)).toEqual(['ALLOW', 'BLOCK']);
    expect(rules.some((r: any) => r.DnsThreatProtection)).toBe(false);
    expect(rules[1].BlockResponse).toBe('NXDOMAIN');
    expect(JSON.stringify(rules[1].FirewallDomainListId)).toContain('AllDomains');
  });

  test('tunnelingDetection adds the DNS tunneling rule between the list and the catch-all; a confidence without it is refused', () => {
    const group = Object.values(
      resourcesOf(synth({ dnsFirewall: { tunnelingDetection: true, tunnelingConfidence: 'HIGH' } }), 'AWS::Route53Resolver::FirewallRuleGroup'),
    )[0];
    const rules = [...group.Properties.FirewallRules].sort((a: any, b: any) => a.Priority - b.Priority);
    expect(rules.map((r: any) => r.Action)).toEqual(['ALLOW', 'BLOCK', 'BLOCK']);
    expect(rules[1]).toMatchObject({ DnsThreatProtection: 'DNS_TUNNELING', BlockResponse: 'NXDOMAIN', ConfidenceThreshold: 'HIGH' });
    expect(() => synth({ dnsFirewall: { tunnelingConfidence: 'LOW' } })).toThrow(/dnsFirewall\.tunnelingConfidence/);
  });

  test('associated with the VPC, failing closed, without mutation protection by default (CloudFormation can roll back and delete it)', () => {
    const associations = Object.values(resourcesOf(t, 'AWS::Route53Resolver::FirewallRuleGroupAssociation'));
    expect(associations).toHaveLength(1);
    expect(associations[0].Properties).toMatchObject({
      VpcId: { Ref: expect.stringMatching(/^NetVpc/) },
      FirewallRuleGroupId: { 'Fn::GetAtt': [expect.stringMatching(/WalledGarden/), 'Id'] },
      MutationProtection: 'DISABLED',
    });
    t.hasResourceProperties('AWS::Route53Resolver::FirewallConfig', {
      ResourceId: { Ref: Match.stringLikeRegexp('NetVpc') },
      FirewallFailOpen: 'DISABLED',
    });
  });

  test.each<[boolean | undefined, string]>([
    [undefined, 'DISABLED'],
    [false, 'DISABLED'],
    [true, 'ENABLED'],
  ])('dnsFirewall.mutationProtection %s renders MutationProtection %s', (mutationProtection, rendered) => {
    const t2 = synth({ dnsFirewall: { mutationProtection } });
    const associations = Object.values(resourcesOf(t2, 'AWS::Route53Resolver::FirewallRuleGroupAssociation'));
    expect(associations.map((a) => a.Properties.MutationProtection)).toEqual([rendered]);
  });

  test('the ALLOW rule trusts the CNAME chain of an allowed name; the BLOCK rules keep the default', () => {
    const group = Object.values(resourcesOf(t, 'AWS::Route53Resolver::FirewallRuleGroup'))[0];
    const rules = [...group.Properties.FirewallRules].sort((a: any, b: any) => a.Priority - b.Priority);
    expect(rules.map((r: any) => r.FirewallDomainRedirectionAction)).toEqual(['TRUST_REDIRECTION_DOMAIN', undefined, undefined]);
  });

  test('resolver query logging to an encrypted, retained log group', () => {
    t.hasResourceProperties('AWS::Route53Resolver::ResolverQueryLoggingConfigAssociation', {
      ResourceId: { Ref: Match.stringLikeRegexp('NetVpc') },
    });
    t.hasResource('AWS::Logs::LogGroup', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: { RetentionInDays: 365, KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('LogKey'), 'Arn'] } },
    });
  });

  test('extra allowed domains are added to the allow list', () => {
    const t2 = synth({ dnsFirewall: { additionalAllowedDomains: ['*.corp.internal', '*.example.co.uk'] } });
    t2.hasResourceProperties('AWS::Route53Resolver::FirewallDomainList', { Domains: Match.arrayWith(['*.corp.internal', '*.example.co.uk']) });
  });
});

describe('BlackHoleVpc: flow logs and evidence', () => {
  const t = synth();

  test('ALL traffic, 1-minute aggregation, version-5 custom format, Parquet with hourly Hive partitions', () => {
    t.hasResourceProperties('AWS::EC2::FlowLog', {
      ResourceType: 'VPC',
      TrafficType: 'ALL',
      MaxAggregationInterval: 60,
      LogDestinationType: 's3',
      DestinationOptions: { fileFormat: 'parquet', hiveCompatiblePartitions: true, perHourPartition: true },
    });
    const format: string = Object.values(resourcesOf(t, 'AWS::EC2::FlowLog'))[0].Properties.LogFormat;
    for (const field of ['interface-id', 'instance-id', 'pkt-dstaddr', 'traffic-path', 'pkt-dst-aws-service', 'flow-direction', 'tcp-flags']) {
      expect(format).toContain('${' + field + '}');
    }
    expect(format.split(' ')).toHaveLength(FLOW_LOG_FIELDS.length);
  });

  test('flow-log bucket: KMS-encrypted, versioned, TLS-only, private, access-logged, retained', () => {
    const buckets = resourcesOf(t, 'AWS::S3::Bucket');
    const [id, bucket] = Object.entries(buckets).find(([k]) => k.includes('FlowLogBucket'))!;
    expect(bucket.DeletionPolicy).toBe('Retain');
    expect(bucket.Properties.BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault.SSEAlgorithm).toBe('aws:kms');
    expect(bucket.Properties.VersioningConfiguration).toEqual({ Status: 'Enabled' });
    expect(bucket.Properties.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
    expect(bucket.Properties.LoggingConfiguration.DestinationBucketName.Ref).toMatch(/AccessLogBucket/);
    t.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: id },
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
    });
    for (const b of Object.values(buckets)) expect(b.DeletionPolicy).toBe('Retain');
    t.hasResource('AWS::KMS::Key', { DeletionPolicy: 'Retain', Properties: { EnableKeyRotation: true } });
  });

  test('the log key lets log delivery encrypt, for this account only', () => {
    t.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Sid: 'AllowLogDeliveryToEncrypt',
            Principal: { Service: 'delivery.logs.amazonaws.com' },
            Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
          }),
        ]),
      },
    });
  });
});

describe('BlackHoleVpc: tags, options', () => {
  test('black-hole:environment on every taggable resource', () => {
    const t = synth({ endpointServices: ['sts'] });
    const taggable = [
      'AWS::EC2::VPC',
      'AWS::EC2::Subnet',
      'AWS::EC2::SecurityGroup',
      'AWS::EC2::NetworkAcl',
      'AWS::EC2::RouteTable',
      'AWS::S3::Bucket',
      'AWS::KMS::Key',
      'AWS::EC2::FlowLog',
      'AWS::Route53Resolver::FirewallRuleGroup',
      'AWS::Route53Resolver::FirewallDomainList',
      'AWS::Logs::LogGroup',
      'AWS::Route53Resolver::ResolverQueryLoggingConfig',
    ];
    for (const type of taggable) {
      const found = Object.entries(resourcesOf(t, type));
      expect(found.length).toBeGreaterThan(0);
      for (const [id, r] of found) {
        const tags = r.Properties.Tags;
        const list = Array.isArray(tags) ? tags : Object.entries(tags ?? {}).map(([Key, Value]) => ({ Key, Value }));
        expect({ id, tag: list.find((x: any) => x.Key === 'black-hole:environment')?.Value }).toEqual({ id, tag: 'team-a' });
      }
    }
  });

  test('VPC Block Public Access is off by default and bidirectional when enabled', () => {
    synth().resourceCountIs('AWS::EC2::VPCBlockPublicAccessOptions', 0);
    synth({ blockPublicAccess: true }).hasResourceProperties('AWS::EC2::VPCBlockPublicAccessOptions', {
      InternetGatewayBlockMode: 'block-bidirectional',
    });
  });

  test('CIDR, AZ count and subnet mask are configurable', () => {
    const t = synth({ cidr: '10.9.0.0/20', maxAzs: 3, subnetCidrMask: 24 });
    t.hasResourceProperties('AWS::EC2::VPC', { CidrBlock: '10.9.0.0/20' });
    const subnets = Object.values(resourcesOf(t, 'AWS::EC2::Subnet'));
    expect(subnets.map((s) => s.Properties.CidrBlock)).toEqual(['10.9.0.0/24', '10.9.1.0/24', '10.9.2.0/24']);
  });

  test('synthesizes offline in a stack with an explicit account and region (no context lookup)', () => {
    const t = synth({ endpointServices: ['logs'] }, { env: { account: '111122223333', region: 'eu-west-1' } });
    t.resourceCountIs('AWS::EC2::Subnet', 2);
    t.hasResourceProperties('AWS::Route53Resolver::FirewallDomainList', {
      Domains: Match.arrayWith(['s3.eu-west-1.amazonaws.com', 'logs.eu-west-1.amazonaws.com', '*.logs.eu-west-1.amazonaws.com']),
    });
  });
});

describe('BlackHoleVpc: validation', () => {
  const make = (props: Partial<BlackHoleVpcProps>) => () => synth(props);

  test.each<[Partial<BlackHoleVpcProps>, RegExp]>([
    [{ environmentName: 'Team_A' }, /environmentName: 'Team_A' is not allowed/],
    [{ environmentName: '' }, /environmentName/],
    [{ cidr: '10.0.0.0' }, /cidr: '10\.0\.0\.0' is not an IPv4 network address/],
    [{ cidr: '10.0.0.1/16' }, /cidr: '10\.0\.0\.1\/16' is not an IPv4 network address/],
    [{ cidr: '10.0.0.0/8' }, /cidr: '10\.0\.0\.0\/8' has prefix \/8; allowed: \/16 to \/24/],
    [{ maxAzs: 0 }, /maxAzs: 0 is not allowed: use a whole number from 1 to 6/],
    [{ maxAzs: 2.5 }, /maxAzs: 2.5 is not allowed/],
    [{ subnetCidrMask: 30 }, /subnetCidrMask: 30 is not allowed: use a whole number from 16 to 28/],
    [{ cidr: '10.0.0.0/24', maxAzs: 4, subnetCidrMask: 24 }, /subnetCidrMask: \/24 subnets do not fit 4 times in 10\.0\.0\.0\/24: use \/26 or longer/],
    [{ endpointServices: ['ssmmessages'] }, /endpointServices: 'ssmmessages' is not on the endpoint allowlist; allowed: s3, dynamodb, ecr\.api/],
    [{ endpointServices: ['logs', 'logs'] }, /endpointServices: listed more than once: logs/],
    [{ organizationId: 'org-1' }, /organizationId: 'org-1' is not an AWS Organizations ID/],
    [{ dnsFirewall: { additionalAllowedDomains: ['*'] } }, /dnsFirewall\.additionalAllowedDomains: '\*' is not allowed/],
    [{ dnsFirewall: { additionalAllowedDomains: ['*.com'] } }, /dnsFirewall\.additionalAllowedDomains: '\*\.com' is not allowed/],
    [
      { dnsFirewall: { additionalAllowedDomains: ['*.co.uk'] } },
      /dnsFirewall\.additionalAllowedDomains: '\*\.co\.uk' is not allowed: 'co\.uk' is a public suffix/,
    ],
    [
      { dnsFirewall: { additionalAllowedDomains: ['*.github.io'] } },
      /dnsFirewall\.additionalAllowedDomains: '\*\.github\.io' is not allowed: 'github\.io' is a public suffix/,
    ],
    [{ dnsFirewall: { additionalAllowedDomains: ['*.internal'] } }, /'\*\.internal' is not allowed/],
    [{ dnsFirewall: { mutationProtection: 'ENABLED' as any } }, /dnsFirewall\.mutationProtection: "ENABLED" is not allowed: use true or false/],
  ])('%j is rejected', (props, message) => {
    expect(make(props)).toThrow(message);
  });

  test('every problem is reported at once', () => {
    expect(make({ environmentName: 'X', maxAzs: 0, cidr: 'nope', endpointServices: ['iot'] })).toThrow(
      /Invalid BlackHoleVpc props \(4 problems\):\n {2}- environmentName[\s\S]*- cidr[\s\S]*- maxAzs[\s\S]*- endpointServices/,
    );
  });
});
