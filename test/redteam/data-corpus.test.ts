import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { BENIGN_VARIANTS, ESCAPE_CASES } from './corpus';
import { applyMutations, caseHolds, DataCase, declareConditions, doorsAgree, doorsOf, loadDataCases, runDataCase, SCHEMA_FILE } from './data-cases';
import { validateJsonSchema } from './json-schema';
import { baseTemplate } from './runner';

/**
 * Every red-team case kept as data (test/redteam/cases/*.json, whoever wrote it) at three doors:
 * `BlackHoleChecks.validateScope` on an App that includes the mutated template (CfnInclude),
 * `app.synth()` of that App with the pack, and `black-hole audit` on the template. The doors must
 * report the same rule set and verdict; escapes must fail with every expected rule, benign cases
 * pass with no finding.
 */

const CASES = loadDataCases();
const schema = JSON.parse(fs.readFileSync(SCHEMA_FILE, 'utf8'));

beforeAll(() => {
  baseTemplate();
});

describe('the case files', () => {
  test('every file validates against case.schema.json, and ids are unique across files', () => {
    expect(CASES.length).toBeGreaterThan(0);
    expect(new Set(CASES.map((c) => c.id)).size).toBe(CASES.length);
  });

  test('legacy.json keeps at least 20 template-level cases of corpus.ts, with their ids, ESCAPES numbers and rules', () => {
    const legacy = CASES.filter((c) => c.file === 'legacy.json');
    expect(legacy.filter((c) => c.kind === 'escape').length).toBeGreaterThanOrEqual(20);
    for (const c of legacy) {
      const ts = c.kind === 'escape' ? ESCAPE_CASES.find((x) => x.id === c.id) : BENIGN_VARIANTS.find((x) => x.id === c.id);
      expect(ts).toBeDefined();
      if (c.kind === 'escape')
        expect({ id: c.id, escapes: c.escapes, rules: c.rules }).toEqual({ id: c.id, escapes: (ts as any).escapes, rules: (ts as any).rules });
    }
  });

  test.each(CASES.filter((c) => c.file === 'legacy.json').map((c) => [c.id, c] as const))(
    'legacy %s rebuilds exactly the template of its TypeScript mutation',
    (id, c) => {
      const ts = ESCAPE_CASES.find((x) => x.id === id) ?? BENIGN_VARIANTS.find((x) => x.id === id)!;
      const expected = baseTemplate();
      ts.template(expected);
      const actual = baseTemplate();
      applyMutations(actual, c.mutations, c.id);
      expect(actual).toEqual(expected);
    },
  );

  test('a condition an Fn::If names but the case cannot define is declared, undecidable, for every door alike', () => {
    const t = {
      Resources: { R: { Type: 'AWS::X::Y', Properties: { A: { 'Fn::If': ['Strict', 1, 2] }, P: { Condition: { StringEquals: {} } } } } },
      Conditions: { Kept: { 'Fn::Equals': ['a', 'a'] } },
    };
    declareConditions(t);
    expect(t.Conditions).toEqual({ Kept: { 'Fn::Equals': ['a', 'a'] }, Strict: { 'Fn::Equals': [{ Ref: 'AWS::AccountId' }, '111122223333'] } });
  });

  test('the schema validator rejects what the schema forbids', () => {
    const ok = {
      cases: [
        {
          id: 'a-b',
          kind: 'escape',
          description: 'd',
          escapes: [1],
          source: 'https://x',
          mutations: [{ op: 'remove', logicalId: '$flowLog' }],
          rules: ['BlackHole-NET1'],
        },
      ],
    };
    expect(validateJsonSchema(schema, ok)).toEqual([]);
    const bad = (edit: (c: any) => void) => {
      const d = JSON.parse(JSON.stringify(ok));
      edit(d.cases[0]);
      return validateJsonSchema(schema, d);
    };
    expect(
      bad((c) => {
        delete c.source;
      }),
    ).toEqual([expect.stringMatching(/missing source/)]);
    expect(
      bad((c) => {
        c.kind = 'maybe';
      }),
    ).toEqual([expect.stringMatching(/kind: must be one of/)]);
    expect(
      bad((c) => {
        c.mutations[0].op = 'delete';
      }),
    ).toEqual([expect.stringMatching(/mutations\[0\]: matches no alternative/)]);
    expect(
      bad((c) => {
        c.mutations = [{ op: 'set', logicalId: '$vpc', value: 1 }];
      }),
    ).toEqual([expect.stringMatching(/missing path/)]);
    expect(
      bad((c) => {
        c.rules = ['NET1'];
      }),
    ).toEqual([expect.stringMatching(/does not match/)]);
    expect(
      bad((c) => {
        c.extra = true;
      }),
    ).toEqual([expect.stringMatching(/extra: not allowed/)]);
    expect(
      bad((c) => {
        c.source = 'http://insecure';
      }),
    ).toHaveLength(1);
  });

  test('the loader fails on an invalid file, an unknown placeholder and a duplicate id, naming them', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bh-cases-'));
    const c = { id: 'x-y', kind: 'escape', description: 'd', escapes: [], source: 'https://x', mutations: [], rules: ['BlackHole-NET1'] };
    fs.writeFileSync(path.join(dir, 'a.json'), JSON.stringify({ cases: [c] }));
    fs.writeFileSync(path.join(dir, 'b.json'), JSON.stringify({ cases: [c, { ...c, id: 'x-z', kind: 'benign' }] }));
    fs.writeFileSync(path.join(dir, 'c.json'), '{ "cases": [');
    expect(() => loadDataCases(dir)).toThrow(/b\.json: benign case x-z names rules[\s\S]*c\.json: invalid JSON[\s\S]*case id x-y in both a\.json and b\.json/);
    const t = baseTemplate();
    expect(() => applyMutations(t, [{ op: 'set', logicalId: '$nope', path: ['Properties'], value: 1 }], 'x-y')).toThrow(/unknown placeholder \$nope/);
    expect(() => applyMutations(t, [{ op: 'set', logicalId: '$subnets[9]', path: ['Properties'], value: 1 }], 'x-y')).toThrow(/unknown placeholder/);
  });
});

function summary(r: ReturnType<typeof runDataCase>): Record<string, string> {
  return Object.fromEntries(doorsOf(r).map(([name, d]) => [name, d.error ?? `${d.failed ? 'failed' : 'passed'} [${d.ruleIds.join(', ')}]`]));
}

describe.each(CASES.map((c) => [`${c.file} ${c.id}`, c] as const))('%s', (_name, c: DataCase) => {
  test(c.kind === 'escape' ? `fails every door with ${c.rules.join(', ')}, the same rule set at each` : 'passes every door with no finding', () => {
    const r = runDataCase(c);
    const s = summary(r);
    // Every door ran, and every door reports what the first does.
    expect(s).toEqual(Object.fromEntries(Object.keys(s).map((k) => [k, s.validateScope])));
    expect(doorsAgree(r)).toBe(true);
    if (c.kind === 'escape') {
      expect(r.validateScope.failed).toBe(true);
      expect(r.validateScope.ruleIds).toEqual(expect.arrayContaining([...c.rules]));
    } else {
      expect(r.validateScope).toEqual({ failed: false, ruleIds: [] });
    }
    expect(caseHolds(c, r)).toBe(true);
  });
});
