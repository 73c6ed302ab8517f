import { Annotations, Aws, Duration, RemovalPolicy, Stack, Tags, Token, Validations } from 'aws-cdk-lib';
import * as budgets from 'aws-cdk-lib/aws-budgets';
import * as ce from 'aws-cdk-lib/aws-ce';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cwActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { markRuntimeRolesOf } from '../common/runtime-roles';
import { handlerAssetPath } from '../common/handler-assets';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as organizations from 'aws-cdk-lib/aws-organizations';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as snsSubscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import { ENVIRONMENT_TAG } from '../common/tags';
import { duplicatesOf, PropsValidator } from '../common/validation';
import { AgentRole } from '../identity/agent-role';
import { GPU_INSTANCE_FAMILIES } from '../identity/gpu-instance-types';
import { allowCloudWatchAlarmsToPublish, cloudWatchLogsKeyStatement, denyGrantsExceptForAwsResourcesStatement } from '../identity/key-policies';
import { ENVIRONMENT_NAME_PATTERN } from '../network/black-hole-vpc';
import { ec2VcpuUsageDimensions, GPU_USAGE_CLASSES, gpuUsageClass, USAGE_METRIC_NAME, USAGE_NAMESPACE, USAGE_STATISTIC } from './usage-metrics';
import { BUDGET_STOP_THRESHOLD_PERCENT } from './stop-compute';

/** Whether a budget notification compares actual or forecasted cost. */
export enum BudgetNotificationType {
  /** Cost already incurred this month. */
  ACTUAL = 'ACTUAL',
  /** Cost AWS Budgets forecasts for the whole month. */
  FORECASTED = 'FORECASTED',
}

/** One budget notification: a percentage of the monthly limit. */
export interface BudgetThreshold {
  /** Percentage of the monthly limit, in (0, 1000]. */
  readonly percent: number;
  /** @default BudgetNotificationType.ACTUAL */
  readonly type?: BudgetNotificationType;
}

/** The default notifications: 50, 80 and 100 % actual, 100 % forecasted. */
export const DEFAULT_BUDGET_THRESHOLDS: readonly BudgetThreshold[] = Object.freeze([
  { percent: 50, type: BudgetNotificationType.ACTUAL },
  { percent: 80, type: BudgetNotificationType.ACTUAL },
  { percent: 100, type: BudgetNotificationType.ACTUAL },
  { percent: 100, type: BudgetNotificationType.FORECASTED },
]);

/**
 * Percentage of actual cost at which the budget actions run; the same threshold's notification
 * makes the stop function stop the compute.
 */
export const BUDGET_ACTION_THRESHOLD_PERCENT = BUDGET_STOP_THRESHOLD_PERCENT;

/** AWS Budgets allows at most ten notifications per budget. */
const MAX_NOTIFICATIONS = 10;

/** Role that AWS Organizations creates in member accounts: the default break-glass exemption of the SCP. */
export const DEFAULT_SCP_EXEMPT_ROLE_NAME = 'OrganizationAccountAccessRole';

const ACCOUNT_ID = /^\d{12}$/;
const OU_ID = /^ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}$/;
const INSTANCE_ID = /^i-(?:[0-9a-f]{8}|[0-9a-f]{17})$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** Properties of a {@link BillingGuard}. */
export interface BillingGuardProps {
  /** Name of the environment the guard watches (tag `black-hole:environment`). */
  readonly environmentName: string;

  /** Monthly cost limit in USD: a positive number. At 100 % actual the budget actions run. */
  readonly monthlyLimitUsd: number;

  /**
   * Budget notifications to the guard's topic, each a percentage in (0, 1000] of actual or
   * forecasted cost; at most ten.
   * @default DEFAULT_BUDGET_THRESHOLDS - 50/80/100 % actual and 100 % forecasted
   */
  readonly thresholds?: BudgetThreshold[];

  /**
   * E-mail addresses subscribed to the guard's topic (each must confirm the subscription).
   * @default - no e-mail subscriptions
   */
  readonly emailSubscribers?: string[];

  /**
   * The environment's agent roles. At 100 % actual the budget attaches the guard's deny-all managed
   * policy to each of them (APPLY_IAM_POLICY, automatic). At least one.
   */
  readonly agentRoles: iam.IRole[];

  /**
   * The account runs only this environment: the budget and the anomaly monitor cover the whole
   * account. When false, both are scoped to the cost allocation tag `black-hole:environment`, which
   * must be activated as a cost allocation tag in the payer account.
   * @default false
   */
  readonly dedicatedAccount?: boolean;

  /**
   * Name of the budget (unique in the account; no `:` or `\`).
   * @default `black-hole-<environmentName>`
   */
  readonly budgetName?: string;

  /**
   * AWS Organizations target (an account id or an OU id `ou-...`) of an APPLY_SCP_POLICY action that
   * attaches a deny-all SCP at 100 %: the one stop an agent cannot undo from inside the account.
   * The stack must then be deployed in the management account (or an Organizations delegated
   * administrator for policies), since it creates the SCP.
   * @default - no SCP action
   */
  readonly scpTarget?: string;

