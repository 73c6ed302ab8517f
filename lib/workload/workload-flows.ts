/**
 * The legitimate workload of a black hole, as policy data: every flow the environment must allow in
 * AWS (image pulls, dataset reads, checkpoint writes, logs and metrics, SageMaker jobs and what
 * SageMaker does with their execution role, every Lambda of the library from the decryption of its
 * environment to each of its API calls, budget actions and alarm actions), who performs it, over
 * which network path, with which request context, and the AWS documentation that says so.
 *
 * The liveness proofs (test/workload/) evaluate each flow against every policy AWS applies; the
 * table in docs/WORKLOAD.md is generated from this module (scripts/workload-doc.ts).
 *
 * Placeholders in resources and context values are resolved against the synthesized template:
 * `{account}`, `{region}`, `{partition}`, `{environment}` (the environment's name), `{vpc}`,
 * `{subnet}` (each environment subnet), `{training-sg}`, `{default-sg}`, `{budget-execution-role-arn}`, `{principal-arn}` (the
 * principal's role ARN), `{execution-role-arn}`, and `{<kind>:<construct path fragment>}` for
 * resources of the template (kinds: bucket, bucket-key, key, log-group, repository, table, bus,
 * topic, topic-key, function, function-arn, function-key, role-arn, alarm-arn, rule-arn, asg, sg,
 * managed-policy, budget, log-group-arn). A placeholder that matches several resources expands the
 * flow to each of them; one that matches none fails the flow.
 */

/** Who performs the flow. */
export type FlowPrincipal =
  /** The agent role of the GPU fleet's instances (the launch template's instance profile), instance credentials. */
  | { readonly kind: 'fleet-instance' }
  /** The role the launcher may pass to SageMaker (iam:PassRole with iam:PassedToService sagemaker), used by SageMaker itself. */
  | { readonly kind: 'sagemaker-execution-role' }
  /** The launcher role of a SageMaker environment (construct path fragment `Launcher`). */
  | { readonly kind: 'launcher' }
  /** The execution role of a Lambda function of the library (construct path fragment). */
  | { readonly kind: 'lambda'; readonly function: string }
  /** The execution role of the budget actions (AWS::Budgets::BudgetsAction ExecutionRoleArn), used by AWS Budgets. */
  | { readonly kind: 'budget-execution-role' }
  /** The role of a CloudFormation custom resource provider of the stack (logical id prefix). */
  | { readonly kind: 'custom-resource'; readonly rolePrefix: string; readonly label: string }
  /** An AWS service principal. */
  | { readonly kind: 'service'; readonly service: string }
  /** ECR's own service account (another account), which signs the pre-signed S3 URLs of image layers. */
  | { readonly kind: 'ecr-layer-signer' };

/** How the request reaches the service. */
export type NetworkPath =
  /** From inside the environment's VPC, through the VPC endpoint of the service (`com.amazonaws.<region>.<id>`). */
  | { readonly kind: 'vpc-endpoint'; readonly endpoint: string }
  /** From AWS's own network (a service using a role it assumed; a Lambda function outside any VPC; a launcher outside the VPC). */
  | { readonly kind: 'aws-network' }
  /** An AWS service calling on the caller's behalf with its credentials (forward access session), e.g. S3 calling KMS. */
  | { readonly kind: 'forward-access'; readonly via: string }
  /** An AWS service principal acting itself. */
  | { readonly kind: 'service-principal' };

/** One API call of a flow. */
export interface FlowCall {
  readonly action: string;
  readonly resource: string;
  /** Request-context keys this call carries beyond the standard ones of its principal and path (see STANDARD_CONTEXT). */
  readonly context?: Readonly<Record<string, string | readonly string[]>>;
  /** aws:RequestedRegion when it is not the environment's region (global services). */
  readonly requestedRegion?: string;
}

/** What a shape must have for the flow to exist. */
export type FlowRequirement = 'fleet' | 'datasets' | 'checkpoints' | 'images' | 'logs' | 'metrics' | 'sagemaker-launcher' | 'lambda-kms-key';

export interface WorkloadFlow {
  readonly id: string;
  readonly description: string;
  readonly principal: FlowPrincipal;
  readonly network: NetworkPath;
  readonly calls: readonly FlowCall[];
  readonly requires?: readonly FlowRequirement[];
  /** AWS documentation that says the flow happens this way (principal, path, context). */
  readonly source: readonly string[];
}

