import * as fs from 'fs';
import * as path from 'path';
import { ALL_RULES } from '../../lib/gate/rules';
import { ESCAPE_CATALOG } from '../../lib/identity/escape-catalog';
import {
  COVERAGE_END, COVERAGE_START, ESCAPES_DOC, headingAnchor, missingCitations, numberingProblems, parseEscapeCitations,
  parseEscapeEntries, referenceUrls, renderCoverage, renderEscapesDoc, replaceCoverage, ruleCitations,
} from '../../scripts/escapes-doc';

const ROOT = path.join(__dirname, '../..');
const doc = fs.readFileSync(ESCAPES_DOC, 'utf8');
const entries = parseEscapeEntries(doc);
const defined = new Set(entries.map((e) => e.number));

function tsFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const p = path.join(dir, d.name);
    return d.isDirectory() ? tsFiles(p) : d.name.endsWith('.ts') ? [p] : [];
  });
}

describe('the citation parser', () => {
  test.each([
    ['ESCAPES.md 28', [28]],
    ['(ESCAPES.md #20, #24)', [20, 24]],
    ['ESCAPES.md 29-32. Remove', [29, 30, 31, 32]],
    ['ESCAPES.md 34, 36). Remove', [34, 36]],
    ['ESCAPES.md 12 and 15), `ec2-instance-connect` (13)', [12, 15]],
    ['ESCAPES.md 1, 5, and 9', [1, 5, 9]],
    ['ESCAPES.md 7, NET3', [7]],
    ['ESCAPES.md 1-13 that a template', Array.from({ length: 13 }, (_, i) => i + 1)],
    ['by category (ESCAPES.md), expanded', []],
    ['ESCAPES.md ${c.entry.escapes}', []],
    ['ESCAPES.md entries with a control', []],
    ['ESCAPES.md 3rd or ESCAPES.md 12.5', []],
    ['ESCAPES.md 4 and ESCAPES.md 99', [4, 99]],
  ])('%s', (text, expected) => {
    expect(parseEscapeCitations(text)).toEqual(expected);
  });

  test('entries are `### <n>. <title>` headings, each up to the next heading', () => {
    const parsed = parseEscapeEntries('# T\n## 1. Section\n### 1. One\nbody https://a.example\n### 2. Two\ntwo\n## 2. Next section\ntext\n');
    expect(parsed.map((e) => [e.number, e.title, e.body])).toEqual([[1, 'One', 'body https://a.example'], [2, 'Two', 'two']]);
  });
});

describe('(a) catalog entries cite existing ESCAPES.md entries', () => {
  const catalogCitations = (catalog: readonly { id: string; escapes: readonly number[] }[]) => new Map(catalog.map((e) => [e.id, [...e.escapes]]));

  test('every escapes number of lib/identity/escape-catalog.ts is an entry', () => {
    expect(missingCitations(catalogCitations(ESCAPE_CATALOG), defined)).toEqual([]);
  });

  test('a fabricated catalog entry citing a missing number is reported', () => {
    const fake = [...ESCAPE_CATALOG, { id: 'fake.entry', escapes: [4, 99] }];
    expect(missingCitations(catalogCitations(fake), defined)).toEqual(['fake.entry: 99']);
  });
});

describe('(b) rules and library text cite existing entries', () => {
  test('every number a gate rule cites (explanation, info) is an entry', () => {
    expect(missingCitations(ruleCitations(ALL_RULES), defined)).toEqual([]);
  });

  test('every `ESCAPES.md <n>` in lib/**/*.ts, README.md, RULES.md and docs/*.md is an entry', () => {
    const files = [
      ...tsFiles(path.join(ROOT, 'lib')),
      ...['README.md', 'RULES.md'].map((f) => path.join(ROOT, f)),
      ...fs.readdirSync(path.join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).map((f) => path.join(ROOT, 'docs', f)),
    ].filter((f) => fs.existsSync(f));
    const cites = new Map(files.map((f) => [path.relative(ROOT, f), parseEscapeCitations(fs.readFileSync(f, 'utf8'))]));
    // the scan does find citations (the rule files and AgentRole's messages carry many)
    expect([...cites.values()].flat().length).toBeGreaterThan(20);
    expect(missingCitations(cites, defined)).toEqual([]);
  });

  test('a fabricated rule citing a missing number is reported', () => {
    const fake = { id: 'BlackHole-FAKE1', info: 'ESCAPES.md 12', explanation: 'See ESCAPES.md 35-37.' };
    expect(missingCitations(ruleCitations([...ALL_RULES, fake]), defined)).toEqual(['BlackHole-FAKE1: 37']);
  });
});

describe('(c) references', () => {
  test('every entry has at least one http(s) reference', () => {
    expect(entries.filter((e) => referenceUrls(e.body).length === 0).map((e) => e.number)).toEqual([]);
  });

  test('an entry without a URL is reported', () => {
    const parsed = parseEscapeEntries('### 1. One\n- **References:** none yet\n### 2. Two\n- [x](https://docs.aws.amazon.com/x.html)\n');
    expect(parsed.filter((e) => referenceUrls(e.body).length === 0).map((e) => e.number)).toEqual([1]);
  });
});

describe('(d) the generated coverage section', () => {
  test('is current (run `npx tsx scripts/escapes-doc.ts`)', () => {
    expect(doc).toBe(renderEscapesDoc(doc));
  });

  test('a stale section is detected', () => {
    const start = doc.indexOf(COVERAGE_START);
    const end = doc.indexOf(COVERAGE_END);
    const stale = doc.slice(0, start) + doc.slice(start, end).replace('`egress.internet-path`', '`egress.renamed`') + doc.slice(end);
    expect(stale).not.toBe(doc);
    expect(renderEscapesDoc(stale)).not.toBe(stale);
    expect(renderEscapesDoc(stale)).toBe(doc);
  });

  test('lists every entry with its catalog ids and citing rules; anchors match the headings', () => {
    const rendered = renderCoverage(entries);
    for (const e of entries) expect(rendered).toContain(`[${e.number}](#${headingAnchor(`${e.number}. ${e.title}`)})`);
    expect(rendered).toMatch(/\| \[28\]\([^)]*\) \| [^|]+ \| `identity\.instance-credentials` \| BlackHole-IAM4, BlackHole-NET8 \|/);
    expect(headingAnchor('21. Other regions / default VPC')).toBe('21-other-regions--default-vpc');
  });

  test('missing markers are an error, not a silent append', () => {
    expect(() => replaceCoverage('# no markers', 'x')).toThrow(/generated:coverage/);
  });
});

describe('(e) numbering', () => {
  test('entries are numbered 1..N, each exactly once, in order', () => {
    expect(numberingProblems(entries.map((e) => e.number))).toEqual([]);
    expect(entries.map((e) => e.number)).toEqual(Array.from({ length: entries.length }, (_, i) => i + 1));
    expect(entries.length).toBe(36);
  });

  test('duplicates and gaps are reported', () => {
    expect(numberingProblems([1, 2, 2, 4])).toEqual(['entry 2 appears 2 times', 'entry 3 is missing']);
  });
});
