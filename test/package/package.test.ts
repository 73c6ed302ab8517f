import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { handlerAssetPath, HANDLER_ENTRIES, type HandlerName } from '../../lib/common/handler-assets';
import { MANAGED_POLICY_DATA_FILE, MANAGED_POLICY_INDEX_FILE } from '../../lib/gate/analysis/aws-managed-policies';
import { packageInfo } from '../../lib/gate/report/package-info';

/**
 * What users install (issue 13): package.json's shape, what `npm pack` ships, and the compiled CLI
 * run with plain node. `npm test` builds the handlers (pretest) and `npm ci` builds dist/ (prepare);
 * when dist/ is missing, it is compiled here once.
 */
const root = path.resolve(__dirname, '../..');
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
const HANDLERS = Object.keys(HANDLER_ENTRIES) as HandlerName[];

beforeAll(() => {
  if (!HANDLERS.every((h) => fs.existsSync(path.join(root, 'dist', 'handlers', h, 'index.js')))) {
    execFileSync(process.execPath, [require.resolve('tsx/cli'), 'scripts/build-handlers.ts'], { cwd: root, stdio: 'pipe' });
  }
  if (!fs.existsSync(path.join(root, 'dist', 'data', MANAGED_POLICY_INDEX_FILE))) {
    execFileSync(process.execPath, [require.resolve('tsx/cli'), 'scripts/build-managed-policy-index.ts'], { cwd: root, stdio: 'pipe' });
  }
  if (!fs.existsSync(path.join(root, 'dist', 'lib', 'index.js')) || !fs.existsSync(path.join(root, 'dist', 'bin', 'black-hole-cli.js'))) {
    execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json'], { cwd: root, stdio: 'pipe' });
  }
}, 300000);

