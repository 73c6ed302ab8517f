import { GateInputError } from './errors';
import { ArrayValue, asString, LiteralValue, MAX_CHOICES, MAX_VALUE_DEPTH, ResourceRef, Resolved, unknown } from './values';

/** A rule acknowledged for a resource (cdk-nag 3 writes Metadata.cdk_nag.rules_to_suppress). */
export interface Acknowledgement {
  /** The acknowledged rule, e.g. `BlackHole-NET3` or `AwsSolutions-IAM5`. */
  readonly id: string;
  /** Why it was acknowledged, as written. */
  readonly reason?: string;
  /** cdk-nag's `applies_to` (finding granularity), when given. */
  readonly appliesTo?: readonly unknown[];
}

/** One resource of one stack. Properties are raw (intrinsics unresolved): resolve with the stack. */
export interface ModelResource {
  /** The stack it belongs to (resolve its properties there). */
  readonly stack: StackModel;
  /** Its logical ID in the template. */
  readonly logicalId: string;
  /** CloudFormation type, e.g. `AWS::IAM::Role`. */
  readonly type: string;
  /** Properties as written in the template, intrinsics unresolved. */
  readonly properties: Readonly<Record<string, unknown>>;
  /** The resource's Metadata, as written. */
  readonly metadata: Readonly<Record<string, unknown>>;
  /** Construct path (Metadata `aws:cdk:path`), when present. */
  readonly path?: string;
  /**
   * Tags from Properties.Tags (list `[{Key, Value}]` or map form), values resolved to strings
   * (placeholders allowed); a value that cannot be resolved is `undefined` (key present, value unknown).
   */
  readonly tags: ReadonlyMap<string, string | undefined>;
  /** Rules acknowledged for this resource in its Metadata (cdk-nag's rules_to_suppress). */
  readonly acknowledgements: readonly Acknowledgement[];
  /** Logical IDs of its DependsOn. */
  readonly dependsOn: readonly string[];
  /** The resource's Condition name: it may not exist at deploy time (the gate assumes it does). */
  readonly condition?: string;
}

/** A template handed in memory (cdk-nag plugin, tests). */
export interface TemplateInput {
  /** Stack name (the deployed CloudFormation stack name when known). */
  readonly stackName: string;
  /** The parsed template (an object with Resources). */
  readonly template: unknown;
  /** Where it was read from, for findings and reports. */
  readonly templatePath?: string;
  /** Display name (cdk.out hierarchical name, e.g. `Stage/Stack`); the stack name by default. */
  readonly displayName?: string;
}

/** For a nested stack: the parent stack and the parameters it passes. */
export interface NestedParent {
  /** The parent stack. */
  readonly stack: StackModel;
  /** The AWS::CloudFormation::Stack resource of the parent that deploys this stack. */
  readonly logicalId?: string;
  /** The Parameters the parent passes, raw (resolved in the parent). */
  readonly parameters: Readonly<Record<string, unknown>>;
}

const PSEUDO_PARAMETERS = new Set([
  'AWS::AccountId',
  'AWS::Region',
  'AWS::Partition',
  'AWS::URLSuffix',
  'AWS::StackName',
  'AWS::StackId',
  'AWS::NotificationARNs',
]);

/** A value as written in a template, intrinsic functions unresolved. */
export type Raw = unknown;

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function mergeParams(...lists: (readonly string[] | undefined)[]): string[] | undefined {
  const out = new Set<string>();
  for (const l of lists) for (const p of l ?? []) out.add(p);
  return out.size ? [...out] : undefined;
}

function mergeRefs(...lists: (readonly ResourceRef[] | undefined)[]): ResourceRef[] | undefined {
  const out: ResourceRef[] = [];
  for (const l of lists) {
    for (const r of l ?? []) {
      if (!out.some((o) => o.stack === r.stack && o.logicalId === r.logicalId && o.attribute === r.attribute)) out.push(r);
    }
  }
  return out.length ? out : undefined;
}

/** A string fragment used to build Join/Sub strings. */
interface Fragment {
  readonly text: string;
  readonly placeholders: boolean;
  readonly refs?: readonly ResourceRef[];
  readonly parameters?: readonly string[];
}

