/**
 * `npm run redteam` (tsx scripts/redteam.ts): runs the red-team corpus at every door and writes
 * docs/REDTEAM.md:
 * - the TypeScript corpus (test/redteam/corpus.ts): construct level (`app.synth()` with
 *   BlackHoleChecks) and template level (`black-hole audit`), each also through
 *   `BlackHoleChecks.validateScope` on the same input;
 * - the cases kept as data (test/redteam/cases/*.json): `validateScope` on a CfnInclude app,
 *   `app.synth()` of that app and `black-hole audit` on the template.
 * Exits 1 when an escape is not caught at a door, a benign case is flagged, or two doors disagree.
 */
import * as fs from 'fs';
import * as path from 'path';
import { BENIGN_VARIANTS, ESCAPE_CASES, ESCAPES, RUNTIME_ONLY, type EscapeCase } from '../test/redteam/corpus';
import { caseHolds, doorsAgree, doorsOf, loadDataCases, runDataCase, type DoorOutcome } from '../test/redteam/data-cases';
import { caught, passed, runCase, type CaseOutcome, type DoorResult } from '../test/redteam/runner';

const started = Date.now();
const escapes = ESCAPE_CASES.map((c) => ({ c, r: runCase(c) }));
const benign = BENIGN_VARIANTS.map((b) => ({ b, r: runCase(b) }));
const dataCases = loadDataCases().map((c) => ({ c, r: runDataCase(c) }));
const seconds = ((Date.now() - started) / 1000).toFixed(1);

/** validateScope on the same input reports what the door it shadows reports. */
const scopedAgrees = (r: DoorResult) => !!r.scoped && !r.scoped.error && r.scoped.failed === r.failed && r.scoped.ruleIds.join() === r.ruleIds.join();
const tsOutcomes = [...escapes.map(({ r }) => r), ...benign.map(({ r }) => r)];
const scopedAgreeing = tsOutcomes.filter((r) => scopedAgrees(r.construct) && scopedAgrees(r.template)).length;
const dataEscapes = dataCases.filter(({ c }) => c.kind === 'escape');
const dataBenign = dataCases.filter(({ c }) => c.kind === 'benign');
const dataHolding = (list: typeof dataCases) => list.filter(({ c, r }) => caseHolds(c, r)).length;
const dataAgreeing = dataCases.filter(({ r }) => doorsAgree(r)).length;
const dataFiles = [...new Set(dataCases.map(({ c }) => c.file))];

const caughtConstruct = escapes.filter(({ c, r }) => caught(c, r.construct)).length;
const caughtTemplate = escapes.filter(({ c, r }) => caught(c, r.template)).length;
const benignPassing = benign.filter(({ r }) => passed(r.construct) && passed(r.template)).length;
const short = (id: string) => id.replace(/^BlackHole-/, '');

function describeDoor(r: DoorResult | DoorOutcome): string {
  return r.error ?? `${r.failed ? 'failed' : 'passed'} [${r.ruleIds.map(short).join(', ')}]`;
}

function describeScoped(r: DoorResult): string {
  return r.scoped ? describeDoor(r.scoped) : 'not run';
}

function describeDoors(r: ReturnType<typeof runDataCase>): string {
  return doorsOf(r)
    .map(([name, d]) => `${name} ${describeDoor(d)}`)
    .join('; ');
}

interface Row {
  entry: number;
  title: string;
  cases: EscapeCase[];
  dataCases: string[];
  rules: string[];
  status: string;
}

const rows: Row[] = Object.entries(ESCAPES).map(([n, e]) => {
  const entry = Number(n);
  const cases = escapes.filter(({ c }) => c.escapes.includes(entry));
  // The rules that characterise the entry: those of the narrow cases that name it first, without the
  // incidental boundary (IAM7) and unverifiable-policy (IAM8) findings unless they are all a case has.
  // Broad forms (NotAction, PowerUserAccess) that touch many entries do not characterise any.
  const primary = cases.filter(({ c }) => c.escapes[0] === entry && c.escapes.length <= 2);
  const rules = [
    ...new Set(
      (primary.length ? primary : cases).flatMap(({ c }) => {
        const own = c.rules.filter((x) => x !== 'BlackHole-IAM7' && x !== 'BlackHole-IAM8');
        return own.length ? own : c.rules;
      }),
    ),
  ].sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
  const data = dataEscapes.filter(({ c }) => c.escapes.includes(entry));
  const allCaught = cases.every(({ c, r }) => caught(c, r.construct) && caught(c, r.template)) && data.every(({ c, r }) => caseHolds(c, r));
  const status = RUNTIME_ONLY.includes(entry)
    ? 'run-time only'
    : cases.length + data.length === 0
      ? 'NOT COVERED'
      : allCaught
        ? 'caught at every door'
        : 'MISSED';
  return { entry, title: e.title, cases: cases.map(({ c }) => c), dataCases: data.map(({ c }) => c.id), rules, status };
});

