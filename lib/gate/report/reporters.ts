import * as fs from 'fs';
import * as path from 'path';
import type * as sarif from 'sarif';
import { EgressKind, EgressPathAnalysis } from '../analysis/egress-paths';
import { failsGate, type GateResult } from '../engine';
import type { Finding } from '../findings';
import type { TemplateModel } from '../model';
import type { DesignatedResource } from '../model/environments';
import { ALL_RULES } from '../rules';
import { withEnvironmentCost } from '../cli/cost-command';
import { packageInfo } from './package-info';

/** Output formats of `renderReport` and `black-hole audit --format`. */
export type ReportFormat = 'text' | 'json' | 'sarif' | 'markdown';
/** Every report format. */
export const REPORT_FORMATS: readonly ReportFormat[] = ['text', 'json', 'sarif', 'markdown'];

/** Options of `renderReport`. */
export interface ReportOptions {
  /** Whether acknowledged core findings pass (`--allow-acknowledged`); otherwise they fail the report. */
  readonly allowAcknowledged: boolean;
  /** Base directory for relative artifact paths in SARIF. @default process.cwd() */
  readonly baseDir?: string;
  /** `--require-environment`: a report that found no environment fails. @default false */
  readonly requireEnvironment?: boolean;
  /** The resources designated as environment VPCs or agent roles (`--environment-vpc`, `--agent-role`, config file). @default - none */
  readonly designated?: readonly DesignatedResource[];
}

/**
 * The warning every format carries when the input holds no black hole environment: without one, no
 * network rule ran and a PASS says nothing about egress.
 */
export const NO_ENVIRONMENT_WARNING =
  'No black hole environment found: no VPC is tagged black-hole:environment or designated ' +
  '(--environment-vpc, black-hole.config.json), so no network rule ran and only agent roles (tagged or designated) were analysed. ' +
  'A PASS says nothing about egress; designate the environment VPCs, or use --require-environment to fail instead.';

function noEnvironment(result: GateResult): boolean {
  return result.summary.environments === 0;
}

/** Whether the report passes: no failing finding and, with --require-environment, an environment. */
function passes(result: GateResult, options: ReportOptions): boolean {
  if (options.requireEnvironment && noEnvironment(result)) return false;
  return !result.findings.some((f) => failsGate(f, options.allowAcknowledged));
}

/** The documentation link of a rule: RULES.md on the package's homepage (package.json). */
function ruleDocUrl(ruleId: string): string {
  return `${packageInfo().rulesDocUrl}#${ruleId.toLowerCase()}`;
}

/** Renders the gate result in one of the four formats. */
export function renderReport(format: ReportFormat, model: TemplateModel, result: GateResult, options: ReportOptions): string {
  return withEnvironmentCost(format, model, renderFindings(format, model, result, options));
}

function renderFindings(format: ReportFormat, model: TemplateModel, result: GateResult, options: ReportOptions): string {
  switch (format) {
    case 'json':
      return renderJson(result, options);
    case 'sarif':
      return renderSarif(model, result, options);
    case 'markdown':
      return renderMarkdown(model, result, options);
    default:
      return renderText(result, options);
  }
}

function status(f: Finding, options: ReportOptions): string {
  if (!f.acknowledged) return f.severity.toUpperCase();
  return failsGate(f, options.allowAcknowledged) ? 'ERROR (acknowledged core finding)' : 'acknowledged';
}

function renderText(result: GateResult, options: ReportOptions): string {
  const lines: string[] = [];
  for (const f of result.findings) {
    lines.push(`${status(f, options)} ${f.ruleId} ${f.stack}/${f.resource}${f.path ? ` (${f.path})` : ''}`);
    lines.push(`  ${f.message}`);
    if (f.acknowledged?.reason) lines.push(`  acknowledged: ${f.acknowledged.reason}`);
  }
  const failing = result.findings.filter((f) => failsGate(f, options.allowAcknowledged)).length;
  const s = result.summary;
  for (const d of options.designated ?? []) lines.push(`designated: ${describeDesignated(d)}`);
  if (s.environments === 0) {
    // Lower case after the level, as the text format's earlier note read ("no black hole environment found").
    lines.push(`${options.requireEnvironment ? 'error' : 'warning'}: n${NO_ENVIRONMENT_WARNING.slice(1)}`);
  }
  lines.push(
    `${passes(result, options) ? 'PASS' : 'FAIL'}: ${failing} failing finding(s); ${s.errors} error(s), ${s.warnings} warning(s), ${s.acknowledged} acknowledged; ${s.stacks} stack(s), ${s.resources} resource(s), ${s.rules} rule(s)`,
  );
  return lines.join('\n') + '\n';
}

