import { priceOf, DAYS_PER_MONTH, FALLBACK_REGION, HOURS_PER_MONTH, type AppliedPrice, type PriceKey } from '../../pricing/prices';
import type { ModelResource, StackModel, TemplateModel } from '../model';
import { asString, isUnknown, possibilities, type Resolved } from '../model';

/**
 * The fixed monthly cost of every environment, computed from the synthesized template: what an
 * environment costs before any GPU runs (interface endpoints x AZs, KMS keys, alarms, the DNS
 * Firewall, flow-log and query-log delivery at a stated volume, the trail, GuardDuty when a detector
 * is in the template, budgets). Compute, Lambda invocations, DynamoDB requests, S3 requests and data
 * processed are usage-based and not priced here: they are counted in `usageBased`.
 *
 * Attribution: a resource belongs to the environment of its `black-hole:environment` tag; else to the
 * environment of the VPC it is attached to (endpoints, flow logs, DNS Firewall and query-log
 * associations); a budget to the environment its cost filter or its action's tags name; anything
 * else to the only environment of its stack, when the stack has exactly one; otherwise it is shared.
 */

/** Volumes the usage-dependent lines are priced at. Each is per environment VPC and month. */
export interface UsageAssumptions {
  /** GB of VPC flow-log records a VPC produces a month; each flow log of the VPC delivers them once. @default 5 */
  readonly flowLogGbPerMonth: number;
  /** GB of Resolver query logs a VPC produces a month. @default 1 */
  readonly queryLogGbPerMonth: number;
  /** DNS queries a VPC sends through the DNS Firewall a month, in millions. @default 1 */
  readonly dnsMillionQueriesPerMonth: number;
  /** CloudTrail management events of the account and region a month (trail copies, GuardDuty). @default 100000 */
  readonly managementEventsPerMonth: number;
  /**
   * Whether another trail already delivers the account's management events in the region, which makes
   * every trail in the template a paid additional copy. @default false - the template's trail is the free first copy
   */
  readonly trailIsAdditionalCopy: boolean;
}

export const DEFAULT_USAGE: UsageAssumptions = Object.freeze({
  flowLogGbPerMonth: 5,
  queryLogGbPerMonth: 1,
  dnsMillionQueriesPerMonth: 1,
  managementEventsPerMonth: 100_000,
  trailIsAdditionalCopy: false,
});

export type CostCategory = 'interface-endpoints' | 'kms-keys' | 'alarms' | 'dns-firewall' | 'flow-logs' | 'query-logs' | 'trail' | 'guardduty' | 'budgets';

/** How a line item was attributed to its environment. */
export type CostAttribution = 'tag' | 'vpc' | 'budget-filter' | 'stack' | 'none';

export interface CostLineItem {
  readonly category: CostCategory;
  readonly stack: string;
  /** Logical ID of the resource that costs. */
  readonly resource: string;
  readonly resourceType: string;
  readonly environment?: string;
  readonly attribution: CostAttribution;
  readonly description: string;
  readonly quantity: number;
  readonly unit: string;
  readonly unitPriceUsd: number;
  readonly monthlyUsd: number;
  readonly priceKey: PriceKey;
  readonly sourceUrl: string;
  /** False when the unit price is not confirmed from an AWS source (see lib/pricing/prices.ts). */
  readonly confirmed: boolean;
  readonly note?: string;
}

export interface CostGroup {
  readonly name: string;
  readonly monthlyUsd: number;
  readonly lineItems: readonly CostLineItem[];
  /** True when any line's unit price is unconfirmed. */
  readonly includesUnconfirmed: boolean;
}

export interface CostReport {
  readonly region: string;
  /** Where the region came from: the caller, or the default (us-east-1) when none was given. */
  readonly regionSource: 'option' | 'default';
  readonly assumptions: UsageAssumptions;
  readonly lineItems: readonly CostLineItem[];
  readonly environments: readonly CostGroup[];
  readonly stacks: readonly CostGroup[];
  /** Line items of no environment (stacks holding none or several environments). */
  readonly shared: CostGroup;
  readonly totalMonthlyUsd: number;
  /** Usage-based resources not priced, by CloudFormation type. */
  readonly usageBased: Readonly<Record<string, number>>;
  /** Resources that cost but could not be priced from the template, with the reason. */
  readonly notPriced: readonly { readonly stack: string; readonly resource: string; readonly resourceType: string; readonly reason: string }[];
}

