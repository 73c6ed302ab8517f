import { ArnFormat, CfnResource, Duration, RemovalPolicy, Stack, Tags, Validations } from 'aws-cdk-lib';
import * as cwActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as destinations from 'aws-cdk-lib/aws-logs-destinations';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { markRuntimeRolesOf } from '../common/runtime-roles';
import { handlerAssetPath } from '../common/handler-assets';
import { nagResourceName } from '../common/nag-ids';
import { AGENT_ROLE_TAG, AGENT_ROLE_TAG_VALUE, ENVIRONMENT_TAG } from '../common/tags';
import { PropsValidator } from '../common/validation';
import { AgentBoundary } from '../identity/agent-boundary';
import type { BlackHoleVpc } from '../network/black-hole-vpc';
import { EpisodeLedger } from './episode-ledger';
import { FlowLogPipeline, VIOLATION_KEY_PREFIX, flowsLeavingVpcPattern } from './flow-log-pipeline';
import { allowCloudWatchAlarmsToPublish } from '../identity/key-policies';
import { ManagementEventTrail } from './management-event-trail';
import { ContainmentMode, REVOCATION_TEMPLATE_TIME } from './runtime/contain';
import { VIOLATION_DETAIL_TYPE, VIOLATION_EVENT_SOURCE } from './runtime/correlate';
import { DENIED_ERROR_CODES, GUARDDUTY_FINDING_TYPE_PATTERNS, SEVERITIES, ViolationSeverity } from './runtime/signals';

/** Options of the containment responder. */
export interface ContainmentOptions {
  /** `contain` acts; `alert-only` only reports. @default 'contain' */
  readonly mode?: ContainmentMode;
  /** Lowest severity that is contained. @default 'HIGH' */
  readonly minSeverity?: ViolationSeverity;
}

/** Properties of a ViolationStream. */
export interface ViolationStreamProps {
  /** The black hole whose telemetry feeds the stream (query log group, VPC CIDR, key). */
  readonly network: BlackHoleVpc;
  /** The flow-log pipeline (violation archive in its bucket; its CloudWatch copy, if any, feeds the stream). */
  readonly pipeline: FlowLogPipeline;
  /** Agent roles whose denied API calls are violations (CloudTrail, by sessionIssuer.arn). At least one. */
  readonly agentRoles: iam.IRole[];
  /** Containment responder options. @default - contain HIGH and CRITICAL */
  readonly containment?: ContainmentOptions;
  /** How long the event bus archive keeps violations. @default Duration.days(365) */
  readonly archiveRetention?: Duration;
  /**
   * The CloudTrail trail that denied API calls need: EventBridge receives `AWS API Call via
   * CloudTrail` events only while a trail logs them. By default the stack gets one
   * ({@link ManagementEventTrail}: single-region, read and write management events, KMS, validated,
   * retained bucket; one per stack, shared by its environments).
   * @default - create the stack's ManagementEventTrail
   */
  readonly trail?: ViolationStreamTrailOptions;
}

/** Where the violation stream's CloudTrail events come from. */
export interface ViolationStreamTrailOptions {
  /**
   * `true`: the account (or its organization) already has a trail logging management events, read
   * and write, in this region, so none is created. Without one, denied calls are never reported.
   * The first copy of management events in a region is free; a second trail is billed per event.
   * @default false
   */
  readonly existingTrail?: boolean;
}

const RUNTIME = lambda.Runtime.NODEJS_22_X;

/** Tag on the telemetry Lambdas: the environment they watch (they are not part of it). */
export const TELEMETRY_OF_TAG = 'black-hole:telemetry-of';

/** `LogicalId` of a construct's L1 resource, as cdk-nag writes it in finding ids (`<LogicalId.Arn>`). */
function logicalIdOf(construct: Construct): string {
  const cfn = construct.node.defaultChild as CfnResource;
  return Stack.of(construct).resolve(Stack.of(construct).getLogicalId(cfn));
}

/**
 * The violation stream: EventBridge rules for the GuardDuty findings and CloudTrail denials that
 * matter here, subscription filters for DNS Firewall BLOCKs and flow-log egress, the episode ledger,
 * a correlator Lambda that attributes each to the active episode and publishes a `Black Hole
 * Violation` to a custom event bus (archived, to SNS, and as JSON to the Athena `violations` table),
 * and the containment responder for the high-severity ones.
 *
 * Neither Lambda runs in the environment's VPC, so no agent compute can obtain their roles.
 */