// ---- console table -------------------------------------------------------------------------------
const pad = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s.padEnd(n));
console.log(`${pad('#', 3)} ${pad('ESCAPES.md entry', 46)} ${pad('cases', 5)} ${pad('rules', 34)} status`);
for (const row of rows) {
  console.log(
    `${pad(String(row.entry), 3)} ${pad(row.title, 46)} ${pad(String(row.cases.length + row.dataCases.length), 5)} ${pad(row.rules.map(short).join(' ') || '-', 34)} ${row.status}`,
  );
}
const failures: string[] = [];
for (const { c, r } of escapes) {
  if (!caught(c, r.construct))
    failures.push(`escape ${c.id} not caught at construct level (expected ${c.rules.map(short).join(', ')}): ${describeDoor(r.construct)}`);
  if (!caught(c, r.template))
    failures.push(`escape ${c.id} not caught at template level (expected ${c.rules.map(short).join(', ')}): ${describeDoor(r.template)}`);
}
for (const { b, r } of benign) {
  if (!passed(r.construct)) failures.push(`benign ${b.id} flagged at construct level: ${describeDoor(r.construct)}`);
  if (!passed(r.template)) failures.push(`benign ${b.id} flagged at template level: ${describeDoor(r.template)}`);
}
for (const [id, r] of [...escapes.map(({ c, r: x }) => [c.id, x] as const), ...benign.map(({ b, r: x }) => [b.id, x] as const)]) {
  if (!scopedAgrees(r.construct))
    failures.push(`${id}: validateScope disagrees with synth at construct level: ${describeScoped(r.construct)} vs ${describeDoor(r.construct)}`);
  if (!scopedAgrees(r.template))
    failures.push(`${id}: validateScope disagrees with the CLI at template level: ${describeScoped(r.template)} vs ${describeDoor(r.template)}`);
}
for (const { c, r } of dataCases) {
  if (!doorsAgree(r)) failures.push(`${c.file} ${c.id}: doors disagree: ${describeDoors(r)}`);
  else if (!caseHolds(c, r))
    failures.push(
      `${c.file} ${c.id}: ${c.kind === 'escape' ? `not caught (expected ${c.rules.map(short).join(', ')})` : 'benign case flagged'}: ${describeDoors(r)}`,
    );
}
console.log('');
console.log(
  `Escape cases: ${ESCAPE_CASES.length}; caught at construct level ${caughtConstruct}/${ESCAPE_CASES.length}, at template level ${caughtTemplate}/${ESCAPE_CASES.length}.`,
);
console.log(`Benign variants: ${BENIGN_VARIANTS.length}; passing both doors ${benignPassing}/${BENIGN_VARIANTS.length}.`);
console.log(`validateScope agrees with synth and the CLI on ${scopedAgreeing}/${tsOutcomes.length} TypeScript cases.`);
console.log(
  `Cases as data (${dataFiles.join(', ')}): escapes caught at every door ${dataHolding(dataEscapes)}/${dataEscapes.length}, benign passing ${dataHolding(dataBenign)}/${dataBenign.length}, doors agreeing ${dataAgreeing}/${dataCases.length}.`,
);
console.log(`Ran in ${seconds} s.`);
for (const f of failures) console.log(`FAIL ${f}`);

