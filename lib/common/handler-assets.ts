import * as fs from 'fs';
import * as path from 'path';

/**
 * The library's Lambda handlers, bundled at package build time (`npm run build:handlers`, run by
 * `npm run build`, `prepare` and `pretest`) into `dist/handlers/<name>/index.js`, so that a user's
 * synth needs no esbuild, no Docker and no lockfile (as aws-cdk-lib ships its custom-resource
 * handlers). Each folder is a `lambda.Code.fromAsset` asset with the handler `index.handler`.
 */
export type HandlerName = 'correlator' | 'responder' | 'stop-compute';

/** Every pre-built handler, by name: the entry file each is bundled from (relative to the package root). */
export const HANDLER_ENTRIES: Readonly<Record<HandlerName, string>> = Object.freeze({
  correlator: 'lib/telemetry/handlers/correlator.ts',
  responder: 'lib/telemetry/handlers/responder.ts',
  'stop-compute': 'lib/billing/stop-compute-handler.ts',
});

/** The file each handler folder holds; the Lambda handler string is `index.handler`. */
export const HANDLER_FILE = 'index.js';

/**
 * Where the built handlers live, nearest first. This module is `lib/common/handler-assets.ts` in the
 * repository (ts-jest, tsx) and `dist/lib/common/handler-assets.js` in the package; both find
 * `<package root>/dist/handlers`.
 */
function handlerRoots(): string[] {
  return [
    path.resolve(__dirname, '..', '..', 'handlers'), // compiled: dist/lib/common -> dist/handlers
    path.resolve(__dirname, '..', '..', 'dist', 'handlers'), // source: lib/common -> dist/handlers
  ];
}

/**
 * The folder of a pre-built Lambda handler, for `lambda.Code.fromAsset(handlerAssetPath(name))`.
 * Throws a one-line error naming the command that builds it when the folder is missing.
 */
export function handlerAssetPath(name: HandlerName): string {
  if (!Object.prototype.hasOwnProperty.call(HANDLER_ENTRIES, name)) {
    throw new Error(`handlerAssetPath: unknown handler '${String(name)}' (one of ${Object.keys(HANDLER_ENTRIES).join(', ')})`);
  }
  const roots = handlerRoots();
  for (const root of roots) {
    const dir = path.join(root, name);
    if (fs.existsSync(path.join(dir, HANDLER_FILE))) return dir;
  }
  throw new Error(
    `cdk-black-hole: the pre-built Lambda handler '${name}' is missing (no ${path.join(roots[roots.length - 1], name, HANDLER_FILE)}): run \`npm run build:handlers\``,
  );
}
