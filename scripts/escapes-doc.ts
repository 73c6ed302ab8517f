/**
 * docs/ESCAPES.md keeps hand-written entries and one generated section: the coverage table (entry
 * number -> escape catalog entries -> gate rules that cite it). This module renders that section
 * from lib/identity/escape-catalog.ts and lib/gate/rules, and holds the parsers the doc test uses.
 *
 *   npx tsx scripts/escapes-doc.ts    rewrites only the delimited section of docs/ESCAPES.md
 */
import * as fs from 'fs';
import * as path from 'path';
import type { GateRule } from '../lib/gate/rule';
import { ALL_RULES } from '../lib/gate/rules/index';
import { ESCAPE_CATALOG, RUNTIME_ONLY_ESCAPES, type EscapeCatalogEntry } from '../lib/identity/escape-catalog';

export const ESCAPES_DOC = path.join(__dirname, '..', 'docs', 'ESCAPES.md');
export const COVERAGE_START = '<!-- generated:coverage:start -->';
export const COVERAGE_END = '<!-- generated:coverage:end -->';

/** One numbered entry of ESCAPES.md (`### <n>. <title>`), with its text up to the next heading. */
export interface EscapeDocEntry {
  readonly number: number;
  readonly title: string;
  readonly body: string;
  /** 1-based line of the heading. */
  readonly line: number;
}

/**
 * The ESCAPES.md numbers cited in a text: every `ESCAPES.md` followed by a list of numbers, each
 * optionally `#`-prefixed, single (`28`) or a range (`29-32`), separated by commas and/or `and`
 * (`ESCAPES.md #20, #24`, `ESCAPES.md 12 and 15`, `ESCAPES.md 1-11`). The list ends at the first
 * token that is not a number (`ESCAPES.md 7, NET3` cites 7). Returned in order of appearance, with repeats.
 */
export function parseEscapeCitations(text: string): number[] {
  const out: number[] = [];
  const anchor = /ESCAPES\.md/g;
  const item = /^\s*#?(\d+)(?:\s*[-\u2013]\s*#?(\d+))?/;
  const separator = /^\s*(?:,\s*(?:and\s+)?|and\s+)/;
  for (let m = anchor.exec(text); m; m = anchor.exec(text)) {
    let rest = text.slice(m.index + m[0].length);
    let first = true;
    for (;;) {
      if (!first) {
        const sep = separator.exec(rest);
        if (!sep) break;
        rest = rest.slice(sep[0].length);
      }
      const it = item.exec(rest);
      // `ESCAPES.md 12.5` or `ESCAPES.md 3rd` are not citations: the number must end there.
      if (!it || /^(?:\w|\.\d)/.test(rest.slice(it[0].length))) break;
      const from = Number(it[1]);
      const to = it[2] === undefined ? from : Number(it[2]);
      if (to >= from) for (let n = from; n <= to; n++) out.push(n);
      else out.push(from, to);
      rest = rest.slice(it[0].length);
      first = false;
    }
  }
  return out;
}

/** The numbered entries of ESCAPES.md in document order (duplicates kept, so numbering can be checked). */
export function parseEscapeEntries(markdown: string): EscapeDocEntry[] {
  const lines = markdown.split('\n');
  const out: EscapeDocEntry[] = [];
  let current: { number: number; title: string; line: number; body: string[] } | undefined;
  const flush = () => {
    if (current) out.push({ number: current.number, title: current.title, line: current.line, body: current.body.join('\n').trim() });
    current = undefined;
  };
  lines.forEach((text, i) => {
    const entry = /^###\s+(\d+)\.\s+(.+?)\s*$/.exec(text);
    if (entry) {
      flush();
      current = { number: Number(entry[1]), title: entry[2], line: i + 1, body: [] };
    } else if (/^#{1,3}\s/.test(text)) {
      flush();
    } else if (current) {
      current.body.push(text);
    }
  });
  flush();
  return out;
}

/** Numbering problems of a list of entry numbers: duplicates, and gaps in 1..max. Empty when 1..N each appear once. */
export function numberingProblems(numbers: readonly number[]): string[] {
  const problems: string[] = [];
  const seen = new Map<number, number>();
  for (const n of numbers) seen.set(n, (seen.get(n) ?? 0) + 1);
  for (const [n, count] of [...seen].sort((a, b) => a[0] - b[0])) if (count > 1) problems.push(`entry ${n} appears ${count} times`);
  const max = numbers.length ? Math.max(...numbers) : 0;
  for (let n = 1; n <= max; n++) if (!seen.has(n)) problems.push(`entry ${n} is missing`);
  for (const n of seen.keys()) if (!Number.isInteger(n) || n < 1) problems.push(`entry number ${n} is not a positive integer`);
  return problems;
}

