import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as cloudtrail from 'aws-cdk-lib/aws-cloudtrail';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { createAccessLogBucket, createEvidenceBucket, deliverAccessLogsByBucketPolicy } from '../common/evidence-buckets';
import { denyGrantsExceptForAwsResourcesStatement } from '../identity/key-policies';

/**
 * A CloudTrail trail of the account's management events (read and write) in the stack's region,
 * so that EventBridge receives `AWS API Call via CloudTrail` events at all: without a trail that
 * logs them, the violation stream's denied-call rule never fires
 * (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-service-event-cloudtrail.html).
 *
 * Evidence like the flow logs: a dedicated KMS key (rotated, retained; only CloudTrail of this
 * account encrypts with it) and an evidence bucket (KMS, versioned, TLS-only, private, access-logged
 * to its own access-log bucket, colder storage after 30 days, object events to EventBridge,
 * retained), log file integrity validation on, no CloudWatch Logs copy (EventBridge already gets
 * the events; a copy would bill ingestion of every management event).
 *
 * Single-region: a trail in one region sees that region's calls; IAM, STS and other global services
 * are logged (and reach EventBridge) in us-east-1 only.
 *
 * Cost: the first copy of management events in a region is free; this trail is a paid copy
 * ($2.00 per 100,000 events) when the account already has one there, and there are at most five
 * trails per region. Plus S3 storage and requests and KMS requests for the log files.
 * https://aws.amazon.com/cloudtrail/pricing/
 *
 * One per stack: {@link ManagementEventTrail.of} creates it the first time and shares it, so many
 * environments in one stack make one trail.
 */
export class ManagementEventTrail extends Construct {
  /** The stack's trail, created at the stack's root the first time it is asked for. */
  public static of(scope: Construct): ManagementEventTrail {
    const stack = Stack.of(scope);
    const existing = stack.node.tryFindChild(ManagementEventTrail.ID);
    return existing instanceof ManagementEventTrail ? existing : new ManagementEventTrail(stack, ManagementEventTrail.ID);
  }

  private static readonly ID = 'BlackHoleManagementEventTrail';

  /** The trail: single-region read and write management events, KMS-encrypted, log file validation on. */
  public readonly trail: cloudtrail.Trail;
  /** The retained, KMS-encrypted bucket the trail writes to. */
  public readonly bucket: s3.Bucket;
  /** Server access logs of the trail bucket. */
  public readonly accessLogBucket: s3.Bucket;
  /** The key that encrypts the trail and its bucket. */
  public readonly key: kms.Key;

  private constructor(scope: Construct, id: string) {
    super(scope, id);
    deliverAccessLogsByBucketPolicy(this);
    const stack = Stack.of(this);

    this.key = new kms.Key(this, 'Key', {
      description: 'CloudTrail management events (black hole violation stream)',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // https://docs.aws.amazon.com/awscloudtrail/latest/userguide/create-kms-key-policy-for-cloudtrail.html:
    // the keys that page conditions on, aws:SourceArn and the encryption context, for trails of this
    // account and Region (a pattern, not the trail's ARN: the trail depends on the key).
    const trails = `arn:${stack.partition}:cloudtrail:${stack.region}:${stack.account}:trail/*`;
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowCloudTrailToEncryptLogs',
        principals: [new iam.ServicePrincipal('cloudtrail.amazonaws.com')],
        actions: ['kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: {
          ArnLike: { 'aws:SourceArn': trails },
          StringLike: { 'kms:EncryptionContext:aws:cloudtrail:arn': `arn:${stack.partition}:cloudtrail:*:${stack.account}:trail/*` },
        },
      }),
    );
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowCloudTrailToDescribeKey',
        principals: [new iam.ServicePrincipal('cloudtrail.amazonaws.com')],
        actions: ['kms:DescribeKey'],
        resources: ['*'],
        conditions: { ArnLike: { 'aws:SourceArn': trails } },
      }),
    );
    this.key.addToResourcePolicy(denyGrantsExceptForAwsResourcesStatement());

    this.accessLogBucket = createAccessLogBucket(this, 'AccessLogBucket');
    this.bucket = createEvidenceBucket(this, 'Bucket', {
      key: this.key,
      accessLogs: this.accessLogBucket,
      accessLogsPrefix: 'cloudtrail-bucket/',
      transition: { storageClass: s3.StorageClass.INTELLIGENT_TIERING, after: Duration.days(30) },
    });

    this.trail = new cloudtrail.Trail(this, 'Trail', {
      bucket: this.bucket,
      encryptionKey: this.key,
      isMultiRegionTrail: false,
      includeGlobalServiceEvents: true,
      managementEvents: cloudtrail.ReadWriteType.ALL,
      enableFileValidation: true,
      sendToCloudWatchLogs: false,
    });
    // CT.CLOUDTRAIL.PR.3.
    Validations.of(this.trail).acknowledge({
      id: 'cdk-validator-cfnguard::cloud_trail_cloud_watch_logs_enabled_check',
      reason:
        'The trail exists so that EventBridge receives the API calls (the violation stream acts on them in real time); ' +
        'a CloudWatch Logs copy would bill ingestion of every management event for no further detection. Logs are in the retained, validated S3 bucket.',
    });
  }
}