function renderJson(result: GateResult, options: ReportOptions): string {
  const failing = result.findings.filter((f) => failsGate(f, options.allowAcknowledged)).length;
  const findings = result.findings.map((f) => ({
    ruleId: f.ruleId,
    severity: f.severity,
    stack: f.stack,
    resource: f.resource,
    path: f.path ?? null,
    message: f.message,
    evidence: f.evidence,
    ...(f.acknowledged ? { acknowledged: { reason: f.acknowledged.reason ?? null, core: f.core, failsGate: failsGate(f, options.allowAcknowledged) } } : {}),
  }));
  const none = noEnvironment(result);
  return (
    JSON.stringify(
      {
        environmentsFound: result.summary.environments,
        ...(none ? { warnings: [NO_ENVIRONMENT_WARNING] } : {}),
        ...(options.designated?.length ? { designated: options.designated } : {}),
        findings,
        summary: { ...result.summary, failing, passed: passes(result, options), ...(options.requireEnvironment ? { requireEnvironment: true } : {}) },
      },
      null,
      2,
    ) + '\n'
  );
}

function renderSarif(model: TemplateModel, result: GateResult, options: ReportOptions): string {
  const base = options.baseDir ?? process.cwd();
  const lineCache = new Map<string, string[]>();
  const locate = (f: Finding): { uri: string; line: number } | undefined => {
    const stack = model.stack(f.stack);
    const file = stack?.templatePath;
    if (!file) return undefined;
    let lines = lineCache.get(file);
    if (!lines) {
      try {
        lines = fs.readFileSync(file, 'utf8').split('\n');
      } catch {
        lines = [];
      }
      lineCache.set(file, lines);
    }
    const needle = new RegExp(`^\\s*"?${f.resource}"?\\s*:`);
    const idx = lines.findIndex((l) => needle.test(l));
    return { uri: path.relative(base, file).split(path.sep).join('/'), line: idx >= 0 ? idx + 1 : 1 };
  };
  const rules: sarif.ReportingDescriptor[] = ALL_RULES.map((r) => ({
    id: r.id,
    name: r.name,
    shortDescription: { text: r.info },
    fullDescription: { text: r.explanation },
    helpUri: ruleDocUrl(r.id),
    defaultConfiguration: { level: r.severity },
    properties: { core: r.core },
  }));
  const results = result.findings.map((f): sarif.Result => {
    const loc = locate(f);
    return {
      ruleId: f.ruleId,
      level: failsGate(f, options.allowAcknowledged) ? 'error' : f.acknowledged ? 'note' : f.severity,
      message: { text: f.message },
      locations: [
        {
          ...(loc ? { physicalLocation: { artifactLocation: { uri: loc.uri }, region: { startLine: loc.line } } } : {}),
          logicalLocations: [{ name: f.resource, fullyQualifiedName: `${f.stack}/${f.resource}`, kind: 'resource' }],
        },
      ],
      ...(f.acknowledged ? { suppressions: [{ kind: 'inSource', justification: f.acknowledged.reason ?? '' }] } : {}),
      partialFingerprints: { blackHoleFinding: `${f.ruleId}/${f.stack}/${f.resource}` },
      properties: { evidence: f.evidence, ...(f.path ? { constructPath: f.path } : {}) },
    };
  });
  const pkg = packageInfo();
  const log: sarif.Log = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'black-hole',
            fullName: `${pkg.name} black-hole audit`,
            version: pkg.version,
            semanticVersion: pkg.version,
            informationUri: pkg.rulesDocUrl,
            rules,
          },
        },
        results,
        invocations: [
          {
            executionSuccessful: true,
            ...(noEnvironment(result)
              ? {
                  toolExecutionNotifications: [
                    {
                      level: options.requireEnvironment ? 'error' : 'warning',
                      descriptor: { id: 'no-environment' },
                      message: { text: NO_ENVIRONMENT_WARNING },
                    },
                  ],
                }
              : {}),
          },
        ],
        properties: {
          environmentsFound: result.summary.environments,
          ...(options.designated?.length ? { designated: options.designated } : {}),
        },
      },
    ],
  };
  return JSON.stringify(log, null, 2) + '\n';
}

