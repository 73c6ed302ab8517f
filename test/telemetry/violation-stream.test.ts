import * as fs from 'fs';
import { App, Stack, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { AgentBoundary } from '../../lib/identity/agent-boundary';
import { AgentRole } from '../../lib/identity/agent-role';
import { BlackHoleVpc } from '../../lib/network/black-hole-vpc';
import { FlowLogPipeline, flowsLeavingVpcPattern } from '../../lib/telemetry/flow-log-pipeline';
import { REVOCATION_TEMPLATE_TIME } from '../../lib/telemetry/runtime/contain';
import { GUARDDUTY_FINDING_TYPE_PATTERNS } from '../../lib/telemetry/runtime/signals';
import { ViolationStream } from '../../lib/telemetry/violation-stream';
import { synthWithChecks } from '../helpers/gate';

let template: Template;
let json: any;
let gate: { failed: boolean; ruleIds: string[] };
let nagViolations: string[];

beforeAll(() => {
  const app = new App();
  const stack = new Stack(app, 'Env');
  const network = new BlackHoleVpc(stack, 'Network', { environmentName: 'alpha' });
  const boundary = new AgentBoundary(stack, 'AgentBoundary', {
    environmentName: 'alpha',
    vpc: network.vpc,
    enabledEndpointServices: [...network.endpointServices],
  });
  const agent = new AgentRole(stack, 'AgentRole', { boundary });
  const pipeline = new FlowLogPipeline(stack, 'FlowLogs', { network, cloudWatchCopy: {} });
  new ViolationStream(stack, 'Violations', { network, pipeline, agentRoles: [agent] });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  gate = synthWithChecks(app);
  nagViolations = [];
  if (gate.failed) {
    const dir = app.outdir;
    const file = fs.readdirSync(dir).find((f) => f.includes('validation-report'));
    if (file) {
      const report = JSON.parse(fs.readFileSync(`${dir}/${file}`, 'utf8'));
      for (const p of report.pluginReports)
        for (const v of p.violations)
          nagViolations.push(`${v.ruleName}: ${(v.violatingResources ?? []).map((r: any) => r.resourceLogicalId ?? r.locations).join(',')}`);
    }
  }
  template = Template.fromJSON(JSON.parse(fs.readFileSync(`${app.outdir}/Env.template.json`, 'utf8')));
  json = template.toJSON();
}, 300000);

test('the environment with telemetry stays clean through BlackHoleChecks and AwsSolutionsChecks', () => {
  expect(nagViolations).toEqual([]);
  expect(gate).toEqual({ failed: false, ruleIds: [] });
});

test('GuardDuty rule: the finding types as wildcard patterns', () => {
  template.hasResourceProperties('AWS::Events::Rule', {
    EventPattern: {
      source: ['aws.guardduty'],
      'detail-type': ['GuardDuty Finding'],
      detail: { type: GUARDDUTY_FINDING_TYPE_PATTERNS.map((p) => ({ wildcard: p })) },
    },
  });
  expect(GUARDDUTY_FINDING_TYPE_PATTERNS).toEqual([
    'CryptoCurrency:*',
    'Impact:*CryptoMiner*',
    'Backdoor:*',
    'Trojan:*DNS*',
    'UnauthorizedAccess:*',
    'Recon:*',
    'DefenseEvasion:*',
  ]);
});

test('CloudTrail rule: denied calls by the agent roles (errorCode, sessionIssuer.arn)', () => {
  template.hasResourceProperties('AWS::Events::Rule', {
    EventPattern: {
      'detail-type': ['AWS API Call via CloudTrail'],
      detail: {
        errorCode: ['AccessDenied', 'Client.UnauthorizedOperation', 'UnauthorizedOperation', 'AccessDeniedException'],
        userIdentity: { sessionContext: { sessionIssuer: { arn: [{ 'Fn::GetAtt': [Match.stringLikeRegexp('^AgentRole'), 'Arn'] }] } } },
      },
    },
  });
});

test('denied calls: the rule receives read-only management events too, and a trail logs them', () => {
  const rules = Object.values<any>(template.findResources('AWS::Events::Rule'));
  const denied = rules.find((r) => r.Properties.EventPattern['detail-type']?.[0] === 'AWS API Call via CloudTrail');
  expect(denied.Properties.State).toBe('ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS');
  expect(denied.Properties.EventBusName).toBeUndefined(); // CloudTrail delivers to the default bus
  const trails = Object.values<any>(template.findResources('AWS::CloudTrail::Trail'));
  expect(trails).toHaveLength(1);
  const trail = trails[0].Properties;
  expect(trail).toMatchObject({
    IsLogging: true,
    IsMultiRegionTrail: false,
    IncludeGlobalServiceEvents: true,
    EnableLogFileValidation: true,
    EventSelectors: [{ IncludeManagementEvents: true, ReadWriteType: 'All' }],
    KMSKeyId: { 'Fn::GetAtt': [expect.stringMatching(/^BlackHoleManagementEventTrailKey/), 'Arn'] },
    S3BucketName: { Ref: expect.stringMatching(/^BlackHoleManagementEventTrailBucket/) },
  });
  expect(trail.CloudWatchLogsLogGroupArn).toBeUndefined();
});

test('the trail bucket and key: KMS, versioned, TLS-only, access-logged, retained; CloudTrail of this account only', () => {
  const [, bucket] = Object.entries<any>(template.findResources('AWS::S3::Bucket')).find(([k]) => /^BlackHoleManagementEventTrailBucket/.test(k))!;
  expect(bucket.DeletionPolicy).toBe('Retain');
  expect(bucket.UpdateReplacePolicy).toBe('Retain');
  expect(bucket.Properties.VersioningConfiguration).toEqual({ Status: 'Enabled' });
  expect(bucket.Properties.BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault).toEqual({
    SSEAlgorithm: 'aws:kms',
    KMSMasterKeyID: { 'Fn::GetAtt': [expect.stringMatching(/^BlackHoleManagementEventTrailKey/), 'Arn'] },
  });
  expect(bucket.Properties.LoggingConfiguration.DestinationBucketName).toEqual({ Ref: expect.stringMatching(/^BlackHoleManagementEventTrailAccessLogBucket/) });
  const policy = Object.values<any>(template.findResources('AWS::S3::BucketPolicy')).find((p) =>
    /^BlackHoleManagementEventTrailBucket/.test(p.Properties.Bucket.Ref),
  );
  expect(policy.Properties.PolicyDocument.Statement).toContainEqual(
    expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
  );
  expect(policy.Properties.PolicyDocument.Statement).toContainEqual(
    expect.objectContaining({ Principal: { Service: 'cloudtrail.amazonaws.com' }, Action: 's3:PutObject' }),
  );
  const [, key] = Object.entries<any>(template.findResources('AWS::KMS::Key')).find(([k]) => /^BlackHoleManagementEventTrailKey/.test(k))!;
  expect(key.DeletionPolicy).toBe('Retain');
  expect(key.Properties.EnableKeyRotation).toBe(true);
  expect(key.Properties.KeyPolicy.Statement).toContainEqual(
    expect.objectContaining({
      Sid: 'AllowCloudTrailToEncryptLogs',
      Principal: { Service: 'cloudtrail.amazonaws.com' },
      Action: 'kms:GenerateDataKey*',
    }),
  );
  expect(key.Properties.KeyPolicy.Statement).toContainEqual(expect.objectContaining({ Sid: 'DenyGrantsExceptForAwsResources' }));
});

test('each Lambda may decrypt its own encrypted environment: kms:Decrypt on the log key, encryption context = its function ARN', () => {
  const fns = Object.entries<any>(json.Resources).filter(
    ([, r]) => r.Type === 'AWS::Lambda::Function' && /Correlates|Contains|Attributes/.test(r.Properties.Description ?? ''),
  );
  expect(fns.map(([, f]) => f.Properties.FunctionName).sort()).toEqual(['black-hole-alpha-correlator', 'black-hole-alpha-responder']);
  const logKeyArn = { 'Fn::GetAtt': [expect.stringMatching(/^NetworkLogKey/), 'Arn'] };
  for (const [, fn] of fns) {
    expect(fn.Properties.KmsKeyArn).toEqual(logKeyArn);
    const roleId = fn.Properties.Role['Fn::GetAtt'][0];
    const statements = Object.values<any>(json.Resources)
      .filter((r) => r.Type === 'AWS::IAM::Policy' && r.Properties.Roles.some((x: any) => x.Ref === roleId))
      .flatMap((r) => r.Properties.PolicyDocument.Statement);
    const decrypt = statements.find((st: any) => st.Sid === 'DecryptOwnEnvironment');
    expect(decrypt).toMatchObject({ Effect: 'Allow', Action: 'kms:Decrypt', Resource: logKeyArn });
    expect(decrypt.Condition).toEqual({
      StringEquals: {
        'kms:EncryptionContext:aws:lambda:FunctionArn': {
          'Fn::Join': [
            '',
            ['arn:', { Ref: 'AWS::Partition' }, ':lambda:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, `:function:${fn.Properties.FunctionName}`],
          ],
        },
      },
    });
  }
  // The key policy lets IAM policies of the account take effect (CDK's default key policy).
  const [, logKey] = Object.entries<any>(template.findResources('AWS::KMS::Key')).find(([k]) => /^NetworkLogKey/.test(k))!;
  expect(logKey.Properties.KeyPolicy.Statement).toContainEqual(
    expect.objectContaining({
      Effect: 'Allow',
      Action: 'kms:*',
      Resource: '*',
      Principal: { AWS: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::', { Ref: 'AWS::AccountId' }, ':root']] } },
    }),
  );
});

test('one trail per stack for many environments; none with existingTrail', () => {
  const stack = new Stack(new App(), 'Two');
  for (const [name, existingTrail] of [
    ['one', false],
    ['two', false],
    ['three', true],
  ] as const) {
    const network = new BlackHoleVpc(stack, `Network-${name}`, { environmentName: name });
    const boundary = new AgentBoundary(stack, `Boundary-${name}`, {
      environmentName: name,
      vpc: network.vpc,
      enabledEndpointServices: [...network.endpointServices],
    });
    const agent = new AgentRole(stack, `Agent-${name}`, { boundary });
    const pipeline = new FlowLogPipeline(stack, `FlowLogs-${name}`, { network });
    const stream = new ViolationStream(stack, `Violations-${name}`, { network, pipeline, agentRoles: [agent], trail: { existingTrail } });
    expect(stream.managementEventTrail !== undefined).toBe(!existingTrail);
  }
  Template.fromStack(stack).resourceCountIs('AWS::CloudTrail::Trail', 1);
  const alone = new Stack(new App(), 'Alone');
  const network = new BlackHoleVpc(alone, 'Network', { environmentName: 'solo' });
  const boundary = new AgentBoundary(alone, 'Boundary', { environmentName: 'solo', vpc: network.vpc, enabledEndpointServices: [...network.endpointServices] });
  const pipeline = new FlowLogPipeline(alone, 'FlowLogs', { network });
  new ViolationStream(alone, 'Violations', { network, pipeline, agentRoles: [new AgentRole(alone, 'Agent', { boundary })], trail: { existingTrail: true } });
  const t = Template.fromStack(alone);
  t.resourceCountIs('AWS::CloudTrail::Trail', 0);
  t.hasResourceProperties('AWS::Events::Rule', { State: 'ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS' });
}, 120000);

test('DNS BLOCK and egress flows reach the correlator through subscription filters; alarms reach SNS', () => {
  template.hasResourceProperties('AWS::Logs::SubscriptionFilter', {
    FilterPattern: '{ $.firewall_rule_action = "BLOCK" }',
    LogGroupName: { Ref: Match.stringLikeRegexp('^NetworkResolverQueryLogs') },
  });
  // Only flows that left the VPC reach the correlator, not every intra-VPC egress flow.
  template.hasResourceProperties('AWS::Logs::SubscriptionFilter', {
    FilterPattern: flowsLeavingVpcPattern().logPatternString,
    LogGroupName: { Ref: Match.stringLikeRegexp('^FlowLogsFlowLogGroup') },
  });
  expect(flowsLeavingVpcPattern().logPatternString).toContain(
    'flow_direction="egress", traffic_path>1, pkt_src_aws_service, pkt_dst_aws_service!="S3" && pkt_dst_aws_service!="DYNAMODB"]',
  );
  // Alarm actions (Control Tower CT.CLOUDWATCH.PR.1), not an EventBridge rule on alarm state changes.
  const topicId = Object.keys(template.findResources('AWS::SNS::Topic')).find((k) => k.startsWith('ViolationsTopic'))!;
  const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm')) as any[];
  expect(alarms).toHaveLength(2);
  for (const alarm of alarms) expect(alarm.Properties.AlarmActions).toEqual([{ Ref: topicId }]);
  template.hasResourceProperties('AWS::SNS::TopicPolicy', {
    PolicyDocument: {
      Statement: Match.arrayWith([Match.objectLike({ Sid: 'AllowCloudWatchAlarmsToPublish', Principal: { Service: 'cloudwatch.amazonaws.com' } })]),
    },
  });
});

test('a deleted flow log, CloudTrail log or access log reaches the violation topic', () => {
  template.hasResourceProperties('AWS::Events::Rule', {
    EventPattern: {
      source: ['aws.s3'],
      'detail-type': ['Object Deleted'],
      detail: {
        bucket: {
          name: [
            { Ref: Match.stringLikeRegexp('^NetworkFlowLogBucket') },
            { Ref: Match.stringLikeRegexp('^NetworkAccessLogBucket') },
            { Ref: Match.stringLikeRegexp('^BlackHoleManagementEventTrailBucket') },
            { Ref: Match.stringLikeRegexp('^BlackHoleManagementEventTrailAccessLogBucket') },
          ],
        },
      },
    },
  });
  for (const prefix of ['NetworkFlowLogBucket', 'NetworkAccessLogBucket', 'FlowLogsQueryResultsBucket', 'BlackHoleManagementEventTrailBucket']) {
    const bucket = Object.entries(template.findResources('AWS::S3::Bucket')).find(([k]) => k.startsWith(prefix))![1] as any;
    expect(bucket.Properties.NotificationConfiguration).toEqual({ EventBridgeConfiguration: { EventBridgeEnabled: true } });
  }
});

test('violations: custom bus with archive, SNS (KMS) for all, responder for HIGH and CRITICAL', () => {
  template.hasResourceProperties('AWS::Events::EventBus', { Name: 'black-hole-alpha-violations' });
  template.hasResourceProperties('AWS::Events::Archive', { EventPattern: { source: ['black-hole.telemetry'] }, RetentionDays: 365 });
  template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
  template.hasResourceProperties('AWS::Events::Rule', {
    EventBusName: { Ref: Match.stringLikeRegexp('^ViolationsBus') },
    EventPattern: { source: ['black-hole.telemetry'], 'detail-type': ['Black Hole Violation'], detail: { severity: ['HIGH', 'CRITICAL'] } },
    Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ViolationsResponder'), 'Arn'] } })],
  });
});

test('episode ledger: PAY_PER_REQUEST, PITR, KMS, TTL, subject/startedAt keys, byEpisode index, retained', () => {
  template.hasResource('AWS::DynamoDB::Table', {
    DeletionPolicy: 'Retain',
    Properties: {
      BillingMode: 'PAY_PER_REQUEST',
      KeySchema: [
        { AttributeName: 'subject', KeyType: 'HASH' },
        { AttributeName: 'startedAt', KeyType: 'RANGE' },
      ],
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      SSESpecification: { SSEEnabled: true, SSEType: 'KMS', KMSMasterKeyId: Match.anyValue() },
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
      GlobalSecondaryIndexes: [Match.objectLike({ IndexName: 'byEpisode' })],
    },
  });
});

test('both Lambdas: nodejs22.x, bundled asset (no Docker), outside the VPC, SDK external', () => {
  const fns = Object.values<any>(json.Resources).filter(
    (r) => r.Type === 'AWS::Lambda::Function' && /Correlates|Contains|Attributes/.test(r.Properties.Description ?? ''),
  );
  expect(fns).toHaveLength(2);
  for (const f of fns) {
    expect(f.Properties.Runtime).toBe('nodejs22.x');
    expect(f.Properties.VpcConfig).toBeUndefined();
    expect(f.Properties.Code.S3Key).toMatch(/\.zip$/);
  }
});

test('responder role: only the containment actions, each bounded; revocation template from AgentBoundary', () => {
  const responder = Object.values<any>(json.Resources).find((r) => r.Type === 'AWS::Lambda::Function' && /Contains/.test(r.Properties.Description ?? ''));
  const vars = responder.Properties.Environment.Variables;
  expect(vars.MODE).toBe('contain');
  expect(vars.MIN_SEVERITY).toBe('HIGH');
  expect(vars.REVOCATION_POLICY_TEMPLATE).toBe(JSON.stringify(AgentBoundary.sessionRevocationPolicyDocument(REVOCATION_TEMPLATE_TIME)));
  const policy = Object.values<any>(json.Resources).find(
    (r) => r.Type === 'AWS::IAM::Policy' && r.Properties.PolicyDocument.Statement.some((s: any) => s.Sid === 'RevokeAgentSessions'),
  );
  const statements = policy.Properties.PolicyDocument.Statement;
  expect(statements.map((s: any) => s.Action)).toEqual([
    'iam:PutRolePolicy',
    'ec2:ModifyNetworkInterfaceAttribute',
    ['ec2:StopInstances', 'ec2:CreateTags'],
    'ec2:CreateTags',
    'ec2:DescribeNetworkInterfaces',
    'sagemaker:StopTrainingJob',
    ['autoscaling:SuspendProcesses', 'autoscaling:SetInstanceProtection', 'autoscaling:DetachInstances'],
    'autoscaling:DescribeAutoScalingInstances',
    'ec2:CreateSnapshots',
    'ec2:CreateSnapshots',
    'ec2:CreateSnapshots',
    'ec2:CreateTags',
  ]);
  expect(statements[0].Condition).toEqual({
    StringEquals: { 'iam:ResourceTag/black-hole:agent-role': 'true', 'iam:ResourceTag/black-hole:environment': 'alpha' },
  });
  // Unconditioned only: Describe calls (no resource-level permissions) and the volumes of CreateSnapshots,
  // which that action reaches only through an instance the tag-conditioned statement admits.
  const unconditioned = ['FindEnisOfInstances', 'FindGroupsOfInstances', 'SnapshotTheirVolumes'];
  for (const s of statements.filter((x: any) => !unconditioned.includes(x.Sid))) expect(s.Condition).toBeDefined();
  expect(
    statements
      .filter((x: any) => !x.Condition)
      .map((x: any) => x.Sid)
      .sort(),
  ).toEqual([...unconditioned].sort());
  template.hasResourceProperties('AWS::EC2::SecurityGroup', {
    GroupDescription: 'Quarantine of black hole alpha: no ingress, no egress',
    SecurityGroupEgress: [Match.objectLike({ CidrIp: '255.255.255.255/32' })],
    SecurityGroupIngress: Match.absent(),
  });
});

test('EventBridge may publish to the violation topic only for this account and its rules; its key grant has no source condition (the KMS request carries none)', () => {
  const docs: any[] = Object.values<any>(json.Resources).flatMap((r) => [r.Properties?.KeyPolicy, r.Properties?.PolicyDocument].filter(Boolean));
  const forEvents = docs.flatMap((d) => d.Statement).filter((s: any) => JSON.stringify(s.Principal ?? '').includes('events.amazonaws.com'));
  // The topic policy decides who publishes: this account's rules only (confused deputy).
  const publish = forEvents.find((s: any) => s.Action === 'sns:Publish');
  expect(publish.Condition.StringEquals['aws:SourceAccount']).toBeDefined();
  expect(publish.Condition.ArnLike['aws:SourceArn']).toBeDefined();
  // The key grant: data keys only, and no aws:SourceAccount/aws:SourceArn, which AWS documents as not
  // supported for EventBridge-to-encrypted topics (https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html).
  const keyGrant = forEvents.find((s: any) => s.Sid === 'AllowEventBridgeToPublishEncrypted');
  expect([keyGrant.Action].flat().sort()).toEqual(['kms:Decrypt', 'kms:GenerateDataKey*']);
  expect(JSON.stringify(keyGrant.Condition ?? {})).not.toMatch(/aws:Source(Account|Arn)/);
});
