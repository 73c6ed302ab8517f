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

import { Token } from 'aws-cdk-lib';

/** How the service is reached from inside the VPC. */
export enum EndpointKind {
  /** Route-table gateway endpoint (S3, DynamoDB): no ENIs, no cost. */
  GATEWAY = 'Gateway',
  /** Interface endpoint (PrivateLink ENIs in each subnet, private DNS). */
  INTERFACE = 'Interface',
}

/** One service of the endpoint allowlist: how the VPC reaches it and which DNS names it needs. */
export interface EndpointServiceDefinition {
  /** The suffix of the service name after `com.amazonaws.<region>.`, e.g. `ecr.dkr`. */
  readonly id: string;
  /** Gateway or interface endpoint. */
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
  /**
   * Extra domain patterns that only exist in one region, keyed by region (e.g. S3's global host,
   * which SDKs use in us-east-1 only). See {@link allowedDomains} for stacks whose region is a token.
   */
  readonly regionDomains?: Readonly<Record<string, readonly string[]>>;
  /**
   * Names an SDK can be configured to use for this service that the walled garden deliberately does
   * NOT resolve, with the reason (usually: the name resolves to a public address that no endpoint,
   * route or security group of the black hole reaches). Documentation and test data; never rendered.
   */
  readonly deliberatelyBlockedDomains?: readonly { readonly domain: string; readonly why: string }[];
}

const regional = (svc: string): string[] => [`${svc}.{region}.amazonaws.com`, `*.${svc}.{region}.amazonaws.com`];

