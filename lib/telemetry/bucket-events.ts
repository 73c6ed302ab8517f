import * as s3 from 'aws-cdk-lib/aws-s3';

/**
 * Sends the bucket's object-level events (created, deleted, restored, ...) to the account's default
 * EventBridge bus, where a rule can react to a log being deleted. Set on the CloudFormation bucket
 * itself: the L2 `eventBridgeEnabled` would add aws-cdk-lib's notifications custom-resource Lambda
 * for what is one bucket property.
 */
export function sendObjectEventsToEventBridge(bucket: s3.Bucket): void {
  const cfn = bucket.node.defaultChild as s3.CfnBucket;
  cfn.notificationConfiguration = { eventBridgeConfiguration: { eventBridgeEnabled: true } };
}
