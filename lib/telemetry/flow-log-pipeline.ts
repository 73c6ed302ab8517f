import { Duration, RemovalPolicy, Stack, Tags, Validations } from 'aws-cdk-lib';
import * as athena from 'aws-cdk-lib/aws-athena';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as glue from 'aws-cdk-lib/aws-glue';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { markRuntimeRolesOf } from '../common/runtime-roles';
import { ENVIRONMENT_TAG } from '../common/tags';
import { isIntegerIn, PropsValidator } from '../common/validation';
import { cloudWatchLogsKeyStatement, denyGrantsExceptForAwsResourcesStatement, logDeliveryKeyStatement } from '../identity/key-policies';
import type { BlackHoleVpc } from '../network/black-hole-vpc';
import { sendObjectEventsToEventBridge } from './bucket-events';
import { createAccessLogBucket, createEvidenceBucket, deliverAccessLogsByBucketPolicy } from '../common/evidence-buckets';
import {
  FLOW_LOG_FIELDS,
  FLOW_LOG_HIVE_PARTITIONS,
  FLOW_LOG_KEY_PREFIX,
  flowLogColumnName,
  flowLogFormatString,
  flowLogLocationTemplate,
} from './flow-log-fields';
import { flowLogNamedQueries } from './named-queries';
import { GATEWAY_ENDPOINT_SERVICES } from './runtime/signals';
import { FLOW_LOG_TABLE_NAME_SQL, VIOLATION_TABLE_NAME_SQL } from './table-names';

/** Object Lock for a bucket the pipeline creates. */
export interface FlowLogObjectLockOptions {
  /**
   * GOVERNANCE lets principals with s3:BypassGovernanceRetention delete early; COMPLIANCE lets nobody.
   * @default 'GOVERNANCE'
   */
  readonly mode?: 'GOVERNANCE' | 'COMPLIANCE';
  /** Default retention of every new object version. @default Duration.days(365) */
  readonly retention?: Duration;
}

/** The optional CloudWatch Logs copy of the flow log, with metric filters and alarms. */
export interface FlowLogCloudWatchOptions {
  /** Retention of the log group (always retained when the stack is deleted). @default logs.RetentionDays.ONE_YEAR */
  readonly retention?: logs.RetentionDays;
  /**
   * Rejected flows per minute at or above which the REJECT alarm fires.
   * @default 1
   */
  readonly rejectThreshold?: number;
}

/** Properties of a {@link FlowLogPipeline}. */
export interface FlowLogPipelineProps {
  /**
   * Build on this black hole's flow log, bucket and key (it already logs ALL traffic in the same
   * format, Parquet, Hive per-hour partitions). Give either `network` or `vpc`.
   * @default - none; then `vpc` is required
   */
  readonly network?: BlackHoleVpc;

  /**
   * A VPC to log: the pipeline creates the key, the bucket (and its access-log bucket) and a flow log
   * of ALL traffic with 1-minute aggregation. Give either `network` or `vpc`.
   * @default - none; then `network` is required
   */
  readonly vpc?: ec2.IVpc;

  /** Environment name (tagged). @default - `network.environmentName`; required with `vpc` */
  readonly environmentName?: string;

  /**
   * Object Lock on the flow-log bucket. Only for a bucket the pipeline creates (with `vpc`);
   * Object Lock cannot be added to BlackHoleVpc's existing bucket from here.
   * @default - no Object Lock (versioning and retention protect the logs)
   */
  readonly objectLock?: FlowLogObjectLockOptions;

  /**
   * Days after which flow-log objects move to Glacier Instant Retrieval (bucket created by the pipeline).
   * @default 90
   */
  readonly archiveAfterDays?: number;

  /** Also deliver the flow log to CloudWatch Logs, with REJECT and leaving-the-VPC metric filters and alarms. @default - S3 only */
  readonly cloudWatchCopy?: FlowLogCloudWatchOptions;

  /** Glue database name. @default - `black_hole_<environment>` (hyphens as underscores) */
  readonly databaseName?: string;

  /** First and last year the partition projection enumerates. @default [2025, 2035] */
  readonly projectionYears?: [number, number];

  /** Days after which Athena query results expire. @default 30 */
  readonly queryResultsExpirationDays?: number;
}

