import { Duration } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { AgentBoundary } from '../../lib/identity/agent-boundary';
import { AgentComputeService, AgentRole } from '../../lib/identity/agent-role';
import { environmentStack } from './helpers';

function setup() {
  const { app, stack, vpc } = environmentStack();
  const boundary = new AgentBoundary(stack, 'Boundary', { environmentName: 'rl-dev', vpc });
  return { app, stack, vpc, boundary };
}

function rolePolicyStatements(template: Template): Array<Record<string, unknown>> {
  const policies = template.findResources('AWS::IAM::Policy');
  return Object.values(policies).flatMap((p) => p.Properties.PolicyDocument.Statement as Array<Record<string, unknown>>);
}

describe('AgentRole', () => {
  test('has the boundary, the contract tags, one-hour sessions', () => {
    const { stack, boundary } = setup();
    new AgentRole(stack, 'Agent', { boundary });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::IAM::Role', {
      PermissionsBoundary: { Ref: stack.getLogicalId(boundary.managedPolicy.node.defaultChild as never) },
      MaxSessionDuration: 3600,
      Tags: Match.arrayWith([
        { Key: 'black-hole:agent-role', Value: 'true' },
        { Key: 'black-hole:environment', Value: 'rl-dev' },
      ]),
    });
  });

  test('trust: only the compute services, aws:SourceAccount where the service supports it', () => {
    const { stack, boundary } = setup();
    new AgentRole(stack, 'Agent', { boundary, computeServices: [AgentComputeService.EC2, AgentComputeService.SAGEMAKER, AgentComputeService.ECS_TASKS] });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [
          { Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' } },
          {
            Action: 'sts:AssumeRole',
            Effect: 'Allow',
            Principal: { Service: 'sagemaker.amazonaws.com' },
            Condition: { StringEquals: { 'aws:SourceAccount': '111122223333' } },
          },
          {
            Action: 'sts:AssumeRole',
            Effect: 'Allow',
            Principal: { Service: 'ecs-tasks.amazonaws.com' },
            Condition: { StringEquals: { 'aws:SourceAccount': '111122223333' } },
          },
        ],
      },
    });
  });

  test('defaults to EC2 and SageMaker', () => {
    const { stack, boundary } = setup();
    new AgentRole(stack, 'Agent', { boundary });
    const trust = Object.values(Template.fromStack(stack).findResources('AWS::IAM::Role'))[0].Properties.AssumeRolePolicyDocument.Statement;
    expect(trust.map((s: { Principal: { Service: string } }) => s.Principal.Service)).toEqual(['ec2.amazonaws.com', 'sagemaker.amazonaws.com']);
  });

  test.each([
    [
      { computeServices: ['lambda.amazonaws.com'] },
      /computeServices: 'lambda.amazonaws.com' is not an allowed compute service; allowed: ec2.amazonaws.com, sagemaker.amazonaws.com, ecs-tasks.amazonaws.com/,
    ],
    [{ computeServices: [] }, /computeServices: must name at least one/],
    [{ maxSessionDuration: Duration.hours(2) }, /maxSessionDuration: must be 1 hour/],
    [{ maxSessionDuration: Duration.minutes(30) }, /maxSessionDuration: must be 1 hour/],
    [{ boundary: undefined }, /boundary: is required and must be an AgentBoundary/],
  ])('rejects %p', (props, message) => {
    const { stack, boundary } = setup();
    expect(() => new AgentRole(stack, 'Agent', { boundary, ...props } as never)).toThrow(message);
  });

  test('reports every problem at once', () => {
    const { stack, boundary } = setup();
    expect(() => new AgentRole(stack, 'Agent', { boundary, computeServices: ['x' as AgentComputeService], maxSessionDuration: Duration.hours(12) })).toThrow(
      /\(2 problems\)[\s\S]*computeServices[\s\S]*maxSessionDuration/,
    );
  });
});