/** One CloudFormation stack (template) of the model. */
export class StackModel {
  /** Resources by logical ID. */
  public readonly resources: ReadonlyMap<string, ModelResource>;
  /** The template's Parameters by name, as written. */
  public readonly parameters: Readonly<Record<string, Record<string, unknown>>>;
  /** The template's Mappings, as written. */
  public readonly mappings: Readonly<Record<string, unknown>>;
  /** The template's Outputs by name, as written. */
  public readonly outputs: Readonly<Record<string, Record<string, unknown>>>;
  private readonly byType = new Map<string, ModelResource[]>();
  private readonly cache = new WeakMap<object, Resolved>();
  /** Set by the model: resolves Fn::ImportValue against the exports of the other stacks. */
  public importResolver?: (name: string, depth: number) => Resolved | undefined;
  /** Set for nested stacks: parameter values given by the parent stack. */
  public nestedParent?: NestedParent;

  constructor(
    /** Stack name (the deployed CloudFormation stack name when known). */
    public readonly name: string,
    /** The raw template. */
    public readonly template: Readonly<Record<string, unknown>>,
    /** Where the template was read from, when it came from a file. */
    public readonly templatePath?: string,
    /** Display name (cdk.out hierarchical name, e.g. `Stage/Stack`). */
    public readonly displayName: string = name,
  ) {
    const resources = new Map<string, ModelResource>();
    const rawResources = template.Resources as Record<string, Record<string, unknown>>;
    for (const [logicalId, raw] of Object.entries(rawResources)) {
      const resource = this.buildResource(logicalId, raw);
      resources.set(logicalId, resource);
      let list = this.byType.get(resource.type);
      if (!list) this.byType.set(resource.type, (list = []));
      list.push(resource);
    }
    this.resources = resources;
    this.parameters = (isPlainObject(template.Parameters) ? template.Parameters : {}) as Record<string, Record<string, unknown>>;
    this.mappings = isPlainObject(template.Mappings) ? template.Mappings : {};
    this.outputs = (isPlainObject(template.Outputs) ? template.Outputs : {}) as Record<string, Record<string, unknown>>;
  }

  /** The resource with this logical ID, if any. */
  public resource(logicalId: string): ModelResource | undefined {
    return this.resources.get(logicalId);
  }

  /** Resources of one CloudFormation type (exact type string). */
  public resourcesOfType(type: string): readonly ModelResource[] {
    return this.byType.get(type) ?? [];
  }

  /** Resolves a raw template value (see values.ts). Pure; object results are cached. */
  public resolve(value: unknown): Resolved {
    return this.resolveAt(value, 0);
  }

  /**
   * Resolves a raw value with a depth budget: cycles through imports and nesting end as unknown
   * when the budget runs out. Tools call {@link StackModel.resolve}; the model uses this across stacks.
   */
  public resolveAt(value: Raw, depth: number): Resolved {
    if (depth > MAX_VALUE_DEPTH) return unknown('value nested too deeply');
    if (value === null || typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
      return { kind: 'literal', value };
    }
    if (value === undefined) return { kind: 'novalue' };
    if (typeof value !== 'object') return unknown(`unsupported value of type ${typeof value}`);
    const cached = this.cache.get(value);
    if (cached) return cached;
    const result = Array.isArray(value) ? this.resolveArray(value, depth) : this.resolveObject(value as Record<string, unknown>, depth);
    this.cache.set(value, result);
    return result;
  }

  private resolveArray(value: readonly Raw[], depth: number): Resolved {
    const items: Resolved[] = [];
    for (const item of value) {
      const r = this.resolveAt(item, depth + 1);
      if (r.kind !== 'novalue') items.push(r);
    }
    return { kind: 'array', items };
  }

  private resolveObject(value: Record<string, unknown>, depth: number): Resolved {
    const keys = Object.keys(value);
    if (keys.length === 1 && (keys[0] === 'Ref' || keys[0].startsWith('Fn::'))) {
      return this.resolveIntrinsic(keys[0], value[keys[0]], depth + 1);
    }
    const entries: Record<string, Resolved> = {};
    for (const k of keys) {
      const r = this.resolveAt(value[k], depth + 1);
      if (r.kind !== 'novalue') entries[k] = r;
    }
    return { kind: 'object', entries };
  }