export interface EnvironmentCostOptions {
  /** @default 'us-east-1' */
  readonly region?: string;
  readonly usage?: Partial<UsageAssumptions>;
}

/** Types whose cost is usage only (requests, invocations, compute): counted, not priced. */
const USAGE_BASED_TYPES = [
  'AWS::EC2::Instance',
  'AWS::AutoScaling::AutoScalingGroup',
  'AWS::EC2::LaunchTemplate',
  'AWS::Lambda::Function',
  'AWS::DynamoDB::Table',
  'AWS::S3::Bucket',
  'AWS::SNS::Topic',
  'AWS::Events::Rule',
  'AWS::Athena::WorkGroup',
  'AWS::Glue::Table',
  'AWS::Logs::LogGroup',
  'AWS::CE::AnomalyMonitor',
  'AWS::SageMaker::TrainingJob',
];

/** Types with a fixed charge that the price table does not hold: reported as not priced, never silently free. */
const FIXED_BUT_UNPRICED_TYPES: Readonly<Record<string, string>> = {
  'AWS::EC2::NatGateway': 'NAT gateway hourly and per-GB charges are not in the price table',
  'AWS::EC2::EIP': 'public IPv4 address hourly charge is not in the price table',
  'AWS::EC2::TransitGatewayAttachment': 'transit gateway attachment hourly charge is not in the price table',
  'AWS::EC2::TransitGatewayVpcAttachment': 'transit gateway attachment hourly charge is not in the price table',
  'AWS::Route53Resolver::ResolverEndpoint': 'Resolver endpoint ENI hourly charge is not in the price table',
  'AWS::NetworkFirewall::Firewall': 'Network Firewall endpoint hourly charge is not in the price table',
};

const round4 = (n: number): number => Math.round(n * 10_000) / 10_000;

/** The fixed monthly cost of every environment and stack of the model. */
export function environmentCost(model: TemplateModel, options: EnvironmentCostOptions = {}): CostReport {
  return new CostCalculator(model, options).run();
}

class CostCalculator {
  private readonly region: string;
  private readonly usage: UsageAssumptions;
  private readonly items: CostLineItem[] = [];
  private readonly notPriced: { stack: string; resource: string; resourceType: string; reason: string }[] = [];
  private readonly stackEnvironments = new Map<StackModel, Set<string>>();

  constructor(
    private readonly model: TemplateModel,
    private readonly options: EnvironmentCostOptions,
  ) {
    this.region = options.region ?? FALLBACK_REGION;
    this.usage = { ...DEFAULT_USAGE, ...withoutUndefined(options.usage ?? {}) };
  }

  public run(): CostReport {
    this.interfaceEndpoints();
    this.kmsKeys();
    this.alarms();
    this.dnsFirewall();
    this.flowLogs();
    this.queryLogs();
    this.trails();
    this.guardDuty();
    this.budgets();
    for (const [type, reason] of Object.entries(FIXED_BUT_UNPRICED_TYPES)) {
      for (const r of this.model.resourcesOfType(type)) this.notPriced.push(this.ref(r, reason));
    }
    const usageBased: Record<string, number> = {};
    for (const type of USAGE_BASED_TYPES) {
      const n = this.model.resourcesOfType(type).length;
      if (n > 0) usageBased[type] = n;
    }
    const group = (name: string, items: CostLineItem[]): CostGroup => ({
      name,
      monthlyUsd: round4(items.reduce((s, i) => s + i.monthlyUsd, 0)),
      lineItems: items,
      includesUnconfirmed: items.some((i) => !i.confirmed),
    });
    const envNames = [...new Set(this.items.map((i) => i.environment).filter((e): e is string => e !== undefined))].sort();
    return {
      region: this.region,
      regionSource: this.options.region ? 'option' : 'default',
      assumptions: this.usage,
      lineItems: this.items,
      environments: envNames.map((e) =>
        group(
          e,
          this.items.filter((i) => i.environment === e),
        ),
      ),
      stacks: this.model.stacks
        .map((s) =>
          group(
            s.name,
            this.items.filter((i) => i.stack === s.name),
          ),
        )
        .filter((g) => g.lineItems.length > 0),
      shared: group(
        '(shared)',
        this.items.filter((i) => i.environment === undefined),
      ),
      totalMonthlyUsd: round4(this.items.reduce((s, i) => s + i.monthlyUsd, 0)),
      usageBased,
      notPriced: this.notPriced,
    };
  }