describe('AgentRole grants', () => {
  test('grantReadDatasets: GetObject under the prefix, ListBucket limited to it, Decrypt on the key', () => {
    const { stack, boundary } = setup();
    const role = new AgentRole(stack, 'Agent', { boundary });
    const bucket = new s3.Bucket(stack, 'Datasets', { encryption: s3.BucketEncryption.KMS });
    role.grantReadDatasets(bucket, 'datasets/');
    const statements = rolePolicyStatements(Template.fromStack(stack));
    const bucketArn = stack.resolve(bucket.bucketArn);
    expect(statements).toEqual(
      expect.arrayContaining([
        { Action: 's3:GetObject', Effect: 'Allow', Resource: { 'Fn::Join': ['', [bucketArn, '/datasets/*']] } },
        { Action: 's3:ListBucket', Effect: 'Allow', Resource: bucketArn, Condition: { StringLike: { 's3:prefix': ['datasets/*'] } } },
      ]),
    );
    expect(JSON.stringify(Template.fromStack(stack).toJSON())).toContain('kms:Decrypt');
    expect(JSON.stringify(statements)).not.toMatch(/s3:(Delete|PutObject|\*)/);
  });

  test('grantWriteCheckpoints: put and multipart only, never delete', () => {
    const { stack, boundary } = setup();
    const role = new AgentRole(stack, 'Agent', { boundary });
    const bucket = new s3.Bucket(stack, 'Checkpoints');
    role.grantWriteCheckpoints(bucket, 'runs/');
    expect(rolePolicyStatements(Template.fromStack(stack))).toEqual([
      {
        Action: ['s3:PutObject', 's3:AbortMultipartUpload', 's3:ListMultipartUploadParts'],
        Effect: 'Allow',
        Resource: { 'Fn::Join': ['', [stack.resolve(bucket.bucketArn), '/runs/*']] },
      },
    ]);
  });

  test('grantWriteCheckpoints with a key: GenerateDataKey and Decrypt on it', () => {
    const { stack, boundary } = setup();
    const role = new AgentRole(stack, 'Agent', { boundary });
    const key = new kms.Key(stack, 'Key');
    role.grantWriteCheckpoints(new s3.Bucket(stack, 'Checkpoints', { encryptionKey: key }));
    expect(rolePolicyStatements(Template.fromStack(stack))).toEqual(
      expect.arrayContaining([{ Action: ['kms:GenerateDataKey', 'kms:Decrypt'], Effect: 'Allow', Resource: stack.resolve(key.keyArn) }]),
    );
  });

  test('grantWriteLogs and grantPullImages are scoped to the given log group and repository', () => {
    const { stack, boundary } = setup();
    const role = new AgentRole(stack, 'Agent', { boundary });
    const group = new logs.LogGroup(stack, 'Logs');
    const repo = new ecr.Repository(stack, 'Repo');
    role.grantWriteLogs(group);
    role.grantPullImages(repo);
    expect(rolePolicyStatements(Template.fromStack(stack))).toEqual([
      { Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Effect: 'Allow', Resource: stack.resolve(group.logGroupArn) },
      {
        Action: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchCheckLayerAvailability'],
        Effect: 'Allow',
        Resource: stack.resolve(repo.repositoryArn),
      },
      { Action: 'ecr:GetAuthorizationToken', Effect: 'Allow', Resource: '*' },
    ]);
  });

  test('grantPutMetrics: one namespace, never AWS/', () => {
    const { stack, boundary } = setup();
    const role = new AgentRole(stack, 'Agent', { boundary });
    role.grantPutMetrics('BlackHole/Training');
    expect(rolePolicyStatements(Template.fromStack(stack))).toEqual([
      { Action: 'cloudwatch:PutMetricData', Effect: 'Allow', Resource: '*', Condition: { StringEquals: { 'cloudwatch:namespace': 'BlackHole/Training' } } },
    ]);
    expect(() => role.grantPutMetrics('AWS/Usage')).toThrow(/namespace: 'AWS\/Usage'/);
  });

  test('prefixes must be literal', () => {
    const { stack, boundary } = setup();
    const role = new AgentRole(stack, 'Agent', { boundary });
    const bucket = new s3.Bucket(stack, 'B');
    expect(() => role.grantReadDatasets(bucket, 'data/*')).toThrow(/prefix: 'data\/\*' must be a literal key prefix/);
    expect(() => role.grantWriteCheckpoints(bucket, '/runs')).toThrow(/prefix: '\/runs' must not start with '\/'/);
  });
});

