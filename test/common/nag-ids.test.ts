import { App, Aws, Stack } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { nagResourceName } from '../../lib/common/nag-ids';

test('an environment-agnostic stack renders pseudo parameters as cdk-nag does', () => {
  const stack = new Stack(new App(), 'S');
  const arn = stack.formatArn({ service: 'ec2', resource: 'instance', resourceName: '*' });
  expect(nagResourceName(stack, arn)).toBe('arn:<AWS::Partition>:ec2:<AWS::Region>:<AWS::AccountId>:instance/*');
});

test('an env-specific stack renders its literal account and region', () => {
  const stack = new Stack(new App(), 'S', { env: { account: '111122223333', region: 'eu-west-1' } });
  const arn = stack.formatArn({ service: 'ec2', resource: 'instance', resourceName: '*' });
  expect(nagResourceName(stack, arn)).toBe(`arn:<AWS::Partition>:ec2:eu-west-1:111122223333:instance/*`);
});

test('attributes of resources render as <LogicalId.Attribute>', () => {
  const stack = new Stack(new App(), 'S');
  const bucket = new s3.Bucket(stack, 'B');
  expect(nagResourceName(stack, bucket.arnForObjects('x/*'))).toMatch(/^<B[0-9A-F]{8}\.Arn>\/x\/\*$/);
  expect(nagResourceName(stack, Aws.ACCOUNT_ID)).toBe('<AWS::AccountId>');
});
