import { Duration, RemovalPolicy, Stack, Tags, Token, Validations } from 'aws-cdk-lib';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { createAccessLogBucket, createEvidenceBucket, deliverAccessLogsByBucketPolicy } from '../common/evidence-buckets';
import { ENVIRONMENT_TAG } from '../common/tags';
import { PropsValidator } from '../common/validation';
import { cloudWatchLogsKeyStatement, denyGrantsExceptForAwsResourcesStatement } from '../identity/key-policies';
import type { AgentRole } from '../identity/agent-role';

/** Properties of {@link TrainingData}. */
export interface TrainingDataProps {
  /** Name of the environment the data belongs to; tagged `black-hole:environment`. */
  readonly environmentName: string;

  /**
   * CloudWatch namespace the agents may publish their own metrics to.
   * @default 'BlackHole/Training'
   */
  readonly metricNamespace?: string;

  /**
   * How long training logs stay in CloudWatch Logs (the group is retained when the stack is deleted).
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly logRetention?: logs.RetentionDays;
}

/**
 * What a training environment reads and writes: a datasets bucket (agents read), a checkpoints
 * bucket (agents write, never delete), a private ECR repository for the training images (images are
 * mirrored into it: the black hole has no route to public registries), and a training log group. All
 * encrypted (buckets and logs with one customer managed key, images with AES-256), private, TLS-only, versioned, access-logged and retained
 * when the stack is deleted. {@link TrainingData.grantTrainingAccess} gives an agent role exactly the
 * workload's needs through the least-privilege `AgentRole.grant*` helpers.
 */
export class TrainingData extends Construct {
  /** Key of the datasets, checkpoints, images and training logs. */
  public readonly key: kms.Key;
  /** Datasets: agents read. */
  public readonly datasets: s3.Bucket;
  /** Checkpoints and results: agents write (no delete). */
  public readonly checkpoints: s3.Bucket;
  /** Server access logs of both buckets. */
  public readonly accessLogs: s3.Bucket;
  /** Training images, mirrored here from wherever they are built. */
  public readonly images: ecr.Repository;
  /** Training output of the agents' compute. */
  public readonly logGroup: logs.LogGroup;
  /** Namespace of the agents' own metrics. */
  public readonly metricNamespace: string;

  constructor(scope: Construct, id: string, props: TrainingDataProps) {
    super(scope, id);
    deliverAccessLogsByBucketPolicy(this);
    const namespace = props.metricNamespace ?? 'BlackHole/Training';
    const v = new PropsValidator('TrainingData');
    v.check(typeof props.environmentName === 'string' && props.environmentName.length > 0, 'environmentName', 'is required');
    v.check(
      Token.isUnresolved(namespace) || (/^[^:].{0,254}$/.test(namespace) && !namespace.startsWith('AWS/')),
      'metricNamespace',
      `'${namespace}' must be 1-255 characters, not start with ':' and not be an AWS/ namespace`,
    );
    v.throwIfAny();
    this.metricNamespace = namespace;

    this.key = new kms.Key(this, 'Key', {
      description: `Training data of black hole ${props.environmentName}`,
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.key.addToResourcePolicy(denyGrantsExceptForAwsResourcesStatement());
    // CloudWatch Logs encrypts the training log group with this key.
    this.key.addToResourcePolicy(cloudWatchLogsKeyStatement(Stack.of(this)));
    this.accessLogs = createAccessLogBucket(this, 'AccessLogs');
    const transition = { storageClass: s3.StorageClass.INTELLIGENT_TIERING, after: Duration.days(30) };
    this.datasets = createEvidenceBucket(this, 'Datasets', { key: this.key, accessLogs: this.accessLogs, accessLogsPrefix: 'datasets/', transition });
    this.checkpoints = createEvidenceBucket(this, 'Checkpoints', { key: this.key, accessLogs: this.accessLogs, accessLogsPrefix: 'checkpoints/', transition });
    this.images = new ecr.Repository(this, 'Images', {
      imageTagMutability: ecr.TagMutability.IMMUTABLE,
      imageScanOnPush: true,
      // AES-256 (ECR's default): a KMS repository key would need ECR's grants on the key.
      encryption: ecr.RepositoryEncryption.AES_256,
      removalPolicy: RemovalPolicy.RETAIN,
      // Tags are immutable, so untagged images are only failed or superseded pushes, never what a run used.
      lifecycleRules: [{ description: 'Expire untagged images', tagStatus: ecr.TagStatus.UNTAGGED, maxImageAge: Duration.days(30) }],
    });
    this.logGroup = new logs.LogGroup(this, 'TrainingLogs', {
      retention: props.logRetention ?? logs.RetentionDays.ONE_YEAR,
      encryptionKey: this.key,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Tags.of(this).add(ENVIRONMENT_TAG, props.environmentName);
  }

  /**
   * Everything the training workload of `role` needs, least privilege: read datasets (optionally
   * one prefix), write checkpoints, pull images, write training logs, publish metrics to the
   * namespace. Each grant goes through the `AgentRole` helper, which refuses escape actions.
   */
  public grantTrainingAccess(role: AgentRole, options: { readonly datasetPrefix?: string; readonly checkpointPrefix?: string } = {}): void {
    role.grantReadDatasets(this.datasets, options.datasetPrefix);
    role.grantWriteCheckpoints(this.checkpoints, options.checkpointPrefix);
    role.grantPullImages(this.images);
    role.grantWriteLogs(this.logGroup);
    role.grantPutMetrics(this.metricNamespace);
    const policy = role.node.tryFindChild('DefaultPolicy');
    if (policy) {
      const stack = Stack.of(this);
      const arnOf = (bucket: s3.Bucket) => `<${stack.resolve(stack.getLogicalId(bucket.node.defaultChild as s3.CfnBucket))}.Arn>`;
      const objects = 'Objects under one key prefix: the keys of datasets and checkpoints are not known in advance.';
      Validations.of(policy).acknowledge(
        { id: `AwsSolutions-IAM5[Resource::${arnOf(this.datasets)}/${options.datasetPrefix ?? ''}*]`, reason: objects },
        { id: `AwsSolutions-IAM5[Resource::${arnOf(this.checkpoints)}/${options.checkpointPrefix ?? ''}*]`, reason: objects },
        {
          id: 'AwsSolutions-IAM5[Resource::*]',
          reason:
            'ecr:GetAuthorizationToken has no resource; cloudwatch:PutMetricData has none either and is confined to one namespace by cloudwatch:namespace.',
        },
      );
    }
  }
}
