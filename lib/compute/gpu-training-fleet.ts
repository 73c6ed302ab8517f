import { Duration, Tags, Token, Validations } from 'aws-cdk-lib';
import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Construct } from 'constructs';
import { ENVIRONMENT_TAG } from '../common/tags';
import { duplicatesOf, isIntegerIn, PropsValidator } from '../common/validation';
import { GPU_INSTANCE_FAMILIES } from '../identity/gpu-instance-types';
import type { AgentRole } from '../identity/agent-role';
import type { BlackHoleVpc } from '../network/black-hole-vpc';
import { gpuFamilyOf, vcpusOf } from './instance-capacity';

/**
 * SSM parameter of the AWS Deep Learning Base AMI (NVIDIA driver, Amazon Linux 2023): resolved by
 * CloudFormation at deploy time, never looked up at synth.
 */
export const DEFAULT_GPU_AMI_PARAMETER = '/aws/service/deeplearning/ami/x86_64/base-oss-nvidia-driver-gpu-amazon-linux-2023/latest/ami-id';

/**
 * Boot commands that disable and stop the SSM agent, in both forms AMIs ship it: the systemd unit
 * (`amazon-ssm-agent`, e.g. Amazon Linux 2023 and the Deep Learning AMIs) and the snap
 * (`snap.amazon-ssm-agent.amazon-ssm-agent`, e.g. Ubuntu).
 *
 * Why: the SSM endpoints are deliberately outside the black hole's endpoint perimeter (Session
 * Manager and Run Command are ways in and out), so the agent's endless attempts to resolve
 * `ssm.<region>.amazonaws.com`, `ssmmessages...` and `ec2messages...` are blocked by the DNS
 * firewall and each one is a false DNS violation that buries the real ones. The agent is useless
 * here anyway: it cannot reach its service. Masking keeps anything from starting the unit again;
 * `snap stop --disable` keeps the snap's service off across reboots and refreshes. Every command
 * tolerates the form that is absent. The agent may have started before user data runs (cloud-init
 * runs late in boot), so a few early queries can still appear.
 * https://docs.aws.amazon.com/systems-manager/latest/userguide/ssm-agent-status-and-restart.html
 */
export const DISABLE_SSM_AGENT_COMMANDS: readonly string[] = Object.freeze([
  'systemctl disable --now amazon-ssm-agent.service || true',
  'systemctl mask amazon-ssm-agent.service || true',
  'systemctl disable --now snap.amazon-ssm-agent.amazon-ssm-agent.service || true',
  'if command -v snap >/dev/null 2>&1; then snap stop --disable amazon-ssm-agent || true; fi',
]);

/** Properties of a GpuTrainingFleet. */
export interface GpuTrainingFleetProps {
  /** The black hole network: the fleet runs in its isolated subnets with its training security group. */
  readonly network: BlackHoleVpc;
  /** The agent role the instances get credentials for (their instance profile). */
  readonly role: AgentRole;
  /** EC2 instance types, from the allowed GPU families (`lib/identity/gpu-instance-types.ts`). */
  readonly instanceTypes: string[];
  /** Declared capacity: the most instances that may run. The billing guard's usage cap derives from it. */
  readonly maxInstances: number;
  /**
   * AMI. Use `ec2.MachineImage.fromSsmParameter(...)` or `ec2.MachineImage.genericLinux(...)`;
   * never a synth-time lookup.
   * @default - the Deep Learning Base AMI from DEFAULT_GPU_AMI_PARAMETER, resolved at deploy time
   */
  readonly machineImage?: ec2.IMachineImage;
  /** Root volume size in GiB (encrypted gp3). @default 200 */
  readonly rootVolumeGiB?: number;
  /** Run on Spot capacity. @default false */
  readonly spot?: boolean;
}

/**
 * GPU training instances inside the black hole: a launch template and an Auto Scaling group (min 0,
 * max = declared capacity) in the isolated subnets. IMDSv2 required with hop limit 1 (a container
 * cannot reach the instance's credentials through an extra hop), no public IP, encrypted EBS, the
 * agent role as instance profile, egress only to the endpoint perimeter.
 */
