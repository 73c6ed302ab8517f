import { FLOW_LOG_FIELDS } from '../../lib/telemetry/flow-log-fields';

/**
 * Flow-log lines in the pipeline's format (the order of FLOW_LOG_FIELDS), as the CloudWatch Logs
 * copy carries them. Defaults: an ACCEPTed TCP flow from a node of 10.80.0.0/16; override per case.
 */
export const VPC_CIDR = '10.80.0.0/16';

const BASE: Record<string, string> = {
  version: '5',
  'account-id': '123456789012',
  'vpc-id': 'vpc-0abc',
  'subnet-id': 'subnet-0abc',
  'interface-id': 'eni-0node1',
  'instance-id': 'i-0node1',
  srcaddr: '10.80.1.5',
  dstaddr: '10.80.2.9',
  'pkt-srcaddr': '10.80.1.5',
  'pkt-dstaddr': '10.80.2.9',
  srcport: '40000',
  dstport: '443',
  protocol: '6',
  packets: '10',
  bytes: '1200',
  start: '1767225600',
  end: '1767225660',
  action: 'ACCEPT',
  'log-status': 'OK',
  'tcp-flags': '2',
  'flow-direction': 'egress',
  'traffic-path': '1',
  'pkt-src-aws-service': '-',
  'pkt-dst-aws-service': '-',
};

export function flowLine(overrides: Record<string, string> = {}): string {
  const values = { ...BASE, ...overrides };
  return FLOW_LOG_FIELDS.map((f) => values[f.name]).join(' ');
}

/** Named cases: where the flow goes, and whether it left the VPC. */
export const FLOWS = {
  /** To an interface endpoint's ENI in the VPC (e.g. sts, ecr.api): path 1. */
  toInterfaceEndpoint: flowLine({ dstaddr: '10.80.3.17', 'pkt-dstaddr': '10.80.3.17' }),
  /** NCCL between two GPU nodes: path 1, a high port. */
  toOtherNode: flowLine({ dstaddr: '10.80.2.9', 'pkt-dstaddr': '10.80.2.9', dstport: '53712', bytes: '987654321' }),
  /** To S3 through the gateway endpoint (Nitro): path 7, S3's public range. */
  toS3GatewayEndpoint: flowLine({ dstaddr: '52.95.128.179', 'pkt-dstaddr': '52.95.128.179', 'traffic-path': '7', 'pkt-dst-aws-service': 'S3' }),
  /** To DynamoDB through the gateway endpoint (older hardware): path 2. */
  toDynamoDbGatewayEndpoint: flowLine({ dstaddr: '52.94.24.10', 'pkt-dstaddr': '52.94.24.10', 'traffic-path': '2', 'pkt-dst-aws-service': 'DYNAMODB' }),
  /** To a public IP through an internet gateway (Nitro): path 8. */
  toInternet: flowLine({ dstaddr: '203.0.113.7', 'pkt-dstaddr': '203.0.113.7', 'traffic-path': '8' }),
  /** To an EC2 public IP (anyone can rent one) through an internet gateway: the AWS service name does not make it safe. */
  toEc2PublicIp: flowLine({ dstaddr: '3.120.0.10', 'pkt-dstaddr': '3.120.0.10', 'traffic-path': '8', 'pkt-dst-aws-service': 'EC2' }),
  /** Through a VPC peering connection (same region): path 4, an address outside the VPC. */
  toPeeredVpc: flowLine({ dstaddr: '10.99.0.5', 'pkt-dstaddr': '10.99.0.5', 'traffic-path': '4' }),
  /** The answer of an interface endpoint to a node: ingress, no path. */
  ingressFromEndpoint: flowLine({
    srcaddr: '10.80.3.17',
    'pkt-srcaddr': '10.80.3.17',
    dstaddr: '10.80.1.5',
    'pkt-dstaddr': '10.80.1.5',
    'flow-direction': 'ingress',
    'traffic-path': '-',
  }),
} as const;

/** The cases that left the VPC (and are not S3/DynamoDB through their gateway endpoint). */
export const LEAVING: readonly (keyof typeof FLOWS)[] = ['toInternet', 'toEc2PublicIp', 'toPeeredVpc'];

/**
 * Evaluates a space-delimited CloudWatch Logs filter pattern of the forms this library renders
 * (`[a, b="x", c>1, d!="S3" && d!="DYNAMODB"]`) against one log line, with the documented semantics:
 * fields by position, string `=`/`!=` exact, numeric comparisons false for non-numbers, `&&` before `||`.
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/FilterAndPatternSyntax.html
 */
export function matchesSpaceDelimited(pattern: string, line: string): boolean {
  const m = /^\[(.*)\]$/.exec(pattern.trim());
  if (!m) throw new Error(`not a space-delimited pattern: ${pattern}`);
  const parts = m[1].split(/\s*,\s*/);
  const values = line.trim().split(/\s+/);
  if (values.length !== parts.length) return false;
  const byName = new Map<string, string>();
  parts.forEach((p, i) => byName.set(/^[a-z_]+/.exec(p)![0], values[i]));
  const compare = (expr: string): boolean => {
    const c = /^([a-z_]+)\s*(!=|>=|<=|=|>|<)\s*(.+)$/.exec(expr.trim());
    if (!c) throw new Error(`unsupported condition: ${expr}`);
    const [, name, op, raw] = c;
    const actual = byName.get(name);
    if (actual === undefined) throw new Error(`unknown field ${name}`);
    if (raw.startsWith('"')) {
      const expected = JSON.parse(raw);
      if (op === '=') return actual === expected;
      if (op === '!=') return actual !== expected;
      throw new Error(`operator ${op} on a string`);
    }
    const a = Number(actual);
    const b = Number(raw);
    if (!/^-?\d+(\.\d+)?$/.test(actual)) return false;
    return op === '=' ? a === b : op === '!=' ? a !== b : op === '>' ? a > b : op === '<' ? a < b : op === '>=' ? a >= b : a <= b;
  };
  return parts.every((p) => {
    if (/^[a-z_]+$/.test(p)) return true;
    return p.split('||').some((alt) => alt.split('&&').every(compare));
  });
}