  /**
   * Roles the deny-all SCP exempts, by ARN pattern (`aws:PrincipalArn`), so that people can recover
   * the account. Never an agent role.
   * @default - `arn:<partition>:iam::*:role/OrganizationAccountAccessRole`
   */
  readonly scpExemptRoleArns?: string[];

  /**
   * EC2 instance ids for a RUN_SSM_DOCUMENTS (STOP_EC2_INSTANCES) budget action. CloudFormation
   * needs the ids at deploy time, so instances of Auto Scaling groups cannot be listed here; the
   * usage alarms' stop function (see `declaredVcpus`) is the real stop for them.
   * @default - no SSM action
   */
  readonly stopInstanceIds?: string[];

  /**
   * Declared GPU capacity: the most vCPUs the environment may run per AWS/Usage class (`P/OnDemand`,
   * `G/OnDemand`, `P/Spot`, `G/Spot`; see usage-metrics.ts), e.g. a fleet's `declaredVcpus`. Each
   * class gets a one-minute alarm on `AWS/Usage ResourceCount` above its cap whose actions notify
   * the topic and stop the environment's compute (the fast path). The metric is account- and
   * region-wide: in a shared account, the cap must cover every environment there.
   * @default - no usage alarms (a warning says so: the budget alone is slow)
   */
  readonly declaredVcpus?: Record<string, number>;

  /**
   * An anomaly whose total impact reaches this many USD is sent immediately to the topic.
   * @default - 10 % of monthlyLimitUsd
   */
  readonly anomalyImpactThresholdUsd?: number;

  /**
   * ARN of an existing Cost Anomaly Detection monitor to subscribe to instead of creating one (an
   * account has at most one AWS managed SERVICE monitor).
   * @default - a monitor is created
   */
  readonly existingAnomalyMonitorArn?: string;
}

/**
 * Billing-limit guards of a black hole environment, at two speeds (ESCAPES.md 6):
 *
 * - Slow (budgets refresh a few times a day): a monthly AWS Budgets cost budget, scoped to the
 *   environment's cost allocation tag (or the whole dedicated account), with notifications to an
 *   encrypted SNS topic and, at 100 % actual, automatic actions: a deny-all managed policy attached
 *   to every agent role, optionally a deny-all SCP on an account/OU and an SSM stop of listed
 *   instances. The actions run as a least-privilege execution role trusted only by AWS Budgets.
 * - Fast (one minute): alarms on `AWS/Usage ResourceCount` vCPUs of each declared GPU class above
 *   the declared capacity; they notify and invoke a function that pins the environment's Auto
 *   Scaling groups to zero and stops its tagged instances.
 *
 * Cost Anomaly Detection sends anomalies to the same topic immediately.
 *
 * The stop function runs outside the VPC (no VpcConfig), so the gate does not count it as the
 * environment's compute even though it carries the environment tag; its role is not an agent role.
 */
export class BillingGuard extends Construct {
  /** Name of the environment the guard watches (its cost allocation tag value). */
  public readonly environmentName: string;
  /** Topic of every notification (budgets, budget actions, usage alarms, anomalies). */
  public readonly topic: sns.Topic;
  /** Key of the topic. */
  public readonly topicKey: kms.Key;
  /** The monthly cost budget, filtered on the environment's tag (or the whole account when dedicated). */
  public readonly budget: budgets.CfnBudget;
  /** Name of the budget. */
  public readonly budgetName: string;
  /** The deny-all managed policy the budget attaches to the agent roles. */
  public readonly denyAllPolicy: iam.ManagedPolicy;
  /** Role AWS Budgets runs the actions as. */
  public readonly executionRole: iam.Role;
  /** APPLY_IAM_POLICY action. */
  public readonly iamAction: budgets.CfnBudgetsAction;
  /** APPLY_SCP_POLICY action, when `scpTarget` is given. */
  public readonly scpAction?: budgets.CfnBudgetsAction;
  /** The deny-all SCP, when `scpTarget` is given. */
  public readonly denyAllScp?: organizations.CfnPolicy;
  /** RUN_SSM_DOCUMENTS action, when `stopInstanceIds` are given. */
  public readonly ssmAction?: budgets.CfnBudgetsAction;
  /**
   * Function that stops the environment's compute without losing evidence (processes suspended,
   * instances detached and stopped, training jobs stopped; nothing terminated): invoked by the
   * budget's 100 % ACTUAL notification and by the usage alarms.
   */
  public readonly stopFunction: lambda.Function;
  /** Usage alarms by AWS/Usage class. */
  public readonly usageAlarms: Readonly<Record<string, cloudwatch.Alarm>>;
  /** The anomaly monitor, unless an existing one was given. */
  public readonly anomalyMonitor?: ce.CfnAnomalyMonitor;
  /** Cost Anomaly Detection subscription that sends anomalies to the topic immediately. */
  public readonly anomalySubscription: ce.CfnAnomalySubscription;

