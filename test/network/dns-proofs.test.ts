/**
 * DNS walled garden proofs: the host names the AWS SDK v3 clients really resolve, derived from the
 * clients' own endpoint rule sets (`client.config.endpointProvider`, the rule set's
 * defaultEndpointResolver), evaluated against the DNS Firewall rule group that BlackHoleVpc
 * synthesizes (read from the template, not from endpoint-services.ts) with Route 53 Resolver DNS
 * Firewall semantics (lib/network/dns-firewall-match.ts).
 */
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EC2Client } from '@aws-sdk/client-ec2';
import { ECRClient } from '@aws-sdk/client-ecr';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { IAMClient } from '@aws-sdk/client-iam';
import { KMSClient } from '@aws-sdk/client-kms';
import { S3Client } from '@aws-sdk/client-s3';
import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { SNSClient } from '@aws-sdk/client-sns';
import { STSClient } from '@aws-sdk/client-sts';
import { BlackHoleVpc, ENDPOINT_PRESETS, ENDPOINT_SERVICES } from '../../lib/network';
import { DnsFirewallRuleView, dnsFirewallDomainMatches, evaluateDnsFirewall } from '../../lib/network/dns-firewall-match';

const ACCOUNT = '111122223333';
const REGIONS = ['us-east-1', 'eu-west-1', 'ap-southeast-2'] as const;
/** Availability Zone IDs for S3 Express directory bucket names, per region. */
const AZ_ID: Record<string, string> = { 'us-east-1': 'use1-az4', 'eu-west-1': 'euw1-az1', 'ap-southeast-2': 'apse2-az1' };

interface Derived {
  /** Endpoint service id (ENDPOINT_SERVICES key), or the service prefix of a client the allowlist does not offer. */
  readonly service: string;
  readonly how: string;
  readonly host: string;
  /**
   * ALLOW: must resolve whenever `service` is enabled (and be blocked otherwise).
   * BLOCK: must never resolve (not an endpoint service, or blocked by design, see endpoint-services.ts).
   */
  readonly expected: 'ALLOW' | 'BLOCK';
}

type EndpointClient = { config: { endpointProvider: (params: Record<string, unknown>) => { url: URL } } };

/** The host the client's own rule set resolves for the parameters (Region, UseFIPS and UseDualStack false unless given). */
function hostOf(client: EndpointClient, region: string, params: Record<string, unknown> = {}): string {
  return client.config.endpointProvider({ Region: region, UseFIPS: false, UseDualStack: false, ...params }).url.hostname;
}

