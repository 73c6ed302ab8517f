import * as fs from 'fs';
import * as path from 'path';
import { auditTemplates, templateOf } from '../../helpers/gate';
import { buildEnvironment, idsOf } from '../../redteam/environment';

/**
 * The network red-team cases as data (test/redteam/cases/network.json), proven here at the CLI door
 * against the clean corpus environment: every escape exits 1 with its rules, every benign variant
 * exits 0 with no finding. (The shared loader runs the same file at all three doors.)
 */

interface Mutation {
  op: 'add' | 'set' | 'remove';
  logicalId: string;
  resource?: any;
  path?: (string | number)[];
  value?: unknown;
}
interface NetworkCase {
  id: string;
  kind: 'escape' | 'benign';
  rules: string[];
  mutations: Mutation[];
  escapes: number[];
  source: string;
}

const file = path.join(__dirname, '../../redteam/cases/network.json');
const cases: NetworkCase[] = JSON.parse(fs.readFileSync(file, 'utf8')).cases;

let clean: any;
beforeAll(() => {
  clean = templateOf(buildEnvironment().stack);
});

function apply(base: any, mutations: readonly Mutation[]): any {
  const t = JSON.parse(JSON.stringify(base));
  const ids = idsOf(t) as unknown as Record<string, string | string[]>;
  const sub = (s: string): string => {
    const m = /^\$([A-Za-z]+)(?:\[(\d+)\])?$/.exec(s);
    if (!m) return s;
    const v = ids[m[1]];
    if (v === undefined) throw new Error(`unknown placeholder ${s}`);
    return Array.isArray(v) ? v[Number(m[2] ?? 0)] : v;
  };
  const deep = (v: unknown): unknown =>
    typeof v === 'string'
      ? sub(v)
      : Array.isArray(v)
        ? v.map(deep)
        : v && typeof v === 'object'
          ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, deep(x)]))
          : v;
  for (const mu of mutations) {
    const id = sub(mu.logicalId);
    if (mu.op === 'add') {
      if (t.Resources[id]) throw new Error(`${id} exists`);
      t.Resources[id] = deep(mu.resource);
    } else if (mu.op === 'remove') {
      delete t.Resources[id];
    } else {
      let o = t.Resources[id];
      for (const k of mu.path!.slice(0, -1)) o = o[k];
      o[mu.path![mu.path!.length - 1]] = deep(mu.value);
    }
  }
  return t;
}

test('the file is well formed: unique ids, sources, ESCAPES numbers, rules for escapes only', () => {
  expect(new Set(cases.map((c) => c.id)).size).toBe(cases.length);
  for (const c of cases) {
    expect(c.id).toMatch(/^network-[a-z0-9-]+$/);
    expect(c.source).toMatch(/^https:\/\//);
    if (c.kind === 'escape') {
      expect(c.rules.length).toBeGreaterThan(0);
      expect(c.escapes.length).toBeGreaterThan(0);
    } else {
      expect(c.rules).toEqual([]);
    }
  }
});

describe.each(cases.filter((c) => c.kind === 'escape').map((c) => [c.id, c] as const))('escape %s', (_id, c) => {
  test('black-hole audit exits 1 with its rules', () => {
    const r = auditTemplates({ Env: apply(clean, c.mutations) });
    expect(r.code).toBe(1);
    expect(r.ruleIds).toEqual(expect.arrayContaining(c.rules));
  });
});

describe.each(cases.filter((c) => c.kind === 'benign').map((c) => [c.id, c] as const))('benign %s', (_id, c) => {
  test('black-hole audit exits 0 with no finding', () => {
    const r = auditTemplates({ Env: apply(clean, c.mutations) });
    expect(r.report.findings.map((f: any) => `${f.ruleId} ${f.resource}: ${f.message}`)).toEqual([]);
    expect(r.code).toBe(0);
  });
});