  private resolveIntrinsic(fn: string, arg: Raw, depth: number): Resolved {
    switch (fn) {
      case 'Ref':
        return typeof arg === 'string' ? this.resolveRef(arg, depth) : unknown('Ref to a non-string');
      case 'Fn::GetAtt':
        return this.resolveGetAtt(arg, depth);
      case 'Fn::Join':
        return this.resolveJoin(arg, depth);
      case 'Fn::Sub':
        return this.resolveSub(arg, depth);
      case 'Fn::Select':
        return this.resolveSelect(arg, depth);
      case 'Fn::Split':
        return this.resolveSplit(arg, depth);
      case 'Fn::If':
        return this.resolveIf(arg, depth);
      case 'Fn::FindInMap':
        return this.resolveFindInMap(arg, depth);
      case 'Fn::ImportValue':
        return this.resolveImport(arg, depth);
      case 'Fn::Base64':
        return this.resolveAt(arg, depth);
      case 'Fn::GetAZs':
        return unknown('Fn::GetAZs (availability zones known only at deploy time)');
      default:
        return unknown(`${fn} is not resolved by the gate`);
    }
  }

  private resolveRef(name: string, depth: number): Resolved {
    if (name === 'AWS::NoValue') return { kind: 'novalue' };
    if (PSEUDO_PARAMETERS.has(name)) {
      return name === 'AWS::NotificationARNs' ? unknown('AWS::NotificationARNs') : { kind: 'pseudo', name };
    }
    const resource = this.resources.get(name);
    if (resource) return { kind: 'ref', stack: this.name, logicalId: name, resourceType: resource.type };
    const param = this.parameters[name];
    if (param !== undefined) return this.resolveParameter(name, param, depth);
    return unknown(`Ref to ${name}, which is neither a resource nor a parameter of ${this.name}`);
  }