  constructor(scope: Construct, id: string, props: BillingGuardProps) {
    super(scope, id);
    const resolved = validateBillingGuardProps(props);
    const env = props.environmentName;
    this.environmentName = env;
    this.budgetName = resolved.budgetName;
    const stack = Stack.of(this);

    // Notifications: one encrypted topic, publishable only by the services that notify.
    this.topicKey = new kms.Key(this, 'TopicKey', {
      description: `Billing notifications of black hole ${env}`,
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // Budgets and Cost Anomaly Detection: AWS documents no aws:SourceAccount/aws:SourceArn on their KMS
    // requests for an encrypted topic (neither is among the services the SNS key-management page
    // lists), so the key grant cannot depend on them: a condition the request lacks would drop every
    // notification, the 100% ACTUAL one that stops the compute included. Who may publish is decided
    // by the topic policy below, which admits them only for this account (sns:Publish carries it).
    // https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html#compatibility-with-aws-services
    this.topicKey.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowBillingServicesToPublishEncrypted',
        principals: [new iam.ServicePrincipal('budgets.amazonaws.com'), new iam.ServicePrincipal('costalerts.amazonaws.com')],
        actions: ['kms:GenerateDataKey*', 'kms:Decrypt'],
        resources: ['*'],
      }),
    );
    this.topicKey.addToResourcePolicy(denyGrantsExceptForAwsResourcesStatement());

