/**
 * Writes test/redteam/cases/legacy.json: template-level cases of the TypeScript corpus (corpus.ts)
 * as data, so that other tools can reuse them. Each case's template mutation is run on the clean
 * template and the difference is written as add/set/remove mutations, base logical IDs as `$name`
 * placeholders; ids, ESCAPES numbers and rules are kept, the source is the first public reference of
 * the case's first ESCAPES.md entry. data-corpus.test.ts proves that every exported case rebuilds
 * exactly the template its TypeScript mutation builds.
 *
 * Run: npx tsx test/redteam/export-legacy.ts
 */
import * as fs from 'fs';
import * as path from 'path';
import { BENIGN_VARIANTS, ESCAPE_CASES, ESCAPES } from './corpus';
import type { Mutation } from './data-cases';
import { idsOf } from './environment';
import { baseTemplate } from './runner';

/** One case per ESCAPES.md entry (the first that names it first), plus these. */
const EXTRA_ESCAPES = ['net-route-to-eni', 'dns-firewall-fail-open', 'log-flow-log-reject-only', 'iam-notaction-everything-but-s3', 'reach-role-chain'];
const BENIGN = ['ok-clean-environment', 'ok-public-vpc-elsewhere', 'ok-safe-assumable-helper', 'ok-launcher-passes-agent-role'];

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** First https reference of each ESCAPES.md entry. */
function references(): Map<number, string> {
  const text = fs.readFileSync(path.join(__dirname, '..', '..', 'docs', 'ESCAPES.md'), 'utf8');
  const out = new Map<number, string>();
  for (const section of text.split(/^### /m).slice(1)) {
    const n = Number(/^(\d+)\./.exec(section)?.[1]);
    const refs = /\*\*References:\*\*(.*)/.exec(section)?.[1] ?? '';
    const url = /\((https:\/\/[^)\s]+)\)/.exec(refs)?.[1] ?? /(https:\/\/[^\s)>\]]+)/.exec(section)?.[1];
    if (n && url) out.set(n, url);
  }
  return out;
}

function placeholders(): Map<string, string> {
  const ids = idsOf(baseTemplate());
  const out = new Map<string, string>();
  for (const [name, v] of Object.entries(ids)) {
    if (Array.isArray(v)) v.forEach((id, i) => out.set(id, `$${name}[${i}]`));
    else out.set(v, `$${name}`);
  }
  return out;
}

function withPlaceholders(v: unknown, names: Map<string, string>): unknown {
  if (typeof v === 'string') return names.get(v) ?? v;
  if (Array.isArray(v)) return v.map((x) => withPlaceholders(x, names));
  if (isObject(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, withPlaceholders(x, names)]));
  return v;
}

/** The mutations that turn `base` into `mutated`, or undefined when something outside Resources changed. */
export function diffTemplates(base: any, mutated: any, names: Map<string, string>): Mutation[] | undefined {
  for (const k of new Set([...Object.keys(base), ...Object.keys(mutated)])) {
    if (k !== 'Resources' && !same(base[k], mutated[k])) return undefined;
  }
  const out: Mutation[] = [];
  const id = (x: string) => names.get(x) ?? x;
  for (const [logicalId, r] of Object.entries<any>(mutated.Resources)) {
    const before = base.Resources[logicalId];
    if (!before) {
      out.push({ op: 'add', logicalId, resource: withPlaceholders(r, names) as Record<string, unknown> });
    } else if (!same(before, r)) {
      diffValue(before, r, [], logicalId);
    }
  }
  for (const logicalId of Object.keys(base.Resources)) {
    if (!(logicalId in mutated.Resources)) out.push({ op: 'remove', logicalId: id(logicalId) });
  }
  return out;

  function diffValue(a: unknown, b: unknown, p: string[], logicalId: string): void {
    if (isObject(a) && isObject(b)) {
      for (const [k, v] of Object.entries(b)) {
        if (!(k in a)) out.push({ op: 'set', logicalId: id(logicalId), path: [...p, k], value: withPlaceholders(v, names) });
        else if (!same(a[k], v)) diffValue(a[k], v, [...p, k], logicalId);
      }
      for (const k of Object.keys(a)) if (!(k in b)) out.push({ op: 'remove', logicalId: id(logicalId), path: [...p, k] });
      return;
    }
    // Same-length lists change element by element, so that a case survives changes to the other elements.
    if (Array.isArray(a) && Array.isArray(b) && a.length === b.length && p.length > 0) {
      b.forEach((v, i) => {
        if (!same(a[i], v)) diffValue(a[i], v, [...p, i] as string[], logicalId);
      });
      return;
    }
    out.push({ op: 'set', logicalId: id(logicalId), path: p, value: withPlaceholders(b, names) });
  }
}

function main(): void {
  const refs = references();
  const names = placeholders();
  const firstPerEntry = new Map<number, string>();
  for (const c of ESCAPE_CASES) if (!firstPerEntry.has(c.escapes[0])) firstPerEntry.set(c.escapes[0], c.id);
  const wanted = new Set([...firstPerEntry.values(), ...EXTRA_ESCAPES]);
  const cases: unknown[] = [];
  const skipped: string[] = [];
  for (const c of ESCAPE_CASES.filter((x) => wanted.has(x.id))) {
    const t = baseTemplate();
    c.template(t);
    const mutations = diffTemplates(baseTemplate(), t, names);
    const source = refs.get(c.escapes[0]);
    if (!mutations || !source) {
      skipped.push(c.id);
      continue;
    }
    cases.push({ id: c.id, kind: 'escape', description: c.description, escapes: c.escapes, source, mutations, rules: c.rules });
  }
  for (const b of BENIGN_VARIANTS.filter((x) => BENIGN.includes(x.id))) {
    const t = baseTemplate();
    b.template(t);
    const mutations = diffTemplates(baseTemplate(), t, names);
    if (!mutations) {
      skipped.push(b.id);
      continue;
    }
    cases.push({
      id: b.id,
      kind: 'benign',
      description: b.description,
      escapes: [],
      source: 'https://docs.aws.amazon.com/vpc/latest/userguide/security-vpc-bpa.html',
      mutations,
      rules: [],
    });
  }
  const file = path.join(__dirname, 'cases', 'legacy.json');
  fs.writeFileSync(file, `${JSON.stringify({ $schema: './case.schema.json', cases }, null, 1)}\n`);
  console.log(`${file}: ${cases.length} cases${skipped.length ? `; skipped (changes outside Resources or no reference): ${skipped.join(', ')}` : ''}`);
}

if (require.main === module) main();

export { ESCAPES };