  // ---- pricing of each kind of resource ----

  private interfaceEndpoints(): void {
    for (const r of this.model.resourcesOfType('AWS::EC2::VPCEndpoint')) {
      const type = this.literal(r, r.properties.VpcEndpointType) ?? 'Gateway';
      if (type === 'Gateway') continue; // route-table endpoints have no hourly charge
      if (type !== 'Interface') {
        this.notPriced.push(this.ref(r, `VPC endpoint type ${type} is not priced`));
        continue;
      }
      const service = (this.model.stringValue(r.stack, r.properties.ServiceName) ?? 'unresolved service').replace(
        /^com\.amazonaws\.(\$\{AWS::Region\}|[a-z0-9-]+)\./,
        '',
      );
      const subnets = this.model.resolve(r.stack, r.properties.SubnetIds);
      let azs: number;
      let note: string | undefined;
      if (subnets.kind === 'array' && subnets.items.length > 0) {
        azs = new Set(subnets.items.map((s, i) => keyOf(s, i))).size;
      } else {
        const vpc = this.model.refTargetResource(r.stack, r.properties.VpcId);
        azs = Math.max(1, vpc ? this.model.environments.subnetsOfVpc(vpc).length : 1);
        note = `subnets not resolvable from the template: assumed ${azs} (one per subnet of the VPC)`;
      }
      this.add(
        r,
        'interface-endpoints',
        `interface endpoint ${service} in ${azs} AZ(s)`,
        azs * HOURS_PER_MONTH,
        'interfaceEndpointAzHour',
        this.vpcOf(r),
        note,
      );
    }
  }

  private kmsKeys(): void {
    for (const type of ['AWS::KMS::Key', 'AWS::KMS::ReplicaKey']) {
      for (const r of this.model.resourcesOfType(type)) {
        const rotation = this.model.resolve(r.stack, r.properties.EnableKeyRotation);
        this.add(
          r,
          'kms-keys',
          'customer managed KMS key',
          1,
          'kmsKeyMonth',
          undefined,
          rotation.kind === 'literal' && rotation.value === true ? 'rotation on: each yearly rotation adds USD 1 a month' : undefined,
        );
      }
    }
  }

  private alarms(): void {
    for (const r of this.model.resourcesOfType('AWS::CloudWatch::Alarm')) {
      const metrics = this.model.resolve(r.stack, r.properties.Metrics);
      let count = 1;
      let period = this.number(r, r.properties.Period);
      if (metrics.kind === 'array') {
        const stats = metrics.items.filter((m) => m.kind === 'object' && m.entries.MetricStat !== undefined);
        count = Math.max(1, stats.length);
        for (const m of stats) {
          const ms = m.kind === 'object' ? m.entries.MetricStat : undefined;
          const p = ms?.kind === 'object' && ms.entries.Period?.kind === 'literal' ? Number(ms.entries.Period.value) : undefined;
          if (p !== undefined && (period === undefined || p < period)) period = p;
        }
      }
      const highResolution = period !== undefined && period < 60;
      this.add(
        r,
        'alarms',
        `${highResolution ? 'high-resolution' : 'standard'} alarm, ${count} metric(s)`,
        count,
        highResolution ? 'alarmHighResolutionMetricMonth' : 'alarmStandardMetricMonth',
        undefined,
        'the first 10 standard alarm metrics of an account are free (not subtracted)',
      );
    }
    for (const r of this.model.resourcesOfType('AWS::CloudWatch::CompositeAlarm')) {
      this.add(r, 'alarms', 'composite alarm', 1, 'alarmCompositeMonth');
    }
  }

