/**
 * API.md, the API reference, generated from the doc comments of the package's public entry points
 * (the `exports` map: `cdk-black-hole`, `cdk-black-hole/gate`, `cdk-black-hole/runtime`) with the
 * TypeScript compiler API.
 *
 *   npx tsx scripts/api-doc.ts            writes API.md
 *   npx tsx scripts/api-doc.ts --check    exits 1 when API.md is not current or a doc comment is missing
 *
 * A public symbol needs a doc comment; so does each property of an exported interface, each member
 * of an exported enum and each public member a class declares itself. A type that a public
 * declaration names must itself be public (exported from some entry point), or users could not
 * name it: such "forgotten exports" are problems too. test/package/api-doc.test.ts runs the check.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as ts from 'typescript';

const root = path.resolve(__dirname, '..');

/** A public entry point: its import specifier and source file. */
export interface EntryPoint {
  readonly specifier: string;
  readonly subpath: string;
  readonly file: string;
}

/** The package's entry points, in the order API.md lists them. */
export const ENTRY_POINTS: readonly EntryPoint[] = [
  { specifier: 'cdk-black-hole', subpath: '.', file: 'lib/index.ts' },
  { specifier: 'cdk-black-hole/gate', subpath: './gate', file: 'lib/gate/index.ts' },
  { specifier: 'cdk-black-hole/runtime', subpath: './runtime', file: 'lib/runtime/index.ts' },
];

/** One documented member of a class, interface or enum. */
export interface ApiMember {
  readonly name: string;
  readonly signature: string;
  readonly doc: string;
}

/** One exported name of an entry point. */
export interface ApiSymbol {
  readonly entry: string;
  readonly name: string;
  readonly kind: string;
  /** Source file of the declaration, relative to the package root. */
  readonly file: string;
  readonly signature: string;
  readonly doc: string;
  readonly members: readonly ApiMember[];
}

/** The API as the doc sees it, and what is wrong with it. */
export interface ApiReport {
  readonly symbols: readonly ApiSymbol[];
  /** Missing doc comments and forgotten exports, one line each. */
  readonly problems: readonly string[];
}

function compilerOptions(): ts.CompilerOptions {
  const cfg = ts.readConfigFile(path.join(root, 'tsconfig.json'), ts.sys.readFile);
  return ts.parseJsonConfigFileContent(cfg.config, ts.sys, root).options;
}

const rel = (f: string): string => path.relative(root, f).split(path.sep).join('/');

function docOf(checker: ts.TypeChecker, symbol: ts.Symbol): string {
  const text = ts.displayPartsToString(symbol.getDocumentationComment(checker)).trim();
  const tags = symbol
    .getJsDocTags(checker)
    .filter((t) => ['default', 'deprecated', 'example', 'see', 'throws', 'returns', 'param'].includes(t.name))
    .map((t) => `@${t.name}${t.text ? ` ${ts.displayPartsToString(t.text).trim()}` : ''}`);
  return [text, ...tags].filter((s) => s).join('\n');
}

function hasDocText(checker: ts.TypeChecker, symbol: ts.Symbol): boolean {
  return ts.displayPartsToString(symbol.getDocumentationComment(checker)).trim().length > 0;
}

function kindOf(decl: ts.Declaration): string {
  if (ts.isClassDeclaration(decl)) return 'class';
  if (ts.isInterfaceDeclaration(decl)) return 'interface';
  if (ts.isEnumDeclaration(decl)) return 'enum';
  if (ts.isTypeAliasDeclaration(decl)) return 'type';
  if (ts.isFunctionDeclaration(decl)) return 'function';
  if (ts.isVariableDeclaration(decl)) return 'const';
  return ts.SyntaxKind[decl.kind];
}

