import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as cxapi from 'aws-cdk-lib/cx-api';
import { Construct } from 'constructs';
import { sendObjectEventsToEventBridge } from '../telemetry/bucket-events';

/**
 * The one place that says how the black hole keeps evidence in S3: the buckets that receive flow
 * logs and their server access logs. BlackHoleVpc and a standalone FlowLogPipeline both use it, so
 * their protections cannot drift apart. Nothing here is ever deleted with the stack.
 */

/**
 * Server access logs reach the access-log bucket by bucket policy, whatever the app's feature flags
 * say: the ACL alternative (LogDeliveryWrite, ObjectWriter) would re-enable ACLs on a log bucket.
 * Call first in the constructor, before any child exists.
 */
export function deliverAccessLogsByBucketPolicy(scope: Construct): void {
  scope.node.setContext(cxapi.S3_SERVER_ACCESS_LOGS_USE_BUCKET_POLICY, true);
}

/**
 * The terminal bucket of server access logs: SSE-S3 (access logging delivers only there), private,
 * TLS-only, versioned, no ACLs, colder storage after 30 days, object events to EventBridge, retained.
 */
export function createAccessLogBucket(scope: Construct, id: string): s3.Bucket {
  const bucket = new s3.Bucket(scope, id, {
    encryption: s3.BucketEncryption.S3_MANAGED,
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    enforceSSL: true,
    versioned: true,
    objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
    removalPolicy: RemovalPolicy.RETAIN,
    lifecycleRules: [{ id: 'ColderStorage', transitions: [{ storageClass: s3.StorageClass.INTELLIGENT_TIERING, transitionAfter: Duration.days(30) }] }],
  });
  sendObjectEventsToEventBridge(bucket);
  // CT.S3.PR.2, CT.S3.PR.9, CT.S3.PR.10 (docs/COMPLIANCE.md).
  Validations.of(bucket).acknowledge(
    {
      id: 'cdk-validator-cfnguard::s3_bucket_logging_enabled_check',
      reason: 'This is the terminal server-access-log bucket: logging it to itself loops, logging it elsewhere only moves the question to another bucket.',
    },
    {
      id: 'cdk-validator-cfnguard::s3_bucket_default_encryption_kms_check',
      reason: 'S3 server access logging delivers only to targets encrypted with SSE-S3 (AES256), not SSE-KMS.',
    },
    {
      id: 'cdk-validator-cfnguard::s3_bucket_object_lock_enabled_check',
      reason:
        'S3 server access logging does not deliver to a bucket with an Object Lock default retention, and Object Lock without it protects nothing; the bucket is versioned and retained.',
    },
  );
  return bucket;
}

export interface EvidenceBucketOptions {
  readonly key: kms.IKey;
  readonly accessLogs: s3.IBucket;
  readonly accessLogsPrefix: string;
  /** Storage class transition of current and noncurrent versions. */
  readonly transition: { readonly storageClass: s3.StorageClass; readonly after: Duration };
  /** Object Lock default retention; without it, the owner's choice is acknowledged with its reason. */
  readonly objectLock?: s3.ObjectLockRetention;
}

/**
 * A bucket of evidence (flow logs, the violation archive): KMS-encrypted with a bucket key, private,
 * TLS-only, versioned, no ACLs, access-logged, colder storage, object events to EventBridge,
 * retained, Object Lock when asked.
 */
export function createEvidenceBucket(scope: Construct, id: string, options: EvidenceBucketOptions): s3.Bucket {
  const bucket = new s3.Bucket(scope, id, {
    encryption: s3.BucketEncryption.KMS,
    encryptionKey: options.key,
    bucketKeyEnabled: true,
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    enforceSSL: true,
    versioned: true,
    objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
    serverAccessLogsBucket: options.accessLogs,
    serverAccessLogsPrefix: options.accessLogsPrefix,
    removalPolicy: RemovalPolicy.RETAIN,
    ...(options.objectLock ? { objectLockEnabled: true, objectLockDefaultRetention: options.objectLock } : {}),
    lifecycleRules: [
      {
        id: 'ColderStorage',
        transitions: [{ storageClass: options.transition.storageClass, transitionAfter: options.transition.after }],
        noncurrentVersionTransitions: [{ storageClass: options.transition.storageClass, transitionAfter: options.transition.after }],
      },
    ],
  });
  sendObjectEventsToEventBridge(bucket);
  if (!options.objectLock) {
    Validations.of(bucket).acknowledge({
      id: 'cdk-validator-cfnguard::s3_bucket_object_lock_enabled_check',
      reason:
        'Object Lock retention makes evidence undeletable for its whole period (COMPLIANCE mode: even by root), a data-retention decision left to the owner; ' +
        'the bucket is versioned (a deletion leaves the previous version) and retained, and deletions go to EventBridge (the violation stream alerts on them).',
    });
  }
  return bucket;
}
