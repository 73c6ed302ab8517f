import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { BlackHoleVpc } from '../../lib/network';
import { FlowLogPipeline } from '../../lib/telemetry';

/**
 * BlackHoleVpc and a standalone FlowLogPipeline keep evidence in buckets from one module: their
 * protections must be the same (they drifted once, when only one of them was fixed).
 */
function bucketsOf(build: (stack: Stack) => void): { access: any; evidence: any } {
  const app = new App();
  const stack = new Stack(app, 'S');
  build(stack);
  const buckets = Object.entries(Template.fromStack(stack).findResources('AWS::S3::Bucket'));
  const access = buckets.find(([id]) => /AccessLogBucket/.test(id))![1].Properties;
  const evidence = buckets.find(([, b]: [string, any]) => b.Properties.LoggingConfiguration)![1].Properties;
  return { access, evidence };
}

const strip = (p: any) => {
  const { LoggingConfiguration, LifecycleConfiguration, BucketEncryption, Tags, ...rest } = p;
  return { ...rest, sse: BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault.SSEAlgorithm, logged: !!LoggingConfiguration };
};

test('the VPC and a standalone pipeline protect their access-log and evidence buckets the same way', () => {
  const vpcBuckets = bucketsOf((s) => new BlackHoleVpc(s, 'Net', { environmentName: 'team-a' }));
  const pipelineBuckets = bucketsOf(
    (s) =>
      new FlowLogPipeline(s, 'Logs', {
        vpc: new ec2.Vpc(s, 'Plain', { natGateways: 0, subnetConfiguration: [{ name: 'i', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }] }),
        environmentName: 'team-a',
      }),
  );
  expect(strip(pipelineBuckets.access)).toEqual(strip(vpcBuckets.access));
  expect(strip(pipelineBuckets.evidence)).toEqual(strip(vpcBuckets.evidence));
  for (const b of [vpcBuckets.access, pipelineBuckets.access]) {
    expect(b.OwnershipControls).toEqual({ Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] });
    expect(b.LifecycleConfiguration.Rules[0].Transitions[0].StorageClass).toBe('INTELLIGENT_TIERING');
    expect(b.NotificationConfiguration).toEqual({ EventBridgeConfiguration: { EventBridgeEnabled: true } });
  }
  expect(pipelineBuckets.evidence.BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault.SSEAlgorithm).toBe('aws:kms');
});
