import { describeNetworkPath, describePrincipal, STANDARD_CONTEXT, WORKLOAD_FLOWS } from './workload-flows';

const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** docs/WORKLOAD.md, generated from lib/workload/workload-flows.ts so that it cannot drift from the proofs. */
export function renderWorkloadDoc(): string {
  const out: string[] = [];
  out.push('# The workload a black hole must allow', '');
  out.push('Generated from `lib/workload/workload-flows.ts` by `npx tsx scripts/workload-doc.ts`; a test fails when this file is out of date.', '');
  out.push('Every guarantee of the form "an agent cannot" has a twin "the workload can". Each flow below is proven in');
  out.push('`test/workload/` with @cloud-copilot/iam-simulate against every policy AWS applies to it (identity policies,');
  out.push('permissions boundary, the organisation guardrail SCPs, the VPC endpoint policy of the endpoint the call goes');
  out.push('through, the resource policy) and the request context AWS sends, in each environment shape (EC2 fleet,');
  out.push('SageMaker-only, multi-environment under the guardrail; explicit env and environment-agnostic). A mutation test');
  out.push('removes the Allow statements one at a time and requires the decision to flip.', '');
  out.push('| Flow | Principal | Action(s) | Network path | Source |', '| --- | --- | --- | --- | --- |');
  for (const f of WORKLOAD_FLOWS) {
    const actions = [...new Set(f.calls.map((c) => c.action))].map((a) => `\`${a}\``).join(', ');
    const sources = f.source.map((u, i) => `[${i + 1}](${u})`).join(' ');
    out.push(
      `| **${f.id}**: ${cell(f.description)} | ${cell(describePrincipal(f.principal))} | ${actions} | ${cell(describeNetworkPath(f.network))} | ${sources} |`,
    );
  }
  out.push('', '## Request context', '');
  out.push('Besides the keys each flow names, the proofs send the standard keys of its principal and path:', '');
  out.push('| Principal or path | Keys | Source |', '| --- | --- | --- |');
  for (const [k, v] of Object.entries(STANDARD_CONTEXT)) out.push(`| ${k} | ${v.keys.map((x) => `\`${x}\``).join(', ')} | [doc](${v.source}) |`);
  out.push('', '## Flow-specific context keys', '');
  for (const f of WORKLOAD_FLOWS) {
    const keys = [...new Set(f.calls.flatMap((c) => Object.keys(c.context ?? {})))];
    if (keys.length) out.push(`- **${f.id}**: ${keys.map((k) => `\`${k}\``).join(', ')}`);
  }
  out.push('');
  return out.join('\n');
}