  private resolveParameter(name: string, param: Record<string, unknown>, depth: number): Resolved {
    const type = typeof param?.Type === 'string' ? param.Type : 'String';
    if (this.nestedParent && name in this.nestedParent.parameters) {
      return this.nestedParent.stack.resolveAt(this.nestedParent.parameters[name], depth + 1);
    }
    if (type.startsWith('AWS::SSM::Parameter::Value')) {
      const ssm = typeof param?.Default === 'string' ? { ssmParameter: param.Default } : {};
      return { ...unknown(`parameter ${name} is read from SSM at deploy time`), ...ssm };
    }
    const allowed =
      Array.isArray(param?.AllowedValues) &&
      param.AllowedValues.length > 0 &&
      param.AllowedValues.every((v) => typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean')
        ? { allowedValues: param.AllowedValues as (string | number | boolean)[] }
        : {};
    if (param?.Default === undefined) return { ...unknown(`parameter ${name} has no Default`), ...allowed };
    const def = param.Default;
    if (type.startsWith('List<') || type === 'CommaDelimitedList') {
      const parts = Array.isArray(def) ? def.map(String) : String(def).split(',');
      return { kind: 'array', items: parts.map((p) => ({ kind: 'literal', value: p.trim(), parameters: [name] })), parameters: [name] };
    }
    if (typeof def === 'string' || typeof def === 'number' || typeof def === 'boolean') {
      return { kind: 'literal', value: def, parameters: [name], ...allowed };
    }
    return unknown(`parameter ${name} has a non-scalar Default`);
  }

  private resolveGetAtt(arg: Raw, _depth: number): Resolved {
    let logicalId: unknown;
    let attribute: unknown;
    if (typeof arg === 'string') {
      const i = arg.indexOf('.');
      if (i <= 0) return unknown(`malformed Fn::GetAtt ${arg}`);
      logicalId = arg.slice(0, i);
      attribute = arg.slice(i + 1);
    } else if (Array.isArray(arg) && arg.length === 2) {
      [logicalId, attribute] = arg;
    } else {
      return unknown('malformed Fn::GetAtt');
    }
    if (typeof logicalId !== 'string' || typeof attribute !== 'string') return unknown('Fn::GetAtt with a computed name');
    const resource = this.resources.get(logicalId);
    if (!resource) return unknown(`Fn::GetAtt of ${logicalId}, which is not a resource of ${this.name}`);
    return { kind: 'getatt', stack: this.name, logicalId, attribute, resourceType: resource.type };
  }

  /** Turns a resolved value into string fragments (several when it is a choice). */
  private fragments(r: Resolved): Fragment[] | string {
    switch (r.kind) {
      case 'literal':
        if (r.value === null) return 'null in a string';
        return [{ text: String(r.value), placeholders: !!r.placeholders, refs: r.refs, parameters: r.parameters }];
      case 'ref':
      case 'getatt':
        return [
          {
            text: asString(r)!,
            placeholders: true,
            refs: [{ stack: r.stack, logicalId: r.logicalId, ...(r.kind === 'getatt' ? { attribute: r.attribute } : {}) }],
          },
        ];
      case 'pseudo':
        return [{ text: asString(r)!, placeholders: true }];
      case 'choice': {
        const out: Fragment[] = [];
        for (const o of r.options) {
          const f = this.fragments(o);
          if (typeof f === 'string') return f;
          out.push(...f);
        }
        return out;
      }
      case 'novalue':
        return [{ text: '', placeholders: false }];
      case 'unknown':
        return r.reason;
      default:
        return `${r.kind} where a string was expected`;
    }
  }

  /** Concatenates fragment alternatives (cartesian product, bounded). */
  private concat(parts: Fragment[][], reasonForChoice: string): Resolved {
    let acc: Fragment[] = [{ text: '', placeholders: false }];
    for (const alternatives of parts) {
      const next: Fragment[] = [];
      for (const a of acc) {
        for (const b of alternatives) {
          next.push({
            text: a.text + b.text,
            placeholders: a.placeholders || b.placeholders,
            refs: mergeRefs(a.refs, b.refs),
            parameters: mergeParams(a.parameters, b.parameters),
          });
        }
      }
      if (next.length > MAX_CHOICES) return unknown(`${reasonForChoice}: too many possibilities`);
      acc = next;
    }
    const literals: LiteralValue[] = acc.map((f) => ({
      kind: 'literal',
      value: f.text,
      ...(f.placeholders ? { placeholders: true } : {}),
      ...(f.refs ? { refs: f.refs } : {}),
      ...(f.parameters ? { parameters: f.parameters } : {}),
    }));
    const distinct = literals.filter((l, i) => literals.findIndex((o) => o.value === l.value) === i);
    return distinct.length === 1 ? distinct[0] : { kind: 'choice', options: distinct, reason: reasonForChoice };
  }

  private resolveJoin(arg: Raw, depth: number): Resolved {
    if (!Array.isArray(arg) || arg.length !== 2) return unknown('malformed Fn::Join');
    const delimiter = this.resolveAt(arg[0], depth + 1);
    if (delimiter.kind !== 'literal' || typeof delimiter.value !== 'string' || delimiter.placeholders) {
      return unknown('Fn::Join with a computed delimiter');
    }
    const list = this.resolveAt(arg[1], depth + 1);
    if (list.kind !== 'array') return unknown(list.kind === 'unknown' ? `Fn::Join of ${list.reason}` : 'Fn::Join of a non-list');
    const parts: Fragment[][] = [];
    for (let i = 0; i < list.items.length; i++) {
      if (i > 0) parts.push([{ text: delimiter.value, placeholders: false }]);
      const f = this.fragments(list.items[i]);
      if (typeof f === 'string') return unknown(`Fn::Join of ${f}`);
      parts.push(f);
    }
    return this.concat(parts, 'Fn::Join with alternatives');
  }

  private resolveSub(arg: Raw, depth: number): Resolved {
    let template: unknown;
    let vars: Record<string, unknown> = {};
    if (typeof arg === 'string') template = arg;
    else if (Array.isArray(arg) && arg.length === 2 && isPlainObject(arg[1])) [template, vars] = [arg[0], arg[1] as Record<string, unknown>];
    else return unknown('malformed Fn::Sub');
    if (typeof template !== 'string') return unknown('Fn::Sub with a computed template');
    const parts: Fragment[][] = [];
    const re = /\$\{([^}]*)\}/g;
    let last = 0;
    let m: RegExpExecArray | null;
    while ((m = re.exec(template))) {
      parts.push([{ text: template.slice(last, m.index), placeholders: false }]);
      last = m.index + m[0].length;
      const name = m[1].trim();
      if (name.startsWith('!')) {
        parts.push([{ text: `\${${name.slice(1)}}`, placeholders: false }]);
        continue;
      }
      let r: Resolved;
      if (name in vars) r = this.resolveAt(vars[name], depth + 1);
      else if (name.includes('.') && !name.startsWith('AWS::')) r = this.resolveGetAtt(name, depth + 1);
      else r = this.resolveRef(name, depth + 1);
      const f = this.fragments(r);
      if (typeof f === 'string') return unknown(`Fn::Sub variable ${name}: ${f}`);
      parts.push(f);
    }
    parts.push([{ text: template.slice(last), placeholders: false }]);
    return this.concat(parts, 'Fn::Sub with alternatives');
  }