    this.topic = new sns.Topic(this, 'Topic', {
      displayName: `Billing guard of black hole ${env}`,
      masterKey: this.topicKey,
      enforceSSL: true,
    });
    this.topic.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowBudgetsAndCostAnomalyDetectionToPublish',
        principals: [new iam.ServicePrincipal('budgets.amazonaws.com'), new iam.ServicePrincipal('costalerts.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [this.topic.topicArn],
        conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
      }),
    );
    // CloudWatch, which the SNS guide lists with aws:SourceAccount and aws:SourceArn: this account's alarms only.
    allowCloudWatchAlarmsToPublish(this.topic, this.topicKey);
    for (const address of props.emailSubscribers ?? []) {
      new sns.Subscription(this, `Email${duplicateSafeId(address)}`, {
        topic: this.topic,
        protocol: sns.SubscriptionProtocol.EMAIL,
        endpoint: address,
      });
    }
    const topicPolicy = this.topic.node.tryFindChild('Policy');

    // The budget.
    const snsSubscriber = { subscriptionType: 'SNS', address: this.topic.topicArn };
    this.budget = new budgets.CfnBudget(this, 'Budget', {
      budget: {
        budgetName: resolved.budgetName,
        budgetType: 'COST',
        timeUnit: 'MONTHLY',
        budgetLimit: { amount: props.monthlyLimitUsd, unit: 'USD' },
        ...(props.dedicatedAccount ? {} : { costFilters: { TagKeyValue: [budgetTagFilterValue(env)] } }),
      },
      notificationsWithSubscribers: resolved.thresholds.map((t) => ({
        notification: {
          notificationType: t.type ?? BudgetNotificationType.ACTUAL,
          comparisonOperator: 'GREATER_THAN',
          threshold: t.percent,
          thresholdType: 'PERCENTAGE',
        },
        subscribers: [snsSubscriber],
      })),
    });
    if (topicPolicy) this.budget.node.addDependency(topicPolicy);

    // What happens at 100 %.
    this.denyAllPolicy = new iam.ManagedPolicy(this, 'DenyAllPolicy', {
      description: `Attached by the budget of black hole ${env} to its agent roles at ${BUDGET_ACTION_THRESHOLD_PERCENT} %: denies everything`,
      statements: [new iam.PolicyStatement({ sid: 'BudgetExhausted', effect: iam.Effect.DENY, actions: ['*'], resources: ['*'] })],
    });

    this.executionRole = new iam.Role(this, 'ActionExecutionRole', {
      description: `Runs the budget actions of black hole ${env}; trusted only by AWS Budgets`,
      assumedBy: new iam.ServicePrincipal('budgets.amazonaws.com').withConditions({ StringEquals: { 'aws:SourceAccount': stack.account } }),
      maxSessionDuration: Duration.hours(1),
    });
    this.executionRole.addToPolicy(
      new iam.PolicyStatement({
        sid: 'AttachTheDenyPolicyToAgentRoles',
        actions: ['iam:AttachRolePolicy', 'iam:DetachRolePolicy'],
        resources: props.agentRoles.map((r) => r.roleArn),
        conditions: { ArnEquals: { 'iam:PolicyARN': this.denyAllPolicy.managedPolicyArn } },
      }),
    );

    const action = (cid: string, actionType: string, definition: budgets.CfnBudgetsAction.DefinitionProperty) => {
      const a = new budgets.CfnBudgetsAction(this, cid, {
        budgetName: this.budget.ref,
        actionType,
        approvalModel: 'AUTOMATIC',
        notificationType: 'ACTUAL',
        actionThreshold: { type: 'PERCENTAGE', value: BUDGET_ACTION_THRESHOLD_PERCENT },
        executionRoleArn: this.executionRole.roleArn,
        definition,
        subscribers: [{ type: 'SNS', address: this.topic.topicArn }],
      });
      // The role's policy must exist before Budgets validates the action.
      a.node.addDependency(this.executionRole);
      if (topicPolicy) a.node.addDependency(topicPolicy);
      return a;
    };

    this.iamAction = action('DenyAgentRolesAction', 'APPLY_IAM_POLICY', {
      iamActionDefinition: {
        policyArn: this.denyAllPolicy.managedPolicyArn,
        roles: props.agentRoles.map((r) => r.roleName),
      },
    });

    if (props.scpTarget !== undefined) {
      const exempt = props.scpExemptRoleArns ?? [`arn:${Aws.PARTITION}:iam::*:role/${DEFAULT_SCP_EXEMPT_ROLE_NAME}`];
      this.denyAllScp = new organizations.CfnPolicy(this, 'DenyAllScp', {
        name: `black-hole-${env}-budget-exhausted`,
        description: `Attached by the budget of black hole ${env} at ${BUDGET_ACTION_THRESHOLD_PERCENT} %: denies everything except the break-glass roles`,
        type: 'SERVICE_CONTROL_POLICY',
        // Not attached at deploy: the budget action attaches it.
        content: {
          Version: '2012-10-17',
          Statement: [
            {
              Sid: 'BudgetExhausted',
              Effect: 'Deny',
              Action: '*',
              Resource: '*',
              Condition: { ArnNotLike: { 'aws:PrincipalArn': exempt } },
            },
          ],
        },
      });
      const targetKind = ACCOUNT_ID.test(props.scpTarget) ? 'account' : 'ou';
      this.executionRole.addToPolicy(
        new iam.PolicyStatement({
          sid: 'AttachTheDenyScpToTheTarget',
          actions: ['organizations:AttachPolicy', 'organizations:DetachPolicy'],
          resources: [this.denyAllScp.attrArn, `arn:${stack.partition}:organizations::*:${targetKind}/o-*/${props.scpTarget}`],
        }),
      );
      this.scpAction = action('DenyScpAction', 'APPLY_SCP_POLICY', {
        scpActionDefinition: { policyId: this.denyAllScp.attrId, targetIds: [props.scpTarget] },
      });
    }

    if (props.stopInstanceIds !== undefined) {
      // ssm:StartAutomationExecution requires the `document` and `automation-execution` resource
      // types (automation-definition is optional): the Service Authorization Reference,
      // https://docs.aws.amazon.com/service-authorization/latest/reference/list_awssystemsmanager.html
      // Without them the action fails when the budget runs it, long after deploy.
      this.executionRole.addToPolicy(
        new iam.PolicyStatement({
          sid: 'RunTheStopDocument',
          actions: ['ssm:StartAutomationExecution'],
          resources: [
            `arn:${stack.partition}:ssm:${stack.region}:*:automation-definition/AWS-StopEC2Instance:*`,
            `arn:${stack.partition}:ssm:${stack.region}:*:document/AWS-StopEC2Instance`,
            `arn:${stack.partition}:ssm:${stack.region}:${stack.account}:automation-execution/*`,
          ],
        }),
      );
      this.executionRole.addToPolicy(
        new iam.PolicyStatement({
          sid: 'StopTheListedInstances',
          actions: ['ec2:StopInstances'],
          resources: props.stopInstanceIds.map((i) => `arn:${stack.partition}:ec2:${stack.region}:${stack.account}:instance/${i}`),
        }),
      );
      this.executionRole.addToPolicy(
        new iam.PolicyStatement({
          sid: 'ReadInstanceStatus',
          actions: ['ec2:DescribeInstanceStatus', 'ec2:DescribeInstances'],
          resources: ['*'],
        }),
      );
      this.ssmAction = action('StopInstancesAction', 'RUN_SSM_DOCUMENTS', {
        ssmActionDefinition: { subtype: 'STOP_EC2_INSTANCES', region: stack.region, instanceIds: props.stopInstanceIds },
      });
    }

    const executionPolicy = this.executionRole.node.tryFindChild('DefaultPolicy');
    const ack: Array<{ id: string; reason: string }> = [];
    if (props.scpTarget !== undefined) {
      ack.push({
        id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:organizations::*:${ACCOUNT_ID.test(props.scpTarget) ? 'account' : 'ou'}/o-*/${props.scpTarget}]`,
        reason: 'The target is named exactly; only the management account and the organization id, unknown at synth, are wildcards.',
      });
    }
    if (props.stopInstanceIds !== undefined) {
      ack.push(
        {
          id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ssm:${regionForNag(stack)}:*:automation-definition/AWS-StopEC2Instance:*]`,
          reason: 'The AWS-owned AWS-StopEC2Instance document, any version: its ARN has no account.',
        },
        {
          id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ssm:${regionForNag(stack)}:*:document/AWS-StopEC2Instance]`,
          reason: 'The AWS-owned AWS-StopEC2Instance document: its ARN has no account.',
        },
        {
          id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ssm:${regionForNag(stack)}:${accountForNag(stack)}:automation-execution/*]`,
          reason: 'The execution the action starts, whose id is assigned at run time.',
        },
        { id: 'AwsSolutions-IAM5[Resource::*]', reason: 'ec2:DescribeInstanceStatus and ec2:DescribeInstances do not support resource-level permissions.' },
      );
    }
    if (executionPolicy && ack.length > 0) Validations.of(executionPolicy).acknowledge(...ack);

    // The stop function: the budget's 100 % ACTUAL notification and the usage alarms invoke it.
    this.stopFunction = this.createStopFunction(env, resolved.budgetName);
    // At 100 % the budget actions cut the agents' API access, but instances and training jobs keep
    // running (and billing) without API calls: the notification of the same threshold stops them.
    // Budgets publishes plain text without message attributes, so no SNS filter policy can select
    // the 100 % ACTUAL message (payload filtering needs JSON); the function ignores the rest
    // (stop-compute.ts). SNS decrypts for the Lambda subscriber; only publishers need the key.
    // https://docs.aws.amazon.com/cost-management/latest/userguide/budgets-sns-policy.html
    this.topic.addSubscription(new snsSubscriptions.LambdaSubscription(this.stopFunction));

    // The fast path.
    const alarms: Record<string, cloudwatch.Alarm> = {};
    for (const skipped of resolved.ungroundedClasses) {
      Annotations.of(this).addWarningV2(
        `black-hole:billing-no-usage-metric-${skipped.replace(/[^A-Za-z0-9]/g, '')}`,
        `BillingGuard: '${skipped}' has no AWS/Usage vCPU metric grounded in a public AWS source (usage-metrics.ts), so it gets no one-minute usage alarm; ` +
          'the budget (refreshed a few times a day) and its stop are the only stop for that capacity',
      );
    }
    if (resolved.declaredVcpus.length > 0) {
      const stopAction = new cwActions.LambdaAction(this.stopFunction, { useUniquePermissionId: true });
      const notifyAction = new cwActions.SnsAction(this.topic);
      for (const [usageClass, cap] of resolved.declaredVcpus) {
        const alarm = new cloudwatch.Alarm(this, `Usage${usageClass.replace(/[^A-Za-z0-9]/g, '')}`, {
          alarmDescription: `Black hole ${env}: running ${usageClass} vCPUs above the declared capacity of ${cap}; stops the environment's compute`,
          metric: new cloudwatch.Metric({
            namespace: USAGE_NAMESPACE,
            metricName: USAGE_METRIC_NAME,
            dimensionsMap: ec2VcpuUsageDimensions(usageClass),
            statistic: USAGE_STATISTIC,
            period: Duration.minutes(1),
          }),
          threshold: cap,
          comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
          evaluationPeriods: 1,
          datapointsToAlarm: 1,
          treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        });
        alarm.addAlarmAction(notifyAction, stopAction);
        alarms[usageClass] = alarm;
      }
    } else if (resolved.ungroundedClasses.length === 0) {
      Annotations.of(this).addWarningV2(
        'black-hole:billing-no-usage-alarms',
        'BillingGuard has no declaredVcpus: there are no one-minute usage alarms, and the budget (refreshed a few times a day) is the only stop',
      );
    }
    this.usageAlarms = alarms;

    // Cost Anomaly Detection.
    let monitorArn = props.existingAnomalyMonitorArn;
    if (monitorArn === undefined) {
      this.anomalyMonitor = new ce.CfnAnomalyMonitor(
        this,
        'AnomalyMonitor',
        props.dedicatedAccount
          ? { monitorName: `black-hole-${env}`, monitorType: 'DIMENSIONAL', monitorDimension: 'SERVICE' }
          : { monitorName: `black-hole-${env}`, monitorType: 'CUSTOM', monitorSpecification: anomalyMonitorSpecification(env) },
      );
      monitorArn = this.anomalyMonitor.attrMonitorArn;
    }
    this.anomalySubscription = new ce.CfnAnomalySubscription(this, 'AnomalySubscription', {
      subscriptionName: `black-hole-${env}`,
      frequency: 'IMMEDIATE',
      monitorArnList: [monitorArn],
      subscribers: [{ type: 'SNS', address: this.topic.topicArn }],
      thresholdExpression: anomalyThresholdExpression(resolved.anomalyImpactThresholdUsd),
    });
    if (topicPolicy) this.anomalySubscription.node.addDependency(topicPolicy);

    // The stop function runs outside the VPC (no VpcConfig), so the gate does not count it as the
    // environment's compute: it carries the environment tag like everything else.
    Tags.of(this).add(ENVIRONMENT_TAG, env);

    // Its runtime roles (created above) and CDK's singleton provider roles of the stack go on the runtime
    // path, exempt from the guardrail SCP; roles added under this construct later are not marked.
    markRuntimeRolesOf(this);
  }

  private createStopFunction(env: string, budgetName: string): lambda.Function {
    // The guard's key also encrypts its function's logs: they record what was stopped and why.
    this.topicKey.addToResourcePolicy(cloudWatchLogsKeyStatement(Stack.of(this)));
    const logGroup = new logs.LogGroup(this, 'StopComputeLogs', {
      retention: logs.RetentionDays.ONE_YEAR,
      encryptionKey: this.topicKey,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const role = new iam.Role(this, 'StopComputeRole', {
      description: `Stop-compute function of the billing guard of black hole ${env}`,
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      maxSessionDuration: Duration.hours(1),
    });
    for (const statement of stopComputeStatements(Stack.of(this), env)) role.addToPolicy(statement);
    logGroup.grantWrite(role);

    const fn = new lambda.Function(this, 'StopCompute', {
      description: `Billing guard of black hole ${env}: detaches and stops its instances and stops its training jobs, keeping their volumes`,
      code: lambda.Code.fromAsset(handlerAssetPath('stop-compute')),
      handler: 'index.handler',
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: 256,
      timeout: Duration.minutes(2),
      role,
      logGroup,
      environment: { ENVIRONMENT_NAME: env, ENVIRONMENT_TAG_KEY: ENVIRONMENT_TAG, BUDGET_NAME: budgetName },
    });
    // CT.LAMBDA.PR.3: deliberately outside the VPC.
    Validations.of(fn).acknowledge({
      id: 'cdk-validator-cfnguard::lambda_inside_vpc_check',
      reason:
        'The stop function must run outside the black hole: it calls the EC2 and Auto Scaling APIs, which the black hole has no route to, ' +
        'and inside the VPC the gate would count it as environment compute that the agents could reach.',
    });
    const stack = Stack.of(this);
    const policy = role.node.tryFindChild('DefaultPolicy');
    if (policy) {
      Validations.of(policy).acknowledge(
        {
          id: 'AwsSolutions-IAM5[Resource::*]',
          reason: 'ec2:DescribeInstances, autoscaling:DescribeAutoScalingGroups and sagemaker:Search do not support resource-level permissions.',
        },
        {
          id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:sagemaker:${regionForNag(stack)}:${accountForNag(stack)}:training-job/*]`,
          reason: `Any training job, but only with the tag ${ENVIRONMENT_TAG}=${env} (aws:ResourceTag condition): jobs are created after deploy.`,
        },
        {
          id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ec2:${regionForNag(stack)}:${accountForNag(stack)}:instance/*]`,
          reason: `Any instance, but only with the tag ${ENVIRONMENT_TAG}=${env} (aws:ResourceTag condition): instances are created after deploy.`,
        },
        {
          id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:autoscaling:${regionForNag(stack)}:${accountForNag(stack)}:autoScalingGroup:*:autoScalingGroupName/*]`,
          reason: `Any Auto Scaling group, but only with the tag ${ENVIRONMENT_TAG}=${env} (aws:ResourceTag condition).`,
        },
      );
    }
    return fn;
  }
}

/**
 * The stop function's permissions: exactly the calls of preserveAndStopEnvironment
 * (lib/compute/runtime/preserve-and-stop.ts), each on the environment's resources only where the
 * service authorizes by resource tag (Service Authorization Reference: SuspendProcesses,
 * SetInstanceProtection and DetachInstances on `autoScalingGroup` with `aws:ResourceTag`;
 * StopInstances on `instance`; StopTrainingJob on `training-job`). The describe and search calls
 * have no resource types. No UpdateAutoScalingGroup, no TerminateInstances: the function never
 * changes a group's capacity (desired 0 terminates the instances) or terminates anything.
 */
export function stopComputeStatements(stack: Stack, env: string): iam.PolicyStatement[] {
  const tagCondition = { StringEquals: { [`aws:ResourceTag/${ENVIRONMENT_TAG}`]: env } };
  const arn = (service: string, resource: string) => `arn:${stack.partition}:${service}:${stack.region}:${stack.account}:${resource}`;
  return [
    new iam.PolicyStatement({
      sid: 'SuspendAndDetachTheEnvironmentsGroups',
      actions: ['autoscaling:SuspendProcesses', 'autoscaling:SetInstanceProtection', 'autoscaling:DetachInstances'],
      resources: [arn('autoscaling', 'autoScalingGroup:*:autoScalingGroupName/*')],
      conditions: tagCondition,
    }),
    new iam.PolicyStatement({
      sid: 'StopTheEnvironmentsInstances',
      actions: ['ec2:StopInstances'],
      resources: [arn('ec2', 'instance/*')],
      conditions: tagCondition,
    }),
    new iam.PolicyStatement({
      sid: 'StopTheEnvironmentsTrainingJobs',
      actions: ['sagemaker:StopTrainingJob'],
      resources: [arn('sagemaker', 'training-job/*')],
      conditions: tagCondition,
    }),
    new iam.PolicyStatement({
      sid: 'FindTheEnvironmentsCompute',
      actions: ['ec2:DescribeInstances', 'autoscaling:DescribeAutoScalingGroups', 'sagemaker:Search'],
      resources: ['*'],
    }),
  ];
}

/** Budgets' legacy CostFilters value for a cost allocation tag: `user:<key>$<value>`. */
export function budgetTagFilterValue(environmentName: string): string {
  return `user:${ENVIRONMENT_TAG}$${environmentName}`;
}

/** MonitorSpecification of the CUSTOM anomaly monitor of an environment (a Cost Explorer Expression). */
export function anomalyMonitorSpecification(environmentName: string): string {
  return JSON.stringify({ Tags: { Key: ENVIRONMENT_TAG, Values: [environmentName], MatchOptions: ['EQUALS'] } });
}

/** ThresholdExpression of the anomaly subscription: total impact >= the amount in USD. */
export function anomalyThresholdExpression(usd: number): string {
  return JSON.stringify({ Dimensions: { Key: 'ANOMALY_TOTAL_IMPACT_ABSOLUTE', MatchOptions: ['GREATER_THAN_OR_EQUAL'], Values: [String(usd)] } });
}

/** cdk-nag renders Region/Account tokens of finding ids as `<AWS::Region>`; literal values stay. */
function regionForNag(stack: Stack): string {
  return Token.isUnresolved(stack.region) ? '<AWS::Region>' : stack.region;
}
function accountForNag(stack: Stack): string {
  return Token.isUnresolved(stack.account) ? '<AWS::AccountId>' : stack.account;
}

function duplicateSafeId(address: string): string {
  return address.replace(/[^A-Za-z0-9]/g, '');
}

interface ResolvedBillingGuardProps {
  readonly budgetName: string;
  readonly thresholds: readonly BudgetThreshold[];
  readonly declaredVcpus: ReadonlyArray<[string, number]>;
  /** Declared classes of the GPU allowlist without a grounded usage metric (no fast path; warned). */
  readonly ungroundedClasses: readonly string[];
  readonly anomalyImpactThresholdUsd: number;
}

/** `<usageClass>/<OnDemand|Spot>` of a family of the GPU allowlist that usage-metrics.ts has no metric for. */
function isAllowlistClassWithoutMetric(usageClass: string): boolean {
  const m = /^([A-Za-z]+)\/(OnDemand|Spot)$/.exec(usageClass);
  return m !== null && GPU_INSTANCE_FAMILIES.some((f) => f.usageClass === m[1]) && !GPU_USAGE_CLASSES.some((c) => c.familyClass === m[1]);
}

const isPositiveFinite = (n: unknown): boolean => typeof n === 'number' && Number.isFinite(n) && n > 0;

/** Validates every prop, collects every problem and throws once. */
export function validateBillingGuardProps(props: BillingGuardProps): ResolvedBillingGuardProps {
  const v = new PropsValidator('BillingGuard');
  const env = props.environmentName;
  v.check(
    typeof env === 'string' && ENVIRONMENT_NAME_PATTERN.test(env),
    'environmentName',
    `'${env}' is not allowed: use 2 to 32 lower case letters, digits and hyphens, starting with a letter`,
  );

  const limit = props.monthlyLimitUsd;
  v.check(
    !Token.isUnresolved(limit) && isPositiveFinite(limit),
    'monthlyLimitUsd',
    `${Token.isUnresolved(limit) ? 'a token' : limit} is not allowed: use a positive, literal number of USD`,
  );

  const thresholds = props.thresholds ?? DEFAULT_BUDGET_THRESHOLDS;
  v.check(
    thresholds.length >= 1 && thresholds.length <= MAX_NOTIFICATIONS,
    'thresholds',
    `${thresholds.length} given: use 1 to ${MAX_NOTIFICATIONS} (AWS Budgets allows ${MAX_NOTIFICATIONS} notifications per budget)`,
  );
  for (const t of thresholds) {
    v.check(isPositiveFinite(t.percent) && t.percent <= 1000, 'thresholds', `${t.percent} % is not allowed: use a percentage in (0, 1000]`);
    v.check(
      t.type === undefined || Object.values(BudgetNotificationType).includes(t.type),
      'thresholds',
      `type '${t.type}' is not allowed: use ${Object.values(BudgetNotificationType).join(' or ')}`,
    );
  }
  const keys = thresholds.map((t) => `${t.percent}% ${t.type ?? BudgetNotificationType.ACTUAL}`);
  const dupThresholds = duplicatesOf(keys);
  v.check(dupThresholds.length === 0, 'thresholds', `listed more than once: ${dupThresholds.join(', ')}`);
  v.check(
    thresholds.some((t) => (t.type ?? BudgetNotificationType.ACTUAL) === BudgetNotificationType.ACTUAL && t.percent === BUDGET_ACTION_THRESHOLD_PERCENT),
    'thresholds',
    `include ${BUDGET_ACTION_THRESHOLD_PERCENT} % ${BudgetNotificationType.ACTUAL}: its notification makes the stop function stop the compute when the budget actions run`,
  );

  const emails = props.emailSubscribers ?? [];
  for (const e of emails) {
    v.check(typeof e === 'string' && EMAIL.test(e), 'emailSubscribers', `'${e}' is not an e-mail address`);
  }
  const dupEmails = duplicatesOf(emails);
  v.check(dupEmails.length === 0, 'emailSubscribers', `listed more than once: ${dupEmails.join(', ')}`);

  const roles = props.agentRoles ?? [];
  v.check(roles.length > 0, 'agentRoles', 'give at least one agent role: the budget attaches its deny policy to them at 100 %');
  for (const r of roles) {
    if (r instanceof AgentRole && !Token.isUnresolved(r.environmentName) && typeof env === 'string' && r.environmentName !== env) {
      v.add('agentRoles', `${r.node.path} belongs to environment '${r.environmentName}', not '${env}'`);
    }
  }

  const budgetName = props.budgetName ?? `black-hole-${env}`;
  if (props.budgetName !== undefined && !Token.isUnresolved(props.budgetName)) {
    v.check(/^[^:\\]{1,100}$/.test(props.budgetName), 'budgetName', `'${props.budgetName}' is not allowed: 1 to 100 characters, no ':' or '\\'`);
  }

  if (props.scpTarget !== undefined) {
    v.check(
      ACCOUNT_ID.test(props.scpTarget) || OU_ID.test(props.scpTarget),
      'scpTarget',
      `'${props.scpTarget}' is not allowed: use a 12-digit account id or an OU id (ou-...); an organization root is refused`,
    );
  }
  if (props.scpExemptRoleArns !== undefined) {
    v.check(props.scpTarget !== undefined, 'scpExemptRoleArns', 'only applies with scpTarget');
    v.check(props.scpExemptRoleArns.length > 0, 'scpExemptRoleArns', 'give at least one role ARN, or leave it out for the default');
    for (const a of props.scpExemptRoleArns) {
      v.check(Token.isUnresolved(a) || /^arn:[^:]+:iam::[^:]*:role\/.+$/.test(a), 'scpExemptRoleArns', `'${a}' is not an IAM role ARN (pattern)`);
    }
  }

  if (props.stopInstanceIds !== undefined) {
    v.check(props.stopInstanceIds.length > 0, 'stopInstanceIds', 'give at least one instance id, or leave it out');
    for (const i of props.stopInstanceIds) {
      v.check(Token.isUnresolved(i) || INSTANCE_ID.test(i), 'stopInstanceIds', `'${i}' is not an EC2 instance id`);
    }
  }

  const declared: Array<[string, number]> = [];
  const ungrounded: string[] = [];
  if (props.declaredVcpus !== undefined) {
    const entries = Object.entries(props.declaredVcpus);
    v.check(entries.length > 0, 'declaredVcpus', 'declare at least one class, or leave it out');
    const allowedClasses = GPU_USAGE_CLASSES.map((c) => c.usageClass).join(', ');
    const allowlistClasses = new Set(GPU_INSTANCE_FAMILIES.map((f) => f.usageClass));
    for (const [usageClass, cap] of entries) {
      const known = gpuUsageClass(usageClass);
      if (!known && isAllowlistClassWithoutMetric(usageClass)) {
        // e.g. Trn/OnDemand of a Trainium fleet: a real class of the allowlist, but no public AWS
        // source shows its AWS/Usage metric; skip the fast path (warned) rather than fail synth.
        ungrounded.push(usageClass);
        continue;
      }
      if (!known) {
        v.add('declaredVcpus', `'${usageClass}' has no known AWS/Usage vCPU metric: use ${allowedClasses}`);
        continue;
      }
      if (!allowlistClasses.has(known.familyClass)) {
        v.add('declaredVcpus', `'${usageClass}' is not a class of the GPU allowlist (lib/identity/gpu-instance-types.ts)`);
        continue;
      }
      if (Token.isUnresolved(cap) || typeof cap !== 'number' || !Number.isInteger(cap) || cap <= 0) {
        v.add('declaredVcpus', `${usageClass}: ${cap} is not allowed: use a positive whole number of vCPUs`);
        continue;
      }
      declared.push([usageClass, cap]);
    }
  }

  const anomalyThreshold = props.anomalyImpactThresholdUsd ?? (isPositiveFinite(limit) ? Math.round(limit * 10) / 100 : 1);
  if (props.anomalyImpactThresholdUsd !== undefined) {
    v.check(
      isPositiveFinite(props.anomalyImpactThresholdUsd),
      'anomalyImpactThresholdUsd',
      `${props.anomalyImpactThresholdUsd} is not allowed: use a positive number of USD`,
    );
  }
  if (props.existingAnomalyMonitorArn !== undefined && !Token.isUnresolved(props.existingAnomalyMonitorArn)) {
    v.check(
      /^arn:[^:]+:ce::\d{12}:anomalymonitor\/.+$/.test(props.existingAnomalyMonitorArn),
      'existingAnomalyMonitorArn',
      `'${props.existingAnomalyMonitorArn}' is not an anomaly monitor ARN (arn:<partition>:ce::<account>:anomalymonitor/<id>)`,
    );
  }

  v.throwIfAny();
  return { budgetName, thresholds, declaredVcpus: declared, ungroundedClasses: ungrounded, anomalyImpactThresholdUsd: anomalyThreshold };
}
