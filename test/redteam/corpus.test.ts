import { RUNTIME_ONLY_ESCAPES } from '../../lib/identity/escape-catalog';
import { BENIGN_VARIANTS, ESCAPE_CASES, ESCAPES, RUNTIME_ONLY } from './corpus';
import { baseTemplate, runConstructLevel, runTemplateLevel } from './runner';

/**
 * The red-team corpus at both doors: every escape case must fail `cdk synth` (BlackHoleChecks) and
 * make `black-hole audit` exit 1, each with its expected rules; every benign variant must pass both.
 * At each level `BlackHoleChecks.validateScope` runs on the same input too (the construct-level app;
 * the mutated template included with CfnInclude) and must report exactly what the other door does.
 */

/** The validateScope door agrees with the door it shadows: same verdict, same rule set. */
function expectScopedAgrees(r: ReturnType<typeof runConstructLevel>): void {
  expect(r.scoped).toEqual({ failed: r.failed, ruleIds: r.ruleIds });
}

beforeAll(() => {
  baseTemplate(); // the clean template, synthesized once for the file
});

describe('the corpus itself', () => {
  test('has at least 60 escape cases and 20 benign variants, with unique ids', () => {
    expect(ESCAPE_CASES.length).toBeGreaterThanOrEqual(60);
    expect(BENIGN_VARIANTS.length).toBeGreaterThanOrEqual(20);
    const ids = [...ESCAPE_CASES, ...BENIGN_VARIANTS].map((c) => c.id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  test('covers every ESCAPES.md entry that has a preventive or gate control', () => {
    expect([...RUNTIME_ONLY].sort()).toEqual([...RUNTIME_ONLY_ESCAPES].sort());
    const covered = new Set(ESCAPE_CASES.flatMap((c) => c.escapes));
    const missing = Object.keys(ESCAPES)
      .map(Number)
      .filter((n) => !RUNTIME_ONLY.includes(n) && !covered.has(n));
    expect(missing).toEqual([]);
    expect(Object.keys(ESCAPES).map(Number)).toEqual(Array.from({ length: 36 }, (_, i) => i + 1));
  });

  test('every case names at least one rule and one ESCAPES.md entry', () => {
    for (const c of ESCAPE_CASES) {
      expect(c.rules.length).toBeGreaterThan(0);
      expect(c.escapes.length).toBeGreaterThan(0);
      for (const n of c.escapes) expect(ESCAPES[n]).toBeDefined();
    }
  });
});

describe.each(ESCAPE_CASES.map((c) => [c.id, c] as const))('escape %s', (_id, c) => {
  test(`construct level: synth fails with ${c.rules.join(', ')}`, () => {
    const r = runConstructLevel(c.construct);
    expect(r.error).toBeUndefined();
    expect(r.failed).toBe(true);
    expect(r.ruleIds).toEqual(expect.arrayContaining([...c.rules]));
    expectScopedAgrees(r);
  });

  test(`template level: audit exits 1 with ${c.rules.join(', ')}`, () => {
    const r = runTemplateLevel(c.template);
    expect(r.error).toBeUndefined();
    expect(r.code).toBe(1);
    expect(r.ruleIds).toEqual(expect.arrayContaining([...c.rules]));
    expectScopedAgrees(r);
  });
});

describe.each(BENIGN_VARIANTS.map((b) => [b.id, b] as const))('benign %s', (_id, b) => {
  test('construct level: synth passes', () => {
    const r = runConstructLevel(b.construct);
    expect(r.error).toBeUndefined();
    expect(r).toMatchObject({ failed: false, ruleIds: [] });
    expectScopedAgrees(r);
  });

  test('template level: audit exits 0 with no finding', () => {
    const r = runTemplateLevel(b.template);
    expect(r.error).toBeUndefined();
    expect(r).toMatchObject({ code: 0, ruleIds: [] });
    expectScopedAgrees(r);
  });
});
