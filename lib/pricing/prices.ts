/**
 * The prices the cost of an environment is computed from: one module, as data (STYLE.md: data that
 * is policy lives in one module). Every figure names the AWS pricing page it belongs to, the date it
 * was read, and how it was confirmed. Nothing here is fetched at run time: the gate works offline.
 *
 * How a figure was confirmed (`evidence`):
 * - `aws-page`: read on a stored copy of the AWS pricing page itself.
 * - `transcription`: read on a dated, verbatim transcription of the AWS pricing page (the AWS pages
 *   render most regional tables with scripts, so stored copies often lack the numbers).
 * - `secondary`: a third-party article quoting the figure; NOT confirmed (`confirmed: false`).
 * - `none`: no source could be found for this region; the figure is the best known value and is
 *   NOT confirmed (`confirmed: false`).
 *
 * Regions: figures are kept for us-east-1, us-west-2, eu-west-1, eu-central-1 and ap-northeast-1
 * where they are known to differ. Fallback rule ({@link priceOf}): a region without its own figure
 * (any other region, a region this table does not list, or an unknown/deploy-time region) uses the
 * us-east-1 figure, and the result is marked `confirmed: false` with `fallbackFrom` set, because AWS
 * prices in most other regions are equal to or higher than us-east-1's. A price AWS states without
 * a region (KMS key-months, CloudTrail copies, Budgets) is global and needs no fallback.
 *
 * Free tiers (10 alarm metrics, two action-enabled budgets, 5 GB of logs per account...) are
 * account-wide and shared by everything else in the account: they are never subtracted.
 */

/** Regions with their own figures (where prices differ). */
export const PRICED_REGIONS = ['us-east-1', 'us-west-2', 'eu-west-1', 'eu-central-1', 'ap-northeast-1'] as const;
export type PricedRegion = (typeof PRICED_REGIONS)[number];

/** The region whose figures stand in for every region without its own. */
export const FALLBACK_REGION: PricedRegion = 'us-east-1';

/** Hours in a month for hourly prices: AWS's own convention (365 x 24 / 12). */
export const HOURS_PER_MONTH = 730;
/** Days in a month for daily prices (730 / 24). */
export const DAYS_PER_MONTH = HOURS_PER_MONTH / 24;

export type PriceEvidence = 'aws-page' | 'transcription' | 'secondary' | 'none';

/** Where a figure comes from. */
export interface PriceSource {
  /** The AWS pricing page of the figure. */
  readonly url: string;
  /** When the figure was read (YYYY-MM-DD). */
  readonly read: string;
  readonly evidence: PriceEvidence;
  /** What exactly was read, or why it could not be confirmed. */
  readonly note?: string;
}

/** One unit price in USD. */
export interface UnitPrice {
  readonly usd: number;
  /** The unit, as a reader of the bill would say it: `endpoint-AZ-hour`, `key-month`... */
  readonly unit: string;
  /** True only when read on the AWS page or a verbatim transcription of it. */
  readonly confirmed: boolean;
  readonly source: PriceSource;
}

/** The priced dimensions. */
export type PriceKey =
  | 'interfaceEndpointAzHour'
  | 'interfaceEndpointDataGb'
  | 'kmsKeyMonth'
  | 'alarmStandardMetricMonth'
  | 'alarmHighResolutionMetricMonth'
  | 'alarmCompositeMonth'
  | 'dnsFirewallDomainMonth'
  | 'dnsFirewallMillionQueries'
  | 'dnsFirewallAdvancedAssociationHour'
  | 'logsIngestionGb'
  | 'logsVendedToCloudWatchGb'
  | 'logsStorageGbMonth'
  | 'vendedLogsToS3Gb'
  | 'vendedLogsParquetGb'
  | 's3StandardGbMonth'
  | 'cloudTrailFirstManagementCopy'
  | 'cloudTrailAdditionalCopy100kEvents'
  | 'guardDutyMillionManagementEvents'
  | 'guardDutyFlowAndDnsLogGb'
  | 'budgetActionEnabledDay'
  | 'budgetDay';

