import { CfnOutput, Tags } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import { ENVIRONMENT_TAG } from '../common/tags';
import { isAllowedSageMakerGpuInstanceType } from '../identity/gpu-instance-types';
import type { BlackHoleVpc } from '../network/black-hole-vpc';

/** Properties of a SageMakerTrainingTarget. */
export interface SageMakerTrainingTargetProps {
  /** The black hole network the jobs run in. */
  readonly network: BlackHoleVpc;
  /**
   * Prefix of the SSM parameters that publish the placement.
   * @default `/black-hole/<environment>/sagemaker`
   */
  readonly parameterPrefix?: string;
  /**
   * The execution role jobs run as (a SageMakerExecutionRole), published as
   * `<prefix>/execution-role-arn` for the harness to put in CreateTrainingJob's RoleArn.
   * @default - not published
   */
  readonly executionRole?: iam.IRole;
}

/**
 * Publishes where SageMaker training jobs of an environment must run (subnet and security group
 * IDs) as SSM parameters and stack outputs, for harnesses that submit jobs; pair it with the
 * SageMakerTrainingLaunchPolicy, which refuses any job that is not placed and isolated this way.
 */
export class SageMakerTrainingTarget extends Construct {
  /** SSM parameter with the IDs of the isolated subnets training jobs must use. */
  public readonly subnetIdsParameter: ssm.StringListParameter;
  /** SSM parameter with the ID of the security group training jobs must use. */
  public readonly securityGroupIdParameter: ssm.StringParameter;
  /** SSM parameter with the ARN of the execution role jobs run as, when `executionRole` is given. */
  public readonly executionRoleArnParameter?: ssm.StringParameter;

  constructor(scope: Construct, id: string, props: SageMakerTrainingTargetProps) {
    super(scope, id);
    const prefix = props.parameterPrefix ?? `/black-hole/${props.network.environmentName}/sagemaker`;
    const subnetIds = props.network.isolatedSubnets.map((s) => s.subnetId);
    this.subnetIdsParameter = new ssm.StringListParameter(this, 'SubnetIds', {
      parameterName: `${prefix}/subnet-ids`,
      stringListValue: subnetIds,
      description: 'Isolated subnets SageMaker training jobs of this black hole must use (VpcConfig.Subnets)',
    });
    this.securityGroupIdParameter = new ssm.StringParameter(this, 'SecurityGroupId', {
      parameterName: `${prefix}/security-group-id`,
      stringValue: props.network.trainingSecurityGroup.securityGroupId,
      description: 'Security group SageMaker training jobs of this black hole must use (VpcConfig.SecurityGroupIds)',
    });
    if (props.executionRole) {
      this.executionRoleArnParameter = new ssm.StringParameter(this, 'ExecutionRoleArn', {
        parameterName: `${prefix}/execution-role-arn`,
        stringValue: props.executionRole.roleArn,
        description: 'Execution role SageMaker training jobs of this black hole must run as (RoleArn); the launch policy passes no other',
      });
      new CfnOutput(this, 'TrainingExecutionRoleArn', { value: props.executionRole.roleArn });
    }
    new CfnOutput(this, 'TrainingSubnetIds', { value: subnetIds.join(',') });
    new CfnOutput(this, 'TrainingSecurityGroupId', { value: props.network.trainingSecurityGroup.securityGroupId });
    Tags.of(this).add(ENVIRONMENT_TAG, props.network.environmentName);
  }
}

/** The parts of a SageMaker CreateTrainingJob request the black hole decides. */
export interface BlackHoleTrainingJobInput {
  /** Name of the training job (unique in the account and region). */
  readonly trainingJobName: string;
  /** Environment the job belongs to: tagged as `black-hole:environment` on the job. */
  readonly environmentName: string;
  /**
   * The execution role the job runs as (its ARN): the environment's SageMakerExecutionRole, the
   * only role the launch policy passes. SageMaker uses it, not the job's code (which has no network
   * and no credentials under network isolation).
   */
  readonly roleArn: string;
  /** Training image URI, from the environment's ECR (there is no other registry to pull from). */
  readonly trainingImage: string;
  /** An allowed GPU type, `ml.<family>.<size>`. */
  readonly instanceType: string;
  /** Number of training instances. */
  readonly instanceCount: number;
  /** The environment's isolated subnets (SageMakerTrainingTarget publishes them). */
  readonly subnetIds: readonly string[];
  /** The environment's training security group (SageMakerTrainingTarget publishes it). */
  readonly securityGroupIds: readonly string[];
  /** S3 prefix of the training data (the `training` channel). */
  readonly inputS3Uri: string;
  /** S3 prefix the job writes its model artifacts to. */
  readonly outputS3Uri: string;
  /** @default 86400 (one day; the launch policy caps it) */
  readonly maxRuntimeSeconds?: number;
  /** @default 200 */
  readonly volumeSizeInGB?: number;
  /** RL episode or run the job belongs to, tagged on the job so that violations name it. @default - no tag */
  readonly episode?: string;
}

