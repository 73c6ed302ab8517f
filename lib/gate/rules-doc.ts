import { ALL_RULES } from './rules';

/** RULES.md, generated from the rules themselves so that the document cannot drift from the code. */
export function renderRulesDoc(): string {
  const out: string[] = [];
  out.push('# Gate rules', '');
  out.push('Generated from `lib/gate/rules` by `npm run rules-doc`; a test fails when this file is out of date.', '');
  out.push('Both doors run every rule: `BlackHoleChecks` (cdk-nag 3, fails `cdk synth`) and `black-hole audit` (CLI).');
  out.push('Rules ask the template model and its analyses (effective permissions, identity reachability, egress paths);');
  out.push('none re-parses a template. "Agent-reachable" roles are every role tagged `black-hole:agent-role=true`, every');
  out.push('role compute in an environment can get credentials for, and every role those may assume or pass.', '');
  out.push('## Acknowledgment', '');
  out.push("Acknowledge a finding on its construct with `Validations.of(construct).acknowledge({ id: 'BlackHole-NET1', reason })`.");
  out.push("`cdk synth` then passes, and BlackHoleChecks always writes the acknowledgment into the template's `cdk_nag`");
  out.push('metadata. Findings of **core** rules cannot be silently acknowledged: `black-hole audit` reports an');
  out.push('acknowledged core finding as an error (exit 1) unless run with `--allow-acknowledged`, so a CI gate on the');
  out.push('synthesized templates still fails. Acknowledged non-core findings are listed and pass.', '');
  out.push('| Rule | Severity | Core | What it proves |', '| --- | --- | --- | --- |');
  for (const r of ALL_RULES) out.push(`| [${r.id}](#${r.id.toLowerCase()}) | ${r.severity} | ${r.core ? 'yes' : 'no'} | ${r.info} |`);
  out.push('');
  for (const r of ALL_RULES) {
    out.push(`## ${r.id}`, '', `**${r.name}** (${r.severity}${r.core ? ', core' : ''})`, '', r.info, '', `Why and how to fix: ${r.explanation}`, '');
  }
  return out.join('\n');
}
