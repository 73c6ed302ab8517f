import { App, Stack } from 'aws-cdk-lib';
import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as route53resolver from 'aws-cdk-lib/aws-route53resolver';
import * as sagemaker from 'aws-cdk-lib/aws-sagemaker';
import { BlackHoleVpc } from '../../../lib/network';
import { auditTemplates, logicalIdOf, synthWithChecks, templateOf } from '../../helpers/gate';

/**
 * Every network, DNS and logging rule, at both doors: a construct-level change to an environment
 * (synth must fail with the rule) and the same change as a template mutation (the CLI must exit 1
 * with the rule); and the clean environment passing both.
 */

function environment(organizationId?: string): { app: App; stack: Stack; net: BlackHoleVpc } {
  const app = new App();
  const stack = new Stack(app, 'Env');
  const net = new BlackHoleVpc(stack, 'Net', { environmentName: 'team-a', endpointServices: ['sts', 'logs'], ...(organizationId ? { organizationId } : {}) });
  return { app, stack, net };
}

let clean: any;
beforeAll(() => {
  clean = templateOf(environment().stack);
});

function mutated(mutate: (t: any, ids: { vpc: string; subnet: string; routeTable: string }) => void): any {
  const t = JSON.parse(JSON.stringify(clean));
  const ids = {
    vpc: logicalIdOf(t, 'AWS::EC2::VPC'),
    subnet: logicalIdOf(t, 'AWS::EC2::Subnet'),
    routeTable: logicalIdOf(t, 'AWS::EC2::RouteTable'),
  };
  mutate(t, ids);
  return t;
}

const add = (t: any, id: string, Type: string, Properties: any) => {
  t.Resources[id] = { Type, Properties };
};

interface Case {
  readonly name: string;
  readonly rule: string;
  readonly construct: (stack: Stack, net: BlackHoleVpc) => void;
  readonly template: (t: any, ids: { vpc: string; subnet: string; routeTable: string }) => void;
}

