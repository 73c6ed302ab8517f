import { diffGate, DIFF_MATCHING, type DiffCapability, type DiffChanges, type DiffEgressPath, type DiffFinding, type GateDiff } from '../diff';
import { runGate } from '../engine';
import { GateInputError, TemplateModel } from '../model';
import { applyDesignations, type Designations } from '../model/environments';
import { egressMermaid, isOpenPath, type EgressEdge } from '../report/reporters';
import { oneLine, readArgs, UsageError, writeReport, type Io } from './args';
import { DESIGNATION_OPTIONS, readDesignations, type DesignationArgs } from './config';

export const DIFF_USAGE = `usage: black-hole diff <base> <head> [--format text|json|markdown] [--out FILE]
       black-hole diff --base <cdk.out dir | template ...> --head <cdk.out dir | template ...> [...]
       [--environment-vpc <LogicalId|glob>[=name] ...] [--agent-role <LogicalId|glob> ...] [--config FILE]

What a change does to the gate: the escape capabilities of agent-reachable roles, egress paths,
findings and unverifiable template parts it adds and removes. Designations apply to both sides.
Exit codes: 0 nothing added that fails, 1 the change adds an escape capability or an error finding
(even an acknowledged one), 2 unusable input or usage.`;

export type DiffFormat = 'text' | 'json' | 'markdown';
export const DIFF_FORMATS: readonly DiffFormat[] = ['text', 'json', 'markdown'];

const OPTIONS = {
  base: { type: 'string', multiple: true },
  head: { type: 'string', multiple: true },
  format: { type: 'string' },
  out: { type: 'string' },
  ...DESIGNATION_OPTIONS,
  help: { type: 'boolean', short: 'h' },
} as const;

interface DiffArgs {
  readonly base: string[];
  readonly head: string[];
  readonly format: DiffFormat;
  readonly out?: string;
  readonly designations: DesignationArgs;
}

function parseDiffArgs(argv: readonly string[]): DiffArgs | 'help' {
  const positionals: string[] = [];
  const base: string[] = [];
  const head: string[] = [];
  const environmentVpcs: string[] = [];
  const agentRoles: string[] = [];
  let config: string | undefined;
  let format: DiffFormat = 'text';
  let out: string | undefined;
  const help = readArgs(argv, OPTIONS, (token) => {
    if (token.kind === 'positional') {
      positionals.push(token.value);
      return;
    }
    if (token.kind === 'flag') return;
    const value = token.value;
    switch (token.name) {
      case 'base':
        base.push(value);
        break;
      case 'head':
        head.push(value);
        break;
      case 'environment-vpc':
        environmentVpcs.push(value);
        break;
      case 'agent-role':
        agentRoles.push(value);
        break;
      case 'config':
        config = value;
        break;
      case 'out':
        out = value;
        break;
      default:
        if (!DIFF_FORMATS.includes(value as DiffFormat)) throw new UsageError(`--format '${value}' is not one of ${DIFF_FORMATS.join(', ')}`);
        format = value as DiffFormat;
    }
  });
  if (help) return 'help';
  if (base.length > 0 || head.length > 0) {
    if (positionals.length > 0) throw new UsageError(`give the inputs either as <base> <head> or with --base and --head, not both ('${positionals[0]}')`);
    if (base.length === 0 || head.length === 0) throw new UsageError(`--${base.length === 0 ? 'base' : 'head'} is missing`);
  } else {
    if (positionals.length !== 2) throw new UsageError(`give two inputs, <base> <head> (got ${positionals.length}), or --base and --head`);
    base.push(positionals[0]);
    head.push(positionals[1]);
  }
  return { base, head, format, ...(out ? { out } : {}), designations: { environmentVpcs, agentRoles, ...(config !== undefined ? { config } : {}) } };
}

/**
 * `black-hole diff`: what a change adds to and removes from the gate's verdict. Takes the arguments
 * after `diff`; returns the exit code; never throws.
 */