function mdEscape(s: string): string {
  return s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

function mermaidLabel(s: string): string {
  return s
    .replace(/["`]/g, "'")
    .replace(/[<>{}[\]()]/g, ' ')
    .slice(0, 80);
}

function renderMarkdown(model: TemplateModel, result: GateResult, options: ReportOptions): string {
  const failing = result.findings.filter((f) => failsGate(f, options.allowAcknowledged));
  const out: string[] = [];
  out.push(`## black-hole audit: ${passes(result, options) ? 'PASS' : 'FAIL'}`);
  out.push('');
  if (noEnvironment(result)) {
    out.push(`> [!${options.requireEnvironment ? 'CAUTION' : 'WARNING'}]`, `> **${NO_ENVIRONMENT_WARNING.replace(/:/, ':**')}`, '');
  }
  if (options.designated?.length) {
    out.push(`Designated: ${options.designated.map((d) => mdEscape(describeDesignated(d))).join('; ')}.`, '');
  }
  const s = result.summary;
  out.push(
    `${failing.length} failing finding(s): ${s.errors} error(s), ${s.warnings} warning(s), ${s.acknowledged} acknowledged, over ${s.stacks} stack(s) and ${s.resources} resource(s).`,
  );
  out.push('');
  if (result.findings.length > 0) {
    out.push('| Status | Rule | Resource | Finding |', '| --- | --- | --- | --- |');
    for (const f of result.findings) {
      out.push(`| ${status(f, options)} | [${f.ruleId}](${ruleDocUrl(f.ruleId)}) | \`${f.stack}/${f.resource}\` | ${mdEscape(f.message)} |`);
    }
    out.push('');
  }
  const egress = EgressPathAnalysis.of(model);
  for (const { environment, vpc } of model.environments.environmentVpcs()) {
    out.push(`### Egress surface of \`${environment}\` (${vpc.stack.name}/${vpc.logicalId})`, '');
    const edges: EgressEdge[] = [];
    for (const e of model.resourcesOfType('AWS::EC2::VPCEndpoint')) {
      if (model.refTargetResource(e.stack, e.properties.VpcId) !== vpc) continue;
      const name = model.stringValue(e.stack, e.properties.ServiceName) ?? 'unresolved service';
      edges.push({ style: 'endpoint', label: 'endpoint', target: name.replace(/^.*\$\{AWS::Region\}\./, '') });
    }
    for (const p of egress.ofEnvironment(environment)) {
      edges.push({ style: isOpenPath(p.kind) ? 'open' : 'control', label: p.kind, target: `${p.resource.logicalId}: ${p.detail}` });
    }
    out.push(...egressMermaid({ id: `${vpc.stack.name}_${vpc.logicalId}`, label: `VPC ${vpc.logicalId}` }, edges, 'no path out found'), '');
  }
  return out.join('\n') + '\n';
}

/** Whether an egress kind is a way out (drawn as an open path) rather than a missing detection control. */
export function isOpenPath(kind: EgressKind): boolean {
  return kind !== EgressKind.MISSING_FLOW_LOG && kind !== EgressKind.MISSING_QUERY_LOG;
}

/** One edge of an egress diagram: from the VPC to what it reaches. */
export interface EgressEdge {
  /** `open`: a path out; `control`: a missing detection control; `endpoint`: an endpoint; `removed`: a path a change removes. */
  readonly style: 'open' | 'control' | 'endpoint' | 'removed';
  /** Edge label (the egress kind, `endpoint`). */
  readonly label: string;
  /** What the edge reaches, in words. */
  readonly target: string;
}

const EDGE_ARROW: Record<EgressEdge['style'], string> = { open: '==>', control: '-.->', endpoint: '-->', removed: '-.->' };
const EDGE_FILL: Partial<Record<EgressEdge['style'], string>> = { open: '#f88', control: '#fd8', removed: '#8d8' };

/**
 * A Mermaid `graph LR` of one VPC's egress surface, as fenced Markdown lines: the audit report draws
 * an environment's whole surface, `black-hole diff` the paths a change adds and removes.
 */
export function egressMermaid(vpc: { readonly id: string; readonly label: string }, edges: readonly EgressEdge[], emptyLabel: string): string[] {
  const out = ['```mermaid', 'graph LR'];
  const vpcNode = `vpc_${sanitize(vpc.id)}`;
  out.push(`  ${vpcNode}["${mermaidLabel(vpc.label)}"]`);
  let endpoints = 0;
  let paths = 0;
  for (const e of edges) {
    const node = e.style === 'endpoint' ? `ep${endpoints++}` : `path${paths++}`;
    out.push(`  ${vpcNode} ${EDGE_ARROW[e.style]}|${mermaidLabel(e.label)}| ${node}["${mermaidLabel(e.target)}"]`);
    const fill = EDGE_FILL[e.style];
    if (fill) out.push(`  style ${node} fill:${fill}`);
  }
  if (paths === 0) out.push(`  ${vpcNode} -.- sealed["${mermaidLabel(emptyLabel)}"]`);
  out.push('```');
  return out;
}

/** One line naming a designated resource and what designated it. */
export function describeDesignated(d: DesignatedResource): string {
  const what = d.kind === 'environment-vpc' ? `environment '${d.environment}' VPC` : 'agent role';
  return `${d.stack}/${d.logicalId} as ${what} (${d.pattern}, from ${d.source})`;
}

function sanitize(s: string): string {
  return s.replace(/[^A-Za-z0-9_]/g, '_');
}