/** Glue table name of the flow logs. */
export const FLOW_LOG_TABLE_NAME = FLOW_LOG_TABLE_NAME_SQL;
/** Glue table name of the violation archive (written by the correlator). */
export const VIOLATION_TABLE_NAME = VIOLATION_TABLE_NAME_SQL;
/** Key prefix of the violation archive in the telemetry bucket. */
export const VIOLATION_KEY_PREFIX = 'violations/';

/**
 * Flow logs as evidence: VPC flow logs of ALL traffic (1-minute aggregation, the version-5 fields of
 * {@link FLOW_LOG_FIELDS}) in S3 as Parquet with Hive-compatible per-hour partitions, a Glue table
 * with partition projection over exactly that layout, and an Athena workgroup with encrypted,
 * enforced results and named queries. Built on a {@link BlackHoleVpc} (its flow log, bucket and
 * key) or on any VPC (then it creates them).
 *
 * Nothing is lost: the bucket is KMS-encrypted, versioned, TLS-only, blocks public access, logs
 * server access to a separate bucket, moves old objects to cheaper storage and is retained when
 * the stack is deleted; Object Lock is an option.
 */
export class FlowLogPipeline extends Construct {
  /** Environment name. */
  public readonly environmentName: string;
  /** The bucket holding the flow logs (and the violation archive). */
  public readonly bucket: s3.IBucket;
  /** KMS key of the telemetry. */
  public readonly key: kms.IKey;
  /** The flow log to S3 (BlackHoleVpc's when built on one). */
  public readonly flowLog: ec2.FlowLog;
  /** The VPC. */
  public readonly vpc: ec2.IVpc;
  /** Glue database. */
  public readonly database: glue.CfnDatabase;
  /** Glue table of the flow logs, partition projection over the Hive per-hour layout. */
  public readonly table: glue.CfnTable;
  /** Glue table of the violation archive (JSON objects the correlator writes). */
  public readonly violationTable: glue.CfnTable;
  /** Athena workgroup (encrypted results, configuration enforced). */
  public readonly workGroup: athena.CfnWorkGroup;
  /** Bucket of the Athena query results. */
  public readonly queryResultsBucket: s3.Bucket;
  /** Named queries by id: `egressToNonVpc`, `rejectedPerEniHour`, `flowsOfViolatingEpisodes`. */
  public readonly namedQueries: Readonly<Record<string, athena.CfnNamedQuery>>;
  /** CloudWatch Logs copy of the flow log, when enabled. */
  public readonly cloudWatchLogGroup?: logs.LogGroup;
  /** Alarms on the CloudWatch Logs copy (REJECTs, flows leaving the VPC), when enabled. */
  public readonly alarms: readonly cloudwatch.Alarm[];
  /** Glue database name. */
  public readonly databaseName: string;