export function runDiffCommand(argv: readonly string[], io: Io): number {
  let args: DiffArgs | 'help';
  try {
    args = parseDiffArgs(argv);
  } catch (e) {
    io.stderr(`black-hole: ${(e as Error).message}\n${DIFF_USAGE}\n`);
    return 2;
  }
  if (args === 'help') {
    io.stdout(`${DIFF_USAGE}\n`);
    return 0;
  }
  let diff: GateDiff;
  let environments: { base: number; head: number };
  try {
    const designations = readDesignations(args.designations);
    const base = side(args.base, designations);
    const head = side(args.head, designations);
    diff = diffGate(base, head);
    environments = { base: base.result.summary.environments, head: head.result.summary.environments };
  } catch (e) {
    if (e instanceof GateInputError) io.stderr(`black-hole: ${e.file}: ${e.reason}\n`);
    else io.stderr(`black-hole: cannot compare the inputs: ${oneLine((e as Error)?.message ?? e)}\n`);
    return 2;
  }
  const report = renderDiff(args.format, diff, { base: args.base, head: args.head, environments });
  if (!writeReport(args.out, report, io)) return 2;
  return diff.verdict.fails ? 1 : 0;
}

function side(paths: readonly string[], designations: Designations) {
  const { model } = applyDesignations(TemplateModel.load(paths), designations);
  return { model, result: runGate(model) };
}

interface DiffInputs {
  readonly base: readonly string[];
  readonly head: readonly string[];
  readonly environments: { readonly base: number; readonly head: number };
}

/** The diff in one format. */
export function renderDiff(format: DiffFormat, diff: GateDiff, inputs: DiffInputs): string {
  switch (format) {
    case 'json':
      return JSON.stringify({ ...diff, inputs, matching: DIFF_MATCHING }, null, 2) + '\n';
    case 'markdown':
      return renderMarkdown(diff, inputs);
    default:
      return renderText(diff, inputs);
  }
}

/** Rows listed per section before "and N more" (the JSON report has them all). */
const LISTED = 50;

function findingStatus(f: DiffFinding): string {
  return `${f.severity.toUpperCase()}${f.acknowledged ? ' (acknowledged)' : ''}`;
}

function capabilityLabel(c: DiffCapability): string {
  const status = c.effective ? 'open' : 'stopped only by the boundary';
  return c.technique
    ? `${c.action} (${status}; ${c.technique}, ESCAPES.md ${c.escapes?.map((n) => `#${n}`).join(', ')})`
    : `${c.action} (${status}; unclassified)`;
}

/** Finding strings grouped by the finding they belong to (rule, resource, status), in order. */
function byFinding(items: readonly DiffFinding[]): { head: DiffFinding; strings: string[] }[] {
  const m = new Map<string, { head: DiffFinding; strings: string[] }>();
  for (const f of items) {
    const key = [f.ruleId, f.stack, f.resource, f.acknowledged, f.finding === f.message ? f.message : ''].join('\u0000');
    const g = m.get(key);
    if (g) g.strings.push(f.finding);
    else m.set(key, { head: f, strings: [f.finding] });
  }
  return [...m.values()];
}

function describeStrings(g: { head: DiffFinding; strings: string[] }, shown: number): string {
  if (g.strings.length === 1 && g.strings[0] === g.head.message) return g.head.message;
  return `${g.strings.slice(0, shown).join(', ')}${g.strings.length > shown ? ` and ${g.strings.length - shown} more` : ''}`;
}

function byRole(caps: readonly DiffCapability[]): Map<string, DiffCapability[]> {
  const m = new Map<string, DiffCapability[]>();
  for (const c of caps) m.set(`${c.stack}/${c.role}`, [...(m.get(`${c.stack}/${c.role}`) ?? []), c]);
  return m;
}

function noEnvironmentNote(inputs: DiffInputs): string | undefined {
  const sides = (['base', 'head'] as const).filter((s) => inputs.environments[s] === 0);
  return sides.length
    ? `warning: no black hole environment found in ${sides.join(' and ')}: network paths are compared only for tagged or designated environment VPCs`
    : undefined;
}