export class GpuTrainingFleet extends Construct {
  /**
   * Launch template of the fleet: IMDSv2 with hop limit 1, no public IP, encrypted gp3, the agent instance profile.
   */
  public readonly launchTemplate: ec2.LaunchTemplate;
  /** Auto Scaling group of 0 to the declared capacity, in the isolated subnets. */
  public readonly autoScalingGroup: autoscaling.AutoScalingGroup;
  /** vCPUs the fleet may use at most, per AWS/Usage class (`G/OnDemand`, `P/Spot`, ...). */
  public readonly declaredVcpus: Readonly<Record<string, number>>;
  /** Declared capacity in instances. */
  public readonly maxInstances: number;

  constructor(scope: Construct, id: string, props: GpuTrainingFleetProps) {
    super(scope, id);
    validate(props);
    this.maxInstances = props.maxInstances;
    const purchase = props.spot ? 'Spot' : 'OnDemand';
    const declared: Record<string, number> = {};
    for (const type of props.instanceTypes) {
      const key = `${gpuFamilyOf(type)!.usageClass}/${purchase}`;
      declared[key] = Math.max(declared[key] ?? 0, props.maxInstances * vcpusOf(type)!);
    }
    this.declaredVcpus = declared;

    const userData = ec2.UserData.forLinux();
    userData.addCommands(...DISABLE_SSM_AGENT_COMMANDS);

    this.launchTemplate = new ec2.LaunchTemplate(this, 'LaunchTemplate', {
      userData,
      machineImage: props.machineImage ?? ec2.MachineImage.fromSsmParameter(DEFAULT_GPU_AMI_PARAMETER),
      instanceType: new ec2.InstanceType(props.instanceTypes[0]),
      role: props.role,
      securityGroup: props.network.trainingSecurityGroup,
      requireImdsv2: true,
      httpPutResponseHopLimit: 1,
      httpTokens: ec2.LaunchTemplateHttpTokens.REQUIRED,
      instanceMetadataTags: false,
      associatePublicIpAddress: false,
      ebsOptimized: true,
      // One-minute instance metrics: a GPU hour costs more than a month of detailed monitoring.
      detailedMonitoring: true,
      blockDevices: [
        {
          deviceName: '/dev/xvda',
          volume: ec2.BlockDeviceVolume.ebs(props.rootVolumeGiB ?? 200, {
            encrypted: true,
            volumeType: ec2.EbsDeviceVolumeType.GP3,
            deleteOnTermination: true,
          }),
        },
      ],
      ...(props.spot ? { spotOptions: { requestType: ec2.SpotRequestType.ONE_TIME } } : {}),
    });

    this.autoScalingGroup = new autoscaling.AutoScalingGroup(this, 'Group', {
      vpc: props.network.vpc,
      vpcSubnets: props.network.subnetSelection,
      minCapacity: 0,
      maxCapacity: props.maxInstances,
      ...(props.instanceTypes.length > 1
        ? {
            mixedInstancesPolicy: {
              launchTemplate: this.launchTemplate,
              launchTemplateOverrides: props.instanceTypes.map((t) => ({ instanceType: new ec2.InstanceType(t) })),
            },
          }
        : { launchTemplate: this.launchTemplate }),
      healthChecks: autoscaling.HealthChecks.ec2({ gracePeriod: Duration.minutes(10) }),
    });

    // The group spans the zones of the isolated subnets; say so where the zone count is declared.
    const zones = [...new Set(props.network.isolatedSubnets.map((s) => s.availabilityZone))];
    if (zones.length > 1) {
      (this.autoScalingGroup.node.defaultChild as autoscaling.CfnAutoScalingGroup).availabilityZones = zones;
    }

    Tags.of(this).add(ENVIRONMENT_TAG, props.network.environmentName);
    this.acknowledgeJustifiedFindings(props);
  }

