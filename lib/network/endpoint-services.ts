/**
 * The endpoint perimeter's allowlist: the AWS services a black hole may reach through VPC endpoints,
 * and for each what the DNS walled garden must resolve and which IAM service prefixes the agent
 * boundary may allow. This module is the single source of that policy data: the VPC, the DNS
 * firewall, the agent boundary and the gate all read it.
 *
 * Deliberately absent: `ssmmessages`, `ec2messages`, `ssm` (Session Manager port forwarding and
 * remote command, ESCAPES.md 12 and 15), `ec2-instance-connect` (13), `iot`/`iotsecuretunneling`
 * (14), `execute-api` (7), `lambda` and `codebuild` (compute outside the perimeter, 20). A service
 * that is not listed here cannot be enabled, and the gate flags an interface endpoint to any service
 * outside this list.
 */

/** How the service is reached from inside the VPC. */
export enum EndpointKind {
  /** Route-table gateway endpoint (S3, DynamoDB): no ENIs, no cost. */
  GATEWAY = 'Gateway',
  /** Interface endpoint (PrivateLink ENIs in each subnet, private DNS). */
  INTERFACE = 'Interface',
}

export interface EndpointServiceDefinition {
  /** The suffix of the service name after `com.amazonaws.<region>.`, e.g. `ecr.dkr`. */
  readonly id: string;
  readonly kind: EndpointKind;
  /** One line: what a training environment uses it for. */
  readonly purpose: string;
  /**
   * Domain patterns the DNS walled garden allows, with `{region}` for the environment's region.
   * `*.` covers every subdomain (Route 53 Resolver DNS Firewall wildcard syntax).
   */
  readonly domains: readonly string[];
  /** IAM service prefixes whose (non-escape) actions the agent boundary may allow when enabled. */
  readonly iamPrefixes: readonly string[];
}

const regional = (svc: string): string[] => [`${svc}.{region}.amazonaws.com`, `*.${svc}.{region}.amazonaws.com`];

/** Every service the perimeter can offer, keyed by id. */
export const ENDPOINT_SERVICES: Readonly<Record<string, EndpointServiceDefinition>> = Object.freeze({
  's3': {
    id: 's3',
    kind: EndpointKind.GATEWAY,
    purpose: 'datasets, checkpoints, results; ECR image layers',
    domains: [...regional('s3'), 's3.dualstack.{region}.amazonaws.com', '*.s3.dualstack.{region}.amazonaws.com', '*.s3-control.{region}.amazonaws.com'],
    iamPrefixes: ['s3'],
  },
  'dynamodb': {
    id: 'dynamodb',
    kind: EndpointKind.GATEWAY,
    purpose: 'the episode ledger',
    domains: regional('dynamodb'),
    iamPrefixes: ['dynamodb'],
  },
  'ecr.api': {
    id: 'ecr.api',
    kind: EndpointKind.INTERFACE,
    purpose: 'ECR authentication and image manifests',
    domains: ['api.ecr.{region}.amazonaws.com', 'ecr.{region}.amazonaws.com'],
    iamPrefixes: ['ecr'],
  },
  'ecr.dkr': {
    id: 'ecr.dkr',
    kind: EndpointKind.INTERFACE,
    purpose: 'docker registry API for image pulls',
    domains: ['*.dkr.ecr.{region}.amazonaws.com'],
    iamPrefixes: ['ecr'],
  },
  'logs': {
    id: 'logs',
    kind: EndpointKind.INTERFACE,
    purpose: 'CloudWatch Logs for training output',
    domains: regional('logs'),
    iamPrefixes: ['logs'],
  },
  'monitoring': {
    id: 'monitoring',
    kind: EndpointKind.INTERFACE,
    purpose: 'CloudWatch metrics (GPU utilisation)',
    domains: regional('monitoring'),
    iamPrefixes: ['cloudwatch'],
  },
  'sts': {
    id: 'sts',
    kind: EndpointKind.INTERFACE,
    purpose: 'regional STS for SDK credential flows',
    domains: regional('sts'),
    iamPrefixes: ['sts'],
  },
  'kms': {
    id: 'kms',
    kind: EndpointKind.INTERFACE,
    purpose: 'decrypting KMS-encrypted data and volumes',
    domains: regional('kms'),
    iamPrefixes: ['kms'],
  },
  'secretsmanager': {
    id: 'secretsmanager',
    kind: EndpointKind.INTERFACE,
    purpose: 'secrets the harness needs (never the agent)',
    domains: regional('secretsmanager'),
    iamPrefixes: ['secretsmanager'],
  },
  'sagemaker.api': {
    id: 'sagemaker.api',
    kind: EndpointKind.INTERFACE,
    purpose: 'SageMaker control plane for a launcher inside the VPC',
    domains: ['api.sagemaker.{region}.amazonaws.com', 'sagemaker.{region}.amazonaws.com'],
    iamPrefixes: ['sagemaker'],
  },
  'sagemaker.runtime': {
    id: 'sagemaker.runtime',
    kind: EndpointKind.INTERFACE,
    purpose: 'SageMaker endpoint invocation (evaluation)',
    domains: ['runtime.sagemaker.{region}.amazonaws.com'],
    iamPrefixes: ['sagemaker'],
  },
  'events': {
    id: 'events',
    kind: EndpointKind.INTERFACE,
    purpose: 'EventBridge events from the harness',
    domains: regional('events'),
    iamPrefixes: ['events'],
  },
  'sqs': {
    id: 'sqs',
    kind: EndpointKind.INTERFACE,
    purpose: 'work queues for rollouts',
    domains: regional('sqs'),
    iamPrefixes: ['sqs'],
  },
  'xray': {
    id: 'xray',
    kind: EndpointKind.INTERFACE,
    purpose: 'tracing',
    domains: regional('xray'),
    iamPrefixes: ['xray'],
  },
} satisfies Record<string, EndpointServiceDefinition>);