const DOC = {
  ecrEndpoints: 'https://docs.aws.amazon.com/AmazonECR/latest/userguide/vpc-endpoints.html',
  ecrPull: 'https://docs.aws.amazon.com/AmazonECR/latest/userguide/image-pull.html',
  s3Gateway: 'https://docs.aws.amazon.com/vpc/latest/privatelink/vpc-endpoints-s3.html',
  endpointPolicies: 'https://docs.aws.amazon.com/vpc/latest/privatelink/vpc-endpoints-access.html',
  globalKeys: 'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html',
  fas: 'https://docs.aws.amazon.com/IAM/latest/UserGuide/access_forward_access_sessions.html',
  s3Kms: 'https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingKMSEncryption.html',
  kmsConditions: 'https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html',
  s3ListBucket: 'https://docs.aws.amazon.com/AmazonS3/latest/userguide/amazon-s3-policy-keys.html',
  logsIam: 'https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/permissions-reference-cwl.html',
  cwNamespace: 'https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/iam-cw-condition-keys-namespace.html',
  ec2Credentials: 'https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/iam-roles-for-amazon-ec2.html',
  sagemakerRoles: 'https://docs.aws.amazon.com/sagemaker/latest/dg/sagemaker-roles.html',
  sagemakerVpc: 'https://docs.aws.amazon.com/sagemaker/latest/dg/train-vpc.html',
  sagemakerKeys: 'https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonsagemaker.html',
  sagemakerIsolation: 'https://docs.aws.amazon.com/sagemaker/latest/dg/mkt-algo-model-internet-free.html',
  passRole: 'https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_passrole.html',
  lambdaEnvEncryption: 'https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars-encryption.html',
  lambdaLogs: 'https://docs.aws.amazon.com/lambda/latest/dg/monitoring-cloudwatchlogs.html',
  lambdaExecutionRole: 'https://docs.aws.amazon.com/lambda/latest/dg/lambda-intro-execution-role.html',
  dynamodbKeys: 'https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazondynamodb.html',
  eventsPutEvents: 'https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-use-identity-based.html',
  eventsLambda: 'https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-use-resource-based.html',
  eventsSns: 'https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-use-resource-based.html#eb-sns-permissions',
  iamPutRolePolicy: 'https://docs.aws.amazon.com/service-authorization/latest/reference/list_awsidentityandaccessmanagementiam.html',
  ec2Keys: 'https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonec2.html',
  ebsSnapshot: 'https://docs.aws.amazon.com/ebs/latest/userguide/ebs-creating-snapshot.html',
  ec2CreateSnapshots: 'https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateSnapshots.html',
  asgSuspend: 'https://docs.aws.amazon.com/autoscaling/ec2/userguide/as-suspend-resume-processes.html',
  asgDetach: 'https://docs.aws.amazon.com/autoscaling/ec2/userguide/ec2-auto-scaling-detach-attach-instances.html',
  asgKeys: 'https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonec2autoscaling.html',
  budgetsRole: 'https://docs.aws.amazon.com/cost-management/latest/userguide/budgets-action-role.html',
  budgetsPolicies: 'https://docs.aws.amazon.com/cost-management/latest/userguide/billing-example-policies.html',
  budgetsSns: 'https://docs.aws.amazon.com/cost-management/latest/userguide/budgets-sns-policy.html',
  snsKms: 'https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html',
  cloudTrailKms: 'https://docs.aws.amazon.com/awscloudtrail/latest/userguide/create-kms-key-policy-for-cloudtrail.html',
  cloudTrailBucket: 'https://docs.aws.amazon.com/awscloudtrail/latest/userguide/create-s3-bucket-policy-for-cloudtrail.html',
  alarmLambda: 'https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/alarms-and-actions-Lambda.html',
  alarmSns: 'https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/Notify_Users_Alarm_Changes.html',
  snsLambda: 'https://docs.aws.amazon.com/lambda/latest/dg/with-sns.html',
  logsSubscription: 'https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/SubscriptionFilters.html#LambdaFunctionExample',
  scp: 'https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps.html',
  cdkRestrictDefaultSg: 'https://docs.aws.amazon.com/cdk/api/v2/docs/aws-cdk-lib.aws_ec2.Vpc.html',
  cdkAwsCustomResource: 'https://docs.aws.amazon.com/cdk/api/v2/docs/aws-cdk-lib.custom_resources.AwsCustomResource.html',
} as const;

/** Documentation of the standard request context (what the harness adds for each principal and path). */
export const STANDARD_CONTEXT: Readonly<Record<string, { readonly keys: readonly string[]; readonly source: string }>> = Object.freeze({
  role: {
    keys: [
      'aws:PrincipalArn',
      'aws:PrincipalAccount',
      'aws:PrincipalTag/*',
      'aws:PrincipalIsAWSService=false',
      'aws:RequestedRegion',
      'aws:SecureTransport',
      'aws:ViaAWSService=false',
      'aws:ResourceAccount',
      'aws:ResourceTag/* (resources of the template with tags)',
    ],
    source: DOC.globalKeys,
  },
  'fleet-instance': { keys: ['ec2:SourceInstanceARN', 'aws:EC2InstanceSourceVPC'], source: DOC.globalKeys },
  'vpc-endpoint': { keys: ['aws:SourceVpc', 'aws:SourceVpce'], source: DOC.endpointPolicies },
  'forward-access': {
    keys: [
      'aws:ViaAWSService=true',
      'kms:ViaService',
      'kms:CallerAccount',
      'no aws:SourceVpc/aws:SourceVpce',
      'no aws:CalledVia (S3 and Lambda do not set it)',
    ],
    source: DOC.fas,
  },
  'service-principal': {
    keys: ['aws:PrincipalIsAWSService=true', 'aws:PrincipalServiceName', 'aws:SourceAccount', 'aws:SourceArn (when the flow names it)'],
    source: DOC.globalKeys,
  },
});

const ECR_REPO = 'arn:{partition}:ecr:{region}:{account}:repository/{repository:Images}';
const DATASET_OBJECT = 'arn:{partition}:s3:::{bucket:Datasets}/datasets/shard-0001.parquet';
const CHECKPOINT_OBJECT = 'arn:{partition}:s3:::{bucket:Checkpoints}/runs/episode-42/step-1000.ckpt';
/**
 * The evidence and training buckets use S3 Bucket Keys: S3's KMS requests then carry the bucket ARN,
 * not the object ARN, as aws:s3:arn ("When an S3 Bucket Key is enabled ... the encryption context
 * will be the bucket ARN and not the object ARN", S3 user guide, configuring-bucket-key).
 */
const DATASETS_BUCKET = 'arn:{partition}:s3:::{bucket:Datasets}';
const CHECKPOINTS_BUCKET = 'arn:{partition}:s3:::{bucket:Checkpoints}';
/**
 * S3 calling KMS with the caller's forward access session: kms:ViaService and kms:CallerAccount. No
 * aws:CalledVia: only Athena, CloudFormation, DynamoDB and KMS set it (IAM condition keys reference).
 */
const S3_VIA = { 'kms:ViaService': 's3.{region}.amazonaws.com', 'kms:CallerAccount': '{account}' };
const TRAINING_JOB = 'arn:{partition}:sagemaker:{region}:{account}:training-job/rl-episode-42';
const ENV_TAG = 'black-hole:environment';
/** EC2 sends the VPC of subnets, security groups and network interfaces as ec2:Vpc. */
const EC2_VPC = { 'ec2:Vpc': 'arn:{partition}:ec2:{region}:{account}:vpc/{vpc}' };

