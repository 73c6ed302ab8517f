import { App, Stack, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { CfnLaunchTemplate } from 'aws-cdk-lib/aws-ec2';
import { AwsSolutionsChecks } from 'cdk-nag';
import { GpuTrainingFleet, GpuTrainingFleetProps, vcpusOf } from '../../lib/compute';
import { AgentBoundary, AgentRole } from '../../lib/identity';
import { BlackHoleVpc, ENDPOINT_PRESETS } from '../../lib/network';
import { synthWithChecks } from '../helpers/gate';

function build(props: Partial<GpuTrainingFleetProps> = {}) {
  const app = new App();
  const stack = new Stack(app, 'Env');
  const network = new BlackHoleVpc(stack, 'Net', { environmentName: 'team-a', endpointServices: [...ENDPOINT_PRESETS.EC2_TRAINING] });
  const boundary = new AgentBoundary(stack, 'Boundary', {
    environmentName: 'team-a',
    vpc: network.vpc,
    enabledEndpointServices: [...network.endpointServices],
  });
  const role = new AgentRole(stack, 'Agent', { boundary });
  const fleet = new GpuTrainingFleet(stack, 'Fleet', { network, role, instanceTypes: ['g5.xlarge'], maxInstances: 4, ...props });
  return { app, stack, network, role, fleet };
}

describe('launch template', () => {
  const { stack } = build();
  const t = Template.fromStack(stack);
  const data = () => Object.values(t.findResources('AWS::EC2::LaunchTemplate'))[0].Properties.LaunchTemplateData;

  test('user data disables and stops the SSM agent at boot, as a systemd unit and as a snap (its endpoints are outside the perimeter: false DNS violations)', () => {
    const userData = data().UserData['Fn::Base64'] as string;
    expect(userData.startsWith('#!/bin/bash')).toBe(true);
    expect(userData).toContain('systemctl disable --now amazon-ssm-agent.service');
    expect(userData).toContain('systemctl mask amazon-ssm-agent.service');
    expect(userData).toContain('systemctl disable --now snap.amazon-ssm-agent.amazon-ssm-agent.service');
    expect(userData).toContain('snap stop --disable amazon-ssm-agent');
    // Each command tolerates the absent form: a missing unit or snap must not fail the boot script.
    for (const line of userData.split('\n').filter((l) => /ssm-agent/.test(l))) expect(line).toMatch(/\|\| true/);
  });

  test('IMDSv2 required, hop limit 1, no instance metadata tags', () => {
    expect(data().MetadataOptions).toEqual({ HttpTokens: 'required', HttpPutResponseHopLimit: 1, InstanceMetadataTags: 'disabled' });
  });

  test('no public IP: the network interface says so and uses the training security group', () => {
    const ni = data().NetworkInterfaces;
    expect(ni).toHaveLength(1);
    expect(ni[0].AssociatePublicIpAddress).toBe(false);
    expect(JSON.stringify(ni[0].Groups)).toContain('TrainingSecurityGroup');
  });

  test('encrypted gp3 root volume', () => {
    expect(data().BlockDeviceMappings).toEqual([
      { DeviceName: '/dev/xvda', Ebs: { Encrypted: true, VolumeType: 'gp3', VolumeSize: 200, DeleteOnTermination: true } },
    ]);
  });

  test('the instance profile is the agent role', () => {
    const profileId = JSON.stringify(data().IamInstanceProfile);
    const [pid, profile] = Object.entries(t.findResources('AWS::IAM::InstanceProfile'))[0];
    expect(profileId).toContain(pid);
    expect(JSON.stringify(profile.Properties.Roles)).toContain('Agent');
  });

  test('AMI resolved at deploy time from an SSM parameter', () => {
    expect(JSON.stringify(data().ImageId)).toMatch(/SsmParameterValue/);
    const params = t.toJSON().Parameters;
    expect(
      Object.values(params).some((p: any) => p.Default === '/aws/service/deeplearning/ami/x86_64/base-oss-nvidia-driver-gpu-amazon-linux-2023/latest/ami-id'),
    ).toBe(true);
  });
});

describe('auto scaling group', () => {
  test('min 0, max = declared capacity, in the isolated subnets', () => {
    const { stack } = build({ maxInstances: 6 });
    Template.fromStack(stack).hasResourceProperties('AWS::AutoScaling::AutoScalingGroup', {
      MinSize: '0',
      MaxSize: '6',
      VPCZoneIdentifier: [{ Ref: Match.stringLikeRegexp('IsolatedSubnet1') }, { Ref: Match.stringLikeRegexp('IsolatedSubnet2') }],
    });
  });

  test('several types become a mixed-instances policy', () => {
    const { stack } = build({ instanceTypes: ['g5.xlarge', 'g6.2xlarge'] });
    Template.fromStack(stack).hasResourceProperties('AWS::AutoScaling::AutoScalingGroup', {
      MixedInstancesPolicy: { LaunchTemplate: { Overrides: [{ InstanceType: 'g5.xlarge' }, { InstanceType: 'g6.2xlarge' }] } },
    });
  });

  test('declared vCPUs per usage class feed the billing guard', () => {
    expect(build({ instanceTypes: ['p5.48xlarge'], maxInstances: 2 }).fleet.declaredVcpus).toEqual({ 'P/OnDemand': 384 });
    expect(build({ instanceTypes: ['g5.xlarge', 'g6.2xlarge'], maxInstances: 3, spot: true }).fleet.declaredVcpus).toEqual({ 'G/Spot': 24 });
    expect(vcpusOf('g5.12xlarge')).toBe(48);
  });

  test('tagged with the environment', () => {
    const { stack } = build();
    Template.fromStack(stack).hasResourceProperties('AWS::AutoScaling::AutoScalingGroup', {
      Tags: Match.arrayWith([{ Key: 'black-hole:environment', PropagateAtLaunch: true, Value: 'team-a' }]),
    });
  });
});

describe('the gate', () => {
  test('the fleet passes BlackHoleChecks and AwsSolutionsChecks', () => {
    const { app } = build();
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    expect(synthWithChecks(app)).toEqual({ failed: false, ruleIds: [] });
  });

  test('a launch template that maps a public IP fails the gate, placed through its Auto Scaling group', () => {
    const { app, fleet } = build();
    (fleet.launchTemplate.node.defaultChild as CfnLaunchTemplate).addPropertyOverride('LaunchTemplateData.NetworkInterfaces.0.AssociatePublicIpAddress', true);
    expect(synthWithChecks(app)).toEqual({ failed: true, ruleIds: ['BlackHole-NET7'] });
  });
});

describe('validation', () => {
  test.each<[Partial<GpuTrainingFleetProps>, RegExp]>([
    [{ instanceTypes: [] }, /instanceTypes: give at least one GPU instance type/],
    [{ instanceTypes: ['m5.xlarge'] }, /instanceTypes: 'm5\.xlarge' is not in an allowed GPU family/],
    [{ instanceTypes: ['p5.metal'] }, /instanceTypes: 'p5\.metal': use a sized type/],
    [{ instanceTypes: ['g5.xlarge', 'g5.xlarge'] }, /instanceTypes: listed more than once: g5\.xlarge/],
    [{ maxInstances: 0 }, /maxInstances: 0 is not allowed: use a whole number from 1 to 1000/],
    [{ rootVolumeGiB: 4 }, /rootVolumeGiB: 4 is not allowed/],
  ])('%j is rejected', (props, message) => {
    expect(() => build(props)).toThrow(message);
  });
});