/** Every service the perimeter can offer, keyed by id. */
export const ENDPOINT_SERVICES: Readonly<Record<string, EndpointServiceDefinition>> = Object.freeze({
  s3: {
    id: 's3',
    kind: EndpointKind.GATEWAY,
    purpose: 'datasets, checkpoints, results; ECR image layers',
    domains: [
      ...regional('s3'),
      's3.dualstack.{region}.amazonaws.com',
      '*.s3.dualstack.{region}.amazonaws.com',
      '*.s3-control.{region}.amazonaws.com',
      // Access points (`<name>-<account>.s3-accesspoint.<region>.amazonaws.com`, what the SDK's S3 rule
      // set produces for an access point ARN) resolve to the region's S3 addresses, which the gateway
      // endpoint's prefix list covers. https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-points-naming.html
      '*.s3-accesspoint.{region}.amazonaws.com',
    ],
    // us-east-1 only: SDKs configured for the legacy global endpoint (botocore's default
    // `s3_us_east_1_regional_endpoint = legacy`, AWS_S3_US_EAST_1_REGIONAL_ENDPOINT=legacy for the JS
    // SDK v3) and pre-signed URLs made by them use `<bucket>.s3.amazonaws.com` / `s3.amazonaws.com`.
    // In us-east-1 those names resolve to S3's us-east-1 addresses, which the region's S3 gateway
    // endpoint prefix list (com.amazonaws.us-east-1.s3) and the training security group's S3 rule
    // cover, so the request really goes through the gateway endpoint and its policy.
    // https://docs.aws.amazon.com/AmazonS3/latest/userguide/VirtualHosting.html#VirtualHostingBackwardsCompatibility
    regionDomains: { 'us-east-1': ['s3.amazonaws.com', '*.s3.amazonaws.com'] },
    deliberatelyBlockedDomains: [
      { domain: '*.s3-object-lambda.{region}.amazonaws.com', why: 'S3 Object Lambda invokes Lambda, compute outside the perimeter (ESCAPES.md 20)' },
      {
        domain: 's3express-control.{region}.amazonaws.com',
        why: 'S3 Express One Zone needs its own s3express gateway endpoint, which the allowlist does not offer',
      },
      { domain: '*.s3express-<az-id>.{region}.amazonaws.com', why: 'S3 Express One Zone data plane: same reason' },
      {
        domain: '*.accesspoint.s3-global.amazonaws.com',
        why: 'Multi-Region Access Points are served from global anycast addresses, not through the regional gateway endpoint',
      },
    ],
    iamPrefixes: ['s3'],
  },
  dynamodb: {
    id: 'dynamodb',
    kind: EndpointKind.GATEWAY,
    purpose: 'the episode ledger',
    // Current SDKs call DynamoDB at account-based endpoints (`<account>.ddb.<region>.amazonaws.com`,
    // AccountIdEndpointMode `preferred` by default); they resolve to DynamoDB's regional addresses,
    // which the DynamoDB gateway endpoint's prefix list covers.
    // https://docs.aws.amazon.com/sdkref/latest/guide/feature-account-endpoints.html
    domains: [...regional('dynamodb'), '*.ddb.{region}.amazonaws.com'],
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
    // The registry host `<account>.dkr.ecr.<region>.amazonaws.com`, which docker (not an SDK rule
    // set) calls. https://docs.aws.amazon.com/AmazonECR/latest/userguide/Registries.html
    // Image layers come from S3 (`prod-<region>-starport-layer-bucket`), covered by the s3 entry.
    domains: ['*.dkr.ecr.{region}.amazonaws.com'],
    iamPrefixes: ['ecr'],
  },
  logs: {
    id: 'logs',
    kind: EndpointKind.INTERFACE,
    purpose: 'CloudWatch Logs for training output',
    domains: regional('logs'),
    iamPrefixes: ['logs'],
  },
  monitoring: {
    id: 'monitoring',
    kind: EndpointKind.INTERFACE,
    purpose: 'CloudWatch metrics (GPU utilisation)',
    domains: regional('monitoring'),
    iamPrefixes: ['cloudwatch'],
  },
  sts: {
    id: 'sts',
    kind: EndpointKind.INTERFACE,
    purpose: 'regional STS for SDK credential flows',
    domains: regional('sts'),
    deliberatelyBlockedDomains: [
      {
        // Current SDKs default to the regional name (JS v3 and botocore: sts_regional_endpoints =
        // regional). The interface endpoint's private DNS answers only sts.<region>.amazonaws.com
        // ("you must use the matching regional endpoint",
        // https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sts_vpc_endpoint_create.html);
        // the global name resolves to public STS addresses that no route or security group here
        // reaches. Resolving it would turn a clear, immediate ENOTFOUND naming the host into a silent
        // TCP connect timeout (the security group drops the SYN), so the walled garden blocks it; the
        // fix is AWS_STS_REGIONAL_ENDPOINTS=regional in the client.
        domain: 'sts.amazonaws.com',
        why: 'legacy global STS endpoint: public addresses, not served by the interface endpoint; use AWS_STS_REGIONAL_ENDPOINTS=regional',
      },
    ],
    iamPrefixes: ['sts'],
  },
  kms: {
    id: 'kms',
    kind: EndpointKind.INTERFACE,
    purpose: 'decrypting KMS-encrypted data and volumes',
    domains: regional('kms'),
    iamPrefixes: ['kms'],
  },
  secretsmanager: {
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
  events: {
    id: 'events',
    kind: EndpointKind.INTERFACE,
    purpose: 'EventBridge events from the harness',
    domains: regional('events'),
    iamPrefixes: ['events'],
  },
  sqs: {
    id: 'sqs',
    kind: EndpointKind.INTERFACE,
    purpose: 'work queues for rollouts',
    domains: regional('sqs'),
    iamPrefixes: ['sqs'],
  },
  xray: {
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

/**
 * The domains the walled garden allows for the given services in a region (deduplicated).
 *
 * `region` may be a CDK token (an environment-agnostic stack renders `${AWS::Region}`). Then the
 * region-specific extras of EVERY region are included, deliberately, instead of a CloudFormation
 * `Fn::If` on the region: the compliance gate reads a domain list it cannot resolve as open
 * (BlackHole-DNS1), and the only extras are S3's global names, which are AWS-owned (a query for
 * them goes to AWS's name servers, so they carry no DNS tunnel). Outside us-east-1 they resolve to
 * us-east-1 addresses that no route of the black hole reaches, so a client that used them would
 * fail at connect time, not at DNS; current SDKs only use them in us-east-1. Give the stack an
 * explicit region to get exactly the region's names.
 */
export function allowedDomains(serviceIds: readonly string[], region: string): string[] {
  const out = new Set<string>(ALWAYS_ALLOWED_DOMAINS);
  const regionIsToken = Token.isUnresolved(region);
  for (const id of serviceIds) {
    const def = ENDPOINT_SERVICES[id];
    if (!def) continue;
    for (const d of def.domains) out.add(d.replace('{region}', region));
    for (const [r, extras] of Object.entries(def.regionDomains ?? {})) {
      if (regionIsToken || r === region) for (const d of extras) out.add(d.replace('{region}', region));
    }
  }
  return [...out];
}
