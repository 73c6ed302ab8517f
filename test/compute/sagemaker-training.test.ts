import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { blackHoleTrainingJobRequest, BlackHoleTrainingJobInput, SageMakerTrainingTarget } from '../../lib/compute';
import { BlackHoleVpc } from '../../lib/network';

const input: BlackHoleTrainingJobInput = {
  trainingJobName: 'ppo-run-7',
  environmentName: 'team-a',
  roleArn: 'arn:aws:iam::111122223333:role/agent',
  trainingImage: '111122223333.dkr.ecr.eu-west-1.amazonaws.com/trainer:1',
  instanceType: 'ml.p5.48xlarge',
  instanceCount: 2,
  subnetIds: ['subnet-a', 'subnet-b'],
  securityGroupIds: ['sg-1'],
  inputS3Uri: 's3://datasets/rl/',
  outputS3Uri: 's3://checkpoints/run-7/',
  episode: 'ep-42',
};

test('the request is network-isolated, encrypted between containers, placed in the environment and tagged', () => {
  const r = blackHoleTrainingJobRequest(input);
  expect(r.EnableNetworkIsolation).toBe(true);
  expect(r.EnableInterContainerTrafficEncryption).toBe(true);
  expect(r.VpcConfig).toEqual({ Subnets: ['subnet-a', 'subnet-b'], SecurityGroupIds: ['sg-1'] });
  expect(r.ResourceConfig).toEqual({ InstanceType: 'ml.p5.48xlarge', InstanceCount: 2, VolumeSizeInGB: 200 });
  expect(r.StoppingCondition).toEqual({ MaxRuntimeInSeconds: 86400 });
  expect(r.Tags).toEqual([
    { Key: 'black-hole:environment', Value: 'team-a' },
    { Key: 'black-hole:episode', Value: 'ep-42' },
  ]);
  expect(r.InputDataConfig[0].DataSource.S3DataSource.S3Uri).toBe('s3://datasets/rl/');
});

test('what the launch policy would refuse is refused here, every problem at once', () => {
  expect(() => blackHoleTrainingJobRequest({ ...input, instanceType: 'ml.m5.xlarge', subnetIds: [], outputS3Uri: 'https://x' })).toThrow(
    /3 problems[\s\S]*instanceType: 'ml\.m5\.xlarge'[\s\S]*subnetIds[\s\S]*outputS3Uri/,
  );
  expect(() => blackHoleTrainingJobRequest({ ...input, maxRuntimeSeconds: 90000 })).toThrow(/maxRuntimeSeconds: 90000/);
});

test('SageMakerTrainingTarget publishes the isolated subnets and the training security group', () => {
  const app = new App();
  const stack = new Stack(app, 'Env');
  const network = new BlackHoleVpc(stack, 'Net', { environmentName: 'team-a' });
  new SageMakerTrainingTarget(stack, 'Target', { network });
  const t = Template.fromStack(stack);
  t.hasResourceProperties('AWS::SSM::Parameter', { Name: '/black-hole/team-a/sagemaker/subnet-ids', Type: 'StringList' });
  const list = Object.values(t.findResources('AWS::SSM::Parameter')).find((p: any) => p.Properties.Type === 'StringList')!;
  expect(JSON.stringify(list.Properties.Value)).toMatch(/IsolatedSubnet1[\s\S]*IsolatedSubnet2/);
  t.hasResourceProperties('AWS::SSM::Parameter', {
    Name: '/black-hole/team-a/sagemaker/security-group-id',
    Value: { 'Fn::GetAtt': [Match.stringLikeRegexp('TrainingSecurityGroup'), 'GroupId'] },
  });
});