/** Pricing pages. */
export const PRICING_PAGES = Object.freeze({
  privatelink: 'https://aws.amazon.com/privatelink/pricing/',
  kms: 'https://aws.amazon.com/kms/pricing/',
  route53: 'https://aws.amazon.com/route53/pricing/',
  cloudwatch: 'https://aws.amazon.com/cloudwatch/pricing/',
  cloudtrail: 'https://aws.amazon.com/cloudtrail/pricing/',
  guardduty: 'https://aws.amazon.com/guardduty/pricing/',
  budgets: 'https://aws.amazon.com/aws-cost-management/aws-budgets/pricing/',
  s3: 'https://aws.amazon.com/s3/pricing/',
});

const READ = '2026-11-29';

const confirmed = (usd: number, unit: string, url: string, evidence: 'aws-page' | 'transcription', note: string): UnitPrice => ({
  usd,
  unit,
  confirmed: true,
  source: { url, read: READ, evidence, note },
});
const unconfirmed = (usd: number, unit: string, url: string, evidence: 'secondary' | 'none', note: string): UnitPrice => ({
  usd,
  unit,
  confirmed: false,
  source: { url, read: READ, evidence, note },
});

const NO_REGIONAL_TABLE = "the stored copies of the AWS page render this region's table with a script (no number); best known value, verify on the page";

/** Prices AWS states without a region. */
export const GLOBAL_PRICES: Readonly<Partial<Record<PriceKey, UnitPrice>>> = Object.freeze({
  kmsKeyMonth: confirmed(
    1,
    'key-month',
    PRICING_PAGES.kms,
    'aws-page',
    '"Each AWS KMS key that you create in KMS costs $1/month." Automatic rotation adds $1/month for each newly generated backing key (the first rotation happens after a year).',
  ),
  cloudTrailFirstManagementCopy: confirmed(
    0,
    '100,000 management events',
    PRICING_PAGES.cloudtrail,
    'aws-page',
    '"The first copy of management events is delivered free of charge." (per Region)',
  ),
  cloudTrailAdditionalCopy100kEvents: confirmed(
    2,
    '100,000 management events',
    PRICING_PAGES.cloudtrail,
    'aws-page',
    '"Additional copies of management events are charged at $2.00 per 100,000 events."',
  ),
  budgetActionEnabledDay: confirmed(
    0.1,
    'action-enabled budget-day',
    PRICING_PAGES.budgets,
    'transcription',
    'AWS Price List (AWSBudgets, as transcribed in huggingface.co/datasets/labofsahil/aws-pricing-dataset AWSBudgets.csv, 2024-10 and 2025-08 versions): "$0.10 per Action-enabled Budget-day", starting after 62 budget-days a month (two action-enabled budgets free)',
  ),
  budgetDay: confirmed(
    0,
    'budget-day',
    PRICING_PAGES.budgets,
    'transcription',
    'AWS Price List (AWSBudgets, same transcription): "$0.00 for Budget-days" (BudgetsUsage); the USD 0.02 a day of older user-guide versions no longer applies',
  ),
});