describe('AgentRole refuses escape actions', () => {
  test('addToPolicy with a catalog action names the action, entry, category and ESCAPES.md number', () => {
    const { stack, boundary } = setup();
    const role = new AgentRole(stack, 'Agent', { boundary });
    expect(() => role.addToPolicy(new iam.PolicyStatement({ actions: ['ec2:CreateRoute'], resources: ['*'] }))).toThrow(
      /ec2:CreateRoute is in the escape catalog: 'egress.internet-path' \(NETWORK_EGRESS, ESCAPES.md #1/,
    );
    expect(() => role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['iam:PassRole'], resources: ['*'] }))).toThrow(
      /iam:PassRole is in the escape catalog: 'identity.pass-role' \(IDENTITY_ESCALATION/,
    );
    expect(() => role.addToPolicy(new iam.PolicyStatement({ actions: ['sts:AssumeRole'], resources: ['*'] }))).toThrow(/identity.role-chaining/);
    expect(() => role.addToPolicy(new iam.PolicyStatement({ actions: ['*'], resources: ['*'] }))).toThrow(/\* is in the escape catalog/);
    expect(() => role.addToPolicy(new iam.PolicyStatement({ notActions: ['s3:GetObject'], resources: ['*'] }))).toThrow(/NotAction/);
    expect(rolePolicyStatements(Template.fromStack(stack))).toEqual([]);
  });

  test('third-party grants are checked too: bucket.grantWrite includes s3:DeleteObject*', () => {
    const { stack, boundary } = setup();
    const role = new AgentRole(stack, 'Agent', { boundary });
    const bucket = new s3.Bucket(stack, 'B');
    expect(() => bucket.grantWrite(role)).toThrow(/s3:DeleteObject\* is in the escape catalog: 'monitors.blind-logs-and-trails' \(BLINDING_MONITORS/);
    // grantRead's s3:GetBucket* reaches no catalog action, but actions outside the allow-list: refused, naming what is allowed.
    expect(() => bucket.grantRead(role)).toThrow(
      /addToPrincipalPolicy would grant actions outside the agent allow-list:[\s\S]*s3:GetBucket\* reaches actions outside the agent allow-list: [\s\S]*s3:GetBucketAcl[\s\S]*Agents may perform only the agent allow-list[^\n]*s3:GetObject/,
    );
  });

  test('grants outside the allow-list are refused even when the escape catalog does not know them', () => {
    const { app, stack, boundary } = setup();
    const role = new AgentRole(stack, 'Agent', { boundary });
    expect(() => role.addToPolicy(new iam.PolicyStatement({ actions: ['logs:PutMetricFilter'], resources: ['*'] }))).toThrow(
      /logs:PutMetricFilter reaches actions outside the agent allow-list: logs:PutMetricFilter/,
    );
    expect(() => role.addToPolicy(new iam.PolicyStatement({ actions: ['ses:SendQuantumMail'], resources: ['*'] }))).toThrow(
      /ses:SendQuantumMail reaches actions outside/,
    );
    expect(() => role.addToPolicy(new iam.PolicyStatement({ actions: ['s3:GetObject', 'sts:GetCallerIdentity'], resources: ['*'] }))).not.toThrow();
    const late = new iam.Policy(stack, 'Late', { roles: [role] });
    late.addStatements(new iam.PolicyStatement({ actions: ['s3:PutBucketNotification'], resources: ['*'] }));
    expect(() => app.synth()).toThrow(/Late grants agent role .* actions outside the agent allow-list[\s\S]*s3:PutBucketNotification/);
  });

  test('Deny statements are accepted (e.g. a session revocation)', () => {
    const { stack, boundary } = setup();
    const role = new AgentRole(stack, 'Agent', { boundary });
    role.addToPolicy(AgentBoundary.sessionRevocationStatement('2026-03-14T09:30:00Z'));
    expect(rolePolicyStatements(Template.fromStack(stack))).toEqual([
      expect.objectContaining({ Effect: 'Deny', Condition: { DateLessThan: { 'aws:TokenIssueTime': '2026-03-14T09:30:00Z' } } }),
    ]);
  });

  test('AWS managed policies are checked against their real documents', () => {
    const { stack, boundary } = setup();
    const role = new AgentRole(stack, 'Agent', { boundary });
    expect(() => role.addManagedPolicy(iam.ManagedPolicy.fromAwsManagedPolicyName('AdministratorAccess'))).toThrow(
      /AWS managed policy AdministratorAccess[\s\S]*\* is in the escape catalog/,
    );
    expect(() => role.addManagedPolicy(iam.ManagedPolicy.fromAwsManagedPolicyName('AmazonSSMManagedInstanceCore'))).toThrow(
      /ssmmessages:\S+ is in the escape catalog: 'tunnels.session-manager'/,
    );
    expect(() => role.addManagedPolicy(iam.ManagedPolicy.fromAwsManagedPolicyName('PowerUserAccess'))).toThrow(/escape catalog/);
    expect(() => role.addManagedPolicy(iam.ManagedPolicy.fromAwsManagedPolicyName('AmazonS3ReadOnlyAccess'))).toThrow(
      /AmazonS3ReadOnlyAccess\) would grant actions outside the agent allow-list[\s\S]*s3:Get\* reaches/,
    );
    Template.fromStack(stack).resourcePropertiesCountIs('AWS::IAM::Role', { ManagedPolicyArns: Match.anyValue() }, 0);
  });

  test('customer managed and inline policies are checked, including statements added after attachment', () => {
    const { app, stack, boundary } = setup();
    const role = new AgentRole(stack, 'Agent', { boundary });
    const bad = new iam.ManagedPolicy(stack, 'Bad', { statements: [new iam.PolicyStatement({ actions: ['ec2:RunInstances'], resources: ['*'] })] });
    expect(() => role.addManagedPolicy(bad)).toThrow(/ec2:RunInstances is in the escape catalog/);
    const badInline = new iam.Policy(stack, 'BadInline', { statements: [new iam.PolicyStatement({ actions: ['budgets:ModifyBudget'], resources: ['*'] })] });
    expect(() => role.attachInlinePolicy(badInline)).toThrow(/budgets:ModifyBudget is in the escape catalog: 'spend.budget-fences' \(QUOTAS_BUDGETS_SPEND/);
    const late = new iam.Policy(stack, 'Late', { roles: [role] });
    late.addStatements(new iam.PolicyStatement({ actions: ['cloudtrail:StopLogging'], resources: ['*'] }));
    expect(() => app.synth()).toThrow(/Late grants agent role .* actions an agent must never have[\s\S]*cloudtrail:StopLogging/);
  });

  test('an imported managed policy is attached with a warning (the boundary caps it)', () => {
    const { stack, boundary } = setup();
    const role = new AgentRole(stack, 'Agent', { boundary });
    role.addManagedPolicy(iam.ManagedPolicy.fromManagedPolicyArn(stack, 'Imported', 'arn:aws:iam::111122223333:policy/SomethingElse'));
    const warnings = Template.fromStack(stack); // synthesizes
    expect(warnings).toBeDefined();
    const annotations = stack.node
      .findAll()
      .flatMap((c) => c.node.metadata)
      .filter((m) => m.type === 'aws:cdk:warning')
      .map((m) => String(m.data));
    expect(annotations.join('\n')).toMatch(/imported managed policy is attached to an agent role/);
  });
});