/** A CreateTrainingJob request (the AWS API shape) that the launch policy admits. */
export interface TrainingJobRequest {
  /** Name of the training job. */
  readonly TrainingJobName: string;
  /** The execution role the job runs as. */
  readonly RoleArn: string;
  /** Training image and input mode. */
  readonly AlgorithmSpecification: { readonly TrainingImage: string; readonly TrainingInputMode: 'File' };
  /** Input channels: S3 prefixes of the training data. */
  readonly InputDataConfig: ReadonlyArray<{
    readonly ChannelName: string;
    readonly DataSource: { readonly S3DataSource: { readonly S3DataType: 'S3Prefix'; readonly S3Uri: string } };
  }>;
  /** Where the model artifacts go. */
  readonly OutputDataConfig: { readonly S3OutputPath: string };
  /** Instance type (an allowed GPU type), count and volume size. */
  readonly ResourceConfig: { readonly InstanceType: string; readonly InstanceCount: number; readonly VolumeSizeInGB: number };
  /** Maximum runtime; the launch policy caps it. */
  readonly StoppingCondition: { readonly MaxRuntimeInSeconds: number };
  /** The environment's subnets and security group: the only placement the launch policy admits. */
  readonly VpcConfig: { readonly Subnets: string[]; readonly SecurityGroupIds: string[] };
  /** Always true: the training container has no network access. */
  readonly EnableNetworkIsolation: true;
  /** Always true: traffic between training containers is encrypted. */
  readonly EnableInterContainerTrafficEncryption: true;
  /** Tags of the job: the environment (and the episode, when given). */
  readonly Tags: ReadonlyArray<{ readonly Key: string; readonly Value: string }>;
}

/**
 * Builds the CreateTrainingJob request for a job inside the black hole: network isolation,
 * inter-container encryption, the environment's subnets and security groups, an allowed GPU type
 * and the environment tag. Throws, naming the field, for anything the launch policy would refuse.
 */
export function blackHoleTrainingJobRequest(input: BlackHoleTrainingJobInput): TrainingJobRequest {
  const problems: string[] = [];
  if (!isAllowedSageMakerGpuInstanceType(input.instanceType) || input.instanceType.endsWith('.*'))
    problems.push(`instanceType: '${input.instanceType}' is not an allowed GPU instance type (ml.<family>.<size>)`);
  if (!Number.isInteger(input.instanceCount) || input.instanceCount < 1)
    problems.push(`instanceCount: ${input.instanceCount} must be a whole number of at least 1`);
  if (input.subnetIds.length === 0) problems.push("subnetIds: give the environment's isolated subnets");
  if (input.securityGroupIds.length === 0) problems.push("securityGroupIds: give the environment's training security group");
  for (const [k, v] of [
    ['inputS3Uri', input.inputS3Uri],
    ['outputS3Uri', input.outputS3Uri],
  ] as const) {
    if (!/^s3:\/\/[a-z0-9.-]{3,63}(\/.*)?$/.test(v)) problems.push(`${k}: '${v}' is not an s3:// URI`);
  }
  const maxRuntime = input.maxRuntimeSeconds ?? 86400;
  if (!Number.isInteger(maxRuntime) || maxRuntime < 1 || maxRuntime > 86400) problems.push(`maxRuntimeSeconds: ${maxRuntime} must be from 1 to 86400`);
  if (problems.length > 0)
    throw new Error(`Invalid training job (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n  - ${problems.join('\n  - ')}`);
  return {
    TrainingJobName: input.trainingJobName,
    RoleArn: input.roleArn,
    AlgorithmSpecification: { TrainingImage: input.trainingImage, TrainingInputMode: 'File' },
    InputDataConfig: [{ ChannelName: 'training', DataSource: { S3DataSource: { S3DataType: 'S3Prefix', S3Uri: input.inputS3Uri } } }],
    OutputDataConfig: { S3OutputPath: input.outputS3Uri },
    ResourceConfig: { InstanceType: input.instanceType, InstanceCount: input.instanceCount, VolumeSizeInGB: input.volumeSizeInGB ?? 200 },
    StoppingCondition: { MaxRuntimeInSeconds: maxRuntime },
    VpcConfig: { Subnets: [...input.subnetIds], SecurityGroupIds: [...input.securityGroupIds] },
    EnableNetworkIsolation: true,
    EnableInterContainerTrafficEncryption: true,
    Tags: [{ Key: ENVIRONMENT_TAG, Value: input.environmentName }, ...(input.episode ? [{ Key: 'black-hole:episode', Value: input.episode }] : [])],
  };
}