/** Regional prices; a missing entry falls back to us-east-1 (see priceOf). */
export const REGIONAL_PRICES: Readonly<Record<PricedRegion, Readonly<Partial<Record<PriceKey, UnitPrice>>>>> = Object.freeze({
  'us-east-1': {
    interfaceEndpointAzHour: unconfirmed(
      0.01,
      'endpoint-AZ-hour',
      PRICING_PAGES.privatelink,
      'secondary',
      'the stored AWS page confirms billing "for each hour that your VPC endpoint remains provisioned in each Availability Zone" but its rate table is script-rendered; USD 0.01 is quoted by third parties (factualminds.com VPC pricing, 2026-06; awsnegotiations.com, 2026-05)',
    ),
    interfaceEndpointDataGb: confirmed(
      0.01,
      'GB processed',
      PRICING_PAGES.privatelink,
      'aws-page',
      'stored copy of the AWS page (https://aws.amazon.com/jp/privatelink/pricing/): "最初の 1 PB 0.01 USD" (first 1 PB, USD 0.01 per GB processed by all interface endpoints in a Region)',
    ),
    alarmStandardMetricMonth: unconfirmed(
      0.1,
      'alarm metric-month',
      PRICING_PAGES.cloudwatch,
      'secondary',
      'the stored AWS page shows the free tier (10 standard alarm metrics) but not the rate; USD 0.10 quoted by c3x.dev',
    ),
    alarmHighResolutionMetricMonth: unconfirmed(0.3, 'alarm metric-month', PRICING_PAGES.cloudwatch, 'secondary', 'USD 0.30 quoted by c3x.dev'),
    alarmCompositeMonth: unconfirmed(0.5, 'composite alarm-month', PRICING_PAGES.cloudwatch, 'secondary', 'USD 0.50 quoted by c3x.dev'),
    dnsFirewallDomainMonth: confirmed(
      0.0005,
      'domain-month',
      PRICING_PAGES.route53,
      'transcription',
      '"DNS Firewall domain names: $0.0005 per month (prorated hourly)" (api-evangelist/amazon-route53-resolver plans, page read 2026-09-20)',
    ),
    dnsFirewallMillionQueries: confirmed(
      0.6,
      'million queries',
      PRICING_PAGES.route53,
      'transcription',
      '"Resolver DNS Firewall Foundational queries: $0.60 per million queries (first 1 billion queries per month)" (same transcription)',
    ),
    dnsFirewallAdvancedAssociationHour: confirmed(
      0.16,
      'rule-group VPC-association-hour',
      PRICING_PAGES.route53,
      'transcription',
      '"Resolver DNS Firewall Advanced: $0.16 per hour", per VPC association of a rule group with Advanced rules (DNS_TUNNELING, DGA); same transcription, and the AWS news summary of 2026-09-29 (takech9203/aws-news-summary) states the same',
    ),
    logsIngestionGb: unconfirmed(
      0.5,
      'GB ingested',
      PRICING_PAGES.cloudwatch,
      'secondary',
      'standard log ingestion, first 10 TB; quoted by several third parties (cloudwatch pricing guides 2023-2026)',
    ),
    logsVendedToCloudWatchGb: unconfirmed(
      0.5,
      'GB delivered',
      PRICING_PAGES.cloudwatch,
      'secondary',
      'vended logs (VPC flow logs) delivered to CloudWatch Logs, first 10 TB',
    ),
    logsStorageGbMonth: unconfirmed(0.03, 'GB-month archived', PRICING_PAGES.cloudwatch, 'secondary', 'CloudWatch Logs archive storage (compressed size)'),
    vendedLogsToS3Gb: unconfirmed(
      0.25,
      'GB delivered',
      PRICING_PAGES.cloudwatch,
      'secondary',
      'vended logs delivered to S3, first 10 TB (aws-samples/sample-cfm-tips-mcp pricing constants)',
    ),
    vendedLogsParquetGb: unconfirmed(
      0.035,
      'GB converted',
      PRICING_PAGES.cloudwatch,
      'none',
      'Apache Parquet conversion of vended logs delivered to S3; not found in any stored copy',
    ),
    s3StandardGbMonth: unconfirmed(0.023, 'GB-month', PRICING_PAGES.s3, 'secondary', 'S3 Standard, first 50 TB (same pricing constants)'),
    guardDutyMillionManagementEvents: confirmed(
      4,
      'million management events',
      PRICING_PAGES.guardduty,
      'transcription',
      '"CloudTrail management event analysis $4.00 per one million management events" (US East example; api-evangelist/amazon-guardduty plans, page read 2026-10-07); 30-day free trial',
    ),
    guardDutyFlowAndDnsLogGb: confirmed(
      1,
      'GB analysed',
      PRICING_PAGES.guardduty,
      'transcription',
      '"VPC Flow Logs and DNS query log analysis (first 500 GB) $1.00 per GB" (same transcription)',
    ),
  },
  'us-west-2': {
    interfaceEndpointAzHour: unconfirmed(0.01, 'endpoint-AZ-hour', PRICING_PAGES.privatelink, 'none', NO_REGIONAL_TABLE),
    logsIngestionGb: unconfirmed(0.5, 'GB ingested', PRICING_PAGES.cloudwatch, 'none', NO_REGIONAL_TABLE),
    s3StandardGbMonth: unconfirmed(0.023, 'GB-month', PRICING_PAGES.s3, 'none', NO_REGIONAL_TABLE),
  },
  'eu-west-1': {
    interfaceEndpointAzHour: unconfirmed(0.011, 'endpoint-AZ-hour', PRICING_PAGES.privatelink, 'none', NO_REGIONAL_TABLE),
    logsIngestionGb: unconfirmed(0.57, 'GB ingested', PRICING_PAGES.cloudwatch, 'none', NO_REGIONAL_TABLE),
    logsVendedToCloudWatchGb: unconfirmed(0.57, 'GB delivered', PRICING_PAGES.cloudwatch, 'none', NO_REGIONAL_TABLE),
    s3StandardGbMonth: unconfirmed(0.023, 'GB-month', PRICING_PAGES.s3, 'none', NO_REGIONAL_TABLE),
  },
  'eu-central-1': {
    interfaceEndpointAzHour: unconfirmed(0.012, 'endpoint-AZ-hour', PRICING_PAGES.privatelink, 'none', NO_REGIONAL_TABLE),
    logsIngestionGb: unconfirmed(0.63, 'GB ingested', PRICING_PAGES.cloudwatch, 'none', NO_REGIONAL_TABLE),
    logsVendedToCloudWatchGb: unconfirmed(0.63, 'GB delivered', PRICING_PAGES.cloudwatch, 'none', NO_REGIONAL_TABLE),
    logsStorageGbMonth: unconfirmed(0.0324, 'GB-month archived', PRICING_PAGES.cloudwatch, 'none', NO_REGIONAL_TABLE),
    s3StandardGbMonth: unconfirmed(0.0245, 'GB-month', PRICING_PAGES.s3, 'none', NO_REGIONAL_TABLE),
  },
  'ap-northeast-1': {
    interfaceEndpointAzHour: unconfirmed(0.014, 'endpoint-AZ-hour', PRICING_PAGES.privatelink, 'none', NO_REGIONAL_TABLE),
    logsIngestionGb: unconfirmed(0.76, 'GB ingested', PRICING_PAGES.cloudwatch, 'none', NO_REGIONAL_TABLE),
    logsVendedToCloudWatchGb: unconfirmed(0.76, 'GB delivered', PRICING_PAGES.cloudwatch, 'none', NO_REGIONAL_TABLE),
    logsStorageGbMonth: unconfirmed(0.033, 'GB-month archived', PRICING_PAGES.cloudwatch, 'none', NO_REGIONAL_TABLE),
    s3StandardGbMonth: unconfirmed(0.025, 'GB-month', PRICING_PAGES.s3, 'none', NO_REGIONAL_TABLE),
  },
});