/** Every file target of the exports map, main, types and bin. */
function declaredTargets(): string[] {
  const targets: string[] = [pkg.main, pkg.types, ...Object.values<string>(pkg.bin)];
  const walk = (v: unknown): void => {
    if (typeof v === 'string') targets.push(v);
    else if (v && typeof v === 'object') Object.values(v).forEach(walk);
  };
  walk(pkg.exports);
  return [...new Set(targets.map((t) => t.replace(/^\.\//, '')))];
}

describe('package.json', () => {
  test('main, types, bin and every exports target are build outputs that exist', () => {
    expect(pkg.main).toBe('dist/lib/index.js');
    expect(pkg.types).toBe('dist/lib/index.d.ts');
    expect(pkg.bin).toEqual({ 'black-hole': 'dist/bin/black-hole-cli.js' });
    expect(Object.keys(pkg.exports)).toEqual(expect.arrayContaining(['.', './gate', './package.json']));
    for (const [subpath, target] of Object.entries<any>(pkg.exports)) {
      if (subpath === './package.json') continue;
      expect(Object.keys(target)[0]).toBe('types'); // TypeScript reads the first matching condition
      expect(target).toMatchObject({ require: expect.stringMatching(/^\.\/dist\/.*\.js$/), types: expect.stringMatching(/^\.\/dist\/.*\.d\.ts$/) });
    }
    for (const target of declaredTargets()) {
      expect(fs.existsSync(path.join(root, target)) ? target : `missing: ${target}`).toBe(target);
    }
  });

  test("the built bin is executable (npx runs the project's own bin directly; npm does not chmod it)", () => {
    expect(fs.statSync(path.join(root, 'dist', 'bin', 'black-hole-cli.js')).mode & 0o111).not.toBe(0);
  });

  test('the exports map resolves for require and import (self-reference, plain node)', () => {
    const script = `
      const root = require('cdk-black-hole');
      const gate = require('cdk-black-hole/gate');
      import('cdk-black-hole').then((esm) => {
        console.log(JSON.stringify({
          main: require.resolve('cdk-black-hole'),
          pkg: require('cdk-black-hole/package.json').name,
          cjs: [typeof root.BlackHoleEnvironment, typeof root.BlackHoleChecks, typeof gate.runGate],
          esm: [typeof esm.BlackHoleEnvironment, typeof esm.BlackHoleChecks],
        }));
      });`;
    const out = JSON.parse(execFileSync(process.execPath, ['-e', script], { cwd: root, encoding: 'utf8' }));
    expect(out).toEqual({
      main: path.join(root, 'dist', 'lib', 'index.js'),
      pkg: 'cdk-black-hole',
      cjs: ['function', 'function', 'function'],
      esm: ['function', 'function'],
    });
  }, 60000);

  test('files ships the build, the docs and the licence, never tests, examples, bench, scripts or CI', () => {
    expect(pkg.files).toEqual(expect.arrayContaining(['dist/', 'README.md', 'RULES.md', 'CHANGELOG.md', 'LICENSE', 'docs/ESCAPES.md', 'docs/COMPLIANCE.md']));
    for (const f of pkg.files as string[]) expect(f).not.toMatch(/^!?(test|examples|bench|scripts|\.ci|lib|bin)\b/);
  });

  test('aws-cdk-lib, constructs and cdk-nag are peer dependencies (cdk-nag: BlackHoleChecks extends its NagPack), developed against the same ranges', () => {
    for (const name of ['aws-cdk-lib', 'constructs', 'cdk-nag']) {
      expect(pkg.peerDependencies[name]).toBeDefined();
      expect(pkg.devDependencies[name]).toBe(pkg.peerDependencies[name]);
      expect(pkg.dependencies[name]).toBeUndefined();
    }
  });

  test("BlackHoleChecks extends cdk-nag's own NagPack: the deep import is the class cdk-nag's index exports", () => {
    // lib/gate/nag/black-hole-checks.ts imports cdk-nag/lib/nag-pack to skip loading every pack.
    const { BlackHoleChecks } = require('../../lib/gate/nag/black-hole-checks');
    expect(require('cdk-nag/lib/nag-pack').NagPack).toBe(require('cdk-nag').NagPack);
    expect(Object.getPrototypeOf(BlackHoleChecks)).toBe(require('cdk-nag').NagPack);
  });

  test('AGPL-3.0 iam-simulate and iam-expand stay devDependencies (ARCHITECTURE.md)', () => {
    expect(Object.keys(pkg.dependencies)).not.toEqual(expect.arrayContaining([expect.stringMatching(/iam-simulate|iam-expand/)]));
  });

  test('repository, homepage and bugs name the canonical repository; report links derive from homepage', () => {
    const base = 'https://github.com/cdk-black-hole/cdk-black-hole';
    expect(pkg.homepage.replace(/#.*$/, '')).toBe(base);
    expect(pkg.repository).toEqual({ type: 'git', url: `git+${base}.git` });
    expect(pkg.bugs.url).toBe(`${base}/issues`);
    expect(packageInfo()).toMatchObject({ name: 'cdk-black-hole', version: pkg.version, homepage: base, rulesDocUrl: `${base}/blob/main/RULES.md` });
    // One source for links: no URL of the project is written in the reporters.
    for (const f of fs.readdirSync(path.join(root, 'lib/gate/report'))) {
      expect(fs.readFileSync(path.join(root, 'lib/gate/report', f), 'utf8')).not.toMatch(/github\.com/);
    }
  });

  test('engines: node >=20, which the compiled target (ES2022) and the running node satisfy', () => {
    expect(pkg.engines).toEqual({ node: '>=20' });
    const tsconfig = JSON.parse(fs.readFileSync(path.join(root, 'tsconfig.json'), 'utf8'));
    expect(tsconfig.compilerOptions.target).toBe('ES2022'); // fully supported since node 16; node 20 is the floor
    expect(Number(process.versions.node.split('.')[0])).toBeGreaterThanOrEqual(20);
    // The CLI's argument parser needs parseArgs with tokens (node >= 18.7): present on the floor.
    expect(typeof require('node:util').parseArgs).toBe('function');
  });
});

describe('npm pack', () => {
  let files: string[];
  beforeAll(() => {
    // --ignore-scripts: the build is done (above); prepare would rebuild it.
    const out = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    files = JSON.parse(out)[0].files.map((f: { path: string }) => f.path);
  }, 60000);

  test('ships no test, example, bench, script, CI or TypeScript source file', () => {
    expect(files.filter((f) => /^(test|examples|bench|scripts|\.ci|cdk\.out|node_modules)\//.test(f))).toEqual([]);
    expect(files.filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))).toEqual([]);
  });

  test('ships the compiled library with declarations and source maps, the CLI, the handlers and the docs', () => {
    expect(files).toEqual(
      expect.arrayContaining([
        'package.json',
        'README.md',
        'LICENSE',
        'RULES.md',
        'CHANGELOG.md',
        'docs/ESCAPES.md',
        'dist/lib/index.js',
        'dist/lib/index.d.ts',
        'dist/lib/index.js.map',
        'dist/lib/gate/index.js',
        'dist/bin/black-hole-cli.js',
        ...HANDLERS.map((h) => `dist/handlers/${h}/index.js`),
      ]),
    );
  });

  test('ships the AWS managed policy index the gate reads (latest versions, a few MB, not the 77 MB package data)', () => {
    expect(files).toEqual(expect.arrayContaining([`dist/data/${MANAGED_POLICY_INDEX_FILE}`, `dist/data/${MANAGED_POLICY_DATA_FILE}`]));
  });
});

describe('the compiled CLI, with plain node (no tsx)', () => {
  const cli = path.join(root, 'dist', 'bin', 'black-hole-cli.js');

  test('starts with a node shebang', () => {
    expect(fs.readFileSync(cli, 'utf8').split('\n')[0]).toBe('#!/usr/bin/env node');
  });

  test('unusable input: exit 2 and one line naming the file', () => {
    const r = spawnSync(process.execPath, [cli, 'audit', '/nonexistent'], { encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } });
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe('black-hole: /nonexistent: no such file or directory\n');
  }, 30000);

  test('--help: exit 0 and the usage', () => {
    const r = spawnSync(process.execPath, [cli, '--help'], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^usage: black-hole audit/);
  }, 30000);
});

describe('pre-built Lambda handlers', () => {
  test.each(HANDLERS)('%s: one CommonJS bundle exporting handler, AWS SDK external', (name) => {
    const dir = handlerAssetPath(name);
    expect(dir).toBe(path.join(root, 'dist', 'handlers', name));
    expect(fs.readdirSync(dir)).toEqual(['index.js']);
    const code = fs.readFileSync(path.join(dir, 'index.js'), 'utf8');
    const required = [...code.matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1]);
    expect(required.filter((m) => !m.startsWith('@aws-sdk/') && !['crypto', 'zlib', 'node:crypto', 'node:zlib'].includes(m))).toEqual([]);
    expect(typeof require(path.join(dir, 'index.js')).handler).toBe('function');
  });

  test('a missing build is a one-line error naming the command', () => {
    // The module object itself: the `import * as fs` namespace above has read-only bindings.
    const spy = jest.spyOn(require('fs') as typeof fs, 'existsSync').mockReturnValue(false);
    try {
      expect(() => handlerAssetPath('correlator')).toThrow(
        /^cdk-black-hole: the pre-built Lambda handler 'correlator' is missing .*: run `npm run build:handlers`$/,
      );
    } finally {
      spy.mockRestore();
    }
  });

  test('an unknown handler name is refused', () => {
    expect(() => handlerAssetPath('nope' as HandlerName)).toThrow(/unknown handler 'nope' \(one of correlator, responder, stop-compute\)/);
  });
});