/** The http(s) URLs in a text. */
export function referenceUrls(text: string): string[] {
  return text.match(/https?:\/\/[^\s)>\]|`]+/g) ?? [];
}

/** Numbers cited somewhere that the document does not define, as `where: n`. */
export function missingCitations(citations: ReadonlyMap<string, readonly number[]>, defined: ReadonlySet<number>): string[] {
  const out: string[] = [];
  for (const [where, numbers] of citations) for (const n of new Set(numbers)) if (!defined.has(n)) out.push(`${where}: ${n}`);
  return out;
}

/** ESCAPES.md numbers each rule cites in its explanation or info. */
export function ruleCitations(rules: readonly Pick<GateRule, 'id' | 'info' | 'explanation'>[]): Map<string, number[]> {
  return new Map(rules.map((r) => [r.id, [...new Set([...parseEscapeCitations(r.explanation), ...parseEscapeCitations(r.info)])].sort((a, b) => a - b)]));
}

/** GitHub's anchor for a heading text. */
export function headingAnchor(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

/** The generated coverage section (between and excluding the markers). */
export function renderCoverage(
  entries: readonly Pick<EscapeDocEntry, 'number' | 'title'>[],
  catalog: readonly Pick<EscapeCatalogEntry, 'id' | 'escapes'>[] = ESCAPE_CATALOG,
  rules: readonly Pick<GateRule, 'id' | 'info' | 'explanation'>[] = ALL_RULES,
  runtimeOnly: readonly number[] = RUNTIME_ONLY_ESCAPES,
): string {
  const cites = ruleCitations(rules);
  const out: string[] = [];
  out.push("Generated by `npx tsx scripts/escapes-doc.ts` from `lib/identity/escape-catalog.ts` (each entry's `escapes`) and");
  out.push("`lib/gate/rules` (the `ESCAPES.md <n>` citations in each rule's explanation and info); a test fails when it is stale.");
  out.push('BlackHole-IAM7 (catalog boundary) and BlackHole-IAM8 (unverifiable policy) cover every catalog entry and cite no number.', '');
  out.push('| # | Technique | Catalog entries | Gate rules citing it |', '| --- | --- | --- | --- |');
  for (const e of [...entries].sort((a, b) => a.number - b.number)) {
    const ids = catalog.filter((c) => c.escapes.includes(e.number)).map((c) => `\`${c.id}\``);
    const ruleIds = [...cites]
      .filter(([, ns]) => ns.includes(e.number))
      .map(([id]) => id)
      .sort();
    const catalogCell = ids.length ? ids.join(', ') : runtimeOnly.includes(e.number) ? '(run-time only: nothing to deny)' : '(none)';
    out.push(`| [${e.number}](#${headingAnchor(`${e.number}. ${e.title}`)}) | ${e.title} | ${catalogCell} | ${ruleIds.join(', ') || '-'} |`);
  }
  const withCatalog = entries.filter((e) => catalog.some((c) => c.escapes.includes(e.number))).length;
  const withRule = entries.filter((e) => [...cites.values()].some((ns) => ns.includes(e.number))).length;
  out.push(
    '',
    `${entries.length} entries; ${withCatalog} implemented by catalog entries, ${withRule} cited by gate rules; run-time only: ${runtimeOnly.join(', ') || 'none'}.`,
  );
  return out.join('\n');
}

/** The document with its generated section replaced; throws when the markers are missing or out of order. */
export function replaceCoverage(markdown: string, generated: string): string {
  const start = markdown.indexOf(COVERAGE_START);
  const end = markdown.indexOf(COVERAGE_END);
  if (start < 0 || end < 0 || end < start) throw new Error(`ESCAPES.md: expected ${COVERAGE_START} ... ${COVERAGE_END}`);
  return `${markdown.slice(0, start + COVERAGE_START.length)}\n${generated}\n${markdown.slice(end)}`;
}

/** ESCAPES.md as it should be: the given text with a freshly rendered coverage section. */
export function renderEscapesDoc(markdown: string): string {
  return replaceCoverage(markdown, renderCoverage(parseEscapeEntries(markdown)));
}

if (require.main === module) {
  const before = fs.readFileSync(ESCAPES_DOC, 'utf8');
  const after = renderEscapesDoc(before);
  if (after !== before) fs.writeFileSync(ESCAPES_DOC, after);
  console.log(after === before ? 'docs/ESCAPES.md coverage section already current' : 'docs/ESCAPES.md coverage section written');
}