/** Ids of the services that can be enabled. */
export type EndpointServiceId = keyof typeof ENDPOINT_SERVICES & string;

/** Presets for common training layouts. Gateway endpoints for S3 are always created. */
export const ENDPOINT_PRESETS = Object.freeze({
  /**
   * Network-isolated SageMaker training jobs reach nothing from the container; SageMaker itself
   * moves data and images. Only the S3 gateway endpoint is needed.
   */
  SAGEMAKER_ISOLATED: Object.freeze(['s3']) as readonly string[],
  /** EC2 GPU instances pulling images from ECR and writing logs and metrics. */
  EC2_TRAINING: Object.freeze(['s3', 'ecr.api', 'ecr.dkr', 'logs', 'monitoring', 'sts', 'kms']) as readonly string[],
});

/**
 * Names that the DNS walled garden always allows: EC2's internal host names. The VPC's private hosted
 * zones are answered by the resolver before the firewall's catch-all, through their own allow rule.
 */
export const ALWAYS_ALLOWED_DOMAINS: readonly string[] = Object.freeze(['*.compute.internal', '*.ec2.internal']);

/** True when the id names a service in the allowlist. */
export function isAllowedEndpointService(id: string): boolean {
  return Object.prototype.hasOwnProperty.call(ENDPOINT_SERVICES, id);
}

/** The full service name for a region, e.g. `com.amazonaws.eu-west-1.ecr.dkr`. */
export function endpointServiceName(id: string, region: string): string {
  return `com.amazonaws.${region}.${id}`;
}

/**
 * Recognises an AWS-owned endpoint service name (`com.amazonaws.<region>.<id>`, also the
 * `aws.sagemaker.<region>.<id>` and China forms) and returns its id; undefined for anything else,
 * including `com.amazonaws.vpce.<region>.vpce-svc-...` (a PrivateLink service owned by someone).
 */
export function endpointServiceIdOf(serviceName: string): string | undefined {
  const m = /^(?:cn\.)?com\.amazonaws\.([a-z0-9-]+)\.(.+)$/.exec(serviceName) ?? /^aws\.sagemaker\.([a-z0-9-]+)\.(.+)$/.exec(serviceName);
  if (!m || m[1] === 'vpce' || m[2].startsWith('vpce-svc-')) return undefined;
  return m[2];
}

/** The domains the walled garden allows for the given services in a region (deduplicated). */
export function allowedDomains(serviceIds: readonly string[], region: string): string[] {
  const out = new Set<string>(ALWAYS_ALLOWED_DOMAINS);
  for (const id of serviceIds) {
    const def = ENDPOINT_SERVICES[id];
    if (!def) continue;
    for (const d of def.domains) out.add(d.replace('{region}', region));
  }
  return [...out];
}