  private dnsFirewall(): void {
    for (const r of this.model.resourcesOfType('AWS::Route53Resolver::FirewallDomainList')) {
      const domains = this.model.resolve(r.stack, r.properties.Domains);
      if (domains.kind !== 'array') {
        this.notPriced.push(this.ref(r, 'domains not in the template (DomainFileUrl or unresolvable): the per-domain charge is not priced'));
        continue;
      }
      this.add(r, 'dns-firewall', `DNS Firewall domain list, ${domains.items.length} domain(s)`, domains.items.length, 'dnsFirewallDomainMonth');
    }
    const queriesCharged = new Set<ModelResource>();
    for (const r of this.model.resourcesOfType('AWS::Route53Resolver::FirewallRuleGroupAssociation')) {
      const vpc = this.model.refTargetResource(r.stack, r.properties.VpcId);
      const placement = this.vpcOf(r);
      if (!vpc || !queriesCharged.has(vpc)) {
        if (vpc) queriesCharged.add(vpc);
        this.add(
          r,
          'dns-firewall',
          `DNS Firewall queries of the VPC (${this.usage.dnsMillionQueriesPerMonth} million a month, stated volume)`,
          this.usage.dnsMillionQueriesPerMonth,
          'dnsFirewallMillionQueries',
          placement,
        );
      }
      const group = this.model.refTargetResource(r.stack, r.properties.FirewallRuleGroupId);
      const rules = group ? this.model.resolve(group.stack, group.properties.FirewallRules) : undefined;
      const advanced = rules?.kind === 'array' && rules.items.some((x) => x.kind === 'object' && x.entries.DnsThreatProtection !== undefined);
      if (advanced) {
        this.add(
          r,
          'dns-firewall',
          'DNS Firewall Advanced (the rule group has a DNS_TUNNELING/DGA rule), per VPC association',
          HOURS_PER_MONTH,
          'dnsFirewallAdvancedAssociationHour',
          placement,
        );
      } else if (!group) {
        this.notPriced.push(this.ref(r, 'rule group not in the template: whether it uses DNS Firewall Advanced (USD 0.16 an hour) is unknown'));
      }
    }
  }

  private flowLogs(): void {
    const gb = this.usage.flowLogGbPerMonth;
    for (const r of this.model.resourcesOfType('AWS::EC2::FlowLog')) {
      const destination = (this.literal(r, r.properties.LogDestinationType) ?? 'cloud-watch-logs').toLowerCase();
      const placement = this.flowLogVpc(r);
      const volume = `${gb} GB a month, stated volume`;
      if (destination === 's3') {
        this.add(r, 'flow-logs', `flow-log delivery to S3 (${volume})`, gb, 'vendedLogsToS3Gb', placement);
        const options = this.model.resolve(r.stack, r.properties.DestinationOptions);
        const format = options.kind === 'object' ? (options.entries.FileFormat ?? options.entries.fileFormat) : undefined;
        if (format?.kind === 'literal' && String(format.value).toLowerCase() === 'parquet') {
          this.add(r, 'flow-logs', `flow-log Parquet conversion (${volume})`, gb, 'vendedLogsParquetGb', placement);
        }
        this.add(
          r,
          'flow-logs',
          'flow-log storage in S3 Standard (one month of records; grows with retention, less after compression)',
          gb,
          's3StandardGbMonth',
          placement,
        );
      } else if (destination === 'cloud-watch-logs') {
        this.add(r, 'flow-logs', `flow-log delivery to CloudWatch Logs (${volume})`, gb, 'logsVendedToCloudWatchGb', placement);
        this.add(
          r,
          'flow-logs',
          'flow-log storage in CloudWatch Logs (one month of records; grows with retention, less after compression)',
          gb,
          'logsStorageGbMonth',
          placement,
        );
      } else {
        this.notPriced.push(this.ref(r, `flow-log destination ${destination} is not priced`));
      }
    }
  }

  private queryLogs(): void {
    const gb = this.usage.queryLogGbPerMonth;
    const associations = this.model.resourcesOfType('AWS::Route53Resolver::ResolverQueryLoggingConfigAssociation');
    for (const r of this.model.resourcesOfType('AWS::Route53Resolver::ResolverQueryLoggingConfig')) {
      const assoc = associations.filter((a) => this.model.refTargetResource(a.stack, a.properties.ResolverQueryLogConfigId) === r);
      const vpcs = Math.max(1, assoc.length);
      const placement = assoc.length > 0 ? this.vpcEnvironment(assoc[0], assoc[0].properties.ResourceId) : undefined;
      const target = this.model.refTargetResource(r.stack, r.properties.DestinationArn);
      const arn = this.model.stringValue(r.stack, r.properties.DestinationArn) ?? '';
      const volume = gb * vpcs;
      const what = `${gb} GB a month per VPC, stated volume, ${vpcs} VPC(s)`;
      if (target?.type === 'AWS::Logs::LogGroup' || /:logs:/.test(arn)) {
        this.add(r, 'query-logs', `Resolver query-log ingestion into CloudWatch Logs (${what})`, volume, 'logsIngestionGb', placement);
        this.add(
          r,
          'query-logs',
          'Resolver query-log storage in CloudWatch Logs (one month; grows with retention, less after compression)',
          volume,
          'logsStorageGbMonth',
          placement,
        );
      } else if (target?.type === 'AWS::S3::Bucket' || /:s3:/.test(arn)) {
        this.add(r, 'query-logs', `Resolver query-log storage in S3 Standard (${what})`, volume, 's3StandardGbMonth', placement);
      } else {
        this.notPriced.push(this.ref(r, 'query-log destination not resolvable or not CloudWatch Logs/S3'));
      }
    }
  }