function renderText(d: GateDiff, inputs: DiffInputs): string {
  const out: string[] = [];
  out.push(`black-hole diff: base ${inputs.base.join(' ')} -> head ${inputs.head.join(' ')}`);
  for (const p of d.pairedStacks) out.push(`stack ${p.base} (base) compared with ${p.head} (head)`);
  const note = noEnvironmentNote(inputs);
  if (note) out.push(note);
  const section = <T>(title: string, changes: DiffChanges<T>, line: (x: T) => string) => {
    for (const [sign, items] of [
      ['+', changes.added],
      ['-', changes.removed],
    ] as const) {
      if (items.length === 0) continue;
      out.push('', `${sign === '+' ? 'Added' : 'Removed'} ${title} (${items.length}):`);
      for (const x of items.slice(0, LISTED)) out.push(`  ${sign} ${line(x)}`);
      if (items.length > LISTED) out.push(`  ${sign} ... and ${items.length - LISTED} more (--format json lists all)`);
    }
  };
  for (const [sign, caps] of [
    ['+', d.capabilities.added],
    ['-', d.capabilities.removed],
  ] as const) {
    if (caps.length === 0) continue;
    out.push('', `${sign === '+' ? 'Added' : 'Removed'} escape capabilities (${caps.length}):`);
    for (const [role, list] of byRole(caps)) {
      out.push(`  ${sign} ${role} (${list[0].reachedBy}): ${list.length} action(s)`);
      for (const c of list.slice(0, LISTED)) out.push(`      ${capabilityLabel(c)}`);
      if (list.length > LISTED) out.push(`      ... and ${list.length - LISTED} more`);
    }
  }
  for (const [sign, items] of [
    ['+', d.findings.added],
    ['-', d.findings.removed],
  ] as const) {
    if (items.length === 0) continue;
    out.push('', `${sign === '+' ? 'Added' : 'Removed'} findings (${items.length} finding string(s)):`);
    for (const g of byFinding(items).slice(0, LISTED))
      out.push(`  ${sign} ${findingStatus(g.head)} ${g.head.ruleId} ${g.head.stack}/${g.head.resource}: ${describeStrings(g, 8)}`);
  }
  section('egress paths', d.egressPaths, (p: DiffEgressPath) => `${p.kind} ${p.environment ? `[${p.environment}] ` : ''}${p.stack}/${p.resource}: ${p.detail}`);
  section(
    'unverifiable parts',
    d.unverifiable,
    (u: { kind: string; stack: string; resource: string; detail: string }) => `${u.kind} ${u.stack}/${u.resource}: ${u.detail}`,
  );
  if (d.moved.length)
    out.push(
      '',
      `Matched across a logical ID change: ${d.moved.length} item(s), e.g. ${d.moved[0].base.split(':')[0]} -> ${d.moved[0].head.split(':')[0]} (by ${d.moved[0].by})`,
    );
  const counts =
    `+${d.capabilities.added.length}/-${d.capabilities.removed.length} escape capabilities, +${d.findings.added.length}/-${d.findings.removed.length} findings, ` +
    `+${d.egressPaths.added.length}/-${d.egressPaths.removed.length} egress paths, +${d.unverifiable.added.length}/-${d.unverifiable.removed.length} unverifiable parts`;
  out.push(
    '',
    d.verdict.fails ? `FAIL: the change ${d.verdict.reasons.join('; ')}` : 'PASS: the change adds no escape capability and no error finding',
    counts,
  );
  return out.join('\n') + '\n';
}

const md = (s: string): string => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