  private resolveSelect(arg: Raw, depth: number): Resolved {
    if (!Array.isArray(arg) || arg.length !== 2) return unknown('malformed Fn::Select');
    const index = this.resolveAt(arg[0], depth + 1);
    const i = index.kind === 'literal' && !index.placeholders ? Number(index.value) : NaN;
    if (!Number.isInteger(i) || i < 0) return unknown('Fn::Select with a computed index');
    const list = this.resolveAt(arg[1], depth + 1);
    if (list.kind !== 'array') return unknown(list.kind === 'unknown' ? `Fn::Select of ${list.reason}` : 'Fn::Select of a non-list');
    return list.items[i] ?? unknown(`Fn::Select index ${i} out of range`);
  }

  private resolveSplit(arg: Raw, depth: number): Resolved {
    if (!Array.isArray(arg) || arg.length !== 2 || typeof arg[0] !== 'string') return unknown('malformed Fn::Split');
    const source = this.resolveAt(arg[1], depth + 1);
    if (source.kind === 'literal' && typeof source.value === 'string' && !source.placeholders) {
      const items: LiteralValue[] = source.value
        .split(arg[0])
        .map((p) => ({ kind: 'literal', value: p, ...(source.parameters ? { parameters: source.parameters } : {}) }));
      return { kind: 'array', items } satisfies ArrayValue;
    }
    // Splitting a deploy-time value (an ARN from GetAtt...) depends on characters we do not know.
    return unknown('Fn::Split of a deploy-time value');
  }

  private resolveIf(arg: Raw, depth: number): Resolved {
    if (!Array.isArray(arg) || arg.length !== 3) return unknown('malformed Fn::If');
    const a = this.resolveAt(arg[1], depth + 1);
    const b = this.resolveAt(arg[2], depth + 1);
    return { kind: 'choice', options: [a, b], reason: `Fn::If ${String(arg[0])}` };
  }

  private resolveFindInMap(arg: Raw, depth: number): Resolved {
    if (!Array.isArray(arg) || arg.length < 3) return unknown('malformed Fn::FindInMap');
    const mapName = this.resolveAt(arg[0], depth + 1);
    if (mapName.kind !== 'literal' || typeof mapName.value !== 'string' || mapName.placeholders) return unknown('Fn::FindInMap with a computed map name');
    const map = this.mappings[mapName.value];
    if (!isPlainObject(map)) return unknown(`Fn::FindInMap: no mapping ${mapName.value}`);
    const defaultValue = arg.length > 3 && isPlainObject(arg[3]) && 'DefaultValue' in arg[3] ? (arg[3] as Record<string, unknown>).DefaultValue : undefined;
    const keyOptions = (raw: unknown): string[] | undefined => {
      const r = this.resolveAt(raw, depth + 1);
      if (r.kind === 'literal' && !r.placeholders && r.value !== null) return [String(r.value)];
      return undefined; // deploy-time key: every key is possible
    };
    const tops = keyOptions(arg[1]) ?? Object.keys(map);
    const results: Resolved[] = [];
    for (const top of tops) {
      const second = map[top];
      if (!isPlainObject(second)) {
        if (defaultValue !== undefined) results.push(this.resolveAt(defaultValue, depth + 1));
        else if (tops.length === 1) return unknown(`Fn::FindInMap: no key ${top} in ${mapName.value}`);
        continue;
      }
      const seconds = keyOptions(arg[2]) ?? Object.keys(second);
      for (const s of seconds) {
        if (s in second) results.push(this.resolveAt(second[s], depth + 1));
        else if (defaultValue !== undefined) results.push(this.resolveAt(defaultValue, depth + 1));
        else if (seconds.length === 1 && tops.length === 1) return unknown(`Fn::FindInMap: no key ${top}.${s} in ${mapName.value}`);
      }
      if (results.length > MAX_CHOICES) return unknown('Fn::FindInMap: too many possibilities');
    }
    if (results.length === 0) return unknown(`Fn::FindInMap: nothing found in ${mapName.value}`);
    return results.length === 1 ? results[0] : { kind: 'choice', options: results, reason: `Fn::FindInMap ${mapName.value} with a deploy-time key` };
  }