/** Every host name an SDK v3 client (or docker, for ECR's registry) uses in a region, with the expectation. */
function deriveHosts(region: string): Derived[] {
  const config = { region, credentials: { accessKeyId: 'x', secretAccessKey: 'x' } };
  const s3 = new S3Client(config) as unknown as EndpointClient;
  const ddb = new DynamoDBClient(config) as unknown as EndpointClient;
  const sts = new STSClient(config) as unknown as EndpointClient;
  const out: Derived[] = [];
  const add = (service: string, how: string, host: string, expected: 'ALLOW' | 'BLOCK' = 'ALLOW') => out.push({ service, how, host, expected });
  const vh = { ForcePathStyle: false };

  // S3: virtual-hosted style (the default), path style, access points, the layer bucket that ECR's
  // pre-signed URLs point to, and the legacy us-east-1 global endpoint (UseGlobalEndpoint, set by
  // AWS_S3_US_EAST_1_REGIONAL_ENDPOINT=legacy; botocore's default).
  add('s3', 'virtual-hosted bucket (default config)', hostOf(s3, region, { ...vh, Bucket: 'training-datasets', UseGlobalEndpoint: false }));
  add('s3', 'no bucket (ListBuckets)', hostOf(s3, region, { UseGlobalEndpoint: false }));
  add('s3', 'bucket with dots (path style)', hostOf(s3, region, { ...vh, Bucket: 'training.datasets.v2' }));
  add('s3', 'access point ARN', hostOf(s3, region, { ...vh, Bucket: `arn:aws:s3:${region}:${ACCOUNT}:accesspoint/checkpoints` }));
  add('s3', 'ECR image layer (pre-signed URL host)', hostOf(s3, region, { ...vh, Bucket: `prod-${region}-starport-layer-bucket` }));
  add('s3', 'virtual-hosted bucket, UseGlobalEndpoint (legacy)', hostOf(s3, region, { ...vh, Bucket: 'training-datasets', UseGlobalEndpoint: true }));
  add('s3', 'no bucket, UseGlobalEndpoint (legacy)', hostOf(s3, region, { UseGlobalEndpoint: true }));
  // Blocked by design (endpoint-services.ts, deliberatelyBlockedDomains).
  add('s3', 'S3 Express directory bucket', hostOf(s3, region, { ...vh, Bucket: `ckpt--${AZ_ID[region]}--x-s3` }), 'BLOCK');
  add('s3', 'S3 Express control', hostOf(s3, region, { ...vh, Bucket: `ckpt--${AZ_ID[region]}--x-s3`, UseS3ExpressControlEndpoint: true }), 'BLOCK');
  add('s3', 'S3 Object Lambda access point', hostOf(s3, region, { ...vh, Bucket: `arn:aws:s3-object-lambda:${region}:${ACCOUNT}:accesspoint/olap` }), 'BLOCK');
  add('s3', 'Multi-Region Access Point', hostOf(s3, region, { ...vh, Bucket: `arn:aws:s3::${ACCOUNT}:accesspoint/mfzwi23gnjvgw.mrap` }), 'BLOCK');

  // DynamoDB: account-based endpoints (AccountIdEndpointMode `preferred` is the client default and
  // the credentials carry the account id), and the plain regional endpoint.
  add('dynamodb', 'account-based (preferred, the default)', hostOf(ddb, region, { AccountId: ACCOUNT, AccountIdEndpointMode: 'preferred' }));
  add('dynamodb', 'account-based (required)', hostOf(ddb, region, { AccountId: ACCOUNT, AccountIdEndpointMode: 'required' }));
  add('dynamodb', 'AccountIdEndpointMode disabled', hostOf(ddb, region, { AccountId: ACCOUNT, AccountIdEndpointMode: 'disabled' }));
  add('dynamodb', 'credentials without an account id', hostOf(ddb, region, { AccountIdEndpointMode: 'preferred' }));

  // STS: regional by default; the legacy global endpoint is blocked by design (it is not served by
  // the interface endpoint, see endpoint-services.ts).
  add('sts', 'regional (default)', hostOf(sts, region, { UseGlobalEndpoint: false }));
  const legacySts = hostOf(sts, region, { UseGlobalEndpoint: true });
  add('sts', 'UseGlobalEndpoint (legacy)', legacySts, legacySts === 'sts.amazonaws.com' ? 'BLOCK' : 'ALLOW');

  add('ecr.api', 'ECR API', hostOf(new ECRClient(config) as unknown as EndpointClient, region));
  // Docker calls the registry, not an SDK rule set: `https://aws_account_id.dkr.ecr.region.amazonaws.com`
  // (https://docs.aws.amazon.com/AmazonECR/latest/userguide/Registries.html).
  add('ecr.dkr', 'registry (documented form)', `${ACCOUNT}.dkr.ecr.${region}.amazonaws.com`);
  add('logs', 'CloudWatch Logs', hostOf(new CloudWatchLogsClient(config) as unknown as EndpointClient, region));
  add('monitoring', 'CloudWatch', hostOf(new CloudWatchClient(config) as unknown as EndpointClient, region));
  add('kms', 'KMS', hostOf(new KMSClient(config) as unknown as EndpointClient, region));
  add('sagemaker.api', 'SageMaker', hostOf(new SageMakerClient(config) as unknown as EndpointClient, region));
  add('events', 'EventBridge', hostOf(new EventBridgeClient(config) as unknown as EndpointClient, region));

  // Control planes the allowlist does not offer: never resolvable, whatever is enabled.
  add('ec2', 'EC2 (not an endpoint service)', hostOf(new EC2Client(config) as unknown as EndpointClient, region), 'BLOCK');
  add('iam', 'IAM (not an endpoint service)', hostOf(new IAMClient(config) as unknown as EndpointClient, region), 'BLOCK');
  add('autoscaling', 'Auto Scaling (not an endpoint service)', hostOf(new AutoScalingClient(config) as unknown as EndpointClient, region), 'BLOCK');
  add('sns', 'SNS (not an endpoint service)', hostOf(new SNSClient(config) as unknown as EndpointClient, region), 'BLOCK');
  return out;
}

/** Names that must never resolve: look-alikes, suffix tricks, punycode, tunnels. */
function lookAlikes(region: string): string[] {
  const names = [
    's3.amazonaws.com.evil.com',
    `evil-s3.${region}.amazonaws.com.attacker.net`,
    `s3.${region}.amazonaws.com.attacker.net`,
    'amazonaws.com.attacker.io',
    'amazonaws.com',
    `${region}.amazonaws.com`,
    'xn--amazonaws-5cb.com',
    `s3.${region}.xn--amazonaws-5cb.com`,
    `dynamodb.${region}.amazonaws.co`,
    `s3.${region}.amazonaws.com-tunnel.example`,
    `s3-${region}.amazonaws.com`,
    `evils3.${region}.amazonaws.com`,
    'data.exfil.attacker.com',
    'aGVsbG8gd29ybGQ.t.attacker.com',
    'compute.internal',
    'ec2.internal',
    `ec2.${region}.amazonaws.com`,
  ];
  // Region-specific names exist only in their region: S3's global host outside us-east-1.
  if (region !== 'us-east-1') names.push('training-datasets.s3.amazonaws.com', 's3.amazonaws.com');
  return names;
}

