import * as fs from 'fs';
import * as path from 'path';
import type * as sarif from 'sarif';
import { EgressKind, EgressPathAnalysis } from '../analysis/egress-paths';
import { failsGate, type GateResult } from '../engine';
import type { Finding } from '../findings';
import type { TemplateModel } from '../model';
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
    case 'json': return renderJson(result, options);
    case 'sarif': return renderSarif(model, result, options);
    case 'markdown': return renderMarkdown(model, result, options);
    default: return renderText(result, options);
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
  if (s.environments === 0) {
    lines.push('note: no black hole environment found (no resource tagged black-hole:environment); only agent-tagged roles were analysed');
  }
  lines.push(`${failing === 0 ? 'PASS' : 'FAIL'}: ${failing} failing finding(s); ${s.errors} error(s), ${s.warnings} warning(s), ${s.acknowledged} acknowledged; ${s.stacks} stack(s), ${s.resources} resource(s), ${s.rules} rule(s)`);
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
  return JSON.stringify({ findings, summary: { ...result.summary, failing, passed: failing === 0 } }, null, 2) + '\n';
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
      try { lines = fs.readFileSync(file, 'utf8').split('\n'); } catch { lines = []; }
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
      locations: [{
        ...(loc ? { physicalLocation: { artifactLocation: { uri: loc.uri }, region: { startLine: loc.line } } } : {}),
        logicalLocations: [{ name: f.resource, fullyQualifiedName: `${f.stack}/${f.resource}`, kind: 'resource' }],
      }],
      ...(f.acknowledged ? { suppressions: [{ kind: 'inSource', justification: f.acknowledged.reason ?? '' }] } : {}),
      partialFingerprints: { blackHoleFinding: `${f.ruleId}/${f.stack}/${f.resource}` },
      properties: { evidence: f.evidence, ...(f.path ? { constructPath: f.path } : {}) },
    };
  });
  const pkg = packageInfo();
  const log: sarif.Log = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [{
      tool: { driver: { name: 'black-hole', fullName: `${pkg.name} black-hole audit`, version: pkg.version, semanticVersion: pkg.version, informationUri: pkg.rulesDocUrl, rules } },
      results,
    }],
  };
  return JSON.stringify(log, null, 2) + '\n';
}

function mdEscape(s: string): string {
  return s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

function mermaidLabel(s: string): string {
  return s.replace(/["`]/g, "'").replace(/[<>{}[\]()]/g, ' ').slice(0, 80);
}

function renderMarkdown(model: TemplateModel, result: GateResult, options: ReportOptions): string {
  const failing = result.findings.filter((f) => failsGate(f, options.allowAcknowledged));
  const out: string[] = [];
  out.push(`## black-hole audit: ${failing.length === 0 ? 'PASS' : 'FAIL'}`);
  out.push('');
  const s = result.summary;
  out.push(`${failing.length} failing finding(s): ${s.errors} error(s), ${s.warnings} warning(s), ${s.acknowledged} acknowledged, over ${s.stacks} stack(s) and ${s.resources} resource(s).`);
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
    out.push(`### Egress surface of \`${environment}\` (${vpc.stack.name}/${vpc.logicalId})`, '', '```mermaid', 'graph LR');
    const vpcNode = `vpc_${sanitize(vpc.stack.name)}_${sanitize(vpc.logicalId)}`;
    out.push(`  ${vpcNode}["VPC ${mermaidLabel(vpc.logicalId)}"]`);
    let n = 0;
    for (const e of model.resourcesOfType('AWS::EC2::VPCEndpoint')) {
      if (model.refTargetResource(e.stack, e.properties.VpcId) !== vpc) continue;
      const name = model.stringValue(e.stack, e.properties.ServiceName) ?? 'unresolved service';
      out.push(`  ${vpcNode} -->|endpoint| ep${n}["${mermaidLabel(name.replace(/^.*\$\{AWS::Region\}\./, ''))}"]`);
      n++;
    }
    const paths = egress.ofEnvironment(environment);
    for (const [i, p] of paths.entries()) {
      const open = p.kind !== EgressKind.MISSING_FLOW_LOG && p.kind !== EgressKind.MISSING_QUERY_LOG;
      out.push(`  ${vpcNode} ${open ? '==>' : '-.->'}|${p.kind}| path${i}["${mermaidLabel(`${p.resource.logicalId}: ${p.detail}`)}"]`);
      out.push(`  style path${i} fill:${open ? '#f88' : '#fd8'}`);
    }
    if (paths.length === 0) out.push(`  ${vpcNode} -.- sealed["no path out found"]`);
    out.push('```', '');
  }
  return out.join('\n') + '\n';
}

function sanitize(s: string): string {
  return s.replace(/[^A-Za-z0-9_]/g, '_');
}