  private trails(): void {
    for (const r of this.model.resourcesOfType('AWS::CloudTrail::Trail')) {
      const selectors = this.model.resolve(r.stack, r.properties.EventSelectors);
      const advanced = this.model.resolve(r.stack, r.properties.AdvancedEventSelectors);
      const management =
        selectors.kind !== 'array' ||
        selectors.items.length === 0 ||
        selectors.items.some(
          (s) =>
            s.kind !== 'object' ||
            s.entries.IncludeManagementEvents === undefined ||
            !(s.entries.IncludeManagementEvents.kind === 'literal' && s.entries.IncludeManagementEvents.value === false),
        );
      if (management) {
        const copy = this.usage.trailIsAdditionalCopy;
        this.add(
          r,
          'trail',
          `trail: management events, ${copy ? 'an additional (paid) copy' : 'the free first copy'} (${this.usage.managementEventsPerMonth} events a month, stated volume)`,
          this.usage.managementEventsPerMonth / 100_000,
          copy ? 'cloudTrailAdditionalCopy100kEvents' : 'cloudTrailFirstManagementCopy',
          undefined,
          copy ? undefined : 'free only if no other trail of the account already delivers management events in this region; then USD 2.00 per 100,000 events',
        );
      }
      const dataEvents =
        (selectors.kind === 'array' &&
          selectors.items.some((s) => s.kind === 'object' && s.entries.DataResources?.kind === 'array' && s.entries.DataResources.items.length > 0)) ||
        (advanced.kind === 'array' && advanced.items.length > 0);
      if (dataEvents) this.notPriced.push(this.ref(r, 'data events (USD 0.10 per 100,000) depend on usage'));
    }
  }

  private guardDuty(): void {
    const vpcs = Math.max(1, this.model.resourcesOfType('AWS::EC2::VPC').length);
    for (const r of this.model.resourcesOfType('AWS::GuardDuty::Detector')) {
      const enabled = this.model.resolve(r.stack, r.properties.Enable);
      if (enabled.kind === 'literal' && (enabled.value === false || enabled.value === 'false')) continue;
      const note = 'account-wide in the region; 30-day free trial not subtracted';
      this.add(
        r,
        'guardduty',
        `GuardDuty: CloudTrail management events analysed (${this.usage.managementEventsPerMonth} a month, stated volume)`,
        this.usage.managementEventsPerMonth / 1_000_000,
        'guardDutyMillionManagementEvents',
        undefined,
        note,
      );
      const gb = (this.usage.flowLogGbPerMonth + this.usage.queryLogGbPerMonth) * vpcs;
      this.add(
        r,
        'guardduty',
        `GuardDuty: VPC flow and DNS logs analysed (${gb} GB a month: stated volumes x ${vpcs} VPC(s) of the template)`,
        gb,
        'guardDutyFlowAndDnsLogGb',
        undefined,
        note,
      );
    }
  }

  private budgets(): void {
    const actions = this.model.resourcesOfType('AWS::Budgets::BudgetsAction');
    for (const r of this.model.resourcesOfType('AWS::Budgets::Budget')) {
      const budget = this.model.resolve(r.stack, r.properties.Budget);
      const name = budget.kind === 'object' && budget.entries.BudgetName ? asString(budget.entries.BudgetName) : undefined;
      const action = actions.find(
        (a) =>
          this.model.refTargetResource(a.stack, a.properties.BudgetName) === r ||
          (name !== undefined && this.model.stringValue(a.stack, a.properties.BudgetName) === name),
      );
      let placement: Placement | undefined;
      const filter = budget.kind === 'object' ? budget.entries.CostFilters : undefined;
      const tagValues = filter?.kind === 'object' && filter.entries.TagKeyValue?.kind === 'array' ? filter.entries.TagKeyValue.items.map(asString) : [];
      const env = tagValues.map((v) => /^user:black-hole:environment\$(.+)$/.exec(v ?? '')?.[1]).find((e) => e !== undefined);
      if (env) placement = { environment: env, attribution: 'budget-filter' };
      else if (action && this.model.environments.environmentOf(action))
        placement = { environment: this.model.environments.environmentOf(action)!, attribution: 'budget-filter' };
      this.add(
        r,
        'budgets',
        action ? 'action-enabled budget' : 'budget',
        DAYS_PER_MONTH,
        action ? 'budgetActionEnabledDay' : 'budgetDay',
        placement,
        action ? 'the first two action-enabled budgets of an account are free (not subtracted)' : 'budgets without actions are free',
      );
    }
  }