  constructor(scope: Construct, id: string, props: FlowLogPipelineProps) {
    super(scope, id);
    deliverAccessLogsByBucketPolicy(this);
    const resolved = validate(props);
    this.environmentName = resolved.environmentName;
    this.databaseName = resolved.databaseName;
    const stack = Stack.of(this);

    if (props.network) {
      this.vpc = props.network.vpc;
      this.bucket = props.network.flowLogBucket;
      this.key = props.network.logKey;
      this.flowLog = props.network.flowLog;
    } else {
      this.vpc = props.vpc!;
      const key = new kms.Key(this, 'Key', {
        description: `Telemetry of black hole ${resolved.environmentName}`,
        enableKeyRotation: true,
        removalPolicy: RemovalPolicy.RETAIN,
      });
      key.addToResourcePolicy(logDeliveryKeyStatement(stack));
      key.addToResourcePolicy(denyGrantsExceptForAwsResourcesStatement());
      this.key = key;
      const lock = props.objectLock;
      const retention = lock?.retention ?? Duration.days(365);
      const bucket = createEvidenceBucket(this, 'Bucket', {
        key,
        accessLogs: createAccessLogBucket(this, 'AccessLogBucket'),
        accessLogsPrefix: 'telemetry-bucket/',
        transition: { storageClass: s3.StorageClass.GLACIER_INSTANT_RETRIEVAL, after: Duration.days(resolved.archiveAfterDays) },
        ...(lock
          ? { objectLock: lock.mode === 'COMPLIANCE' ? s3.ObjectLockRetention.compliance(retention) : s3.ObjectLockRetention.governance(retention) }
          : {}),
      });
      this.bucket = bucket;
      this.flowLog = new ec2.FlowLog(this, 'FlowLog', {
        resourceType: ec2.FlowLogResourceType.fromVpc(this.vpc),
        trafficType: ec2.FlowLogTrafficType.ALL,
        maxAggregationInterval: ec2.FlowLogMaxAggregationInterval.ONE_MINUTE,
        logFormat: [ec2.LogFormat.custom(flowLogFormatString())],
        destination: ec2.FlowLogDestination.toS3(bucket, FLOW_LOG_KEY_PREFIX, {
          fileFormat: ec2.FlowLogFileFormat.PARQUET,
          hiveCompatiblePartitions: true,
          perHourPartition: true,
        }),
      });
    }

    // Glue: one field list gives the table's columns, as it gives the LogFormat.
    this.database = new glue.CfnDatabase(this, 'Database', {
      catalogId: stack.account,
      databaseInput: { name: resolved.databaseName, description: `Telemetry of black hole ${resolved.environmentName}` },
    });
    const [firstYear, lastYear] = resolved.projectionYears;
    this.table = new glue.CfnTable(this, 'FlowLogTable', {
      catalogId: stack.account,
      databaseName: resolved.databaseName,
      tableInput: {
        name: FLOW_LOG_TABLE_NAME,
        description: 'VPC flow logs (Parquet, Hive-compatible per-hour partitions), partition projection',
        tableType: 'EXTERNAL_TABLE',
        parameters: {
          EXTERNAL: 'TRUE',
          classification: 'parquet',
          'projection.enabled': 'true',
          'projection.aws_account_id.type': 'enum',
          'projection.aws_account_id.values': stack.account,
          'projection.aws_region.type': 'enum',
          'projection.aws_region.values': stack.region,
          'projection.year.type': 'integer',
          'projection.year.range': `${firstYear},${lastYear}`,
          'projection.month.type': 'integer',
          'projection.month.range': '1,12',
          'projection.month.digits': '2',
          'projection.day.type': 'integer',
          'projection.day.range': '1,31',
          'projection.day.digits': '2',
          'projection.hour.type': 'integer',
          'projection.hour.range': '0,23',
          'projection.hour.digits': '2',
          'storage.location.template': flowLogLocationTemplate(this.bucket.bucketName),
        },
        partitionKeys: FLOW_LOG_HIVE_PARTITIONS.map((p) => ({ name: p.column, type: p.glueType })),
        storageDescriptor: {
          location: `s3://${this.bucket.bucketName}/${FLOW_LOG_KEY_PREFIX}AWSLogs/`,
          columns: FLOW_LOG_FIELDS.map((f) => ({ name: flowLogColumnName(f), type: f.glueType })),
          inputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat',
          outputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat',
          serdeInfo: { serializationLibrary: 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe' },
        },
      },
    });
    this.table.addResourceDependency(this.database);

    this.violationTable = new glue.CfnTable(this, 'ViolationTable', {
      catalogId: stack.account,
      databaseName: resolved.databaseName,
      tableInput: {
        name: VIOLATION_TABLE_NAME,
        description: 'Black Hole Violation events attributed to episodes (JSON, one object per violation), partition projection by day',
        tableType: 'EXTERNAL_TABLE',
        parameters: {
          EXTERNAL: 'TRUE',
          classification: 'json',
          'projection.enabled': 'true',
          'projection.dt.type': 'date',
          'projection.dt.format': 'yyyy-MM-dd',
          'projection.dt.range': `${firstYear}-01-01,NOW`,
          'projection.dt.interval': '1',
          'projection.dt.interval.unit': 'DAYS',
          'storage.location.template': `s3://${this.bucket.bucketName}/${VIOLATION_KEY_PREFIX}dt=\${dt}/`,
        },
        partitionKeys: [{ name: 'dt', type: 'string' }],
        storageDescriptor: {
          location: `s3://${this.bucket.bucketName}/${VIOLATION_KEY_PREFIX}`,
          columns: VIOLATION_COLUMNS.map(([name, type]) => ({ name, type })),
          inputFormat: 'org.apache.hadoop.mapred.TextInputFormat',
          outputFormat: 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat',
          serdeInfo: { serializationLibrary: 'org.openx.data.jsonserde.JsonSerDe' },
        },
      },
    });
    this.violationTable.addResourceDependency(this.database);

    // Athena: results encrypted with the telemetry key, in their own bucket; users cannot override.
    this.queryResultsBucket = new s3.Bucket(this, 'QueryResultsBucket', {
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: this.key,
      bucketKeyEnabled: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      versioned: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      serverAccessLogsBucket: props.network ? props.network.accessLogBucket : (this.node.findChild('AccessLogBucket') as s3.Bucket),
      serverAccessLogsPrefix: 'query-results-bucket/',
      removalPolicy: RemovalPolicy.RETAIN,
      lifecycleRules: [{ id: 'ExpireResults', expiration: Duration.days(resolved.queryResultsExpirationDays), noncurrentVersionExpiration: Duration.days(1) }],
    });
    sendObjectEventsToEventBridge(this.queryResultsBucket);
    this.workGroup = new athena.CfnWorkGroup(this, 'WorkGroup', {
      name: `black-hole-${resolved.environmentName}`,
      description: `Flow logs and violations of black hole ${resolved.environmentName}`,
      state: 'ENABLED',
      recursiveDeleteOption: false,
      workGroupConfiguration: {
        enforceWorkGroupConfiguration: true,
        publishCloudWatchMetricsEnabled: true,
        engineVersion: { selectedEngineVersion: 'Athena engine version 3' },
        resultConfiguration: {
          outputLocation: `s3://${this.queryResultsBucket.bucketName}/results/`,
          encryptionConfiguration: { encryptionOption: 'SSE_KMS', kmsKey: this.key.keyArn },
        },
      },
    });
    const queries: Record<string, athena.CfnNamedQuery> = {};
    for (const q of flowLogNamedQueries({ database: resolved.databaseName, vpcCidr: this.vpc.vpcCidrBlock })) {
      const named = new athena.CfnNamedQuery(this, `Query${q.id.charAt(0).toUpperCase()}${q.id.slice(1)}`, {
        name: q.name,
        description: q.description,
        database: resolved.databaseName,
        workGroup: this.workGroup.ref,
        queryString: q.sql,
      });
      named.addResourceDependency(this.workGroup);
      queries[q.id] = named;
    }
    this.namedQueries = queries;

    const alarms: cloudwatch.Alarm[] = [];
    if (props.cloudWatchCopy) {
      const group = new logs.LogGroup(this, 'FlowLogGroup', {
        retention: props.cloudWatchCopy.retention ?? logs.RetentionDays.ONE_YEAR,
        encryptionKey: this.key as kms.Key,
        removalPolicy: RemovalPolicy.RETAIN,
      });
      if (!props.network) {
        (this.key as kms.Key).addToResourcePolicy(cloudWatchLogsKeyStatement(stack));
      }
      this.cloudWatchLogGroup = group;
      new ec2.FlowLog(this, 'CloudWatchFlowLog', {
        resourceType: ec2.FlowLogResourceType.fromVpc(this.vpc),
        trafficType: ec2.FlowLogTrafficType.ALL,
        maxAggregationInterval: ec2.FlowLogMaxAggregationInterval.ONE_MINUTE,
        logFormat: [ec2.LogFormat.custom(flowLogFormatString())],
        destination: ec2.FlowLogDestination.toCloudWatchLogs(group),
      });
      const namespace = 'BlackHole/FlowLogs';
      const rejects = new logs.MetricFilter(this, 'RejectedFlows', {
        logGroup: group,
        filterPattern: flowLogSpaceDelimitedPattern({ action: 'REJECT' }),
        metricNamespace: namespace,
        metricName: 'RejectedFlows',
        metricValue: '1',
        defaultValue: 0,
      });
      // Only flows that leave the VPC: see flowsLeavingVpcPattern (intra-VPC traffic, interface
      // endpoints and NCCL between nodes, would keep the alarm in ALARM all the time).
      const egress = new logs.MetricFilter(this, 'FlowsLeavingVpc', {
        logGroup: group,
        filterPattern: flowsLeavingVpcPattern(),
        metricNamespace: namespace,
        metricName: FLOWS_LEAVING_VPC_METRIC,
        metricValue: '1',
        defaultValue: 0,
      });
      alarms.push(
        new cloudwatch.Alarm(this, 'RejectedFlowsAlarm', {
          alarmDescription: `Black hole ${resolved.environmentName}: rejected flows (something tried a path that does not exist)`,
          metric: rejects.metric({ statistic: 'Sum', period: Duration.minutes(1) }),
          threshold: props.cloudWatchCopy.rejectThreshold ?? 1,
          evaluationPeriods: 1,
          comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
          treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        }),
      );
      alarms.push(
        new cloudwatch.Alarm(this, 'FlowsLeavingVpcAlarm', {
          alarmDescription:
            `Black hole ${resolved.environmentName}: flows left the VPC (internet, VPN or Direct Connect gateway, peering, local gateway, ` +
            'or a gateway endpoint to a service other than S3/DynamoDB); a black hole has no such path, so any is a breach',
          metric: egress.metric({ statistic: 'Sum', period: Duration.minutes(1) }),
          threshold: 1,
          evaluationPeriods: 1,
          comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
          treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        }),
      );
    }
    this.alarms = alarms;

    Tags.of(this).add(ENVIRONMENT_TAG, resolved.environmentName);
    Validations.of(this.queryResultsBucket).acknowledge(
      {
        id: 'AwsSolutions-S1',
        reason: 'Server access logging is enabled to the environment access-log bucket; the rule cannot see a cross-construct target.',
      },
      {
        // CT.S3.PR.9.
        id: 'cdk-validator-cfnguard::s3_bucket_object_lock_enabled_check',
        reason: `Athena query results are reproducible scratch output that the lifecycle rule expires after ${resolved.queryResultsExpirationDays} days; Object Lock would keep them past that.`,
      },
    );

    // Its runtime roles (created above) and CDK's singleton provider roles of the stack go on the runtime
    // path, exempt from the guardrail SCP; roles added under this construct later are not marked.
    markRuntimeRolesOf(this);
  }

  /** Lets `grantee` run the named queries: use the workgroup, read the Glue catalog, the logs and the results. */
  public grantQuery(grantee: iam.IGrantable): void {
    const stack = Stack.of(this);
    iam.Grant.addToPrincipal({
      grantee,
      actions: [
        'athena:StartQueryExecution',
        'athena:GetQueryExecution',
        'athena:GetQueryResults',
        'athena:StopQueryExecution',
        'athena:GetWorkGroup',
        'athena:GetNamedQuery',
        'athena:ListNamedQueries',
      ],
      resourceArns: [stack.formatArn({ service: 'athena', resource: 'workgroup', resourceName: this.workGroup.ref })],
    });
    iam.Grant.addToPrincipal({
      grantee,
      actions: ['glue:GetDatabase', 'glue:GetTable', 'glue:GetTables', 'glue:GetPartitions'],
      resourceArns: [
        stack.formatArn({ service: 'glue', resource: 'catalog' }),
        stack.formatArn({ service: 'glue', resource: 'database', resourceName: this.databaseName }),
        stack.formatArn({ service: 'glue', resource: 'table', resourceName: `${this.databaseName}/*` }),
      ],
    });
    this.bucket.grantRead(grantee);
    this.queryResultsBucket.grantReadWrite(grantee);
  }
}

/** Columns of the violation archive, as the correlator writes them (JSON keys). */
export const VIOLATION_COLUMNS: readonly [string, string][] = Object.freeze([
  ['id', 'string'],
  ['time', 'string'],
  ['environment', 'string'],
  ['episode_id', 'string'],
  ['run_id', 'string'],
  ['principal', 'string'],
  ['source', 'string'],
  ['category', 'string'],
  ['technique', 'string'],
  ['severity', 'string'],
  ['subjects', 'array<string>'],
  ['evidence', 'string'],
]) as [string, string][];

/**
 * A space-delimited CloudWatch Logs filter pattern over the flow-log format: the field names come
 * from {@link FLOW_LOG_FIELDS}, so the pattern cannot drift from the LogFormat.
 */
export function flowLogSpaceDelimitedPattern(match: Record<string, string>): logs.IFilterPattern {
  return flowLogFilterPattern(Object.fromEntries(Object.entries(match).map(([field, value]) => [field, (c: string) => `${c}="${value}"`])));
}

/**
 * A space-delimited CloudWatch Logs filter pattern with a condition per field (`(column) => condition`,
 * e.g. `c => `${c}>1``); conditions of different fields are ANDed. Syntax:
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/FilterAndPatternSyntax.html
 */
export function flowLogFilterPattern(conditions: Record<string, (column: string) => string>): logs.IFilterPattern {
  const unknown = Object.keys(conditions).filter((name) => !FLOW_LOG_FIELDS.some((f) => f.name === name));
  if (unknown.length > 0) throw new Error(`flow-log filter pattern: ${unknown.join(', ')} not in FLOW_LOG_FIELDS`);
  const parts = FLOW_LOG_FIELDS.map((f) => {
    const name = flowLogColumnName(f);
    return conditions[f.name] ? conditions[f.name](name) : name;
  });
  return logs.FilterPattern.literal(`[${parts.join(', ')}]`);
}

/** Metric (namespace `BlackHole/FlowLogs`) of the flows that left the VPC. */
export const FLOWS_LEAVING_VPC_METRIC = 'FlowsLeavingVpc';

/**
 * The flows that left the VPC, as a CloudWatch Logs pattern (the egress alarm and the correlator's
 * subscription): `flow-direction` egress, `traffic-path` above 1 (2 internet gateway or gateway
 * endpoint, 3 virtual private gateway, 4/5 peering, 6 local gateway, 7 gateway endpoint and 8
 * internet gateway on Nitro; 1 is "another resource in the same VPC": interface endpoints, other
 * nodes; `-` for ingress), and a destination that is not S3 or DynamoDB
 * ({@link GATEWAY_ENDPOINT_SERVICES}).
 * https://docs.aws.amazon.com/vpc/latest/userguide/flow-log-records.html
 *
 * A pattern cannot compare an address with the VPC CIDR (a token) nor OR conditions of different
 * fields, so two things are left to others: S3/DynamoDB through an internet gateway (the correlator
 * flags it, `signalFromFlowLog`), and flows routed out through a resource inside the VPC (NAT or
 * transit gateway, traffic-path 1): the gate forbids both, and the `egressToNonVpc` named query
 * compares every destination with the CIDR. REJECTed attempts are counted by the REJECT alarm.
 */
export function flowsLeavingVpcPattern(): logs.IFilterPattern {
  return flowLogFilterPattern({
    'flow-direction': (c) => `${c}="egress"`,
    'traffic-path': (c) => `${c}>1`,
    'pkt-dst-aws-service': (c) => GATEWAY_ENDPOINT_SERVICES.map((svc) => `${c}!="${svc}"`).join(' && '),
  });
}

interface ResolvedPipelineProps {
  readonly environmentName: string;
  readonly databaseName: string;
  readonly projectionYears: [number, number];
  readonly archiveAfterDays: number;
  readonly queryResultsExpirationDays: number;
}

function validate(props: FlowLogPipelineProps): ResolvedPipelineProps {
  const v = new PropsValidator('FlowLogPipeline');
  v.check(!!props.network !== !!props.vpc, 'network', 'give exactly one of network (a BlackHoleVpc) or vpc');
  const environmentName = props.environmentName ?? props.network?.environmentName ?? '';
  v.check(
    /^[a-z][a-z0-9-]{0,30}[a-z0-9]$/.test(environmentName),
    'environmentName',
    `'${environmentName}' is not allowed: use 2 to 32 lower case letters, digits and hyphens (required with vpc)`,
  );
  v.check(
    !(props.network && props.objectLock),
    'objectLock',
    "Object Lock can only be set on a bucket the pipeline creates (with vpc); BlackHoleVpc's bucket already exists",
  );
  const databaseName = props.databaseName ?? `black_hole_${environmentName.replace(/-/g, '_')}`;
  v.check(
    /^[a-z_][a-z0-9_]{0,254}$/.test(databaseName),
    'databaseName',
    `'${databaseName}' is not a Glue/Athena database name (lower case letters, digits, underscores)`,
  );
  const projectionYears = props.projectionYears ?? [2025, 2035];
  v.check(
    isIntegerIn(projectionYears[0], 2015, 2200) && isIntegerIn(projectionYears[1], projectionYears[0], 2200),
    'projectionYears',
    `[${projectionYears.join(', ')}] is not allowed: give [first, last] years, first <= last, from 2015 to 2200`,
  );
  const archiveAfterDays = props.archiveAfterDays ?? 90;
  v.check(isIntegerIn(archiveAfterDays, 1, 3650), 'archiveAfterDays', `${archiveAfterDays} is not allowed: use a whole number of days from 1 to 3650`);
  const queryResultsExpirationDays = props.queryResultsExpirationDays ?? 30;
  v.check(isIntegerIn(queryResultsExpirationDays, 1, 3650), 'queryResultsExpirationDays', `${queryResultsExpirationDays} is not allowed: use 1 to 3650`);
  if (props.objectLock?.retention) {
    const days = props.objectLock.retention.toDays();
    v.check(isIntegerIn(days, 1, 36500), 'objectLock.retention', `${days} days is not allowed: use whole days from 1 to 36500`);
  }
  v.throwIfAny();
  return { environmentName, databaseName, projectionYears, archiveAfterDays, queryResultsExpirationDays };
}
