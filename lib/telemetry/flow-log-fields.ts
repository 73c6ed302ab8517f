/**
 * The flow-log record layout: ONE field list from which the flow log's LogFormat and (in the
 * telemetry pipeline) the Glue table's columns are both derived, so they cannot drift apart.
 *
 * Version-5 custom format with what episode attribution needs: which ENI/instance (who), the packet
 * addresses behind NAT-like hops (pkt-*), where it tried to go (traffic-path, pkt-dst-aws-service),
 * and when (start/end, 1-minute aggregation).
 */
export interface FlowLogField {
  /** Field name as VPC Flow Logs spells it, e.g. `pkt-dstaddr`. */
  readonly name: string;
  /** Column type in the Parquet output / Glue table. */
  readonly glueType: 'string' | 'int' | 'bigint';
}

export const FLOW_LOG_FIELDS: readonly FlowLogField[] = Object.freeze([
  { name: 'version', glueType: 'int' },
  { name: 'account-id', glueType: 'string' },
  { name: 'vpc-id', glueType: 'string' },
  { name: 'subnet-id', glueType: 'string' },
  { name: 'interface-id', glueType: 'string' },
  { name: 'instance-id', glueType: 'string' },
  { name: 'srcaddr', glueType: 'string' },
  { name: 'dstaddr', glueType: 'string' },
  { name: 'pkt-srcaddr', glueType: 'string' },
  { name: 'pkt-dstaddr', glueType: 'string' },
  { name: 'srcport', glueType: 'int' },
  { name: 'dstport', glueType: 'int' },
  { name: 'protocol', glueType: 'int' },
  { name: 'packets', glueType: 'bigint' },
  { name: 'bytes', glueType: 'bigint' },
  { name: 'start', glueType: 'bigint' },
  { name: 'end', glueType: 'bigint' },
  { name: 'action', glueType: 'string' },
  { name: 'log-status', glueType: 'string' },
  { name: 'tcp-flags', glueType: 'int' },
  { name: 'flow-direction', glueType: 'string' },
  { name: 'traffic-path', glueType: 'int' },
  { name: 'pkt-src-aws-service', glueType: 'string' },
  { name: 'pkt-dst-aws-service', glueType: 'string' },
]);

/** The `LogFormat` string for the flow log: `${version} ${account-id} ...`. */
export function flowLogFormatString(fields: readonly FlowLogField[] = FLOW_LOG_FIELDS): string {
  return fields.map((f) => '${' + f.name + '}').join(' ');
}

/** Column name of a field in the Parquet/Glue schema (flow logs write `-` as `_`). */
export function flowLogColumnName(field: FlowLogField): string {
  return field.name.replace(/-/g, '_');
}

/**
 * Key prefix under which flow logs are delivered to S3 (BlackHoleVpc and FlowLogPipeline use the
 * same one; the Glue table's location is derived from it).
 */
export const FLOW_LOG_KEY_PREFIX = 'flow-logs/';

/**
 * The Hive-compatible, per-hour layout AWS documents for flow logs delivered to S3
 * (https://docs.aws.amazon.com/vpc/latest/userguide/flow-logs-s3-path.html):
 * `prefix/AWSLogs/aws-account-id=ID/aws-service=vpcflowlogs/aws-region=REGION/year=Y/month=M/day=D/hour=H/`.
 * Each entry: the key in the S3 path and the Glue partition column that projects it.
 */
export const FLOW_LOG_HIVE_PARTITIONS: readonly { readonly pathKey: string; readonly column: string; readonly glueType: 'string' | 'int' }[] = Object.freeze([
  { pathKey: 'aws-account-id', column: 'aws_account_id', glueType: 'string' },
  { pathKey: 'aws-region', column: 'aws_region', glueType: 'string' },
  { pathKey: 'year', column: 'year', glueType: 'int' },
  { pathKey: 'month', column: 'month', glueType: 'int' },
  { pathKey: 'day', column: 'day', glueType: 'int' },
  { pathKey: 'hour', column: 'hour', glueType: 'int' },
]);

/**
 * The storage location template of the Glue table for `bucketName` (partition projection),
 * exactly the documented Hive per-hour layout below {@link FLOW_LOG_KEY_PREFIX}.
 */
export function flowLogLocationTemplate(bucketName: string, prefix: string = FLOW_LOG_KEY_PREFIX): string {
  return `s3://${bucketName}/${prefix}AWSLogs/aws-account-id=\${aws_account_id}/aws-service=vpcflowlogs/aws-region=\${aws_region}/year=\${year}/month=\${month}/day=\${day}/hour=\${hour}/`;
}
