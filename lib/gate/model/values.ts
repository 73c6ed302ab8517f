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
  /** The stack (model name) the resource is defined in. */
  readonly stack: string;
  /** Its logical ID in that stack's template. */
  readonly logicalId: string;
  /** The attribute a GetAtt names (`Arn`, `GroupId`...); absent for a Ref. */
  readonly attribute?: string;
}

/** A value known at synthesis: a string, number, boolean or null (a string may hold deploy-time placeholders). */
export interface LiteralValue {
  /** Discriminant. */
  readonly kind: 'literal';
  /** The value; a string with `${...}` placeholders when `placeholders` is set. */
  readonly value: string | number | boolean | null;
  /** The string contains `${...}` placeholders for deploy-time values. */
  readonly placeholders?: boolean;
  /** Resources referred to by the placeholders. */
  readonly refs?: readonly ResourceRef[];
  /** Parameters whose Default this value was built from (a deployer may override them). */
  readonly parameters?: readonly string[];
  /**
   * When the value is exactly one parameter (a Ref, not built into a longer string): that
   * parameter's AllowedValues, the only values a deployer may give it. See `possibleValues`.
   */
  readonly allowedValues?: readonly (string | number | boolean)[];
}

/** A list (a JSON array, Fn::Split, Fn::GetAZs, a CommaDelimitedList parameter...), each item resolved. */
export interface ArrayValue {
  /** Discriminant. */
  readonly kind: 'array';
  /** The items, each resolved. */
  readonly items: readonly Resolved[];
  /** Parameters whose Default the list was built from (a deployer may override them). */
  readonly parameters?: readonly string[];
}

/** An object (a property map, a policy document), each entry resolved. */
export interface ObjectValue {
  /** Discriminant. */
  readonly kind: 'object';
  /** The entries by key, each resolved. */
  readonly entries: Readonly<Record<string, Resolved>>;
}

/** A Ref to a resource of the model, whose value is only known at deploy time (an ID or a name). */
export interface RefValue {
  /** Discriminant. */
  readonly kind: 'ref';
  /** The stack the resource is defined in. */
  readonly stack: string;
  /** Its logical ID. */
  readonly logicalId: string;
  /** CloudFormation type of the referred resource. */
  readonly resourceType: string;
}

/** An Fn::GetAtt of a resource of the model, known only at deploy time. */
export interface GetAttValue {
  /** Discriminant. */
  readonly kind: 'getatt';
  /** The stack the resource is defined in. */
  readonly stack: string;
  /** Its logical ID. */
  readonly logicalId: string;
  /** The attribute (`Arn`, `GroupId`, `TopicName`...). */
  readonly attribute: string;
  /** CloudFormation type of the resource. */
  readonly resourceType: string;
}

/** AWS::AccountId, AWS::Region, AWS::Partition, AWS::URLSuffix, AWS::StackName, AWS::StackId... */
export interface PseudoValue {
  /** Discriminant. */
  readonly kind: 'pseudo';
  /** The pseudo parameter's name, e.g. `AWS::Region`. */
  readonly name: string;
}

/** Several possibilities (Fn::If: both branches; Fn::FindInMap with a deploy-time key). */
export interface ChoiceValue {
  /** Discriminant. */
  readonly kind: 'choice';
  /** Every possibility, each resolved: a rule must hold for all of them. */
  readonly options: readonly Resolved[];
  /** Why the value is a choice (the condition or the map lookup). */
  readonly reason: string;
}

/** AWS::NoValue: the property is absent. */
export interface NoValue {
  /** Discriminant. */
  readonly kind: 'novalue';
}

/** What the resolver could not resolve: it could be anything, and the gate never reads it as safe. */
export interface UnknownValue {
  /** Discriminant. */
  readonly kind: 'unknown';
  /** Why it could not be resolved, for the finding that names it. */
  readonly reason: string;
  /** A parameter without Default whose AllowedValues bound it (see `possibleValues`). */
  readonly allowedValues?: readonly (string | number | boolean)[];
  /**
   * A parameter of type `AWS::SSM::Parameter::Value<...>`: the name of the SSM parameter it reads
   * (its Default), when literal. `{{resolve:ssm:NAME}}` dynamic references stay literal strings.
   */
  readonly ssmParameter?: string;
}

/** A CloudFormation value after resolving its intrinsic functions (see the module comment). */
export type Resolved = LiteralValue | ArrayValue | ObjectValue | RefValue | GetAttValue | PseudoValue | ChoiceValue | NoValue | UnknownValue;

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

/** A literal a property may take; `undefined` stands for an absent property (not set, or AWS::NoValue). */
export type PossibleLiteral = string | number | boolean | null | undefined;

/** Every value a property may take at deploy time, as far as the template bounds it. */
export interface PossibleValues {
  /** Literal candidates (deduplicated): every Fn::If branch, every AllowedValue of a parameter. */
  readonly values: readonly PossibleLiteral[];
  /**
   * Why other values are possible too: an unresolvable part, a parameter a deployer may set to
   * anything (no AllowedValues), a deploy-time placeholder. Empty when `values` is complete.
   */
  readonly unknown: readonly string[];
}

/**
 * The candidates of a resolved value (see PossibleValues). A parameter counts with its
 * AllowedValues, not its Default: a deployer may pick any allowed value, and without AllowedValues
 * any value at all. Refs, attributes and strings with placeholders are not literals: unknown.
 */
export function possibleValuesOf(value: Resolved): PossibleValues {
  const values: PossibleLiteral[] = [];
  const unknownReasons: string[] = [];
  const push = (v: PossibleLiteral) => {
    if (!values.some((x) => x === v)) values.push(v);
  };
  for (const o of possibilities(value)) {
    switch (o.kind) {
      case 'novalue':
        push(undefined);
        break;
      case 'literal':
        if (o.parameters && o.parameters.length > 0) {
          if (o.allowedValues && o.parameters.length === 1) o.allowedValues.forEach(push);
          else unknownReasons.push(`parameter ${o.parameters.join(', ')} may be given any value at deploy time (no AllowedValues bound it)`);
        } else if (o.placeholders) {
          unknownReasons.push(`${String(o.value)} is only known at deploy time`);
        } else push(o.value);
        break;
      case 'unknown':
        if (o.allowedValues) o.allowedValues.forEach(push);
        else unknownReasons.push(o.reason);
        break;
      default:
        unknownReasons.push(`a ${o.kind === 'ref' || o.kind === 'getatt' ? `reference to ${o.logicalId}` : o.kind}, not a literal`);
    }
  }
  return { values, unknown: unknownReasons };
}

/** True when some candidate satisfies the predicate, or the value is not fully known (fail closed). */
export function mayBe(p: PossibleValues, predicate: (v: PossibleLiteral) => boolean): boolean {
  return p.unknown.length > 0 || p.values.some(predicate);
}

/** True when the value is fully known and every candidate satisfies the predicate. */
export function mustBe(p: PossibleValues, predicate: (v: PossibleLiteral) => boolean): boolean {
  return p.unknown.length === 0 && p.values.length > 0 && p.values.every(predicate);
}

/** Case-insensitive comparison of a candidate with a string (`'ENABLED'`, `'true'`...); booleans and numbers compare as strings. */
export function literalEquals(v: PossibleLiteral, expected: string): boolean {
  return v !== undefined && v !== null && String(v).toLowerCase() === expected.toLowerCase();
}
