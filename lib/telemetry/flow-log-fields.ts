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