function isPublicMember(m: ts.ClassElement): boolean {
  const mods = ts.canHaveModifiers(m) ? (ts.getModifiers(m) ?? []) : [];
  if (mods.some((x) => x.kind === ts.SyntaxKind.PrivateKeyword || x.kind === ts.SyntaxKind.ProtectedKeyword)) return false;
  return !(m.name && ts.isPrivateIdentifier(m.name)) && !ts.isClassStaticBlockDeclaration(m) && !ts.isSemicolonClassElement(m);
}

function oneLine(s: string): string {
  return s.replace(/\s+/g, ' ').trim();
}

/** Reads the public API of every entry point. */
export function collectApi(entryPoints: readonly EntryPoint[] = ENTRY_POINTS): ApiReport {
  const files = entryPoints.map((e) => path.join(root, e.file)).filter((f) => fs.existsSync(f));
  const program = ts.createProgram(files, { ...compilerOptions(), noEmit: true });
  const checker = program.getTypeChecker();
  const symbols: ApiSymbol[] = [];
  const problems: string[] = [];
  const publicDecls = new Set<ts.Declaration>();
  const referenced: Array<{ decl: ts.Declaration; from: string }> = [];
  const printer = ts.createPrinter({ removeComments: true });

  const noteReferences = (node: ts.Node, from: string): void => {
    const visit = (n: ts.Node): void => {
      if (ts.isTypeReferenceNode(n) || ts.isExpressionWithTypeArguments(n) || ts.isTypeQueryNode(n)) {
        const nameNode = ts.isTypeReferenceNode(n) ? n.typeName : ts.isTypeQueryNode(n) ? n.exprName : n.expression;
        let s = checker.getSymbolAtLocation(nameNode);
        if (s && s.flags & ts.SymbolFlags.Alias) s = checker.getAliasedSymbol(s);
        for (const d of s?.declarations ?? []) {
          const f = d.getSourceFile().fileName;
          if (f.startsWith(path.join(root, 'lib')) && !d.getSourceFile().isDeclarationFile) referenced.push({ decl: d, from });
        }
      }
      ts.forEachChild(n, visit);
    };
    visit(node);
  };

  for (const entry of entryPoints) {
    const sf = program.getSourceFile(path.join(root, entry.file));
    if (!sf) {
      problems.push(`${entry.specifier}: entry point ${entry.file} is missing`);
      continue;
    }
    const moduleSymbol = checker.getSymbolAtLocation(sf);
    if (!moduleSymbol) continue;
    const exported = checker.getExportsOfModule(moduleSymbol).sort((a, b) => a.name.localeCompare(b.name));
    for (const exp of exported) {
      const target = exp.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exp) : exp;
      const decl = target.declarations?.[0];
      if (!decl) continue;
      for (const d of target.declarations ?? []) publicDecls.add(d);
      const where = `${entry.specifier} ${exp.name} (${rel(decl.getSourceFile().fileName)})`;
      if (!hasDocText(checker, target)) problems.push(`${where}: no doc comment`);
      const members: ApiMember[] = [];
      let signature: string;
      if (ts.isClassDeclaration(decl)) {
        const heritage = decl.heritageClauses?.map((h) => h.getText()).join(' ') ?? '';
        signature = `class ${exp.name}${heritage ? ` ${oneLine(heritage)}` : ''}`;
        if (decl.heritageClauses) decl.heritageClauses.forEach((h) => noteReferences(h, where));
        for (const m of decl.members.filter(isPublicMember)) {
          const name = ts.isConstructorDeclaration(m) ? 'constructor' : m.name ? m.name.getText() : '?';
          const memberSymbol = ts.isConstructorDeclaration(m) ? undefined : checker.getSymbolAtLocation(m.name!);
          const stripped =
            ts.isMethodDeclaration(m) || ts.isConstructorDeclaration(m) || ts.isGetAccessorDeclaration(m)
              ? oneLine(m.getText().slice(0, (m.body?.getStart() ?? m.getEnd()) - m.getStart()))
              : oneLine(printer.printNode(ts.EmitHint.Unspecified, m, decl.getSourceFile()).replace(/=[^;]*;?$/, ';'));
          const doc = memberSymbol
            ? docOf(checker, memberSymbol)
            : oneLine(
                ts
                  .getJSDocCommentsAndTags(m)
                  .map((j) => (ts.isJSDoc(j) ? (ts.getTextOfJSDocComment(j.comment) ?? '') : ''))
                  .join(' '),
              );
          if (!doc && !ts.isConstructorDeclaration(m)) problems.push(`${where}: member ${name} has no doc comment`);
          members.push({ name, signature: stripped.replace(/^(public|readonly)\s+/, ''), doc });
          // Only the member's signature is API, never what its body names.
          const from = `${where} member ${name}`;
          if (ts.isMethodDeclaration(m) || ts.isConstructorDeclaration(m) || ts.isGetAccessorDeclaration(m) || ts.isSetAccessorDeclaration(m)) {
            m.parameters.forEach((p) => p.type && noteReferences(p.type, from));
            if (m.type) noteReferences(m.type, from);
          } else if (ts.isPropertyDeclaration(m) && m.type) {
            noteReferences(m.type, from);
          }
        }
      } else if (ts.isInterfaceDeclaration(decl)) {
        const heritage = decl.heritageClauses?.map((h) => h.getText()).join(' ') ?? '';
        signature = `interface ${exp.name}${decl.typeParameters ? `<${decl.typeParameters.map((p) => p.getText()).join(', ')}>` : ''}${heritage ? ` ${oneLine(heritage)}` : ''}`;
        if (decl.heritageClauses) decl.heritageClauses.forEach((h) => noteReferences(h, where));
        for (const m of decl.members) {
          const name = m.name ? m.name.getText() : '(call)';
          const memberSymbol = m.name ? checker.getSymbolAtLocation(m.name) : undefined;
          const doc = memberSymbol ? docOf(checker, memberSymbol) : '';
          if (!doc) problems.push(`${where}: property ${name} has no doc comment`);
          members.push({ name, signature: oneLine(printer.printNode(ts.EmitHint.Unspecified, m, decl.getSourceFile())), doc });
          noteReferences(m, `${where} property ${name}`);
        }
      } else if (ts.isEnumDeclaration(decl)) {
        signature = `enum ${exp.name}`;
        for (const m of decl.members) {
          const memberSymbol = checker.getSymbolAtLocation(m.name);
          const doc = memberSymbol ? docOf(checker, memberSymbol) : '';
          if (!doc) problems.push(`${where}: member ${m.name.getText()} has no doc comment`);
          members.push({ name: m.name.getText(), signature: oneLine(m.getText()), doc });
        }
      } else if (ts.isFunctionDeclaration(decl)) {
        const sigs = checker.getSignaturesOfType(checker.getTypeOfSymbolAtLocation(target, decl), ts.SignatureKind.Call);
        signature = sigs
          .map(
            (s) =>
              `function ${exp.name}${checker.signatureToString(s, decl, ts.TypeFormatFlags.NoTruncation | ts.TypeFormatFlags.UseAliasDefinedOutsideCurrentScope)}`,
          )
          .join('\n');
        if (decl.type) noteReferences(decl.type, where);
        decl.parameters.forEach((p) => p.type && noteReferences(p.type, where));
      } else if (ts.isVariableDeclaration(decl)) {
        const type = checker.getTypeOfSymbolAtLocation(target, decl);
        signature = `const ${exp.name}: ${checker.typeToString(type, decl, ts.TypeFormatFlags.NoTruncation | ts.TypeFormatFlags.UseAliasDefinedOutsideCurrentScope)}`;
        if (decl.type) noteReferences(decl.type, where);
      } else if (ts.isTypeAliasDeclaration(decl)) {
        signature = oneLine(printer.printNode(ts.EmitHint.Unspecified, decl, decl.getSourceFile())).replace(/^export\s+/, '');
        noteReferences(decl.type, where);
      } else {
        signature = exp.name;
      }
      symbols.push({
        entry: entry.specifier,
        name: exp.name,
        kind: kindOf(decl),
        file: rel(decl.getSourceFile().fileName),
        signature,
        doc: docOf(checker, target),
        members,
      });
    }
  }
  const forgotten = new Map<string, Set<string>>();
  for (const r of referenced) {
    if (publicDecls.has(r.decl) || ts.isTypeParameterDeclaration(r.decl)) continue;
    const name = (r.decl as ts.NamedDeclaration).name?.getText() ?? '?';
    const key = `${name} (${rel(r.decl.getSourceFile().fileName)})`;
    if (!forgotten.has(key)) forgotten.set(key, new Set());
    forgotten.get(key)!.add(r.from.split(' (')[0]);
  }
  for (const [key, users] of [...forgotten].sort(([a], [b]) => a.localeCompare(b))) {
    problems.push(`forgotten export: ${key} is named by ${[...users].sort().join(', ')} but exported from no entry point`);
  }
  return { symbols, problems };
}

