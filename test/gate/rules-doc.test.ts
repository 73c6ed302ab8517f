import * as fs from 'fs';
import * as path from 'path';
import { ALL_RULES } from '../../lib/gate/rules';
import { renderRulesDoc } from '../../lib/gate/rules-doc';

test('RULES.md is up to date with the rules (run `npm run rules-doc`)', () => {
  expect(fs.readFileSync(path.join(__dirname, '../../RULES.md'), 'utf8')).toBe(renderRulesDoc());
});

test('rule ids are unique and follow BlackHole-<AREA><n>; each rule lives in a file named after it', () => {
  const ids = ALL_RULES.map((r) => r.id);
  expect(new Set(ids).size).toBe(ids.length);
  for (const r of ALL_RULES) {
    expect(r.id).toMatch(/^BlackHole-[A-Z]+[0-9]+$/);
    expect(fs.existsSync(path.join(__dirname, '../../lib/gate/rules', `${r.name}.ts`))).toBe(true);
  }
});
