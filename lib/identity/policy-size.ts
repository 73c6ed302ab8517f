import { Stack } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/** IAM's limit for a customer managed policy document, in characters excluding whitespace. */
export const MANAGED_POLICY_MAX_CHARS = 6144;

/** AWS Organizations' limit for a service control policy document, in characters. */
export const SCP_MAX_CHARS = 5120;

/**
 * Upper bounds for the values CloudFormation intrinsics take in a policy document, so that the size
 * check of a template with unresolved tokens errs on the large side.
 */
const PSEUDO_PARAMETER_CHARS: Record<string, number> = { 'AWS::AccountId': 12, 'AWS::Region': 16, 'AWS::Partition': 10, 'AWS::URLSuffix': 16 };
/** A `Ref` to a resource: a VPC, subnet, security group or endpoint id, a role or bucket name. */
const REF_CHARS = 64;
/** `Fn::GetAtt`, `Fn::Join` and the rest: an ARN. */
const INTRINSIC_CHARS = 128;

/**
 * The size of a policy document as IAM and Organizations count it: compact JSON, whitespace outside
 * strings not counted. Tokens are resolved in the scope's stack; intrinsics that remain (`Ref`,
 * `Fn::Join`, `Fn::GetAtt`) count as their longest plausible value.
 */
export function policyDocumentSize(scope: IConstruct, document: unknown): number {
  const resolved = Stack.of(scope).resolve(document);
  const json = JSON.stringify(resolved, (_key, value) => {
    if (value && typeof value === 'object' && !Array.isArray(value)) {
      const keys = Object.keys(value);
      if (keys.length === 1 && keys[0] === 'Ref') {
        return 'x'.repeat(PSEUDO_PARAMETER_CHARS[String(value.Ref)] ?? REF_CHARS);
      }
      if (keys.length === 1 && keys[0].startsWith('Fn::')) {
        return 'x'.repeat(INTRINSIC_CHARS);
      }
    }
    return value;
  });
  return json.length;
}