  private resolveImport(arg: Raw, depth: number): Resolved {
    const name = this.resolveAt(arg, depth + 1);
    if (name.kind !== 'literal' || typeof name.value !== 'string' || name.placeholders) return unknown('Fn::ImportValue of a computed export name');
    return this.importResolver?.(name.value, depth + 1) ?? unknown(`Fn::ImportValue ${name.value}: not exported by a stack of the model`);
  }

  private buildResource(logicalId: string, raw: Record<string, unknown>): ModelResource {
    const properties = (isPlainObject(raw.Properties) ? raw.Properties : {}) as Record<string, unknown>;
    const metadata = (isPlainObject(raw.Metadata) ? raw.Metadata : {}) as Record<string, unknown>;
    const cdkPath = metadata['aws:cdk:path'];
    const dependsOn =
      typeof raw.DependsOn === 'string' ? [raw.DependsOn] : Array.isArray(raw.DependsOn) ? raw.DependsOn.filter((d): d is string => typeof d === 'string') : [];
    const nag = isPlainObject(metadata.cdk_nag) ? metadata.cdk_nag : undefined;
    const acknowledgements: Acknowledgement[] = [];
    if (nag && Array.isArray(nag.rules_to_suppress)) {
      for (const s of nag.rules_to_suppress) {
        if (isPlainObject(s) && typeof s.id === 'string') {
          acknowledgements.push({
            id: s.id,
            ...(typeof s.reason === 'string' ? { reason: s.reason } : {}),
            ...(Array.isArray(s.applies_to) ? { appliesTo: s.applies_to } : {}),
          });
        }
      }
    }
    // eslint-disable-next-line @typescript-eslint/no-this-alias -- the returned view closes over its stack
    const stack = this;
    let tags: Map<string, string | undefined> | undefined;
    return {
      stack,
      logicalId,
      type: raw.Type as string,
      properties,
      metadata,
      ...(typeof cdkPath === 'string' ? { path: cdkPath } : {}),
      // Tags resolve lazily: resolution needs the stack's parameters, read after the resources.
      get tags() {
        return (tags ??= stack.readTags(properties.Tags));
      },
      acknowledgements,
      dependsOn,
      ...(typeof raw.Condition === 'string' ? { condition: raw.Condition } : {}),
    };
  }

  private readTags(raw: unknown): Map<string, string | undefined> {
    const tags = new Map<string, string | undefined>();
    const value = (v: unknown): string | undefined => {
      const r = this.resolve(v);
      return r.kind === 'literal' && r.value !== null ? String(r.value) : asString(r);
    };
    const r = this.resolve(raw);
    if (r.kind === 'array') {
      for (const item of r.items) {
        if (item.kind !== 'object') continue;
        const key = item.entries.Key;
        const k = key && key.kind === 'literal' && key.value !== null ? String(key.value) : undefined;
        if (k === undefined) continue;
        const v = item.entries.Value;
        tags.set(k, v && v.kind === 'literal' && v.value !== null ? String(v.value) : v ? asString(v) : undefined);
      }
    } else if (isPlainObject(raw)) {
      for (const [k, v] of Object.entries(raw)) tags.set(k, value(v));
    }
    return tags;
  }
}

/**
 * Checks that a parsed JSON/YAML value is a CloudFormation template; throws GateInputError with a
 * one-line reason otherwise.
 */
export function assertTemplate(file: string, template: unknown): asserts template is Record<string, unknown> {
  if (!isPlainObject(template)) throw new GateInputError(file, 'not a CloudFormation template: the document is not an object');
  if (!isPlainObject(template.Resources)) throw new GateInputError(file, 'not a CloudFormation template: no Resources object');
  for (const [id, r] of Object.entries(template.Resources)) {
    if (!isPlainObject(r)) throw new GateInputError(file, `not a CloudFormation template: resource ${id} is not an object`);
    if (typeof r.Type !== 'string' || r.Type.length === 0) throw new GateInputError(file, `not a CloudFormation template: resource ${id} has no Type`);
    if (r.Properties !== undefined && !isPlainObject(r.Properties)) {
      throw new GateInputError(file, `not a CloudFormation template: Properties of resource ${id} is not an object`);
    }
  }
  for (const section of ['Parameters', 'Mappings', 'Outputs', 'Conditions']) {
    if (template[section] !== undefined && !isPlainObject(template[section])) {
      throw new GateInputError(file, `not a CloudFormation template: ${section} is not an object`);
    }
  }
}
