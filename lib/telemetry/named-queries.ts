import { GATEWAY_ENDPOINT_SERVICES } from './runtime/signals';
import { FLOW_LOG_TABLE_NAME_SQL, VIOLATION_TABLE_NAME_SQL } from './table-names';

/** A named Athena query of the pipeline. */
export interface FlowLogNamedQuery {
  /** Stable id (construct id and `FlowLogPipeline.namedQueries` key). */
  readonly id: string;
  /** Name shown in the Athena console. */
  readonly name: string;
  readonly description: string;
  /** The SQL (Athena engine version 3). */
  readonly sql: string;
}

/** Partition filter for today (UTC): lets partition projection prune to 24 hourly prefixes. */
const TODAY = 'year = year(current_date) AND month = month(current_date) AND day = day_of_month(current_date)';

/** The pipeline's named queries: data, read by the construct and the tests. `vpcCidr` may be a token. */
export function flowLogNamedQueries(opts: { database: string; vpcCidr: string }): FlowLogNamedQuery[] {
  const flows = `"${opts.database}"."${FLOW_LOG_TABLE_NAME_SQL}"`;
  const violations = `"${opts.database}"."${VIOLATION_TABLE_NAME_SQL}"`;
  // Only S3 and DynamoDB (gateway endpoints) leave the VPC by design; pkt_dst_aws_service also names
  // EC2 and other ranges anyone can rent, so "some AWS service" is not exempt (runtime/signals.ts).
  const notAwsService = `(pkt_dst_aws_service IS NULL OR pkt_dst_aws_service NOT IN (${GATEWAY_ENDPOINT_SERVICES.map((s) => `'${s}'`).join(', ')}))`;
  return [
    {
      id: 'egressToNonVpc',
      name: 'Egress attempts to non-VPC destinations (today)',
      description: 'Outbound flows whose packet destination is outside the VPC CIDR and not S3 or DynamoDB (gateway endpoints), accepted or rejected.',
      sql: [
        'SELECT from_unixtime("start") AS flow_start, interface_id, instance_id, srcaddr, pkt_dstaddr, dstport, protocol, action, packets, bytes, traffic_path',
        `FROM ${flows}`,
        `WHERE ${TODAY}`,
        "  AND flow_direction = 'egress'",
        `  AND ${notAwsService}`,
        "  AND pkt_dstaddr IS NOT NULL AND pkt_dstaddr <> '-'",
        `  AND NOT contains('${opts.vpcCidr}', CAST(pkt_dstaddr AS IPADDRESS))`,
        'ORDER BY flow_start DESC',
      ].join('\n'),
    },
    {
      id: 'rejectedPerEniHour',
      name: 'Rejected flows per ENI and hour (today)',
      description: 'REJECT records counted per network interface (and instance) and hour: where something keeps trying a path that does not exist.',
      sql: [
        'SELECT interface_id, instance_id, year, month, day, hour, count(*) AS rejected_flows, sum(packets) AS packets, count(DISTINCT pkt_dstaddr) AS destinations',
        `FROM ${flows}`,
        `WHERE ${TODAY}`,
        "  AND action = 'REJECT'",
        'GROUP BY interface_id, instance_id, year, month, day, hour',
        'ORDER BY rejected_flows DESC',
      ].join('\n'),
    },
    {
      id: 'flowsOfViolatingEpisodes',
      name: 'Flows joined to episodes (violations of the last 7 days)',
      description:
        'Every flow of a network interface within an hour of a violation attributed to an episode: what the episode did on the network around the violation.',
      sql: [
        'SELECT v.episode_id, v.run_id, v.category, v.severity, v.time AS violation_time,',
        '       from_unixtime(f."start") AS flow_start, f.interface_id, f.instance_id, f.flow_direction, f.srcaddr, f.pkt_dstaddr, f.dstport, f.action, f.bytes',
        `FROM ${violations} v`,
        `JOIN ${flows} f`,
        "  ON contains(v.subjects, concat('eni#', f.interface_id))",
        ' AND f."start" BETWEEN to_unixtime(from_iso8601_timestamp(v.time)) - 3600 AND to_unixtime(from_iso8601_timestamp(v.time)) + 3600',
        "WHERE v.dt >= date_format(current_date - interval '7' day, '%Y-%m-%d')",
        '  AND v.episode_id IS NOT NULL',
        "  AND date(from_iso8601_timestamp(v.time)) >= current_date - interval '7' day",
        "  AND f.year >= year(current_date - interval '8' day)",
        'ORDER BY v.episode_id, flow_start',
      ].join('\n'),
    },
  ];
}