  // ---- helpers ----

  private add(r: ModelResource, category: CostCategory, description: string, quantity: number, key: PriceKey, placement?: Placement, note?: string): void {
    const price: AppliedPrice = priceOf(key, this.region);
    const where = this.attribute(r, placement);
    const notes = [note, price.fallbackFrom ? `${price.fallbackFrom} price (no figure for ${this.region})` : undefined].filter(Boolean).join('; ');
    this.items.push({
      category,
      stack: r.stack.name,
      resource: r.logicalId,
      resourceType: r.type,
      ...(where.environment !== undefined ? { environment: where.environment } : {}),
      attribution: where.attribution,
      description,
      quantity: round4(quantity),
      unit: price.unit,
      unitPriceUsd: price.usd,
      monthlyUsd: round4(quantity * price.usd),
      priceKey: key,
      sourceUrl: price.source.url,
      confirmed: price.confirmed,
      ...(notes ? { note: notes } : {}),
    });
  }

  private attribute(r: ModelResource, placement?: Placement): Placement {
    const tagged = this.model.environments.environmentOf(r);
    if (tagged !== undefined) return { environment: tagged, attribution: 'tag' };
    if (placement) return placement;
    const envs = this.environmentsOfStack(r.stack);
    if (envs.size === 1) return { environment: [...envs][0], attribution: 'stack' };
    return { attribution: 'none' };
  }

  private environmentsOfStack(stack: StackModel): Set<string> {
    let envs = this.stackEnvironments.get(stack);
    if (!envs) {
      envs = new Set();
      for (const res of stack.resources.values()) {
        const e = this.model.environments.environmentOf(res);
        if (e !== undefined) envs.add(e);
      }
      this.stackEnvironments.set(stack, envs);
    }
    return envs;
  }

  private vpcOf(r: ModelResource): Placement | undefined {
    return this.vpcEnvironment(r, r.properties.VpcId);
  }

  private flowLogVpc(r: ModelResource): Placement | undefined {
    const type = this.literal(r, r.properties.ResourceType);
    if (type === 'VPC') return this.vpcEnvironment(r, r.properties.ResourceId);
    if (type === 'Subnet') {
      const p = this.model.environments.subnetPlacement(r.stack, r.properties.ResourceId);
      return p.environment !== undefined ? { environment: p.environment, attribution: 'vpc' } : undefined;
    }
    return undefined;
  }

  private vpcEnvironment(r: ModelResource, raw: unknown): Placement | undefined {
    const vpc = this.model.refTargetResource(r.stack, raw);
    const env = vpc && vpc.type === 'AWS::EC2::VPC' ? this.model.environments.environmentOfVpc(vpc) : undefined;
    return env !== undefined ? { environment: env, attribution: 'vpc' } : undefined;
  }

  private literal(r: ModelResource, raw: unknown): string | undefined {
    const v = this.model.resolve(r.stack, raw);
    return v.kind === 'literal' && typeof v.value === 'string' && !v.placeholders ? v.value : undefined;
  }

  private number(r: ModelResource, raw: unknown): number | undefined {
    const v = this.model.resolve(r.stack, raw);
    if (v.kind !== 'literal' || v.placeholders) return undefined;
    const n = Number(v.value);
    return Number.isFinite(n) ? n : undefined;
  }

  private ref(r: ModelResource, reason: string) {
    return { stack: r.stack.name, resource: r.logicalId, resourceType: r.type, reason };
  }
}

interface Placement {
  readonly environment?: string;
  readonly attribution: CostAttribution;
}

/** A stable identity for a resolved subnet value, to count distinct subnets. */
function keyOf(v: Resolved, index: number): string {
  if (isUnknown(v)) return `unknown:${index}`; // each unknown subnet counts as its own AZ
  return asString(v) ?? JSON.stringify(possibilities(v).map((p) => asString(p) ?? p.kind));
}

function withoutUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