const cases: Case[] = [
  {
    name: 'internet gateway attached',
    rule: 'BlackHole-NET1',
    construct: (s, n) => {
      const igw = new ec2.CfnInternetGateway(s, 'Igw');
      new ec2.CfnVPCGatewayAttachment(s, 'IgwAttachment', { vpcId: n.vpc.vpcId, internetGatewayId: igw.ref });
    },
    template: (t, ids) => {
      add(t, 'Igw', 'AWS::EC2::InternetGateway', {});
      add(t, 'IgwAttachment', 'AWS::EC2::VPCGatewayAttachment', { VpcId: { Ref: ids.vpc }, InternetGatewayId: { Ref: 'Igw' } });
    },
  },
  {
    name: 'NAT gateway in an environment subnet',
    rule: 'BlackHole-NET1',
    construct: (s, n) => {
      const eip = new ec2.CfnEIP(s, 'NatEip', { domain: 'vpc' });
      new ec2.CfnNatGateway(s, 'Nat', { subnetId: n.isolatedSubnets[0].subnetId, allocationId: eip.attrAllocationId });
    },
    template: (t, ids) => add(t, 'Nat', 'AWS::EC2::NatGateway', { SubnetId: { Ref: ids.subnet }, AllocationId: 'eipalloc-123' }),
  },
  {
    name: 'egress-only internet gateway (IPv6)',
    rule: 'BlackHole-NET1',
    construct: (s, n) => {
      new ec2.CfnEgressOnlyInternetGateway(s, 'Eigw', { vpcId: n.vpc.vpcId });
    },
    template: (t, ids) => add(t, 'Eigw', 'AWS::EC2::EgressOnlyInternetGateway', { VpcId: { Ref: ids.vpc } }),
  },
  {
    name: 'route to an ENI',
    rule: 'BlackHole-NET2',
    construct: (s, n) => {
      new ec2.CfnRoute(s, 'ToEni', {
        routeTableId: n.isolatedSubnets[0].routeTable.routeTableId,
        destinationCidrBlock: '0.0.0.0/0',
        networkInterfaceId: 'eni-0123456789abcdef0',
      });
    },
    template: (t, ids) =>
      add(t, 'ToEni', 'AWS::EC2::Route', {
        RouteTableId: { Ref: ids.routeTable },
        DestinationCidrBlock: '0.0.0.0/0',
        NetworkInterfaceId: 'eni-0123456789abcdef0',
      }),
  },
  {
    name: 'VPC peering',
    rule: 'BlackHole-NET3',
    construct: (s, n) => {
      new ec2.CfnVPCPeeringConnection(s, 'Peer', { vpcId: n.vpc.vpcId, peerVpcId: 'vpc-0abc', peerOwnerId: '444455556666' });
    },
    template: (t, ids) => add(t, 'Peer', 'AWS::EC2::VPCPeeringConnection', { VpcId: { Ref: ids.vpc }, PeerVpcId: 'vpc-0abc' }),
  },
  {
    name: 'transit gateway attachment',
    rule: 'BlackHole-NET3',
    construct: (s, n) => {
      new ec2.CfnTransitGatewayAttachment(s, 'Tgw', { vpcId: n.vpc.vpcId, transitGatewayId: 'tgw-0abc', subnetIds: [n.isolatedSubnets[0].subnetId] });
    },
    template: (t, ids) =>
      add(t, 'Tgw', 'AWS::EC2::TransitGatewayAttachment', { VpcId: { Ref: ids.vpc }, TransitGatewayId: 'tgw-0abc', SubnetIds: [{ Ref: ids.subnet }] }),
  },
  {
    name: 'foreign PrivateLink endpoint (vpce-svc)',
    rule: 'BlackHole-NET4',
    construct: (s, n) => {
      new ec2.CfnVPCEndpoint(s, 'Foreign', {
        vpcId: n.vpc.vpcId,
        vpcEndpointType: 'Interface',
        serviceName: 'com.amazonaws.vpce.us-east-1.vpce-svc-0123456789abcdef0',
        subnetIds: [n.isolatedSubnets[0].subnetId],
      });
    },
    template: (t, ids) =>
      add(t, 'Foreign', 'AWS::EC2::VPCEndpoint', {
        VpcId: { Ref: ids.vpc },
        VpcEndpointType: 'Interface',
        ServiceName: 'com.amazonaws.vpce.us-east-1.vpce-svc-0123456789abcdef0',
      }),
  },
  {
    name: 'Session Manager messages endpoint (a tunnel service)',
    rule: 'BlackHole-NET4',
    construct: (_s, n) => {
      n.vpc.addInterfaceEndpoint('Ssm', { service: ec2.InterfaceVpcEndpointAwsService.SSM_MESSAGES, open: false });
    },
    template: (t, ids) =>
      add(t, 'Ssm', 'AWS::EC2::VPCEndpoint', {
        VpcId: { Ref: ids.vpc },
        VpcEndpointType: 'Interface',
        ServiceName: { 'Fn::Join': ['', ['com.amazonaws.', { Ref: 'AWS::Region' }, '.ssmmessages']] },
      }),
  },
  {
    name: 'allowlisted endpoint without a policy',
    rule: 'BlackHole-NET5',
    construct: (s, n) => {
      new ec2.CfnVPCEndpoint(s, 'OpenKms', { vpcId: n.vpc.vpcId, vpcEndpointType: 'Interface', serviceName: `com.amazonaws.${s.region}.kms` });
    },
    template: (t, ids) =>
      add(t, 'OpenKms', 'AWS::EC2::VPCEndpoint', {
        VpcId: { Ref: ids.vpc },
        VpcEndpointType: 'Interface',
        ServiceName: { 'Fn::Join': ['', ['com.amazonaws.', { Ref: 'AWS::Region' }, '.kms']] },
      }),
  },
  {
    name: 'Instance Connect endpoint',
    rule: 'BlackHole-NET6',
    construct: (s, n) => {
      new ec2.CfnInstanceConnectEndpoint(s, 'Eice', { subnetId: n.isolatedSubnets[0].subnetId });
    },
    template: (t, ids) => add(t, 'Eice', 'AWS::EC2::InstanceConnectEndpoint', { SubnetId: { Ref: ids.subnet } }),
  },
  {
    name: 'subnet mapping public IPs',
    rule: 'BlackHole-NET7',
    construct: (_s, n) => {
      (n.isolatedSubnets[0].node.defaultChild as ec2.CfnSubnet).mapPublicIpOnLaunch = true;
    },
    template: (t, ids) => {
      t.Resources[ids.subnet].Properties.MapPublicIpOnLaunch = true;
    },
  },
  {
    name: 'GPU instances that allow IMDSv1 (launch template used by an ASG in the environment)',
    rule: 'BlackHole-NET8',
    construct: (s, n) => {
      const lt = new ec2.LaunchTemplate(s, 'Imdsv1', {
        machineImage: ec2.MachineImage.genericLinux({ 'us-east-1': 'ami-12345678' }),
        instanceType: new ec2.InstanceType('g5.xlarge'),
      });
      new autoscaling.AutoScalingGroup(s, 'Asg', { vpc: n.vpc, vpcSubnets: n.subnetSelection, launchTemplate: lt, maxCapacity: 1, minCapacity: 0 });
    },
    template: (t, ids) => {
      add(t, 'Imdsv1', 'AWS::EC2::LaunchTemplate', { LaunchTemplateData: { ImageId: 'ami-12345678', MetadataOptions: { HttpTokens: 'optional' } } });
      add(t, 'Asg', 'AWS::AutoScaling::AutoScalingGroup', {
        MinSize: '0',
        MaxSize: '1',
        VPCZoneIdentifier: [{ Ref: ids.subnet }],
        LaunchTemplate: { LaunchTemplateId: { Ref: 'Imdsv1' }, Version: '1' },
      });
    },
  },
  {
    name: 'an instance in an environment subnet without a launch template (IMDSv1 by default)',
    rule: 'BlackHole-NET8',
    construct: (s, n) => {
      new ec2.CfnInstance(s, 'Bare', { imageId: 'ami-12345678', instanceType: 'g5.xlarge', subnetId: n.isolatedSubnets[0].subnetId });
    },
    template: (t, ids) => add(t, 'Bare', 'AWS::EC2::Instance', { ImageId: 'ami-12345678', InstanceType: 'g5.xlarge', SubnetId: { Ref: ids.subnet } }),
  },
  {
    name: 'DNS firewall association removed',
    rule: 'BlackHole-DNS1',
    construct: (_s, n) => {
      n.node.tryRemoveChild('WalledGardenAssociation');
    },
    template: (t) => {
      delete t.Resources[logicalIdOf(t, 'AWS::Route53Resolver::FirewallRuleGroupAssociation')];
    },
  },
  {
    name: 'outbound resolver endpoint',
    rule: 'BlackHole-DNS2',
    construct: (s, n) => {
      new route53resolver.CfnResolverEndpoint(s, 'Outbound', {
        direction: 'OUTBOUND',
        securityGroupIds: [n.endpointSecurityGroup.securityGroupId],
        ipAddresses: n.isolatedSubnets.map((x) => ({ subnetId: x.subnetId })),
      });
    },
    template: (t, ids) =>
      add(t, 'Outbound', 'AWS::Route53Resolver::ResolverEndpoint', {
        Direction: 'OUTBOUND',
        SecurityGroupIds: ['sg-1'],
        IpAddresses: [{ SubnetId: { Ref: ids.subnet } }],
      }),
  },
  {
    name: 'dual-homed instance: a second interface in a subnet outside the environment',
    rule: 'BlackHole-NET3',
    construct: (s, n) => {
      new ec2.CfnInstance(s, 'Bridge', {
        imageId: 'ami-12345678',
        instanceType: 'g5.xlarge',
        networkInterfaces: [
          { deviceIndex: '0', subnetId: n.isolatedSubnets[0].subnetId },
          { deviceIndex: '1', subnetId: 'subnet-0123456789abcdef0' },
        ],
      });
    },
    template: (t, ids) =>
      add(t, 'Bridge', 'AWS::EC2::Instance', {
        ImageId: 'ami-12345678',
        NetworkInterfaces: [
          { DeviceIndex: '0', SubnetId: { Ref: ids.subnet } },
          { DeviceIndex: '1', SubnetId: 'subnet-0123456789abcdef0' },
        ],
      }),
  },
  {
    name: 'SageMaker notebook in an environment subnet with the default direct internet access',
    rule: 'BlackHole-NET9',
    construct: (s, n) => {
      new sagemaker.CfnNotebookInstance(s, 'Notebook', {
        instanceType: 'ml.t3.medium',
        roleArn: 'arn:aws:iam::123456789012:role/notebook',
        subnetId: n.isolatedSubnets[0].subnetId,
        securityGroupIds: [n.trainingSecurityGroup.securityGroupId],
      });
    },
    template: (t, ids) =>
      add(t, 'Notebook', 'AWS::SageMaker::NotebookInstance', {
        InstanceType: 'ml.t3.medium',
        RoleArn: 'arn:aws:iam::123456789012:role/notebook',
        SubnetId: { Ref: ids.subnet },
      }),
  },
  {
    name: 'log subscription of an environment log group to another account',
    rule: 'BlackHole-EXF1',
    construct: (s) => {
      const group = new logs.CfnLogGroup(s, 'EnvLogs', { tags: [{ key: 'black-hole:environment', value: 'team-a' }] });
      new logs.CfnSubscriptionFilter(s, 'Forward', {
        logGroupName: group.ref,
        filterPattern: '',
        destinationArn: 'arn:aws:logs:us-east-1:444455556666:destination:collector',
      });
    },
    template: (t) => {
      add(t, 'EnvLogs', 'AWS::Logs::LogGroup', { Tags: [{ Key: 'black-hole:environment', Value: 'team-a' }] });
      add(t, 'Forward', 'AWS::Logs::SubscriptionFilter', {
        LogGroupName: { Ref: 'EnvLogs' },
        FilterPattern: '',
        DestinationArn: 'arn:aws:logs:us-east-1:444455556666:destination:collector',
      });
    },
  },
  {
    name: 'a public-suffix wildcard (*.co.uk) allowed before the walled garden',
    rule: 'BlackHole-DNS1',
    construct: (s, n) => {
      const list = new route53resolver.CfnFirewallDomainList(s, 'CoUk', { domains: ['*.co.uk'] });
      const group = new route53resolver.CfnFirewallRuleGroup(s, 'CoUkGroup', {
        firewallRules: [{ action: 'ALLOW', firewallDomainListId: list.attrId, priority: 1 }],
      });
      new route53resolver.CfnFirewallRuleGroupAssociation(s, 'CoUkAssociation', { firewallRuleGroupId: group.attrId, vpcId: n.vpc.vpcId, priority: 100 });
    },
    template: (t, ids) => {
      add(t, 'CoUk', 'AWS::Route53Resolver::FirewallDomainList', { Domains: ['*.co.uk'] });
      add(t, 'CoUkGroup', 'AWS::Route53Resolver::FirewallRuleGroup', {
        FirewallRules: [{ Action: 'ALLOW', FirewallDomainListId: { 'Fn::GetAtt': ['CoUk', 'Id'] }, Priority: 1 }],
      });
      add(t, 'CoUkAssociation', 'AWS::Route53Resolver::FirewallRuleGroupAssociation', {
        FirewallRuleGroupId: { 'Fn::GetAtt': ['CoUkGroup', 'Id'] },
        VpcId: { Ref: ids.vpc },
        Priority: 100,
      });
    },
  },
  {
    name: 'flow log removed',
    rule: 'BlackHole-LOG1',
    construct: (_s, n) => {
      n.node.tryRemoveChild('FlowLog');
    },
    template: (t) => {
      delete t.Resources[logicalIdOf(t, 'AWS::EC2::FlowLog')];
    },
  },
  {
    name: 'resolver query logging removed',
    rule: 'BlackHole-LOG2',
    construct: (_s, n) => {
      n.node.tryRemoveChild('QueryLoggingAssociation');
    },
    template: (t) => {
      delete t.Resources[logicalIdOf(t, 'AWS::Route53Resolver::ResolverQueryLoggingConfigAssociation')];
    },
  },
];