/** The walled garden's rules as the template renders them, in the order of the only association. */
function firewallRulesOf(template: Template): DnsFirewallRuleView[] {
  const resources: Record<string, any> = template.toJSON().Resources;
  const associations = Object.values(resources).filter((r) => r.Type === 'AWS::Route53Resolver::FirewallRuleGroupAssociation');
  expect(associations).toHaveLength(1);
  const group = resources[associations[0].Properties.FirewallRuleGroupId['Fn::GetAtt'][0]];
  expect(group.Type).toBe('AWS::Route53Resolver::FirewallRuleGroup');
  return group.Properties.FirewallRules.map((r: any): DnsFirewallRuleView => {
    const listId = r.FirewallDomainListId?.['Fn::GetAtt']?.[0];
    const domains: unknown[] | undefined = listId ? resources[listId].Properties.Domains : undefined;
    // In a stack with an explicit region every entry is a literal: nothing left to resolve.
    for (const d of domains ?? []) expect(typeof d).toBe('string');
    return { priority: r.Priority, action: r.Action, domains: domains as string[] | undefined, threatProtection: r.DnsThreatProtection };
  });
}

const PRESETS: Record<string, readonly string[]> = {
  SAGEMAKER_ISOLATED: ENDPOINT_PRESETS.SAGEMAKER_ISOLATED,
  EC2_TRAINING: ENDPOINT_PRESETS.EC2_TRAINING,
  ALL_SERVICES: Object.keys(ENDPOINT_SERVICES),
};

function synthRules(services: readonly string[], region: string): DnsFirewallRuleView[] {
  const app = new App();
  const stack = new Stack(app, `Dns${region.replace(/-/g, '')}`, { env: { account: ACCOUNT, region } });
  new BlackHoleVpc(stack, 'Net', { environmentName: 'dns-proof', endpointServices: [...services] });
  return firewallRulesOf(Template.fromStack(stack));
}

const DERIVED: Record<string, Derived[]> = Object.fromEntries(REGIONS.map((r) => [r, deriveHosts(r)]));

beforeAll(() => {
  const lines = REGIONS.flatMap((r) => DERIVED[r].map((d) => `${r.padEnd(15)} ${d.service.padEnd(14)} ${d.expected.padEnd(6)} ${d.host.padEnd(72)} ${d.how}`));
  console.log(`Host names derived from the AWS SDK v3 endpoint rule sets (account ${ACCOUNT}):\n${lines.join('\n')}`);
});

describe('DNS Firewall matching (Route 53 Resolver semantics)', () => {
  test.each<[string, string, boolean]>([
    ['*.example.com', 'a.example.com', true],
    ['*.example.com', 'a.b.example.com', true],
    ['*.example.com', 'example.com', false], // the apex is not a subdomain
    ['*.example.com', 'badexample.com', false],
    ['*.example.com', 'a.example.com.evil.net', false],
    ['example.com', 'example.com', true],
    ['example.com', 'a.example.com', false],
    ['*', 'anything.at.all', true],
    ['*', 'com', true],
    ['*.Example.COM.', 'A.example.com', true], // case-insensitive, root dot ignored
    ['s3.eu-west-1.amazonaws.com', 'S3.EU-WEST-1.AMAZONAWS.COM.', true],
  ])('%s matches %s: %s', (spec, name, matches) => {
    expect(dnsFirewallDomainMatches(spec, name)).toBe(matches);
  });

  test('the lowest priority matching rule decides; ALERT lets through; threat rules are passed, never decided by name', () => {
    const rules: DnsFirewallRuleView[] = [
      { priority: 300, action: 'BLOCK', domains: ['*'] },
      { priority: 200, action: 'BLOCK', threatProtection: 'DNS_TUNNELING' },
      { priority: 100, action: 'ALLOW', domains: ['*.ok.example'] },
      { priority: 150, action: 'ALERT', domains: ['watch.example'] },
    ];
    expect(evaluateDnsFirewall(rules, 'a.ok.example')).toEqual({ action: 'ALLOW', priority: 100, matched: '*.ok.example', threatRulesPassed: [] });
    expect(evaluateDnsFirewall(rules, 'watch.example')).toEqual({ action: 'ALLOW', priority: 150, matched: 'watch.example', threatRulesPassed: [] });
    expect(evaluateDnsFirewall(rules, 'ok.example')).toEqual({ action: 'BLOCK', priority: 300, matched: '*', threatRulesPassed: [200] });
    expect(
      evaluateDnsFirewall(
        rules.filter((r) => r.priority !== 300),
        'x.attacker',
      ),
    ).toEqual({ action: 'NO_MATCH', threatRulesPassed: [200] });
  });
});