/** A price as applied in a region. */
export interface AppliedPrice extends UnitPrice {
  readonly key: PriceKey;
  /** The region asked for. */
  readonly region: string;
  /** Set when the figure is another region's (always us-east-1): the figure is then unconfirmed. */
  readonly fallbackFrom?: string;
}

export function isPricedRegion(region: string): region is PricedRegion {
  return (PRICED_REGIONS as readonly string[]).includes(region);
}

/**
 * The price of a dimension in a region: the global figure, else the region's own, else the
 * us-east-1 figure marked unconfirmed (the fallback rule above).
 */
export function priceOf(key: PriceKey, region: string): AppliedPrice {
  const global = GLOBAL_PRICES[key];
  if (global) return { ...global, key, region };
  const own = isPricedRegion(region) ? REGIONAL_PRICES[region][key] : undefined;
  if (own) return { ...own, key, region };
  const base = REGIONAL_PRICES[FALLBACK_REGION][key];
  if (!base) throw new Error(`no price for ${key}`);
  if (region === FALLBACK_REGION) return { ...base, key, region };
  return {
    ...base,
    key,
    region,
    confirmed: false,
    fallbackFrom: FALLBACK_REGION,
    source: { ...base.source, note: `${FALLBACK_REGION} figure used for ${region} (no figure recorded for this region); ${base.source.note ?? ''}`.trim() },
  };
}

/** Every price key, for tests and documentation. */
export const PRICE_KEYS: readonly PriceKey[] = [...new Set([...Object.keys(GLOBAL_PRICES), ...Object.keys(REGIONAL_PRICES[FALLBACK_REGION])] as PriceKey[])];
