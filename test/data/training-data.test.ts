import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { BlackHoleVpc } from '../../lib/network/black-hole-vpc';
import { TrainingData } from '../../lib/data/training-data';
import { AgentBoundary } from '../../lib/identity/agent-boundary';
import { AgentRole } from '../../lib/identity/agent-role';
import { synthWithPeerChecks } from '../peer/helpers';

function build(): { app: App; stack: Stack; data: TrainingData; role: AgentRole } {
  const app = new App();
  const stack = new Stack(app, 'Data', { env: { account: '111122223333', region: 'eu-west-1' } });
  const network = new BlackHoleVpc(stack, 'Network', { environmentName: 'team-a' });
  const boundary = new AgentBoundary(stack, 'Boundary', { environmentName: 'team-a', vpc: network.vpc });
  const role = new AgentRole(stack, 'Agent', { boundary });
  const data = new TrainingData(stack, 'TrainingData', { environmentName: 'team-a' });
  data.grantTrainingAccess(role, { datasetPrefix: 'datasets/', checkpointPrefix: 'runs/' });
  return { app, stack, data, role };
}

describe('TrainingData', () => {
  const { stack } = build();
  const t = Template.fromStack(stack);

  test('three buckets (datasets, checkpoints, access logs), all retained, private, versioned', () => {
    const buckets = Object.fromEntries(Object.entries(t.findResources('AWS::S3::Bucket')).filter(([id]) => id.startsWith('TrainingData')));
    expect(Object.keys(buckets)).toHaveLength(3);
    for (const b of Object.values(buckets) as any[]) {
      expect(b.DeletionPolicy).toBe('Retain');
      expect(b.Properties.VersioningConfiguration).toEqual({ Status: 'Enabled' });
      expect(b.Properties.PublicAccessBlockConfiguration).toEqual({
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      });
    }
    const kmsEncrypted = (Object.values(buckets) as any[]).filter(
      (b) => b.Properties.BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault.SSEAlgorithm === 'aws:kms',
    );
    expect(kmsEncrypted).toHaveLength(2);
  });

  test('the image repository is immutable, scanned on push and retained', () => {
    t.hasResource('AWS::ECR::Repository', {
      DeletionPolicy: 'Retain',
      Properties: { ImageTagMutability: 'IMMUTABLE', ImageScanningConfiguration: { ScanOnPush: true } },
    });
  });

  test('the training log group is encrypted and retained', () => {
    t.hasResource('AWS::Logs::LogGroup', { DeletionPolicy: 'Retain', Properties: { KmsKeyId: Match.anyValue(), RetentionInDays: 365 } });
  });

  test('the agent reads datasets under its prefix only and writes checkpoints without delete', () => {
    const statements = (Object.values(t.findResources('AWS::IAM::Policy')) as any[]).flatMap((p) => p.Properties.PolicyDocument.Statement);
    const list = statements.find((s) => s.Action === 's3:ListBucket');
    expect(list.Condition).toEqual({ StringLike: { 's3:prefix': ['datasets/*'] } });
    const actions = statements.flatMap((s) => [s.Action].flat());
    expect(actions).toEqual(expect.arrayContaining(['s3:GetObject', 's3:PutObject', 'ecr:BatchGetImage', 'logs:PutLogEvents', 'cloudwatch:PutMetricData']));
    expect(actions.filter((a: string) => /Delete/.test(a))).toEqual([]);
    const metrics = statements.find((s) => s.Action === 'cloudwatch:PutMetricData');
    expect(metrics.Condition).toEqual({ StringEquals: { 'cloudwatch:namespace': 'BlackHole/Training' } });
  });

  test('every resource carries the environment tag', () => {
    for (const type of ['AWS::S3::Bucket', 'AWS::ECR::Repository', 'AWS::KMS::Key', 'AWS::Logs::LogGroup']) {
      for (const [id, r] of Object.entries(t.findResources(type)) as [string, any][]) {
        if (!id.startsWith('TrainingData')) continue;
        expect(r.Properties.Tags).toEqual(expect.arrayContaining([{ Key: 'black-hole:environment', Value: 'team-a' }]));
      }
    }
  });

  test('an AWS/ metric namespace is refused, naming the property', () => {
    const app = new App();
    const s = new Stack(app, 'S');
    expect(() => new TrainingData(s, 'D', { environmentName: 'x', metricNamespace: 'AWS/EC2' })).toThrow(/metricNamespace/);
  });

  test('passes BlackHoleChecks, AwsSolutionsChecks and the Control Tower rules with no unacknowledged finding', () => {
    const { app } = build();
    const result = synthWithPeerChecks(app);
    expect(result.ran.sort()).toEqual(['AwsSolutions', 'BlackHoleChecks', 'cdk-validator-cfnguard'].sort());
    expect(result.findings).toEqual([]);
  });
});