describe.each(REGIONS)("DNS walled garden in %s: the SDKs' host names resolve, nothing else does", (region) => {
  test('the SDK rule sets produce the names this proof expects (derivation is not vacuous)', () => {
    const hosts = DERIVED[region].map((d) => d.host);
    expect(hosts).toContain(`${ACCOUNT}.ddb.${region}.amazonaws.com`);
    expect(hosts).toContain(`training-datasets.s3.${region}.amazonaws.com`);
    expect(hosts).toContain(`checkpoints-${ACCOUNT}.s3-accesspoint.${region}.amazonaws.com`);
    expect(hosts).toContain(`sts.${region}.amazonaws.com`);
    if (region === 'us-east-1') {
      expect(hosts).toEqual(expect.arrayContaining(['training-datasets.s3.amazonaws.com', 's3.amazonaws.com', 'sts.amazonaws.com']));
    } else {
      expect(hosts).not.toContain('training-datasets.s3.amazonaws.com'); // the rule set keeps other regions regional
    }
  });

  describe.each(Object.keys(PRESETS))('preset %s', (preset) => {
    const services = PRESETS[preset];
    const enabled = new Set(['s3', ...services]);
    let rules: DnsFirewallRuleView[];
    beforeAll(() => {
      rules = synthRules(services, region);
    });

    test('rule order: ALLOW list, BLOCK *', () => {
      const ordered = [...rules].sort((a, b) => a.priority - b.priority);
      expect(ordered.map((r) => [r.action, r.threatProtection ?? null])).toEqual([
        ['ALLOW', null],
        ['BLOCK', null],
      ]);
      expect(ordered[1].domains).toEqual(['*']);
    });

    test('every host of an enabled service resolves (through the ALLOW list, before the catch-all BLOCK)', () => {
      const allowRule = Math.min(...rules.map((r) => r.priority));
      const wanted = DERIVED[region].filter((d) => d.expected === 'ALLOW' && enabled.has(d.service));
      expect(wanted.length).toBeGreaterThan(0);
      const verdicts = wanted.map((d) => ({ service: d.service, host: d.host, how: d.how, verdict: evaluateDnsFirewall(rules, d.host) }));
      expect(verdicts.filter((v) => v.verdict.action !== 'ALLOW' || v.verdict.priority !== allowRule)).toEqual([]);
    });

    test('hosts of services not enabled, control planes the allowlist lacks and names blocked by design are NXDOMAIN', () => {
      const unwanted = DERIVED[region].filter((d) => d.expected === 'BLOCK' || !enabled.has(d.service));
      const verdicts = unwanted.map((d) => ({ host: d.host, how: d.how, action: evaluateDnsFirewall(rules, d.host).action }));
      expect(verdicts.filter((v) => v.action !== 'BLOCK')).toEqual([]);
    });

    test('look-alikes, suffix tricks, punycode and tunnel names are NXDOMAIN', () => {
      const verdicts = lookAlikes(region).map((host) => ({ host, verdict: evaluateDnsFirewall(rules, host) }));
      expect(verdicts.filter((v) => v.verdict.action !== 'BLOCK')).toEqual([]);
    });

    test('EC2 internal names resolve', () => {
      for (const host of ['ip-10-80-0-12.ec2.internal', `ip-10-80-0-12.${region}.compute.internal`]) {
        expect(evaluateDnsFirewall(rules, host).action).toBe('ALLOW');
      }
    });
  });
});

describe('environment-agnostic stack (region is ${AWS::Region})', () => {
  const app = new App();
  const stack = new Stack(app, 'Agnostic');
  new BlackHoleVpc(stack, 'Net', { environmentName: 'dns-proof', endpointServices: Object.keys(ENDPOINT_SERVICES) });
  const domains: unknown[] = Object.values(Template.fromStack(stack).findResources('AWS::Route53Resolver::FirewallDomainList'))
    .map((l: any) => l.Properties.Domains)
    .find((d: unknown[]) => d.length > 1)!;

  test("us-east-1's global S3 names are always included (documented choice: no Fn::If the gate could not read)", () => {
    expect(domains).toEqual(expect.arrayContaining(['s3.amazonaws.com', '*.s3.amazonaws.com']));
  });

  test('regional names follow the deploy-time region', () => {
    expect(domains).toContainEqual({ 'Fn::Join': ['', ['*.ddb.', { Ref: 'AWS::Region' }, '.amazonaws.com']] });
    expect(domains).toContainEqual({ 'Fn::Join': ['', ['*.s3-accesspoint.', { Ref: 'AWS::Region' }, '.amazonaws.com']] });
    expect(domains).not.toContain('sts.amazonaws.com');
  });
});
