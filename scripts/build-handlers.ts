/**
 * Bundles the library's Lambda handlers at package build time, so that users' synth needs no
 * bundler (lib/common/handler-assets.ts finds the output):
 *
 *   npx tsx scripts/build-handlers.ts [--outdir DIR]    (npm run build:handlers)
 *
 * writes `<outdir>/<name>/index.js` (default outdir: dist/handlers). The AWS SDK v3 clients stay
 * external: the Lambda Node.js runtime provides them.
 */
import * as fs from 'fs';
import * as path from 'path';
import { buildSync } from 'esbuild';
import { HANDLER_ENTRIES, HANDLER_FILE, type HandlerName } from '../lib/common/handler-assets';

const root = path.resolve(__dirname, '..');

function outdirFromArgs(argv: readonly string[]): string {
  const i = argv.indexOf('--outdir');
  if (i >= 0 && argv[i + 1]) return path.resolve(argv[i + 1]);
  return path.join(root, 'dist', 'handlers');
}

export function buildHandlers(outdir: string): Array<{ name: HandlerName; file: string; bytes: number }> {
  const built: Array<{ name: HandlerName; file: string; bytes: number }> = [];
  for (const [name, entry] of Object.entries(HANDLER_ENTRIES) as Array<[HandlerName, string]>) {
    const dir = path.join(outdir, name);
    // A clean folder per handler: the asset hash is the folder's content, nothing stale may stay.
    fs.rmSync(dir, { recursive: true, force: true });
    const file = path.join(dir, HANDLER_FILE);
    buildSync({
      entryPoints: [path.join(root, entry)],
      outfile: file,
      bundle: true,
      platform: 'node',
      target: 'node22',
      format: 'cjs',
      external: ['@aws-sdk/*'],
      minify: true,
      sourcemap: false,
      legalComments: 'none',
      logLevel: 'warning',
    });
    built.push({ name, file, bytes: fs.statSync(file).size });
  }
  return built;
}

if (require.main === module) {
  const outdir = outdirFromArgs(process.argv.slice(2));
  for (const b of buildHandlers(outdir)) {
    console.log(`handler ${b.name}: ${path.relative(root, b.file)} (${(b.bytes / 1024).toFixed(1)} KiB)`);
  }
}