/** Starting a Lambda function whose environment is encrypted with a customer key: Lambda decrypts it with the execution role. */
function lambdaStart(id: string, fn: string, label: string): WorkloadFlow {
  return {
    id: `${id}.start`,
    description: `${label} starts: Lambda decrypts its environment variables with the function's customer managed key, using the execution role`,
    principal: { kind: 'lambda', function: fn },
    network: { kind: 'forward-access', via: 'lambda' },
    calls: [
      {
        action: 'kms:Decrypt',
        resource: `{function-key:${fn}}`,
        context: {
          'kms:ViaService': 'lambda.{region}.amazonaws.com',
          'kms:CallerAccount': '{account}',
          'kms:EncryptionContext:aws:lambda:FunctionArn': `{function-arn:${fn}}`,
          'kms:EncryptionContextKeys': ['aws:lambda:FunctionArn'],
        },
      },
    ],
    requires: ['lambda-kms-key'],
    source: [DOC.lambdaEnvEncryption, DOC.kmsConditions],
  };
}

function lambdaLogs(id: string, fn: string, label: string): WorkloadFlow {
  return {
    id: `${id}.logs`,
    description: `${label} writes its logs to its log group`,
    principal: { kind: 'lambda', function: fn },
    network: { kind: 'aws-network' },
    calls: ['logs:CreateLogStream', 'logs:PutLogEvents'].map((action) => ({
      action,
      resource: `{log-group-arn:${fn}Logs}:log-stream:2026/11/01/[$LATEST]0123456789abcdef`,
    })),
    source: [DOC.lambdaLogs, DOC.lambdaExecutionRole],
  };
}

