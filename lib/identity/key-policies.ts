import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as sns from 'aws-cdk-lib/aws-sns';

/**
 * Key-policy statements every key of the library carries. One module, so that the black hole's
 * keys (logs, billing notifications, telemetry) cannot drift apart.
 */

/**
 * Denies `kms:CreateGrant` unless the grant is for an AWS resource (EBS, DynamoDB, Lambda, ...
 * creating grants on a caller's behalf) or the caller is an AWS service: a grant is a second,
 * policy-invisible way to hand out key use, so nobody may mint one for a principal of their choice.
 * This is the statement AWS Control Tower's proactive control CT.KMS.PR.3 asks for.
 */
export function denyGrantsExceptForAwsResourcesStatement(): iam.PolicyStatement {
  return new iam.PolicyStatement({
    sid: 'DenyGrantsExceptForAwsResources',
    effect: iam.Effect.DENY,
    principals: [new iam.AnyPrincipal()],
    actions: ['kms:CreateGrant'],
    resources: ['*'],
    conditions: { BoolIfExists: { 'kms:GrantIsForAWSResource': 'false', 'aws:PrincipalIsAWSService': 'false' } },
  });
}

/**
 * Lets this account's CloudWatch alarms publish to an encrypted topic: data keys on the topic's key
 * and sns:Publish on the topic, both for this account (aws:SourceAccount), the topic for alarms of
 * this account and Region (aws:SourceArn). The SNS key-management guide lists CloudWatch among the
 * services that send both keys.
 * https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html#compatibility-with-aws-services
 */
export function allowCloudWatchAlarmsToPublish(topic: sns.ITopic, key: kms.IKey): void {
  const stack = Stack.of(topic);
  key.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: 'AllowCloudWatchAlarmsToPublishEncrypted',
      principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
      actions: ['kms:GenerateDataKey*', 'kms:Decrypt'],
      resources: ['*'],
      conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
    }),
  );
  topic.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: 'AllowCloudWatchAlarmsToPublish',
      principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
      actions: ['sns:Publish'],
      resources: [topic.topicArn],
      conditions: {
        StringEquals: { 'aws:SourceAccount': stack.account },
        ArnLike: { 'aws:SourceArn': `arn:${stack.partition}:cloudwatch:${stack.region}:${stack.account}:alarm:*` },
      },
    }),
  );
}

/** Lets CloudWatch Logs encrypt the log groups of this stack's account and region with the key. */
export function cloudWatchLogsKeyStatement(stack: Stack): iam.PolicyStatement {
  return new iam.PolicyStatement({
    sid: 'AllowCloudWatchLogsToEncrypt',
    principals: [new iam.ServicePrincipal(`logs.${stack.region}.amazonaws.com`)],
    actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
    resources: ['*'],
    conditions: { ArnLike: { 'kms:EncryptionContext:aws:logs:arn': `arn:${stack.partition}:logs:${stack.region}:${stack.account}:log-group:*` } },
  });
}

/** Lets log delivery (flow logs to S3) encrypt with the key, for this account only. */
export function logDeliveryKeyStatement(stack: Stack): iam.PolicyStatement {
  return new iam.PolicyStatement({
    sid: 'AllowLogDeliveryToEncrypt',
    principals: [new iam.ServicePrincipal('delivery.logs.amazonaws.com')],
    actions: ['kms:Encrypt', 'kms:Decrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:DescribeKey'],
    resources: ['*'],
    conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
  });
}