// ---- docs/REDTEAM.md -----------------------------------------------------------------------------
const md: string[] = [];
const cell = (s: string) => s.replace(/\|/g, '\\|');
md.push('# Red-team corpus');
md.push('');
md.push('Generated by `npm run redteam` (`tsx scripts/redteam.ts`) from `test/redteam/corpus.ts` and `test/redteam/cases/*.json`; the');
md.push('same cases run in `npm test` (`test/redteam/corpus.test.ts`, `test/redteam/data-corpus.test.ts`). Each TypeScript escape case is');
md.push('written twice: as a construct-level change to a fresh environment app (BlackHoleVpc + AgentBoundary + AgentRole), where `cdk synth`');
md.push('with BlackHoleChecks must fail with the expected rules, and as a mutation of the clean environment template, where');
md.push("`black-hole audit` must exit 1 with the expected rules; at both levels `BlackHoleChecks.validateScope` (cdk-nag's direct entry)");
md.push('runs on the same input and must report the same verdict and rule set. Benign variants must pass every door with no finding at');
md.push('all (warnings included).');
md.push('');
md.push('Cases kept as data (`test/redteam/cases/*.json`, format in `case.schema.json`: mutations of the clean template with `$name`');
md.push('placeholders, a public source and ESCAPES.md numbers, reusable by other tools) run at three doors: `validateScope` on an App that');
md.push('includes the mutated template (`CfnInclude`), `app.synth()` of that App with BlackHoleChecks, and `black-hole audit` on the');
md.push('template (for cases with Stages, also on the cloud assembly). The three must agree.');
md.push('');
md.push('## Totals');
md.push('');
md.push(
  `- Escape cases: **${ESCAPE_CASES.length}**; caught at construct level **${caughtConstruct}/${ESCAPE_CASES.length}**, at template level **${caughtTemplate}/${ESCAPE_CASES.length}**.`,
);
md.push(
  `- Benign variants: **${BENIGN_VARIANTS.length}**; passing both doors **${benignPassing}/${BENIGN_VARIANTS.length}** (flagged: ${BENIGN_VARIANTS.length - benignPassing}).`,
);
md.push(`- \`validateScope\` agrees with synth (construct level) and the CLI (template level): **${scopedAgreeing}/${tsOutcomes.length}** TypeScript cases.`);
md.push(
  `- Cases as data: **${dataCases.length}** in ${dataFiles.map((f) => `\`${f}\``).join(', ')}; escapes caught at every door **${dataHolding(dataEscapes)}/${dataEscapes.length}**, benign passing **${dataHolding(dataBenign)}/${dataBenign.length}**, the three doors agreeing **${dataAgreeing}/${dataCases.length}**.`,
);
md.push(
  `- ESCAPES.md entries with a preventive or gate control covered: **${rows.filter((r) => !RUNTIME_ONLY.includes(r.entry) && r.cases.length > 0).length}/${rows.filter((r) => !RUNTIME_ONLY.includes(r.entry)).length}**; run-time only: ${RUNTIME_ONLY.join(', ')}.`,
);
md.push('');
md.push('## Coverage of ESCAPES.md');
md.push('');
md.push('| # | Entry | Cases | Cases as data | Rules that catch it (cases naming it first) | Status / note |');
md.push('| --- | --- | --- | --- | --- | --- |');
for (const row of rows) {
  const note = ESCAPES[row.entry].note;
  md.push(
    `| ${row.entry} | ${cell(row.title)} | ${row.cases.map((c) => `\`${c.id}\``).join(', ') || '-'} | ${row.dataCases.map((id) => `\`${id}\``).join(', ') || '-'} | ${row.rules.join(', ') || '-'} | ${cell(row.status + (note ? `. ${note}` : ''))} |`,
  );
}
md.push('');
md.push('## Escape cases');
md.push('');
md.push('| Case | ESCAPES.md | Category | What the attacker does | Expected rules | Construct level | Template level |');
md.push('| --- | --- | --- | --- | --- | --- | --- |');
for (const { c, r } of escapes) {
  const door = (x: DoorResult) =>
    !caught(c, x) ? `**missed** (${cell(describeDoor(x))})` : scopedAgrees(x) ? 'caught' : `caught; **validateScope disagrees** (${cell(describeScoped(x))})`;
  md.push(
    `| \`${c.id}\` | ${c.escapes.join(', ')} | ${c.category} | ${cell(c.description)} | ${c.rules.map(short).join(', ')} | ${door(r.construct)} | ${door(r.template)} |`,
  );
}
md.push('');
md.push('## Benign variants');
md.push('');
md.push('| Variant | What it is | Construct level | Template level |');
md.push('| --- | --- | --- | --- |');
for (const { b, r } of benign) {
  const door = (x: DoorResult) =>
    !passed(x) ? `**flagged** (${cell(describeDoor(x))})` : scopedAgrees(x) ? 'passes' : `passes; **validateScope disagrees** (${cell(describeScoped(x))})`;
  md.push(`| \`${b.id}\` | ${cell(b.description)} | ${door(r.construct)} | ${door(r.template)} |`);
}
md.push('');
md.push('## Cases as data');
md.push('');
md.push('| Case | File | Kind | ESCAPES.md | What it is | Expected rules | validateScope | synth | CLI | Doors |');
md.push('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
for (const { c, r } of dataCases) {
  const door = (d: DoorOutcome) => cell(describeDoor(d));
  const verdict = !doorsAgree(r)
    ? '**disagree**'
    : caseHolds(c, r)
      ? c.kind === 'escape'
        ? 'caught'
        : 'passes'
      : c.kind === 'escape'
        ? '**missed**'
        : '**flagged**';
  md.push(
    `| [\`${c.id}\`](${c.source}) | \`${c.file}\` | ${c.kind} | ${c.escapes.join(', ') || '-'} | ${cell(c.description)} | ${c.rules.map(short).join(', ') || '-'} | ${door(r.validateScope)} | ${door(r.synth)} | ${door(r.cli)}${r.cliAssembly ? `; assembly ${door(r.cliAssembly)}` : ''} | ${verdict} |`,
  );
}
md.push('');
md.push('## Forms the corpus varies');
md.push('');
md.push(
  '- Action spelling: odd case (`EC2:createinternetgateway`, `EC2-Instance-Connect:*`), `?` wildcards (`iam:?assRole`, `ssm:Send?ommand`), service wildcards (`ec2:Authorize*`, `iot:*Tunnel*`).',
);
md.push(
  '- Statement shapes: `NotAction` allows (`NotAction: s3:*`), `NotResource` allows, conditions on the Allow, conditional and resource-narrowed Denies (which protect nothing).',
);
md.push(
  '- Attachment: inline policies, `AWS::IAM::Policy` by Ref (the L2 `addToPolicy()` form) and by literal role name, `AWS::IAM::RolePolicy`, customer managed policies by Ref and by ARN, AWS managed policies by ARN (PowerUserAccess, AmazonSSMManagedInstanceCore, ServiceQuotasFullAccess), imported (unverifiable) policies.',
);
md.push(
  "- Reachability: role chains (sts:AssumeRole grant, or a trust policy that names the bounded agent), PassRole into new compute, roles reachable only through compute in the environment subnets (launch template of an Auto Scaling group, EC2 instance profile, Lambda with VpcConfig, ECS service task role, Batch job role, SageMaker notebook, HyperPod cluster, EKS node group, CodeBuild in the VPC, Spot fleet), a SageMaker execution role tagged with the environment, and the AgentRole's own boundary stripped, weakened (conditional Denies) or swapped for an AWS managed policy.",
);
md.push(
  '- Network and DNS: every resource kind of ESCAPES.md 1-13 that a template can express, the DNS walled garden removed, failing open, edited (catch-all narrowed or turned to ALERT, an ALLOW of `*` or `*.com` evaluated first, a second association evaluated first), query and flow logs removed or narrowed.',
);
md.push('');
md.push('## How the doors are kept equal');
md.push('');
md.push(
  "- One engine, one input: `BlackHoleChecks.validate` (synth) and `BlackHoleChecks.validateScope` both read the cloud assembly of the synth with the CLI's own loader (stack names from the manifest, Stages, nested stacks) and run `runGate`; `validateScope` synthesizes the App first, as `Template.fromStack` does.",
);
md.push(
  '- Findings are placed on constructs by template file and logical ID, never by stack name: two Stages deploying the same `stackName` keep every finding (`doors-stages-*`; cdk-nag#2302 is the same class of bug).',
);
md.push("- Warnings are reported at every door and fail none (the pack's report `success` counts only errors), as the CLI exits 0 on warnings.");
md.push(
  "- A failing finding of a core rule is reported with severity `fatal`, which aws-cdk-lib never suppresses, so `Validations.of(c).acknowledge()` cannot silence it at synth, as the CLI refuses it (`doors-ack-*`); `new BlackHoleChecks(app, { allowAcknowledged: true })` mirrors `--allow-acknowledged`. Acknowledgments are read from the template's `cdk_nag` metadata at every door.",
);
md.push('');
md.push('## Gate misses the corpus exposed (fixed)');
md.push('');
md.push(
  '- DNS walled garden order (DNS1): the gate accepted any association containing a BLOCK of `*`, whatever came first. A rule that ALLOWs `*`, a public-suffix wildcard such as `*.com`, or an unreadable list at a higher priority, or a second rule group associated with a lower priority number, let every name resolve. The egress analysis now walks the rules in evaluation order (association priority, then rule priority; unresolvable priorities read pessimistically) and requires the catch-all BLOCK to come first among rules that can match any domain.',
);
md.push(
  "- IPv6 on a subnet through `AWS::EC2::SubnetCidrBlock` (NET7): only the subnet's own `Ipv6CidrBlock` property and `AWS::EC2::VPCCidrBlock` were checked.",
);
md.push(
  '- Public front doors (ESCAPES.md 7, NET3): API Gateway VPC links (HTTP API `AWS::ApiGatewayV2::VpcLink` by subnets, REST `AWS::ApiGateway::VpcLink` through its network load balancer), PrivateLink endpoint services on load balancers in environment subnets, and function URLs on Lambda functions attached to environment subnets were not reported.',
);
md.push(
  '- Compute whose role the gate did not analyse (IAM1-7): Spot fleets (launch specifications and launch template configs), EKS managed node groups (node role, reachable from pods through IMDS) and SageMaker HyperPod clusters (instance group execution roles) in environment subnets.',
);
md.push('');
md.push('## What the gate does not check (by design or not expressible offline)');
md.push('');
md.push('- 33 (mining on the GPUs it was given) and 35 (disguise) are run-time only: detection joins GuardDuty, GPU and network evidence to episodes.');
md.push(
  "- 36 (surviving containment) is a response; the gate checks only the agent's power to undo it (IAM5 through the catalog entry `monitors.survive-containment`).",
);
md.push(
  "- 28: IMDSv2 and the hop limit on launch templates, and the boundary's `aws:SourceVpc`/`aws:SourceVpce` perimeter, are construct-level controls (GpuTrainingFleet, AgentBoundary); no rule checks them in a template, so an IMDSv1 launch template passes the gate. The agent's API to weaken them (`ec2:ModifyInstanceMetadataOptions`) is gated (IAM4).",
);
md.push(
  "- Security-group rules (ESCAPES.md 8) are not gated as such: with no route, gateway or endpoint out, an open egress rule opens nothing; the agent's power to change them is gated (IAM1).",
);
md.push(
  '- An action listed in two catalog entries is attributed to the first one: `iam:DetachRolePolicy` (budget fences, 30) is reported as IAM4 (identity.self-modification), not IAM3; the escape is still caught.',
);
md.push(
  "- NET5 checks that every Allow of an endpoint policy confines principals and resources by account or organisation (the condition keys, or concrete principals and resources), not which account or organisation it names: a template does not say which literal account is the environment's own, nor which organisation is the right one. An endpoint policy scoped to a foreign account passes.",
);
md.push(
  '- ECS tasks without awsvpc networking (bridge or host mode on EC2 capacity in the environment) are not placed: the cluster a container instance joins is set in its user data, which the template model does not read. Their task roles are analysed only when tagged as agent roles or with the environment. Use awsvpc networking (the task then names its subnets) or tag the task role.',
);
md.push(
  '- Over-reporting, by design: a DNS firewall domain-list entry whose first labels are unresolvable (e.g. `*.${HostedZoneName}`) is read as possibly matching any domain, so an allow list with such an entry before the catch-all BLOCK fails DNS1.',
);
md.push(
  '- Subnet lists given as one comma-separated string (`Fn::Join` of several subnet ids, e.g. a Spot fleet `SubnetId`) are not split: such compute is placed only by its environment tag.',
);
md.push('');
fs.mkdirSync(path.join(__dirname, '..', 'docs'), { recursive: true });
fs.writeFileSync(path.join(__dirname, '..', 'docs', 'REDTEAM.md'), md.join('\n'));
console.log('docs/REDTEAM.md written');

const allGood = failures.length === 0 && rows.every((r) => r.status !== 'NOT COVERED' && r.status !== 'MISSED');
process.exitCode = allGood ? 0 : 1;

export type { CaseOutcome };