  /**
   * AwsSolutions and Control Tower (cdk-validator-cfnguard) findings that are true of this design and
   * justified; each with its reason (docs/COMPLIANCE.md lists them all).
   */
  private acknowledgeJustifiedFindings(props: GpuTrainingFleetProps): void {
    if (props.instanceTypes.length > 1) {
      Validations.of(this.autoScalingGroup).acknowledge({
        id: 'AwsSolutions-EC26',
        reason: 'The rule cannot follow a mixed-instances policy to its launch template; that template encrypts every EBS volume (tested).',
      });
    }
    Validations.of(this.autoScalingGroup).acknowledge({
      id: 'AwsSolutions-AS3',
      reason: 'Scaling events reach the environment through the billing guard and telemetry streams, not ASG notifications.',
    });
    if (props.instanceTypes.length === 1) {
      Validations.of(this.autoScalingGroup).acknowledge({
        id: 'cdk-validator-cfnguard::autoscaling_mixed_instances_policy_multiple_instance_types_check',
        reason:
          `The fleet declares one GPU type (${props.instanceTypes[0]}): a data-parallel job runs at the pace of its slowest accelerator, and the declared ` +
          'capacity, the usage alarms and the agent boundary are sized per type. Declare several types to get a mixed-instances policy.',
      });
    }
    // Every allowed GPU family is Nitro-based with encryption in transit (gpu-instance-types.ts), and
    // validate() admits no other; the bundled rules' instance lists predate g6, g6e, p5e, p5en, p6-b200 and trn2.
    const nitroReason =
      `${props.instanceTypes.join(', ')}: every family of the GPU allowlist (lib/identity/gpu-instance-types.ts) is Nitro-based and encrypts ` +
      "traffic between instances in transit; the rule's built-in instance list predates several of them.";
    Validations.of(this.launchTemplate).acknowledge({ id: 'cdk-validator-cfnguard::ec2_launch_template_nitro_instance_type_check', reason: nitroReason });
    Validations.of(this.autoScalingGroup).acknowledge(
      { id: 'cdk-validator-cfnguard::autoscaling_group_nitro_instance_override_check', reason: nitroReason },
      { id: 'cdk-validator-cfnguard::autoscaling_group_nitro_encryption_in_transit_override_check', reason: nitroReason },
    );
  }
}

function validate(props: GpuTrainingFleetProps): void {
  const v = new PropsValidator('GpuTrainingFleet');
  const types = props.instanceTypes ?? [];
  v.check(types.length > 0, 'instanceTypes', 'give at least one GPU instance type');
  const allowed = GPU_INSTANCE_FAMILIES.map((f) => f.family).join(', ');
  for (const t of types) {
    if (Token.isUnresolved(t)) {
      v.add('instanceTypes', 'must be literal instance types (the allowlist and the usage cap are checked at synth)');
    } else if (!gpuFamilyOf(t)) {
      v.add('instanceTypes', `'${t}' is not in an allowed GPU family (${allowed})`);
    } else if (vcpusOf(t) === undefined) {
      v.add('instanceTypes', `'${t}': use a sized type such as '${t.split('.')[0]}.xlarge' (metal sizes are not supported)`);
    }
  }
  const dups = duplicatesOf(types);
  v.check(dups.length === 0, 'instanceTypes', `listed more than once: ${dups.join(', ')}`);
  v.check(isIntegerIn(props.maxInstances, 1, 1000), 'maxInstances', `${props.maxInstances} is not allowed: use a whole number from 1 to 1000`);
  if (props.rootVolumeGiB !== undefined) {
    v.check(isIntegerIn(props.rootVolumeGiB, 8, 16384), 'rootVolumeGiB', `${props.rootVolumeGiB} is not allowed: use a whole number from 8 to 16384`);
  }
  if (props.role && props.network && props.role.environmentName !== props.network.environmentName) {
    v.add('role', `belongs to environment '${props.role.environmentName}', the network to '${props.network.environmentName}'`);
  }
  v.throwIfAny();
}