const KIND_ORDER = ['class', 'interface', 'enum', 'type', 'function', 'const'];

function escapeCell(s: string): string {
  return s.replace(/\|/g, '\\|').replace(/\n+/g, '<br>');
}

/** API.md for the symbols. */
export function renderApiMarkdown(symbols: readonly ApiSymbol[], entryPoints: readonly EntryPoint[] = ENTRY_POINTS): string {
  const out: string[] = [
    '# API reference',
    '',
    '<!-- Generated by `npx tsx scripts/api-doc.ts` from the doc comments; do not edit by hand. -->',
    '',
    'The package has three entry points; anything not listed here is internal and may change in any',
    'release.',
    '',
  ];
  for (const e of entryPoints) out.push(`- [\`${e.specifier}\`](#${anchor(e.specifier)}) (${symbols.filter((s) => s.entry === e.specifier).length} names)`);
  for (const e of entryPoints) {
    const own = symbols.filter((s) => s.entry === e.specifier);
    out.push('', `## ${e.specifier}`, '');
    out.push(`\`import { ... } from '${e.specifier}';\``);
    for (const kind of KIND_ORDER) {
      const ofKind = own.filter((s) => s.kind === kind);
      if (ofKind.length === 0) continue;
      for (const s of ofKind) {
        out.push('', `### ${s.name}`, '', `${s.kind} · [${s.file}](${s.file})`, '');
        if (s.doc) out.push(s.doc.replace(/\n@/g, '\n\n@'), '');
        out.push('```ts', s.signature, '```');
        if (s.members.length > 0) {
          out.push('', '| Member | Signature | Description |', '| --- | --- | --- |');
          for (const m of s.members) out.push(`| \`${m.name}\` | \`${escapeCell(m.signature)}\` | ${escapeCell(m.doc)} |`);
        }
      }
    }
  }
  return out.join('\n') + '\n';
}

function anchor(s: string): string {
  return s
    .toLowerCase()
    .replace(/[^a-z0-9 -]/g, '')
    .replace(/ /g, '-');
}

/** Where API.md lives. */
export const API_DOC_PATH = path.join(root, 'API.md');

if (require.main === module) {
  const report = collectApi();
  const markdown = renderApiMarkdown(report.symbols);
  if (process.argv.includes('--check')) {
    const current = fs.existsSync(API_DOC_PATH) ? fs.readFileSync(API_DOC_PATH, 'utf8') : '';
    const stale = current !== markdown;
    for (const p of report.problems) console.error(p);
    if (stale) console.error('API.md is not current: run npx tsx scripts/api-doc.ts');
    process.exitCode = stale || report.problems.length > 0 ? 1 : 0;
  } else {
    fs.writeFileSync(API_DOC_PATH, markdown);
    console.log(`API.md: ${report.symbols.length} names; ${report.problems.length} problem(s)`);
    for (const p of report.problems) console.log(`  ${p}`);
  }
}