describe('the clean environment passes both doors', () => {
  test('cdk synth with BlackHoleChecks succeeds', () => {
    const { app } = environment();
    expect(synthWithChecks(app)).toEqual({ failed: false, ruleIds: [] });
  });

  test('black-hole audit exits 0 with no finding', () => {
    const r = auditTemplates({ Env: clean });
    expect(r.code).toBe(0);
    expect(r.report.findings).toEqual([]);
  });
});

describe.each(cases)('$rule: $name', (c) => {
  test('construct level: synth fails with the rule', () => {
    const { app, stack, net } = environment();
    c.construct(stack, net);
    const r = synthWithChecks(app);
    expect(r.failed).toBe(true);
    expect(r.ruleIds).toContain(c.rule);
  });

  test('template level: the CLI exits 1 with the rule', () => {
    const r = auditTemplates({ Env: mutated(c.template) });
    expect(r.code).toBe(1);
    expect(r.ruleIds).toContain(c.rule);
    const finding = r.report.findings.find((f: any) => f.ruleId === c.rule);
    expect(finding).toMatchObject({ severity: 'error', stack: 'Env' });
    expect(finding.message).toMatch(/team-a/);
  });
});

describe('what the network rules do not flag', () => {
  test('an ordinary public VPC elsewhere in the app, not tagged as an environment', () => {
    const { app, stack } = environment();
    const other = new Stack(app, 'Web');
    new ec2.Vpc(other, 'PublicVpc', { maxAzs: 1, natGateways: 1, restrictDefaultSecurityGroup: false });
    expect(synthWithChecks(app)).toEqual({ failed: false, ruleIds: [] });
    expect(stack).toBeDefined();
  });

  test('an endpoint naming a literal account passes NET5 only when the template asserts that account (Rules)', () => {
    const endpoint = (account: string, asserted?: string) =>
      mutated((tpl, ids) => {
        add(tpl, 'Scoped', 'AWS::EC2::VPCEndpoint', {
          VpcId: { Ref: ids.vpc },
          VpcEndpointType: 'Interface',
          ServiceName: { 'Fn::Join': ['', ['com.amazonaws.', { Ref: 'AWS::Region' }, '.kms']] },
          PolicyDocument: {
            Statement: [
              {
                Effect: 'Allow',
                Principal: '*',
                Action: 'kms:Decrypt',
                Resource: `arn:aws:kms:eu-west-1:${account}:key/abc`,
                Condition: { StringEquals: { 'aws:PrincipalAccount': account } },
              },
            ],
          },
        });
        if (asserted)
          tpl.Rules = {
            ...(tpl.Rules ?? {}),
            Account: { Assertions: [{ Assert: { 'Fn::Equals': [{ Ref: 'AWS::AccountId' }, asserted] }, AssertDescription: 'deploy to the training account' }] },
          };
      });
    expect(auditTemplates({ Env: endpoint('111122223333', '111122223333') }).code).toBe(0);
    expect(auditTemplates({ Env: endpoint('111122223333') }).ruleIds).toEqual(['BlackHole-NET5']);
    expect(auditTemplates({ Env: endpoint('444455556666', '111122223333') }).ruleIds).toEqual(['BlackHole-NET5']);
  });

  test('an environment configured with an organisation id passes; an endpoint naming another organisation fails NET5', () => {
    expect(synthWithChecks(environment('o-abcdefghij').app)).toEqual({ failed: false, ruleIds: [] });
    const { app, net } = environment('o-abcdefghij');
    net.vpc.addInterfaceEndpoint('Kms', { service: ec2.InterfaceVpcEndpointAwsService.KMS, open: false }).addToPolicy(
      new iam.PolicyStatement({
        principals: [new iam.AnyPrincipal()],
        actions: ['*'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:PrincipalOrgID': 'o-zzzzzzzzzz', 'aws:ResourceOrgID': 'o-zzzzzzzzzz' } },
      }),
    );
    expect(synthWithChecks(app).ruleIds).toEqual(['BlackHole-NET5']);
  });

  describe('raw properties from parameters count by their AllowedValues', () => {
    const withParameter = (
      name: string,
      allowed: string[] | undefined,
      def: string,
      mutate: (tpl: any, ids: { vpc: string; subnet: string; routeTable: string }) => void,
    ) =>
      mutated((tpl, ids) => {
        tpl.Parameters = { ...(tpl.Parameters ?? {}), [name]: { Type: 'String', Default: def, ...(allowed ? { AllowedValues: allowed } : {}) } };
        mutate(tpl, ids);
      });
    const flowLog = (tpl: any) => {
      tpl.Resources[logicalIdOf(tpl, 'AWS::EC2::FlowLog')].Properties.TrafficType = { Ref: 'Traffic' };
    };
    const failOpen = (tpl: any) => {
      tpl.Resources[logicalIdOf(tpl, 'AWS::Route53Resolver::FirewallConfig')].Properties.FirewallFailOpen = { Ref: 'FailOpen' };
    };
    const ruleType = (tpl: any, ids: { vpc: string }) => {
      add(tpl, 'Rule', 'AWS::Route53Resolver::ResolverRule', { DomainName: 'corp.example', RuleType: { Ref: 'Kind' } });
      add(tpl, 'RuleOnEnv', 'AWS::Route53Resolver::ResolverRuleAssociation', {
        ResolverRuleId: { 'Fn::GetAtt': ['Rule', 'ResolverRuleId'] },
        VPCId: { Ref: ids.vpc },
      });
    };

    test('flow-log TrafficType: only ALL allowed passes (the false alarm); REJECT allowed or no AllowedValues fails LOG1', () => {
      expect(auditTemplates({ Env: withParameter('Traffic', ['ALL'], 'ALL', flowLog) }).code).toBe(0);
      expect(auditTemplates({ Env: withParameter('Traffic', ['ALL', 'REJECT'], 'ALL', flowLog) }).ruleIds).toEqual(['BlackHole-LOG1']);
      expect(auditTemplates({ Env: withParameter('Traffic', undefined, 'ALL', flowLog) }).ruleIds).toEqual(['BlackHole-LOG1']);
    });

    test('FirewallFailOpen: only DISABLED allowed passes; ENABLED allowed fails DNS1', () => {
      expect(auditTemplates({ Env: withParameter('FailOpen', ['DISABLED'], 'DISABLED', failOpen) }).code).toBe(0);
      expect(auditTemplates({ Env: withParameter('FailOpen', ['DISABLED', 'ENABLED'], 'DISABLED', failOpen) }).ruleIds).toEqual(['BlackHole-DNS1']);
    });

    test('resolver rule RuleType: only SYSTEM allowed passes; FORWARD allowed fails DNS2', () => {
      expect(auditTemplates({ Env: withParameter('Kind', ['SYSTEM'], 'SYSTEM', ruleType) }).code).toBe(0);
      expect(auditTemplates({ Env: withParameter('Kind', ['SYSTEM', 'FORWARD'], 'SYSTEM', ruleType) }).ruleIds).toEqual(['BlackHole-DNS2']);
    });
  });

  test("ECR layer reads of the deployment region's AWS-owned bucket pass NET5 without a principal condition; any other bucket, action or a literal region fails", () => {
    const endpoint = (statement: Record<string, unknown>) =>
      mutated((tpl, ids) =>
        add(tpl, 'S3Gw', 'AWS::EC2::VPCEndpoint', {
          VpcId: { Ref: ids.vpc },
          VpcEndpointType: 'Gateway',
          ServiceName: { 'Fn::Join': ['', ['com.amazonaws.', { Ref: 'AWS::Region' }, '.s3']] },
          PolicyDocument: { Statement: [{ Effect: 'Allow', Principal: { AWS: '*' }, ...statement }] },
        }),
      );
    const layers = (region: unknown) => ({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':s3:::prod-', region, '-starport-layer-bucket/*']] });
    expect(auditTemplates({ Env: endpoint({ Action: 's3:GetObject', Resource: layers({ Ref: 'AWS::Region' }) }) }).code).toBe(0);
    expect(auditTemplates({ Env: endpoint({ Action: 's3:GetObject', Resource: layers('xx-evil-1') }) }).ruleIds).toEqual(['BlackHole-NET5']);
    expect(auditTemplates({ Env: endpoint({ Action: ['s3:GetObject', 's3:PutObject'], Resource: layers({ Ref: 'AWS::Region' }) }) }).ruleIds).toEqual([
      'BlackHole-NET5',
    ]);
    expect(auditTemplates({ Env: endpoint({ Action: 's3:GetObject', Resource: 'arn:aws:s3:::attacker-bucket/*' }) }).ruleIds).toEqual(['BlackHole-NET5']);
    expect(auditTemplates({ Env: endpoint({ NotAction: 's3:PutObject', Resource: layers({ Ref: 'AWS::Region' }) }) }).ruleIds).toEqual(['BlackHole-NET5']);
  });

  test('IMDSv2 required with hop limit 1 passes NET8; hop limit 2 fails it', () => {
    const lt = (hops: number) =>
      mutated((tpl, ids) => {
        add(tpl, 'Lt', 'AWS::EC2::LaunchTemplate', { LaunchTemplateData: { MetadataOptions: { HttpTokens: 'required', HttpPutResponseHopLimit: hops } } });
        add(tpl, 'Asg', 'AWS::AutoScaling::AutoScalingGroup', {
          MinSize: '0',
          MaxSize: '1',
          VPCZoneIdentifier: [{ Ref: ids.subnet }],
          LaunchTemplate: { LaunchTemplateId: { Ref: 'Lt' }, Version: '1' },
        });
      });
    expect(auditTemplates({ Env: lt(1) }).code).toBe(0);
    const r = auditTemplates({ Env: lt(2) });
    expect(r.ruleIds).toEqual(['BlackHole-NET8']);
    expect(r.report.findings[0].message).toMatch(/2 hops/);
  });

  test('a route table whose id cannot be resolved is reported as a possible path, never assumed safe', () => {
    const r = auditTemplates({
      Env: mutated((tpl) =>
        add(tpl, 'Imported', 'AWS::EC2::Route', { RouteTableId: { 'Fn::ImportValue': 'shared-rtb' }, DestinationCidrBlock: '0.0.0.0/0', GatewayId: 'igw-1' }),
      ),
    });
    expect(r.code).toBe(1);
    expect(r.report.findings.find((f: any) => f.resource === 'Imported').evidence.unresolved).toBe(true);
  });
});