export const WORKLOAD_FLOWS: readonly WorkloadFlow[] = Object.freeze([
  // ---- EC2 fleet: the agent's instance credentials, from inside the VPC ----
  {
    id: 'fleet.image-pull.auth',
    description: 'A fleet instance gets an ECR authorization token for docker pull',
    principal: { kind: 'fleet-instance' },
    network: { kind: 'vpc-endpoint', endpoint: 'ecr.api' },
    calls: [{ action: 'ecr:GetAuthorizationToken', resource: '*' }],
    requires: ['fleet', 'images'],
    source: [DOC.ecrEndpoints, DOC.ecrPull],
  },
  {
    id: 'fleet.image-pull.manifest',
    description: 'A fleet instance reads the image manifest and layer URLs through the docker registry API',
    principal: { kind: 'fleet-instance' },
    network: { kind: 'vpc-endpoint', endpoint: 'ecr.dkr' },
    calls: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchCheckLayerAvailability'].map((action) => ({ action, resource: ECR_REPO })),
    requires: ['fleet', 'images'],
    source: [DOC.ecrEndpoints, DOC.ecrPull],
  },
  {
    id: 'fleet.image-pull.layer',
    description:
      "A fleet instance downloads the image layers: a pre-signed S3 GET signed by ECR's service account (another account) on the AWS-owned layer bucket, through the S3 gateway endpoint",
    principal: { kind: 'ecr-layer-signer' },
    network: { kind: 'vpc-endpoint', endpoint: 's3' },
    calls: [{ action: 's3:GetObject', resource: 'arn:{partition}:s3:::prod-{region}-starport-layer-bucket/{account}/images/sha256:0123' }],
    requires: ['fleet', 'images'],
    source: [DOC.ecrEndpoints, DOC.s3Gateway],
  },
  {
    id: 'fleet.dataset-read',
    description: 'A fleet instance lists and reads dataset shards',
    principal: { kind: 'fleet-instance' },
    network: { kind: 'vpc-endpoint', endpoint: 's3' },
    calls: [
      { action: 's3:ListBucket', resource: 'arn:{partition}:s3:::{bucket:Datasets}', context: { 's3:prefix': 'datasets/', 's3:delimiter': '/' } },
      { action: 's3:GetObject', resource: DATASET_OBJECT },
    ],
    requires: ['fleet', 'datasets'],
    source: [DOC.s3Gateway, DOC.s3ListBucket],
  },
  {
    id: 'fleet.dataset-read.kms',
    description: "S3 decrypts the SSE-KMS dataset object with the instance's credentials (forward access session)",
    principal: { kind: 'fleet-instance' },
    network: { kind: 'forward-access', via: 's3' },
    calls: [{ action: 'kms:Decrypt', resource: '{bucket-key:Datasets}', context: { ...S3_VIA, 'kms:EncryptionContext:aws:s3:arn': DATASETS_BUCKET } }],
    requires: ['fleet', 'datasets'],
    source: [DOC.s3Kms, DOC.kmsConditions, DOC.fas],
  },
  {
    id: 'fleet.checkpoint-write',
    description: 'A fleet instance writes a checkpoint (single and multipart upload)',
    principal: { kind: 'fleet-instance' },
    network: { kind: 'vpc-endpoint', endpoint: 's3' },
    calls: [
      { action: 's3:PutObject', resource: CHECKPOINT_OBJECT, context: { 's3:x-amz-server-side-encryption': 'aws:kms' } },
      { action: 's3:ListMultipartUploadParts', resource: CHECKPOINT_OBJECT },
      { action: 's3:AbortMultipartUpload', resource: CHECKPOINT_OBJECT },
    ],
    requires: ['fleet', 'checkpoints'],
    source: [DOC.s3Gateway, DOC.s3Kms],
  },
  {
    id: 'fleet.checkpoint-write.kms',
    description: "S3 generates the data key (and decrypts it for multipart parts) with the instance's credentials",
    principal: { kind: 'fleet-instance' },
    network: { kind: 'forward-access', via: 's3' },
    calls: ['kms:GenerateDataKey', 'kms:Decrypt'].map((action) => ({
      action,
      resource: '{bucket-key:Checkpoints}',
      context: { ...S3_VIA, 'kms:EncryptionContext:aws:s3:arn': CHECKPOINTS_BUCKET },
    })),
    requires: ['fleet', 'checkpoints'],
    source: [DOC.s3Kms, DOC.kmsConditions, DOC.fas],
  },
  {
    id: 'fleet.logs',
    description: 'A fleet instance writes training logs',
    principal: { kind: 'fleet-instance' },
    network: { kind: 'vpc-endpoint', endpoint: 'logs' },
    calls: ['logs:CreateLogStream', 'logs:PutLogEvents'].map((action) => ({ action, resource: '{log-group-arn:TrainingLogs}:log-stream:episode-42' })),
    requires: ['fleet', 'logs'],
    source: [DOC.logsIam, DOC.endpointPolicies],
  },
  {
    id: 'fleet.metrics',
    description: 'A fleet instance publishes training metrics to its namespace',
    principal: { kind: 'fleet-instance' },
    network: { kind: 'vpc-endpoint', endpoint: 'monitoring' },
    calls: [{ action: 'cloudwatch:PutMetricData', resource: '*', context: { 'cloudwatch:namespace': 'BlackHole/Training' } }],
    requires: ['fleet', 'metrics'],
    source: [DOC.cwNamespace],
  },

  // ---- SageMaker: the launcher, then SageMaker with the execution role ----
  {
    id: 'sagemaker.launch',
    description: "The launcher creates a network-isolated, encrypted training job in the environment's subnets, tagged with the environment",
    principal: { kind: 'launcher' },
    network: { kind: 'aws-network' },
    calls: [
      {
        action: 'sagemaker:CreateTrainingJob',
        resource: TRAINING_JOB,
        context: {
          'sagemaker:NetworkIsolation': 'true',
          'sagemaker:InterContainerTrafficEncryption': 'true',
          'sagemaker:VpcSubnets': ['{subnet}'],
          'sagemaker:VpcSecurityGroupIds': ['{training-sg}'],
          'sagemaker:InstanceTypes': ['ml.g5.2xlarge'],
          'sagemaker:MaxRuntimeInSeconds': '86400',
          [`aws:RequestTag/${ENV_TAG}`]: '{environment}',
          'aws:TagKeys': [ENV_TAG],
        },
      },
      {
        action: 'sagemaker:AddTags',
        resource: TRAINING_JOB,
        context: { 'sagemaker:TaggingAction': 'CreateTrainingJob', [`aws:RequestTag/${ENV_TAG}`]: '{environment}', 'aws:TagKeys': [ENV_TAG] },
      },
      { action: 'sagemaker:DescribeTrainingJob', resource: TRAINING_JOB },
    ],
    requires: ['sagemaker-launcher'],
    source: [DOC.sagemakerKeys, DOC.sagemakerIsolation],
  },
  {
    id: 'sagemaker.pass-role',
    description: 'The launcher passes the execution role to SageMaker in CreateTrainingJob',
    principal: { kind: 'launcher' },
    network: { kind: 'aws-network' },
    calls: [
      { action: 'iam:PassRole', resource: '{execution-role-arn}', context: { 'iam:PassedToService': 'sagemaker.amazonaws.com' }, requestedRegion: 'us-east-1' },
    ],
    requires: ['sagemaker-launcher'],
    source: [DOC.passRole, DOC.sagemakerRoles],
  },
  {
    id: 'sagemaker.assume-execution-role',
    description: 'SageMaker assumes the execution role for the job',
    principal: { kind: 'service', service: 'sagemaker.amazonaws.com' },
    network: { kind: 'service-principal' },
    calls: [{ action: 'sts:AssumeRole', resource: '{execution-role-arn}', context: { 'aws:SourceAccount': '{account}', 'aws:SourceArn': TRAINING_JOB } }],
    requires: ['sagemaker-launcher'],
    source: [DOC.sagemakerRoles],
  },
  {
    id: 'sagemaker.network-interfaces',
    description: "SageMaker creates and cleans up the job's network interfaces in the environment's subnets with the execution role, from its own network",
    principal: { kind: 'sagemaker-execution-role' },
    network: { kind: 'aws-network' },
    calls: [
      ...['ec2:DescribeNetworkInterfaces', 'ec2:DescribeVpcs', 'ec2:DescribeDhcpOptions', 'ec2:DescribeSubnets', 'ec2:DescribeSecurityGroups'].map(
        (action) => ({ action, resource: '*' }),
      ),
      {
        action: 'ec2:CreateNetworkInterface',
        resource: 'arn:{partition}:ec2:{region}:{account}:subnet/{subnet}',
        context: { ...EC2_VPC, 'ec2:SubnetID': '{subnet}', 'ec2:AvailabilityZone': '{region}a' },
      },
      {
        action: 'ec2:CreateNetworkInterface',
        resource: 'arn:{partition}:ec2:{region}:{account}:security-group/{training-sg}',
        context: { ...EC2_VPC, 'ec2:SecurityGroupID': '{training-sg}' },
      },
      {
        action: 'ec2:CreateNetworkInterface',
        resource: 'arn:{partition}:ec2:{region}:{account}:network-interface/*',
        context: { ...EC2_VPC, 'ec2:Subnet': 'arn:{partition}:ec2:{region}:{account}:subnet/{subnet}' },
      },
      ...['ec2:CreateNetworkInterfacePermission', 'ec2:DeleteNetworkInterface', 'ec2:DeleteNetworkInterfacePermission'].map((action) => ({
        action,
        resource: 'arn:{partition}:ec2:{region}:{account}:network-interface/eni-0123456789abcdef0',
        context: { ...EC2_VPC, 'ec2:Subnet': 'arn:{partition}:ec2:{region}:{account}:subnet/{subnet}' },
      })),
    ],
    requires: ['sagemaker-launcher'],
    source: [DOC.sagemakerRoles, DOC.sagemakerVpc],
  },
  {
    id: 'sagemaker.image-pull',
    description: 'SageMaker pulls the training image with the execution role, from its own network',
    principal: { kind: 'sagemaker-execution-role' },
    network: { kind: 'aws-network' },
    calls: [
      { action: 'ecr:GetAuthorizationToken', resource: '*' },
      ...['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchCheckLayerAvailability'].map((action) => ({ action, resource: ECR_REPO })),
    ],
    requires: ['sagemaker-launcher', 'images'],
    source: [DOC.sagemakerRoles],
  },
  {
    id: 'sagemaker.logs-and-metrics',
    description: "SageMaker writes the job's logs and metrics with the execution role, from its own network",
    principal: { kind: 'sagemaker-execution-role' },
    network: { kind: 'aws-network' },
    calls: [
      { action: 'logs:CreateLogGroup', resource: 'arn:{partition}:logs:{region}:{account}:log-group:/aws/sagemaker/TrainingJobs' },
      ...['logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DescribeLogStreams'].map((action) => ({
        action,
        resource: 'arn:{partition}:logs:{region}:{account}:log-group:/aws/sagemaker/TrainingJobs:log-stream:rl-episode-42/algo-1-1700000000',
      })),
      { action: 'cloudwatch:PutMetricData', resource: '*', context: { 'cloudwatch:namespace': '/aws/sagemaker/TrainingJobs' } },
    ],
    requires: ['sagemaker-launcher'],
    source: [DOC.sagemakerRoles],
  },
  {
    id: 'sagemaker.dataset-read',
    description:
      "SageMaker downloads the training data with the execution role through the VPC's S3 endpoint (a job with a VpcConfig reaches S3 through the VPC)",
    principal: { kind: 'sagemaker-execution-role' },
    network: { kind: 'vpc-endpoint', endpoint: 's3' },
    calls: [
      { action: 's3:ListBucket', resource: 'arn:{partition}:s3:::{bucket:Datasets}', context: { 's3:prefix': 'datasets/' } },
      { action: 's3:GetObject', resource: DATASET_OBJECT },
    ],
    requires: ['sagemaker-launcher', 'datasets'],
    source: [DOC.sagemakerVpc, DOC.sagemakerRoles, DOC.s3Gateway],
  },
  {
    id: 'sagemaker.dataset-read.kms',
    description: "S3 decrypts the training data for SageMaker with the execution role's credentials",
    principal: { kind: 'sagemaker-execution-role' },
    network: { kind: 'forward-access', via: 's3' },
    calls: [{ action: 'kms:Decrypt', resource: '{bucket-key:Datasets}', context: { ...S3_VIA, 'kms:EncryptionContext:aws:s3:arn': DATASETS_BUCKET } }],
    requires: ['sagemaker-launcher', 'datasets'],
    source: [DOC.s3Kms, DOC.sagemakerRoles],
  },
  {
    id: 'sagemaker.model-write',
    description: "SageMaker uploads checkpoints and the model artifact with the execution role through the VPC's S3 endpoint",
    principal: { kind: 'sagemaker-execution-role' },
    network: { kind: 'vpc-endpoint', endpoint: 's3' },
    calls: [{ action: 's3:PutObject', resource: CHECKPOINT_OBJECT }],
    requires: ['sagemaker-launcher', 'checkpoints'],
    source: [DOC.sagemakerVpc, DOC.sagemakerRoles],
  },
  {
    id: 'sagemaker.model-write.kms',
    description: "S3 generates the data key of the model artifact with the execution role's credentials",
    principal: { kind: 'sagemaker-execution-role' },
    network: { kind: 'forward-access', via: 's3' },
    calls: [
      { action: 'kms:GenerateDataKey', resource: '{bucket-key:Checkpoints}', context: { ...S3_VIA, 'kms:EncryptionContext:aws:s3:arn': CHECKPOINTS_BUCKET } },
    ],
    requires: ['sagemaker-launcher', 'checkpoints'],
    source: [DOC.s3Kms, DOC.sagemakerRoles],
  },

  // ---- Correlator ----
  lambdaStart('correlator', 'Violations/Correlator', 'The correlator'),
  lambdaLogs('correlator', 'Violations/Correlator', 'The correlator'),
  {
    id: 'correlator.ledger',
    description: 'The correlator queries the episode ledger',
    principal: { kind: 'lambda', function: 'Violations/Correlator' },
    network: { kind: 'aws-network' },
    calls: [{ action: 'dynamodb:Query', resource: 'arn:{partition}:dynamodb:{region}:{account}:table/{table:Violations/Ledger}' }],
    source: [DOC.dynamodbKeys],
  },
  {
    id: 'correlator.publish',
    description: "The correlator publishes Black Hole Violations to the environment's bus",
    principal: { kind: 'lambda', function: 'Violations/Correlator' },
    network: { kind: 'aws-network' },
    calls: [
      {
        action: 'events:PutEvents',
        resource: 'arn:{partition}:events:{region}:{account}:event-bus/{bus:Violations/Bus}',
        context: { 'events:source': 'black-hole.telemetry', 'events:detail-type': 'Black Hole Violation' },
      },
    ],
    source: [DOC.eventsPutEvents],
  },
  {
    id: 'correlator.archive',
    description: 'The correlator archives violations in the flow-log bucket',
    principal: { kind: 'lambda', function: 'Violations/Correlator' },
    network: { kind: 'aws-network' },
    calls: [{ action: 's3:PutObject', resource: 'arn:{partition}:s3:::{bucket:Network/FlowLogBucket}/violations/2026/11/01/v-1.json' }],
    source: [DOC.s3Kms],
  },
  {
    id: 'correlator.archive.kms',
    description: "S3 generates the data key of the archived violation with the correlator's credentials",
    principal: { kind: 'lambda', function: 'Violations/Correlator' },
    network: { kind: 'forward-access', via: 's3' },
    calls: [
      {
        action: 'kms:GenerateDataKey',
        resource: '{bucket-key:Network/FlowLogBucket}',
        context: { ...S3_VIA, 'kms:EncryptionContext:aws:s3:arn': 'arn:{partition}:s3:::{bucket:Network/FlowLogBucket}' },
      },
    ],
    source: [DOC.s3Kms, DOC.kmsConditions],
  },
  {
    id: 'correlator.invoke',
    description: 'EventBridge rules and CloudWatch Logs subscriptions invoke the correlator',
    principal: { kind: 'service', service: 'events.amazonaws.com' },
    network: { kind: 'service-principal' },
    calls: [
      {
        action: 'lambda:InvokeFunction',
        resource: '{function-arn:Violations/Correlator}',
        context: { 'aws:SourceArn': '{rule-arn:Violations/GuardDutyRule}', 'aws:SourceAccount': '{account}' },
      },
      {
        action: 'lambda:InvokeFunction',
        resource: '{function-arn:Violations/Correlator}',
        context: { 'aws:SourceArn': '{rule-arn:Violations/DeniedCallRule}', 'aws:SourceAccount': '{account}' },
      },
    ],
    source: [DOC.eventsLambda],
  },
  {
    id: 'correlator.invoke-by-logs',
    description: 'CloudWatch Logs subscription filters (DNS blocks, egress flows) invoke the correlator',
    principal: { kind: 'service', service: 'logs.amazonaws.com' },
    network: { kind: 'service-principal' },
    calls: [
      {
        action: 'lambda:InvokeFunction',
        resource: '{function-arn:Violations/Correlator}',
        context: { 'aws:SourceArn': '{log-group-arn:Network/ResolverQueryLogs}:*', 'aws:SourceAccount': '{account}' },
      },
      {
        action: 'lambda:InvokeFunction',
        resource: '{function-arn:Violations/Correlator}',
        context: { 'aws:SourceArn': '{log-group-arn:FlowLogs/FlowLogGroup}:*', 'aws:SourceAccount': '{account}' },
      },
    ],
    source: [DOC.logsSubscription],
  },
  {
    id: 'violations.notify',
    description:
      'EventBridge delivers violations to the encrypted violation topic (SNS encrypts with the topic key). The sns:Publish request carries the rule as aws:SourceArn; the KMS requests carry neither aws:SourceArn nor aws:SourceAccount (SNS developer guide, key management: adding them to a KMS key policy "is not supported for EventBridge-to-encrypted topics")',
    principal: { kind: 'service', service: 'events.amazonaws.com' },
    network: { kind: 'service-principal' },
    calls: [
      {
        action: 'sns:Publish',
        resource: '{topic:Violations/Topic}',
        context: { 'aws:SourceArn': '{rule-arn:Violations/NotifyRule}', 'aws:SourceAccount': '{account}' },
      },
      { action: 'kms:GenerateDataKey', resource: '{topic-key:Violations/Topic}' },
      { action: 'kms:Decrypt', resource: '{topic-key:Violations/Topic}' },
    ],
    source: [DOC.eventsSns, DOC.snsKms],
  },
  {
    id: 'violations.alarms-notify',
    description: 'The flow-log alarms publish to the encrypted violation topic',
    principal: { kind: 'service', service: 'cloudwatch.amazonaws.com' },
    network: { kind: 'service-principal' },
    calls: [
      {
        action: 'sns:Publish',
        resource: '{topic:Violations/Topic}',
        context: { 'aws:SourceArn': '{alarm-arn:FlowLogs/RejectedFlowsAlarm}', 'aws:SourceAccount': '{account}' },
      },
      {
        action: 'kms:GenerateDataKey',
        resource: '{topic-key:Violations/Topic}',
        context: { 'aws:SourceArn': '{alarm-arn:FlowLogs/RejectedFlowsAlarm}', 'aws:SourceAccount': '{account}' },
      },
      {
        action: 'kms:Decrypt',
        resource: '{topic-key:Violations/Topic}',
        context: { 'aws:SourceArn': '{alarm-arn:FlowLogs/RejectedFlowsAlarm}', 'aws:SourceAccount': '{account}' },
      },
    ],
    source: [DOC.alarmSns, DOC.snsKms],
  },

  // ---- Responder ----
  lambdaStart('responder', 'Violations/Responder', 'The responder'),
  lambdaLogs('responder', 'Violations/Responder', 'The responder'),
  {
    id: 'responder.invoke',
    description: 'The containment rule invokes the responder',
    principal: { kind: 'service', service: 'events.amazonaws.com' },
    network: { kind: 'service-principal' },
    calls: [
      {
        action: 'lambda:InvokeFunction',
        resource: '{function-arn:Violations/Responder}',
        context: { 'aws:SourceArn': '{rule-arn:Violations/ContainmentRule}', 'aws:SourceAccount': '{account}' },
      },
    ],
    source: [DOC.eventsLambda],
  },
  {
    id: 'responder.revoke-sessions',
    description: 'The responder puts the session-revocation inline policy on the agent role',
    principal: { kind: 'lambda', function: 'Violations/Responder' },
    network: { kind: 'aws-network' },
    calls: [{ action: 'iam:PutRolePolicy', resource: '{role-arn:AgentRole}', requestedRegion: 'us-east-1' }],
    source: [DOC.iamPutRolePolicy],
  },
  {
    id: 'responder.quarantine',
    description: "The responder finds the instance's network interfaces and swaps their security groups for the quarantine group",
    principal: { kind: 'lambda', function: 'Violations/Responder' },
    network: { kind: 'aws-network' },
    calls: [
      { action: 'ec2:DescribeNetworkInterfaces', resource: '*' },
      {
        action: 'ec2:ModifyNetworkInterfaceAttribute',
        resource: 'arn:{partition}:ec2:{region}:{account}:network-interface/eni-0123456789abcdef0',
        context: { 'ec2:Vpc': 'arn:{partition}:ec2:{region}:{account}:vpc/{vpc}' },
      },
      {
        action: 'ec2:ModifyNetworkInterfaceAttribute',
        resource: 'arn:{partition}:ec2:{region}:{account}:security-group/{sg:Violations/QuarantineSecurityGroup}',
        context: { 'ec2:Vpc': 'arn:{partition}:ec2:{region}:{account}:vpc/{vpc}' },
      },
    ],
    source: [DOC.ec2Keys],
  },
  {
    id: 'responder.stop-with-evidence',
    description: "The responder snapshots the instance's volumes for evidence, then stops the instance",
    principal: { kind: 'lambda', function: 'Violations/Responder' },
    network: { kind: 'aws-network' },
    // One CreateSnapshots call (crash-consistent, every volume of the instance, tags on create) is
    // authorised on the instance, each of its volumes and each new snapshot.
    calls: [
      {
        action: 'ec2:CreateSnapshots',
        resource: 'arn:{partition}:ec2:{region}:{account}:instance/i-0123456789abcdef0',
        context: { [`aws:ResourceTag/${ENV_TAG}`]: '{environment}' },
      },
      { action: 'ec2:CreateSnapshots', resource: 'arn:{partition}:ec2:{region}:{account}:volume/vol-0123456789abcdef0' },
      {
        action: 'ec2:CreateSnapshots',
        resource: 'arn:{partition}:ec2:{region}::snapshot/*',
        context: { [`aws:RequestTag/${ENV_TAG}`]: '{environment}', 'aws:TagKeys': [ENV_TAG, 'black-hole:violation'] },
      },
      {
        action: 'ec2:CreateTags',
        resource: 'arn:{partition}:ec2:{region}::snapshot/*',
        context: { 'ec2:CreateAction': 'CreateSnapshots', [`aws:RequestTag/${ENV_TAG}`]: '{environment}' },
      },
      {
        action: 'ec2:StopInstances',
        resource: 'arn:{partition}:ec2:{region}:{account}:instance/i-0123456789abcdef0',
        context: { [`aws:ResourceTag/${ENV_TAG}`]: '{environment}' },
      },
    ],
    source: [DOC.ebsSnapshot, DOC.ec2CreateSnapshots, DOC.ec2Keys],
  },
  {
    id: 'responder.hold-in-group',
    description:
      "The responder suspends the Auto Scaling group's replacement and detaches the instance, so a stopped instance is not replaced with fresh credentials",
    principal: { kind: 'lambda', function: 'Violations/Responder' },
    network: { kind: 'aws-network' },
    calls: [
      { action: 'autoscaling:DescribeAutoScalingInstances', resource: '*' },
      ...['autoscaling:SuspendProcesses', 'autoscaling:SetInstanceProtection', 'autoscaling:DetachInstances'].map((action) => ({
        action,
        resource:
          'arn:{partition}:autoscaling:{region}:{account}:autoScalingGroup:11111111-2222-3333-4444-555555555555:autoScalingGroupName/{asg:GpuFleet/Group}',
        context: { [`aws:ResourceTag/${ENV_TAG}`]: '{environment}' },
      })),
    ],
    requires: ['fleet'],
    source: [DOC.asgSuspend, DOC.asgDetach, DOC.asgKeys],
  },
  {
    id: 'responder.stop-training-job',
    description: "The responder stops the environment's SageMaker training jobs",
    principal: { kind: 'lambda', function: 'Violations/Responder' },
    network: { kind: 'aws-network' },
    calls: [{ action: 'sagemaker:StopTrainingJob', resource: TRAINING_JOB, context: { [`aws:ResourceTag/${ENV_TAG}`]: '{environment}' } }],
    source: [DOC.sagemakerKeys],
  },

  // ---- Billing: stop function, budget actions, alarms ----
  lambdaStart('billing-stop', 'BillingGuard/StopCompute', 'The billing stop function'),
  lambdaLogs('billing-stop', 'BillingGuard/StopCompute', 'The billing stop function'),
  {
    id: 'billing-stop.invoke-by-alarm',
    description: 'A GPU usage alarm invokes the stop function directly (Lambda alarm action)',
    principal: { kind: 'service', service: 'lambda.alarms.cloudwatch.amazonaws.com' },
    network: { kind: 'service-principal' },
    calls: [
      {
        action: 'lambda:InvokeFunction',
        resource: '{function-arn:BillingGuard/StopCompute}',
        context: { 'aws:SourceArn': '{alarm-arn:BillingGuard/Usage}', 'aws:SourceAccount': '{account}' },
      },
    ],
    requires: ['fleet'],
    source: [DOC.alarmLambda],
  },
  {
    id: 'billing-stop.invoke-by-budget',
    description: 'A budget notification on the billing topic invokes the stop function (SNS subscription), so the budget also stops running compute',
    principal: { kind: 'service', service: 'sns.amazonaws.com' },
    network: { kind: 'service-principal' },
    calls: [
      {
        action: 'lambda:InvokeFunction',
        resource: '{function-arn:BillingGuard/StopCompute}',
        context: { 'aws:SourceArn': '{topic:BillingGuard/Topic}', 'aws:SourceAccount': '{account}' },
      },
    ],
    requires: ['fleet'],
    source: [DOC.snsLambda],
  },
  {
    id: 'billing-stop.stop-compute',
    description:
      "The stop function holds the environment's groups (suspends replacement, detaches the instances: a stopped instance in a group is otherwise replaced and its root volume deleted), stops its instances and its training jobs",
    principal: { kind: 'lambda', function: 'BillingGuard/StopCompute' },
    network: { kind: 'aws-network' },
    calls: [
      { action: 'autoscaling:DescribeAutoScalingGroups', resource: '*' },
      ...['autoscaling:SuspendProcesses', 'autoscaling:SetInstanceProtection', 'autoscaling:DetachInstances'].map((action) => ({
        action,
        resource:
          'arn:{partition}:autoscaling:{region}:{account}:autoScalingGroup:11111111-2222-3333-4444-555555555555:autoScalingGroupName/{asg:GpuFleet/Group}',
        context: { [`aws:ResourceTag/${ENV_TAG}`]: '{environment}' },
      })),
      { action: 'ec2:DescribeInstances', resource: '*' },
      {
        action: 'ec2:StopInstances',
        resource: 'arn:{partition}:ec2:{region}:{account}:instance/i-0123456789abcdef0',
        context: { [`aws:ResourceTag/${ENV_TAG}`]: '{environment}' },
      },
      { action: 'sagemaker:StopTrainingJob', resource: TRAINING_JOB, context: { [`aws:ResourceTag/${ENV_TAG}`]: '{environment}' } },
    ],
    requires: ['fleet'],
    source: [DOC.asgSuspend, DOC.asgDetach, DOC.asgKeys, DOC.ec2Keys, DOC.sagemakerKeys],
  },
  {
    id: 'budget.assume-execution-role',
    description: 'AWS Budgets assumes the budget action execution role',
    principal: { kind: 'service', service: 'budgets.amazonaws.com' },
    network: { kind: 'service-principal' },
    calls: [
      {
        action: 'sts:AssumeRole',
        resource: '{budget-execution-role-arn}',
        context: { 'aws:SourceAccount': '{account}', 'aws:SourceArn': 'arn:{partition}:budgets::{account}:budget/{budget:BillingGuard/Budget}' },
      },
    ],
    source: [DOC.budgetsRole],
  },
  {
    id: 'budget.apply-deny-policy',
    description: 'At 100 % AWS Budgets attaches the deny-all policy to the agent roles with the execution role',
    principal: { kind: 'budget-execution-role' },
    network: { kind: 'aws-network' },
    calls: [
      {
        action: 'iam:AttachRolePolicy',
        resource: '{role-arn:AgentRole}',
        context: { 'iam:PolicyARN': '{managed-policy:BillingGuard/DenyAllPolicy}' },
        requestedRegion: 'us-east-1',
      },
    ],
    source: [DOC.budgetsPolicies, DOC.budgetsRole],
  },
  {
    id: 'budget.notify',
    description: 'AWS Budgets publishes its notifications to the encrypted billing topic',
    principal: { kind: 'service', service: 'budgets.amazonaws.com' },
    network: { kind: 'service-principal' },
    calls: [
      {
        action: 'sns:Publish',
        resource: '{topic:BillingGuard/Topic}',
        context: { 'aws:SourceAccount': '{account}', 'aws:SourceArn': 'arn:{partition}:budgets::{account}:budget/{budget:BillingGuard/Budget}' },
      },
      // AWS documents no aws:SourceAccount/aws:SourceArn for the KMS requests of an encrypted topic's
      // publisher other than the services the SNS key-management page lists (Budgets is not one):
      // the proof assumes none are sent, so no key statement may depend on them.
      ...['kms:GenerateDataKey', 'kms:Decrypt'].map((action) => ({ action, resource: '{topic-key:BillingGuard/Topic}' })),
    ],
    source: [DOC.budgetsSns, DOC.snsKms],
  },
  {
    id: 'trail.deliver',
    description:
      "CloudTrail writes the management-event log files, encrypted with the trail's key, to the trail bucket (the evidence of denied calls); it describes the key when the trail is created or updated",
    principal: { kind: 'service', service: 'cloudtrail.amazonaws.com' },
    network: { kind: 'service-principal' },
    calls: [
      {
        action: 'kms:DescribeKey',
        resource: '{bucket-key:BlackHoleManagementEventTrail/Bucket}',
        context: { 'aws:SourceArn': '{trail-arn:BlackHoleManagementEventTrail}' },
      },
      {
        action: 'kms:GenerateDataKey',
        resource: '{bucket-key:BlackHoleManagementEventTrail/Bucket}',
        context: {
          'aws:SourceArn': '{trail-arn:BlackHoleManagementEventTrail}',
          'kms:EncryptionContext:aws:cloudtrail:arn': '{trail-arn:BlackHoleManagementEventTrail}',
        },
      },
      {
        action: 's3:GetBucketAcl',
        resource: 'arn:{partition}:s3:::{bucket:BlackHoleManagementEventTrail/Bucket}',
        context: { 'aws:SourceArn': '{trail-arn:BlackHoleManagementEventTrail}' },
      },
      {
        action: 's3:PutObject',
        resource: 'arn:{partition}:s3:::{bucket:BlackHoleManagementEventTrail/Bucket}/AWSLogs/{account}/CloudTrail/{region}/2026/11/29/log.json.gz',
        context: { 'aws:SourceArn': '{trail-arn:BlackHoleManagementEventTrail}', 's3:x-amz-acl': 'bucket-owner-full-control' },
      },
    ],
    source: [DOC.cloudTrailKms, DOC.cloudTrailBucket],
  },
  {
    id: 'billing.alarms-notify',
    description: 'The GPU usage alarms publish to the encrypted billing topic',
    principal: { kind: 'service', service: 'cloudwatch.amazonaws.com' },
    network: { kind: 'service-principal' },
    calls: [
      {
        action: 'sns:Publish',
        resource: '{topic:BillingGuard/Topic}',
        context: { 'aws:SourceArn': '{alarm-arn:BillingGuard/Usage}', 'aws:SourceAccount': '{account}' },
      },
      ...['kms:GenerateDataKey', 'kms:Decrypt'].map((action) => ({
        action,
        resource: '{topic-key:BillingGuard/Topic}',
        context: { 'aws:SourceArn': '{alarm-arn:BillingGuard/Usage}', 'aws:SourceAccount': '{account}' },
      })),
    ],
    requires: ['fleet'],
    source: [DOC.alarmSns, DOC.snsKms],
  },

  // ---- CloudFormation custom resources of the stack ----
  {
    id: 'custom-resource.restrict-default-sg',
    description: "The VPC's RestrictDefaultSecurityGroup custom resource removes the default security group's rules at deploy time",
    principal: { kind: 'custom-resource', rolePrefix: 'CustomVpcRestrictDefaultSGCustomResourceProviderRole', label: 'Custom::VpcRestrictDefaultSG provider' },
    network: { kind: 'aws-network' },
    calls: ['ec2:RevokeSecurityGroupIngress', 'ec2:RevokeSecurityGroupEgress'].map((action) => ({
      action,
      resource: 'arn:{partition}:ec2:{region}:{account}:security-group/{default-sg}',
    })),
    source: [DOC.cdkRestrictDefaultSg],
  },
  {
    id: 'custom-resource.s3-prefix-list-lookup',
    description: "The S3 prefix-list lookup (AwsCustomResource) reads the region's S3 managed prefix list at deploy time",
    principal: { kind: 'custom-resource', rolePrefix: 'AWS679f53fac002430cb0da5b7982bd2287ServiceRole', label: 'AwsCustomResource provider' },
    network: { kind: 'aws-network' },
    calls: [{ action: 'ec2:DescribeManagedPrefixLists', resource: '*' }],
    source: [DOC.cdkAwsCustomResource],
  },
] satisfies WorkloadFlow[]);

/** One line per network path, for the documentation table. */
export function describeNetworkPath(path: NetworkPath): string {
  switch (path.kind) {
    case 'vpc-endpoint':
      return `inside the VPC, through the ${path.endpoint} endpoint`;
    case 'aws-network':
      return "from AWS's own network";
    case 'forward-access':
      return `forward access session of ${path.via} (aws:ViaAWSService)`;
    case 'service-principal':
      return 'AWS service principal';
  }
}

/** One line per principal, for the documentation table. */
export function describePrincipal(principal: FlowPrincipal): string {
  switch (principal.kind) {
    case 'fleet-instance':
      return 'agent role (fleet instance credentials)';
    case 'sagemaker-execution-role':
      return "SageMaker with the job's execution role";
    case 'launcher':
      return 'launcher role';
    case 'lambda':
      return `Lambda ${principal.function} execution role`;
    case 'budget-execution-role':
      return 'AWS Budgets with the budget action execution role';
    case 'custom-resource':
      return `${principal.label} role`;
    case 'service':
      return principal.service;
    case 'ecr-layer-signer':
      return 'ECR service account (pre-signed URL)';
  }
}