function renderMarkdown(d: GateDiff, inputs: DiffInputs): string {
  const out: string[] = [];
  out.push(`## black-hole diff: ${d.verdict.fails ? 'FAIL' : 'PASS'}`, '');
  if (d.verdict.fails) {
    out.push('> [!CAUTION]');
    for (const r of d.verdict.reasons) out.push(`> This change ${md(r)}.`);
    out.push('');
  } else {
    out.push('This change adds no escape capability and no error finding.', '');
  }
  const note = noEnvironmentNote(inputs);
  if (note) out.push('> [!WARNING]', `> ${md(note.replace(/^warning: /, ''))}`, '');
  out.push('| | Added | Removed |', '| --- | ---: | ---: |');
  out.push(
    `| Escape capabilities (actions of agent-reachable roles outside the allow-list) | ${d.capabilities.added.length} | ${d.capabilities.removed.length} |`,
  );
  out.push(`| Findings | ${d.findings.added.length} | ${d.findings.removed.length} |`);
  out.push(`| Egress paths | ${d.egressPaths.added.length} | ${d.egressPaths.removed.length} |`);
  out.push(`| Unverifiable template parts | ${d.unverifiable.added.length} | ${d.unverifiable.removed.length} |`, '');

  for (const [title, caps] of [
    ['Added escape capabilities', d.capabilities.added],
    ['Removed escape capabilities', d.capabilities.removed],
  ] as const) {
    if (caps.length === 0) continue;
    out.push(`### ${title}`, '', '| Role | Reached by | Actions |', '| --- | --- | --- |');
    for (const [role, list] of byRole(caps)) {
      const shown = list
        .slice(0, 12)
        .map((c) => `\`${md(c.action)}\`${c.technique ? ` (${md(c.technique)})` : ''}${c.effective ? '' : ' (boundary-stopped)'}`)
        .join(', ');
      out.push(`| \`${md(role)}\` | ${md(list[0].reachedBy)} | ${shown}${list.length > 12 ? ` and ${list.length - 12} more` : ''} |`);
    }
    out.push('');
  }
  for (const [title, items] of [
    ['Added findings', d.findings.added],
    ['Removed findings', d.findings.removed],
  ] as const) {
    if (items.length === 0) continue;
    out.push(`### ${title}`, '', '| Status | Rule | Resource | Finding |', '| --- | --- | --- | --- |');
    const groups = byFinding(items);
    for (const g of groups.slice(0, LISTED)) {
      out.push(`| ${findingStatus(g.head)} | ${g.head.ruleId} | \`${md(`${g.head.stack}/${g.head.resource}`)}\` | ${md(describeStrings(g, 12))} |`);
    }
    if (groups.length > LISTED) out.push(`| | | | and ${groups.length - LISTED} more (\`--format json\` lists all) |`);
    out.push('');
  }
  if (d.egressPaths.added.length + d.egressPaths.removed.length > 0) {
    out.push('### Egress paths that changed', '');
    const groups = new Map<string, EgressEdge[]>();
    const add = (p: DiffEgressPath, removed: boolean) => {
      const key = p.environment !== undefined ? `${p.environment}\u0000${p.vpc ?? '(unknown VPC)'}` : '(unresolved)\u0000(unknown VPC)';
      groups.set(key, [
        ...(groups.get(key) ?? []),
        {
          style: removed ? 'removed' : isOpenPath(p.kind) ? 'open' : 'control',
          label: `${removed ? 'removed ' : 'added '}${p.kind}`,
          target: `${p.resource}: ${p.detail}`,
        },
      ]);
    };
    d.egressPaths.added.forEach((p) => add(p, false));
    d.egressPaths.removed.forEach((p) => add(p, true));
    for (const [key, edges] of groups) {
      const [environment, vpc] = key.split('\u0000');
      out.push(`#### \`${md(environment)}\` (VPC ${md(vpc)})`, '');
      out.push(...egressMermaid({ id: `${environment}_${vpc}`, label: `${environment}: VPC ${vpc}` }, edges.slice(0, LISTED), 'no path added'), '');
    }
  }
  for (const [title, items] of [
    ['Added unverifiable parts', d.unverifiable.added],
    ['Removed unverifiable parts', d.unverifiable.removed],
  ] as const) {
    if (items.length === 0) continue;
    out.push(`### ${title}`, '');
    for (const u of items.slice(0, LISTED)) out.push(`- \`${md(`${u.stack}/${u.resource}`)}\` ${u.kind}: ${md(u.detail)}`);
    out.push('');
  }
  out.push('<details><summary>How base and head were matched</summary>', '', md(DIFF_MATCHING), '');
  for (const p of d.pairedStacks) out.push(`- stack \`${md(p.base)}\` (base) compared with \`${md(p.head)}\` (head)`);
  if (d.moved.length)
    out.push(
      `- ${d.moved.length} item(s) matched across a logical ID change, e.g. \`${md(d.moved[0].base.split(':')[0])}\` → \`${md(d.moved[0].head.split(':')[0])}\` (by ${d.moved[0].by})`,
    );
  out.push('', '</details>');
  return out.join('\n') + '\n';
}