export class ViolationStream extends Construct {
  /** The custom event bus every `Black Hole Violation` event is put on. */
  public readonly bus: events.EventBus;
  /** Archive of the bus (replayable violations). */
  public readonly archive: events.Archive;
  /** Topic that receives every violation, for people and paging. */
  public readonly topic: sns.Topic;
  /** The episode ledger the correlator reads to name each violation's episode. */
  public readonly ledger: EpisodeLedger;
  /** Lambda that turns GuardDuty findings, denied calls, DNS blocks and egress flows into violations. */
  public readonly correlator: lambda.Function;
  /** Lambda that contains violations of the configured severity (revoke, quarantine, stop, tag). */
  public readonly responder: lambda.Function;
  /** Security group with no rules that the responder moves the ENIs of contained compute to. */
  public readonly quarantineSecurityGroup: ec2.SecurityGroup;
  /** Rule that sends GuardDuty findings of the environment to the correlator. */
  public readonly guardDutyRule: events.Rule;
  /** Rule that sends denied API calls of the agent roles (CloudTrail) to the correlator. */
  public readonly deniedCallRule: events.Rule;
  /** Rule on the violation bus that invokes the responder. */
  public readonly containmentRule: events.Rule;
  /** Name of the environment watched. */
  public readonly environmentName: string;
  /** The trail that feeds the denied-call rule, unless `trail.existingTrail`. */
  public readonly managementEventTrail?: ManagementEventTrail;
  /** Deletions in the environment's flow-log and access-log buckets, to the violation topic. */
  public readonly logDeletionRule: events.Rule;

  constructor(scope: Construct, id: string, props: ViolationStreamProps) {
    super(scope, id);
    const v = new PropsValidator('ViolationStream');
    v.check(props.agentRoles.length > 0, 'agentRoles', 'give at least one agent role');
    const mode = props.containment?.mode ?? 'contain';
    v.check(['contain', 'alert-only'].includes(mode), 'containment.mode', `'${mode}' is not allowed: use 'contain' or 'alert-only'`);
    const minSeverity = props.containment?.minSeverity ?? 'HIGH';
    v.check(SEVERITIES.includes(minSeverity), 'containment.minSeverity', `'${minSeverity}' is not allowed: use ${SEVERITIES.join(', ')}`);
    v.throwIfAny();

    const env = props.network.environmentName;
    this.environmentName = env;
    const key = props.network.logKey;

    this.ledger = new EpisodeLedger(this, 'Ledger', { environmentName: env, encryptionKey: key });
    this.bus = new events.EventBus(this, 'Bus', { eventBusName: `black-hole-${env}-violations` });
    this.archive = this.bus.archive('Archive', {
      description: `Black Hole Violations of ${env}`,
      eventPattern: { source: [VIOLATION_EVENT_SOURCE] },
      retention: props.archiveRetention ?? Duration.days(365),
    });
    this.topic = new sns.Topic(this, 'Topic', { displayName: `Black hole ${env} violations`, masterKey: key, enforceSSL: true });
    // No aws:SourceAccount/aws:SourceArn here: EventBridge's KMS requests for an encrypted topic carry
    // neither, and AWS documents such a condition as unsupported ("Adding the aws:SourceAccount and
    // aws:SourceArn to a AWS KMS policy is not supported for EventBridge-to-encrypted topics",
    // https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html): with it, every violation
    // notification would be dropped. Who may publish is decided by the topic policy, which admits
    // only this account's rules (aws:SourceAccount and aws:SourceArn, which sns:Publish does carry).
    key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowEventBridgeToPublishEncrypted',
        principals: [new iam.ServicePrincipal('events.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
      }),
    );
    new events.Rule(this, 'NotifyRule', {
      eventBus: this.bus,
      description: 'Every Black Hole Violation to SNS',
      eventPattern: { source: [VIOLATION_EVENT_SOURCE], detailType: [VIOLATION_DETAIL_TYPE] },
      targets: [this.topicTarget()],
    });

