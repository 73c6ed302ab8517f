/**
 * Resolved CloudFormation values. The resolver turns intrinsic functions into a small
 * discriminated union; whatever it cannot resolve becomes `{ kind: 'unknown', reason }`, and
 * callers must treat unknown as "could be anything" (never as safe).
 *
 * Strings built from literals and references (Fn::Join, Fn::Sub) stay strings, with
 * Fn::Sub-style placeholders for the parts only known at deploy time: `${AWS::AccountId}`,
 * `${MyRole}` (a Ref), `${MyRole.Arn}` (a GetAtt). `placeholders` says the string has some, and
 * `refs` lists the resources they name, so ARN matching can still use the literal parts.
 */

/** A resource named by a Ref/GetAtt, possibly in another stack of the model (Fn::ImportValue). */
export interface ResourceRef {
  readonly stack: string;
  readonly logicalId: string;
  readonly attribute?: string;
}

export interface LiteralValue {
  readonly kind: 'literal';
  readonly value: string | number | boolean | null;
  /** The string contains `${...}` placeholders for deploy-time values. */
  readonly placeholders?: boolean;
  /** Resources referred to by the placeholders. */
  readonly refs?: readonly ResourceRef[];
  /** Parameters whose Default this value was built from (a deployer may override them). */
  readonly parameters?: readonly string[];
}

export interface ArrayValue {
  readonly kind: 'array';
  readonly items: readonly Resolved[];
  readonly parameters?: readonly string[];
}

export interface ObjectValue {
  readonly kind: 'object';
  readonly entries: Readonly<Record<string, Resolved>>;
}

export interface RefValue {
  readonly kind: 'ref';
  readonly stack: string;
  readonly logicalId: string;
  /** CloudFormation type of the referred resource. */
  readonly resourceType: string;
}

export interface GetAttValue {
  readonly kind: 'getatt';
  readonly stack: string;
  readonly logicalId: string;
  readonly attribute: string;
  readonly resourceType: string;
}

/** AWS::AccountId, AWS::Region, AWS::Partition, AWS::URLSuffix, AWS::StackName, AWS::StackId... */
export interface PseudoValue {
  readonly kind: 'pseudo';
  readonly name: string;
}

/** Several possibilities (Fn::If: both branches; Fn::FindInMap with a deploy-time key). */
export interface ChoiceValue {
  readonly kind: 'choice';
  readonly options: readonly Resolved[];
  readonly reason: string;
}

/** AWS::NoValue: the property is absent. */
export interface NoValue {
  readonly kind: 'novalue';
}

export interface UnknownValue {
  readonly kind: 'unknown';
  readonly reason: string;
}

export type Resolved =
  | LiteralValue
  | ArrayValue
  | ObjectValue
  | RefValue
  | GetAttValue
  | PseudoValue
  | ChoiceValue
  | NoValue
  | UnknownValue;

/** Deepest nesting of template values the resolver follows; deeper is unknown. */
export const MAX_VALUE_DEPTH = 64;
/** Most alternatives a single value may expand to (Fn::If in Fn::Join...); more is unknown. */
export const MAX_CHOICES = 32;

export function unknown(reason: string): UnknownValue {
  return { kind: 'unknown', reason };
}

/** True when the value, or one of its possibilities, is unknown (not looking inside arrays/objects). */
export function isUnknown(value: Resolved): boolean {
  if (value.kind === 'unknown') return true;
  if (value.kind === 'choice') return value.options.some(isUnknown);
  return false;
}

/** The possibilities of a value: the options of a choice (flattened), or the value itself. */
export function possibilities(value: Resolved): Resolved[] {
  if (value.kind !== 'choice') return [value];
  return value.options.flatMap(possibilities);
}

/**
 * The string a value stands for, when it is one: a literal string (possibly with placeholders),
 * a number as a string, a Ref/GetAtt/pseudo parameter as its placeholder. Undefined otherwise
 * (unknown, choice, array, object, no value).
 */
export function asString(value: Resolved): string | undefined {
  switch (value.kind) {
    case 'literal':
      return value.value === null ? undefined : String(value.value);
    case 'ref':
      return `\${${value.logicalId}}`;
    case 'getatt':
      return `\${${value.logicalId}.${value.attribute}}`;
    case 'pseudo':
      return `\${${value.name}}`;
    default:
      return undefined;
  }
}

/** A string with placeholders turned into IAM-style `*` wildcards, for coarse pattern matching. */
export function placeholdersToWildcards(s: string): string {
  return s.replace(/\$\{[^}]*\}/g, '*');
}
