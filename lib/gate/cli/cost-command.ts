import { environmentCost, type CostGroup, type CostLineItem, type CostReport, type UsageAssumptions } from '../analysis/environment-cost';
import { GateInputError, TemplateModel } from '../model';
import { oneLine, readArgs, UsageError, type Io } from './args';

export const COST_USAGE = `usage: black-hole cost <cdk.out dir | template.json|yaml ...> [--format text|json|markdown] [--region R]
       [--flow-log-gb N] [--query-log-gb N] [--dns-million-queries N] [--management-events N] [--trail-additional-copy]

Prints the fixed monthly cost of every environment and stack (before compute), each line with its
quantity, unit price and AWS pricing page. Volumes are per environment VPC and month.
Exit codes: 0 printed, 2 unusable input or usage.`;

export type CostFormat = 'text' | 'json' | 'markdown';
export const COST_FORMATS: readonly CostFormat[] = ['text', 'json', 'markdown'];

const OPTIONS = {
  format: { type: 'string' },
  region: { type: 'string' },
  'flow-log-gb': { type: 'string' },
  'query-log-gb': { type: 'string' },
  'dns-million-queries': { type: 'string' },
  'management-events': { type: 'string' },
  'trail-additional-copy': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

const VOLUME_OPTIONS: Record<string, keyof UsageAssumptions> = {
  'flow-log-gb': 'flowLogGbPerMonth',
  'query-log-gb': 'queryLogGbPerMonth',
  'dns-million-queries': 'dnsMillionQueriesPerMonth',
  'management-events': 'managementEventsPerMonth',
};

interface CostArgs {
  readonly paths: string[];
  readonly format: CostFormat;
  readonly region?: string;
  readonly usage: Partial<Record<keyof UsageAssumptions, number | boolean>>;
}

function parseCostArgs(argv: readonly string[]): CostArgs | 'help' {
  const paths: string[] = [];
  let format: CostFormat = 'text';
  let region: string | undefined;
  const usage: Record<string, number | boolean> = {};
  const help = readArgs(argv, OPTIONS, (token) => {
    if (token.kind === 'positional') {
      paths.push(token.value);
    } else if (token.kind === 'flag') {
      usage.trailIsAdditionalCopy = true; // --trail-additional-copy, the only flag
    } else if (token.name === 'format') {
      if (!COST_FORMATS.includes(token.value as CostFormat)) throw new UsageError(`--format '${token.value}' is not one of ${COST_FORMATS.join(', ')}`);
      format = token.value as CostFormat;
    } else if (token.name === 'region') {
      if (!/^[a-z]{2}(-gov)?-[a-z]+-\d$/.test(token.value)) throw new UsageError(`--region '${token.value}' is not an AWS region name (e.g. eu-central-1)`);
      region = token.value;
    } else {
      const n = Number(token.value);
      if (!/^\d+(\.\d+)?$/.test(token.value) || !Number.isFinite(n)) throw new UsageError(`--${token.name} '${token.value}' is not a non-negative number`);
      usage[VOLUME_OPTIONS[token.name]] = n;
    }
  });
  if (help) return 'help';
  if (paths.length === 0) throw new UsageError('no input: give a cdk.out directory or template files');
  return { paths, format, ...(region ? { region } : {}), usage };
}

/**
 * `black-hole cost`: the fixed monthly cost of every environment of a synthesized template. Takes the
 * arguments after `cost`; returns the exit code; never throws.
 */
export function runCostCommand(argv: readonly string[], io: Io): number {
  let args: CostArgs | 'help';
  try {
    args = parseCostArgs(argv);
  } catch (e) {
    io.stderr(`black-hole: ${(e as Error).message}\n${COST_USAGE}\n`);
    return 2;
  }
  if (args === 'help') {
    io.stdout(`${COST_USAGE}\n`);
    return 0;
  }
  try {
    const model = TemplateModel.load(args.paths);
    const report = environmentCost(model, { ...(args.region ? { region: args.region } : {}), usage: args.usage as Partial<UsageAssumptions> });
    io.stdout(renderCost(args.format, report));
    return 0;
  } catch (e) {
    if (e instanceof GateInputError) io.stderr(`black-hole: ${e.file}: ${e.reason}\n`);
    else io.stderr(`black-hole: cannot compute the cost: ${oneLine((e as Error)?.message ?? e)}\n`);
    return 2;
  }
}

/** The cost report in one format (also used by `black-hole audit`'s reports). */
export function renderCost(format: CostFormat, report: CostReport): string {
  switch (format) {
    case 'json':
      return JSON.stringify(report, null, 2) + '\n';
    case 'markdown':
      return renderCostMarkdown(report);
    default:
      return renderCostText(report);
  }
}

const usd = (n: number): string => n.toFixed(2);
const unitUsd = (i: CostLineItem): string => `${String(i.unitPriceUsd)}${i.confirmed ? '' : '*'}`;

function assumptionsLine(r: CostReport): string {
  const a = r.assumptions;
  return (
    `volumes per VPC and month: flow logs ${a.flowLogGbPerMonth} GB, query logs ${a.queryLogGbPerMonth} GB, DNS queries ${a.dnsMillionQueriesPerMonth} million, ` +
    `management events ${a.managementEventsPerMonth} (trail ${a.trailIsAdditionalCopy ? 'is an additional, paid copy' : 'is the free first copy'})`
  );
}

function regionLine(r: CostReport): string {
  return `region ${r.region}${r.regionSource === 'default' ? ' (default; --region to change)' : ''}`;
}

function usageBasedLine(r: CostReport): string {
  const parts = Object.entries(r.usageBased).map(([t, n]) => `${n} ${t}`);
  return parts.length ? `usage-based, not priced: ${parts.join(', ')}` : 'usage-based, not priced: none';
}

function groupsOf(r: CostReport): CostGroup[] {
  return [...r.environments, ...(r.shared.lineItems.length ? [r.shared] : [])];
}

function renderCostText(r: CostReport): string {
  const out: string[] = [];
  out.push(`Fixed monthly cost, USD, before compute; ${regionLine(r)}`);
  out.push(assumptionsLine(r));
  for (const g of groupsOf(r)) {
    out.push('', `${g.name === '(shared)' ? 'Shared (no single environment)' : `Environment ${g.name}`}: USD ${usd(g.monthlyUsd)} a month`);
    const rows = g.lineItems.map((i) => [i.category, `${i.stack}/${i.resource}`, String(i.quantity), i.unit, unitUsd(i), usd(i.monthlyUsd), i.description]);
    const head = ['category', 'resource', 'quantity', 'unit', 'unit USD', 'USD/month', 'what'];
    const widths = head.map((h, c) => Math.max(h.length, ...rows.map((row) => row[c].length)));
    const fmt = (row: string[]) =>
      '  ' + row.map((cell, c) => (c === row.length - 1 ? cell : c >= 2 && c !== 3 ? cell.padStart(widths[c]) : cell.padEnd(widths[c]))).join('  ');
    out.push(fmt(head));
    for (const row of rows) out.push(fmt(row));
  }
  out.push('', 'Stacks:');
  for (const s of r.stacks) out.push(`  ${s.name}: USD ${usd(s.monthlyUsd)} a month`);
  out.push(`Total: USD ${usd(r.totalMonthlyUsd)} a month; ${usageBasedLine(r)}`);
  for (const n of r.notPriced) out.push(`not priced: ${n.stack}/${n.resource} (${n.resourceType}): ${n.reason}`);
  if (r.lineItems.some((i) => !i.confirmed)) out.push('* unit price not confirmed from an AWS source (see lib/pricing/prices.ts)');
  out.push('Sources:');
  for (const url of [...new Set(r.lineItems.map((i) => i.sourceUrl))]) out.push(`  ${url}`);
  return out.join('\n') + '\n';
}

const md = (s: string): string => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

function renderCostMarkdown(r: CostReport): string {
  const out: string[] = [];
  out.push('### Fixed monthly cost (USD, before compute)', '');
  out.push(`${regionLine(r)}; ${assumptionsLine(r)}.`, '');
  out.push('| Environment | USD/month |', '| --- | ---: |');
  for (const g of groupsOf(r)) out.push(`| ${md(g.name)} | ${usd(g.monthlyUsd)} |`);
  out.push(`| **Total** | **${usd(r.totalMonthlyUsd)}** |`, '');
  for (const g of groupsOf(r)) {
    out.push(`#### ${g.name === '(shared)' ? 'Shared' : `\`${md(g.name)}\``}: USD ${usd(g.monthlyUsd)} a month`, '');
    out.push('| Category | Resource | Quantity | Unit | Unit USD | USD/month | Source |', '| --- | --- | ---: | --- | ---: | ---: | --- |');
    for (const i of g.lineItems) {
      out.push(
        `| ${i.category} | \`${md(`${i.stack}/${i.resource}`)}\` ${md(i.description)} | ${i.quantity} | ${md(i.unit)} | ${unitUsd(i)} | ${usd(i.monthlyUsd)} | [pricing](${i.sourceUrl}) |`,
      );
    }
    out.push('');
  }
  out.push(`${usageBasedLine(r)}.`);
  for (const n of r.notPriced) out.push(`- not priced: \`${md(`${n.stack}/${n.resource}`)}\`: ${md(n.reason)}`);
  if (r.lineItems.some((i) => !i.confirmed)) out.push('', '\\* unit price not confirmed from an AWS source (see lib/pricing/prices.ts).');
  return out.join('\n') + '\n';
}

/**
 * Adds the cost of every environment to a rendered `black-hole audit` report: a `cost` section in
 * JSON, run properties `cost` in SARIF, a table after the findings in text and Markdown. The cost
 * never changes the gate's verdict; if it cannot be computed, the report says why.
 */
export function withEnvironmentCost(format: 'text' | 'json' | 'sarif' | 'markdown', model: TemplateModel, report: string): string {
  let cost: CostReport | { error: string };
  try {
    cost = environmentCost(model);
  } catch (e) {
    cost = {
      error: `cost not computed: ${String((e as Error)?.message ?? e)
        .split('\n')[0]
        .slice(0, 300)}`,
    };
  }
  if (format === 'json' || format === 'sarif') {
    const doc = JSON.parse(report);
    if (format === 'json') doc.cost = cost;
    else if (Array.isArray(doc.runs) && doc.runs[0]) doc.runs[0].properties = { ...doc.runs[0].properties, cost };
    return JSON.stringify(doc, null, 2) + '\n';
  }
  if ('error' in cost) return `${report}\n${cost.error}\n`;
  return `${report}\n${renderCost(format, cost)}`;
}