    // Correlator.
    this.correlator = this.lambda(
      'Correlator',
      'correlator',
      'Attributes telemetry to RL episodes and publishes Black Hole Violations',
      {
        ENVIRONMENT_NAME: env,
        EVENT_BUS_NAME: this.bus.eventBusName,
        LEDGER_TABLE_NAME: this.ledger.table.tableName,
        VPC_CIDRS: props.network.vpc.vpcCidrBlock,
        ARCHIVE_BUCKET: props.pipeline.bucket.bucketName,
        ARCHIVE_PREFIX: VIOLATION_KEY_PREFIX,
      },
      key,
    );
    this.ledger.grantLookup(this.correlator);
    this.bus.grantPutEventsTo(this.correlator);
    this.correlator.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'WriteViolationArchive',
        actions: ['s3:PutObject'],
        resources: [props.pipeline.bucket.arnForObjects(`${VIOLATION_KEY_PREFIX}*`)],
      }),
    );
    key.grant(this.correlator, 'kms:GenerateDataKey');
    Validations.of(this.correlator.role!).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${logicalIdOf(props.pipeline.bucket)}.Arn>/${VIOLATION_KEY_PREFIX}*]`,
      reason: 'The correlator writes one archive object per violation under the violations/ prefix only; object keys are not known in advance.',
    });

    this.guardDutyRule = new events.Rule(this, 'GuardDutyRule', {
      description: 'GuardDuty findings of mining, backdoors, DNS trojans, unauthorized access, recon and defense evasion',
      eventPattern: {
        source: ['aws.guardduty'],
        detailType: ['GuardDuty Finding'],
        detail: { type: events.Match.anyOf(...GUARDDUTY_FINDING_TYPE_PATTERNS.map((p) => events.Match.wildcard(p))) },
      },
      targets: [new targets.LambdaFunction(this.correlator, { retryAttempts: 8 })],
    });
    this.deniedCallRule = new events.Rule(this, 'DeniedCallRule', {
      description: 'AccessDenied / UnauthorizedOperation API calls made by agent roles (CloudTrail)',
      eventPattern: {
        detailType: ['AWS API Call via CloudTrail'],
        detail: {
          errorCode: [...DENIED_ERROR_CODES],
          userIdentity: { sessionContext: { sessionIssuer: { arn: props.agentRoles.map((r) => r.roleArn) } } },
        },
      },
      targets: [new targets.LambdaFunction(this.correlator, { retryAttempts: 8 })],
    });
    // Denied Describe*/Get*/List* calls (reconnaissance) are read-only management events: a rule in
    // state ENABLED does not receive them. The L2 Rule only knows enabled true/false.
    // https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-service-event-cloudtrail-management.html
    (this.deniedCallRule.node.defaultChild as events.CfnRule).state = 'ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS';
    if (!props.trail?.existingTrail) {
      this.managementEventTrail = ManagementEventTrail.of(this);
    }
    // DNS Firewall BLOCKs (Resolver query logs) and, with the pipeline's CloudWatch copy, egress flows.
    new logs.SubscriptionFilter(this, 'DnsBlockSubscription', {
      logGroup: props.network.queryLogGroup,
      destination: new destinations.LambdaDestination(this.correlator),
      filterPattern: logs.FilterPattern.stringValue('$.firewall_rule_action', '=', 'BLOCK'),
    });
    if (props.pipeline.cloudWatchLogGroup) {
      new logs.SubscriptionFilter(this, 'EgressFlowSubscription', {
        logGroup: props.pipeline.cloudWatchLogGroup,
        destination: new destinations.LambdaDestination(this.correlator),
        // Only flows that left the VPC; the correlator also drops destinations inside VPC_CIDRS.
        filterPattern: flowsLeavingVpcPattern(),
      });
    }
    // Flow-log alarms (REJECTs, egress) notify the violation topic through their own alarm actions.
    if (props.pipeline.alarms.length > 0) {
      allowCloudWatchAlarmsToPublish(this.topic, key);
      const notify = new cwActions.SnsAction(this.topic);
      for (const alarm of props.pipeline.alarms) alarm.addAlarmAction(notify);
    }
    // The log buckets send object events to EventBridge; a deleted log is evidence being destroyed.
    this.logDeletionRule = new events.Rule(this, 'LogDeletionRule', {
      description: 'A flow log, CloudTrail log or server access log deleted (object or delete marker) to the violation topic',
      eventPattern: {
        source: ['aws.s3'],
        detailType: ['Object Deleted'],
        detail: {
          bucket: {
            name: [
              props.network.flowLogBucket.bucketName,
              props.network.accessLogBucket.bucketName,
              ...(this.managementEventTrail ? [this.managementEventTrail.bucket.bucketName, this.managementEventTrail.accessLogBucket.bucketName] : []),
            ],
          },
        },
      },
      targets: [this.topicTarget()],
    });

    // Containment responder.
    this.quarantineSecurityGroup = new ec2.SecurityGroup(this, 'QuarantineSecurityGroup', {
      vpc: props.network.vpc,
      description: `Quarantine of black hole ${env}: no ingress, no egress`,
      allowAllOutbound: false,
    });
    this.responder = this.lambda(
      'Responder',
      'responder',
      'Contains high-severity Black Hole Violations',
      {
        MODE: mode,
        MIN_SEVERITY: minSeverity,
        QUARANTINE_SECURITY_GROUP_ID: this.quarantineSecurityGroup.securityGroupId,
        REVOCATION_POLICY_TEMPLATE: JSON.stringify(AgentBoundary.sessionRevocationPolicyDocument(REVOCATION_TEMPLATE_TIME)),
      },
      key,
    );
    this.grantContainment(this.responder.role!, props);
    const contained = SEVERITIES.slice(SEVERITIES.indexOf(minSeverity));
    this.containmentRule = new events.Rule(this, 'ContainmentRule', {
      eventBus: this.bus,
      description: `Black Hole Violations of severity ${contained.join(', ')} to the containment responder`,
      eventPattern: { source: [VIOLATION_EVENT_SOURCE], detailType: [VIOLATION_DETAIL_TYPE], detail: { severity: contained } },
      targets: [new targets.LambdaFunction(this.responder, { retryAttempts: 4 })],
    });

    // The Lambdas watch the environment from outside its VPC (no VpcConfig): they carry the
    // environment tag per the contract, and TELEMETRY_OF_TAG says what they are.
    Tags.of(this).add(ENVIRONMENT_TAG, env);
    Tags.of(this.correlator).add(TELEMETRY_OF_TAG, env);
    Tags.of(this.responder).add(TELEMETRY_OF_TAG, env);

    // Its runtime roles (created above) and CDK's singleton provider roles of the stack go on the runtime
    // path, exempt from the guardrail SCP; roles added under this construct later are not marked.
    markRuntimeRolesOf(this);
  }

  /**
   * The violation topic as a rule target, without aws-cdk-lib's `SnsTopic` grant: that grant admits
   * events.amazonaws.com to the topic and its key with no condition, so any account's rule could
   * publish here (confused deputy). One topic statement admits EventBridge only for rules of this
   * account and region (aws:SourceAccount, aws:SourceArn); the key statement
   * AllowEventBridgeToPublishEncrypted grants it data keys with no source condition, which its KMS
   * requests for an encrypted topic do not carry (see the constructor).
   * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-use-resource-based.html#eb-sns-permissions
   */
  private topicTarget(): events.IRuleTarget {
    const topic = this.topic;
    const stack = Stack.of(this);
    if (!this.topicAdmitsRules) {
      topic.addToResourcePolicy(
        new iam.PolicyStatement({
          sid: 'AllowThisStacksRulesToPublish',
          principals: [new iam.ServicePrincipal('events.amazonaws.com')],
          actions: ['sns:Publish'],
          resources: [topic.topicArn],
          conditions: {
            StringEquals: { 'aws:SourceAccount': stack.account },
            ArnLike: { 'aws:SourceArn': stack.formatArn({ service: 'events', resource: 'rule', resourceName: '*' }) },
          },
        }),
      );
      this.topicAdmitsRules = true;
    }
    return { bind: () => ({ arn: topic.topicArn, targetResource: topic }) };
  }

  private topicAdmitsRules = false;

  private lambda(
    id: string,
    entry: 'correlator' | 'responder',
    description: string,
    environment: Record<string, string | undefined>,
    key: kms.IKey,
  ): lambda.Function {
    const stack = Stack.of(this);
    // A fixed name, so that the role's policy can name the function's ARN without referencing the
    // function (which depends on the role: a cycle).
    const functionName = `black-hole-${this.environmentName}-${id.toLowerCase()}`;
    const logGroup = new logs.LogGroup(this, `${id}Logs`, { retention: logs.RetentionDays.ONE_YEAR, encryptionKey: key, removalPolicy: RemovalPolicy.RETAIN });
    const role = new iam.Role(this, `${id}Role`, {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `${description} (not agent-reachable)`,
    });
    role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [logGroup.logGroupArn] }));
    // The environment is encrypted with the customer key: Lambda decrypts it at every cold start as
    // the execution role, with encryption context aws:lambda:FunctionArn = the function's ARN (the
    // console helpers' LambdaFunctionName context is for variables the code decrypts itself).
    // Without this the function never starts. The key policy lets the account's IAM policies act.
    // https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars-encryption.html
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'DecryptOwnEnvironment',
        actions: ['kms:Decrypt'],
        resources: [key.keyArn],
        conditions: {
          StringEquals: {
            'kms:EncryptionContext:aws:lambda:FunctionArn': stack.formatArn({
              service: 'lambda',
              resource: 'function',
              resourceName: functionName,
              arnFormat: ArnFormat.COLON_RESOURCE_NAME,
            }),
          },
        },
      }),
    );
    const env = Object.fromEntries(Object.entries(environment).filter(([, v]) => v !== undefined)) as Record<string, string>;
    // Pre-built at package build time (lib/common/handler-assets.ts): no bundler at the user's synth.
    const fn = new lambda.Function(this, id, {
      code: lambda.Code.fromAsset(handlerAssetPath(entry)),
      functionName,
      handler: 'index.handler',
      runtime: RUNTIME,
      architecture: lambda.Architecture.ARM_64,
      description,
      role,
      logGroup,
      timeout: Duration.seconds(60),
      memorySize: 256,
      environment: env,
      environmentEncryption: key,
    });
    Validations.of(fn).acknowledge(
      { id: 'AwsSolutions-L1', reason: 'nodejs22.x is the runtime this library supports and tests (ARCHITECTURE.md); 24.x when validated.' },
      {
        // CT.LAMBDA.PR.3: deliberately outside the VPC.
        id: 'cdk-validator-cfnguard::lambda_inside_vpc_check',
        reason:
          'Telemetry watches the black hole from outside: it calls EventBridge, DynamoDB, S3, IAM and EC2, which the black hole has no route to, ' +
          'and inside the VPC the gate would count it as environment compute that the agents could reach (and contain themselves out of).',
      },
    );
    return fn;
  }

  private grantContainment(role: iam.IRole, props: ViolationStreamProps): void {
    const stack = Stack.of(this);
    const env = props.network.environmentName;
    const vpcArn = stack.formatArn({ service: 'ec2', resource: 'vpc', resourceName: props.network.vpc.vpcId });
    const policy = new iam.Policy(this, 'ResponderContainmentPolicy', {
      statements: [
        new iam.PolicyStatement({
          sid: 'RevokeAgentSessions',
          actions: ['iam:PutRolePolicy'],
          resources: [stack.formatArn({ service: 'iam', region: '', resource: 'role', resourceName: '*' })],
          conditions: { StringEquals: { [`iam:ResourceTag/${AGENT_ROLE_TAG}`]: AGENT_ROLE_TAG_VALUE, [`iam:ResourceTag/${ENVIRONMENT_TAG}`]: env } },
        }),
        new iam.PolicyStatement({
          sid: 'QuarantineEnisOfTheVpc',
          actions: ['ec2:ModifyNetworkInterfaceAttribute'],
          resources: [
            stack.formatArn({ service: 'ec2', resource: 'network-interface', resourceName: '*' }),
            stack.formatArn({ service: 'ec2', resource: 'security-group', resourceName: '*' }),
          ],
          conditions: { ArnEquals: { 'ec2:Vpc': vpcArn } },
        }),
        new iam.PolicyStatement({
          sid: 'StopAndTagEnvironmentInstances',
          actions: ['ec2:StopInstances', 'ec2:CreateTags'],
          resources: [stack.formatArn({ service: 'ec2', resource: 'instance', resourceName: '*' })],
          conditions: { StringEquals: { [`aws:ResourceTag/${ENVIRONMENT_TAG}`]: env } },
        }),
        new iam.PolicyStatement({
          sid: 'TagEnisOfTheVpc',
          actions: ['ec2:CreateTags'],
          resources: [stack.formatArn({ service: 'ec2', resource: 'network-interface', resourceName: '*' })],
          conditions: { ArnEquals: { 'ec2:Vpc': vpcArn } },
        }),
        new iam.PolicyStatement({
          sid: 'FindEnisOfInstances',
          actions: ['ec2:DescribeNetworkInterfaces'],
          resources: ['*'],
        }),
        new iam.PolicyStatement({
          sid: 'StopEnvironmentTrainingJobs',
          actions: ['sagemaker:StopTrainingJob'],
          resources: [stack.formatArn({ service: 'sagemaker', resource: 'training-job', resourceName: '*' })],
          conditions: { StringEquals: { [`aws:ResourceTag/${ENVIRONMENT_TAG}`]: env } },
        }),
        // Before an instance of an Auto Scaling group is stopped, its group's processes are suspended
        // and it is protected and detached (lib/compute/runtime/preserve-and-stop.ts): otherwise the
        // group terminates it and launches a replacement with post-revocation credentials. These
        // actions authorize on the group with aws:ResourceTag (Service Authorization Reference).
        new iam.PolicyStatement({
          sid: 'ReleaseEnvironmentInstancesFromTheirGroups',
          actions: ['autoscaling:SuspendProcesses', 'autoscaling:SetInstanceProtection', 'autoscaling:DetachInstances'],
          resources: [`arn:${stack.partition}:autoscaling:${stack.region}:${stack.account}:autoScalingGroup:*:autoScalingGroupName/*`],
          conditions: { StringEquals: { [`aws:ResourceTag/${ENVIRONMENT_TAG}`]: env } },
        }),
        new iam.PolicyStatement({
          sid: 'FindGroupsOfInstances',
          actions: ['autoscaling:DescribeAutoScalingInstances'],
          resources: ['*'],
        }),
        // Evidence snapshots before the stop. ec2:CreateSnapshots authorizes the instance (tag
        // condition: only the environment's), its volumes (only those attached to that instance)
        // and the new snapshots, which must carry the environment tag; tags on create need
        // ec2:CreateTags with ec2:CreateAction.
        // https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/supported-iam-actions-tagging.html
        new iam.PolicyStatement({
          sid: 'SnapshotEnvironmentInstances',
          actions: ['ec2:CreateSnapshots'],
          resources: [stack.formatArn({ service: 'ec2', resource: 'instance', resourceName: '*' })],
          conditions: { StringEquals: { [`aws:ResourceTag/${ENVIRONMENT_TAG}`]: env } },
        }),
        new iam.PolicyStatement({
          sid: 'SnapshotTheirVolumes',
          actions: ['ec2:CreateSnapshots'],
          resources: [stack.formatArn({ service: 'ec2', resource: 'volume', resourceName: '*' })],
        }),
        new iam.PolicyStatement({
          sid: 'CreateEnvironmentEvidenceSnapshots',
          actions: ['ec2:CreateSnapshots'],
          resources: [stack.formatArn({ service: 'ec2', account: '', resource: 'snapshot', resourceName: '*' })],
          conditions: { StringEquals: { [`aws:RequestTag/${ENVIRONMENT_TAG}`]: env } },
        }),
        new iam.PolicyStatement({
          sid: 'TagEvidenceSnapshotsOnCreate',
          actions: ['ec2:CreateTags'],
          resources: [stack.formatArn({ service: 'ec2', account: '', resource: 'snapshot', resourceName: '*' })],
          conditions: { StringEquals: { 'ec2:CreateAction': 'CreateSnapshots' } },
        }),
      ],
    });
    policy.attachToRole(role);
    const reason =
      'Containment acts on whichever agent role, ENI, instance or job a violation names, unknown in advance: the wildcard is bounded by a tag or VPC condition.';
    const volumes =
      'ec2:CreateSnapshots snapshots only the volumes attached to the instance it names, which must carry the environment tag (separate statement).';
    // Acknowledgment ids rendered as cdk-nag renders the ARNs, so they hold with and without an explicit env.
    const statements = (policy.document.toJSON() as { Statement?: Array<{ Resource?: string | string[] }> }).Statement ?? [];
    const wildcards = new Set(
      statements
        .flatMap((st) => ([] as string[]).concat(st.Resource ?? []))
        .filter((r) => r !== '*')
        .map((r) => nagResourceName(this, r))
        .filter((r) => r.includes('*')),
    );
    for (const resource of wildcards) {
      Validations.of(policy).acknowledge({ id: `AwsSolutions-IAM5[Resource::${resource}]`, reason: /:volume\/\*$/.test(resource) ? volumes : reason });
    }
    Validations.of(policy).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'ec2:DescribeNetworkInterfaces and autoscaling:DescribeAutoScalingInstances support no resource-level permissions; they only read.',
    });
  }
}
