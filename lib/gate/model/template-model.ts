import { EnvironmentIndex } from './environments';
import { GateInputError } from './errors';
import { LoadedTemplate, loadTemplates } from './loader';
import { assertTemplate, ModelResource, StackModel, TemplateInput } from './stack-model';
import { asString, isUnknown, possibilities, PossibleValues, possibleValuesOf, Resolved, ResourceRef, unknown } from './values';
import { UnverifiablePart, unverifiableParts } from './visibility';

/**
 * All stacks the gate looks at, with cross-stack Fn::ImportValue and nested-stack parameters
 * resolved between them. Immutable once built.
 */
export class TemplateModel {
  /** Reads cdk.out directories (manifest.json, stages, nested stacks) and template files. */
  public static load(paths: readonly string[]): TemplateModel {
    if (paths.length === 0) throw new GateInputError('(none)', 'no cdk.out directory or template given');
    return new TemplateModel(loadTemplates(paths));
  }

  /** Builds a model from templates in memory; each is validated like a file. */
  public static fromTemplates(inputs: readonly TemplateInput[]): TemplateModel {
    return new TemplateModel(inputs);
  }

  /** Stacks in input order. */
  public readonly stacks: readonly StackModel[];
  private readonly byName = new Map<string, StackModel>();
  private readonly byType = new Map<string, readonly ModelResource[]>();
  private exportsIndex?: Map<string, { stack: StackModel; value: unknown }>;
  private envIndex?: EnvironmentIndex;
  private unverifiable?: readonly UnverifiablePart[];

  private constructor(inputs: readonly (TemplateInput | LoadedTemplate)[]) {
    const stacks: StackModel[] = [];
    for (const input of inputs) {
      const file = input.templatePath ?? input.stackName;
      assertTemplate(file, input.template);
      let name = input.stackName;
      if (this.byName.has(name) && input.displayName && !this.byName.has(input.displayName)) name = input.displayName;
      for (let n = 2; this.byName.has(name); n++) name = `${input.stackName}#${n}`;
      const stack = new StackModel(name, input.template, input.templatePath, input.displayName ?? name);
      stack.importResolver = (exportName, depth) => this.resolveImport(exportName, depth);
      this.byName.set(name, stack);
      stacks.push(stack);
    }
    for (const input of inputs) {
      const nestedIn = (input as LoadedTemplate).nestedIn;
      if (!nestedIn) continue;
      const parent = this.byName.get(nestedIn.stackName);
      const child = this.byName.get(input.stackName);
      const res = parent?.resource(nestedIn.logicalId);
      if (parent && child && res) {
        const params = res.properties.Parameters;
        child.nestedParent = {
          stack: parent,
          logicalId: nestedIn.logicalId,
          parameters: typeof params === 'object' && params !== null && !Array.isArray(params) ? (params as Record<string, unknown>) : {},
        };
      }
    }
    this.stacks = stacks;
  }

  /** A stack by name (or display name). */
  public stack(name: string): StackModel | undefined {
    return this.byName.get(name) ?? this.stacks.find((s) => s.displayName === name);
  }

  /** Every resource of every stack. */
  public *allResources(): IterableIterator<ModelResource> {
    for (const s of this.stacks) yield* s.resources.values();
  }

  /** Resources of one CloudFormation type across all stacks. */
  public resourcesOfType(type: string): readonly ModelResource[] {
    // The stacks are fixed at construction: each type is gathered once (the analyses ask often).
    let found = this.byType.get(type);
    if (!found) this.byType.set(type, (found = Object.freeze(this.stacks.flatMap((s) => s.resourcesOfType(type)))));
    return found;
  }

  /** The resource a ResourceRef names. */
  public resourceAt(ref: { readonly stack: string; readonly logicalId: string }): ModelResource | undefined {
    return this.byName.get(ref.stack)?.resource(ref.logicalId);
  }

  /** Resolves a raw template value in a stack (see values.ts for the result forms). */
  public resolve(stack: StackModel | string, value: unknown): Resolved {
    const s = typeof stack === 'string' ? this.byName.get(stack) : stack;
    if (!s) return unknown(`no stack ${String(stack)}`);
    return s.resolve(value);
  }

  /**
   * The resource a value refers to: a Ref/GetAtt, or a string (Join/Sub, e.g. an ARN) whose
   * placeholders name exactly one resource. Across stacks via Fn::ImportValue.
   */
  public refTargetResource(stack: StackModel | string, value: unknown): ModelResource | undefined {
    const ref = refOf(this.resolve(stack, value));
    return ref ? this.resourceAt(ref) : undefined;
  }

  /** Logical ID of the resource a value refers to (see refTargetResource). */
  public refTarget(stack: StackModel | string, value: unknown): string | undefined {
    return this.refTargetResource(stack, value)?.logicalId;
  }

  /**
   * The string a value resolves to, placeholders included (`arn:${AWS::Partition}:...`); a
   * Ref/GetAtt/pseudo parameter gives its placeholder. Undefined for unknowns and choices.
   */
  public stringValue(stack: StackModel | string, value: unknown): string | undefined {
    return asString(this.resolve(stack, value));
  }

  /** True when the resolved value (or one of its alternatives) is unknown. */
  public isUnknown(value: Resolved): boolean {
    return isUnknown(value);
  }

  /**
   * Every literal a property may take (all Fn::If branches, a parameter's AllowedValues), plus why
   * others are possible: compare these, never the raw property, with a safe value.
   */
  public possibleValues(stack: StackModel | string, value: unknown): PossibleValues {
    return possibleValuesOf(this.resolve(stack, value));
  }

  /**
   * The resources of the given types a value names, in every alternative: by Ref/GetAtt/ARN with one
   * placeholder, or by a literal name (or ARN ending in the name) equal to one of the name
   * properties of such a resource (e.g. a launch template named by `LaunchTemplateName`).
   * `unresolved` says why some alternative names none of them (an import, a name from outside the app...).
   */
  public resourcesNamedBy(
    stack: StackModel | string,
    value: unknown,
    types: readonly string[],
    nameProperties: readonly string[] = [],
    /** Turns a literal reference into the name to look up (default: the part after the last `/` of an ARN). */
    nameOf: (literal: string) => string = (v) => (v.startsWith('arn:') ? v.slice(v.lastIndexOf('/') + 1) : v),
  ): { resources: ModelResource[]; unresolved: string[] } {
    const resources: ModelResource[] = [];
    const unresolved: string[] = [];
    const add = (r: ModelResource) => {
      if (!resources.includes(r)) resources.push(r);
    };
    for (const o of possibilities(this.resolve(stack, value))) {
      if (o.kind === 'novalue') continue;
      const ref = refOf(o);
      const target = ref ? this.resourceAt(ref) : undefined;
      if (target && types.includes(target.type)) {
        add(target);
        continue;
      }
      if (o.kind === 'literal' && typeof o.value === 'string' && !o.placeholders && !o.parameters) {
        const name = nameOf(o.value);
        const found = types
          .flatMap((t) => this.resourcesOfType(t))
          .filter((r) =>
            nameProperties.some((p) => {
              const raw = dotted(r.properties, p);
              return raw !== undefined && this.possibleValues(r.stack, raw).values.includes(name);
            }),
          );
        if (found.length > 0) {
          found.forEach(add);
          continue;
        }
        unresolved.push(`${o.value} names no ${types.join(' or ')} of the app`);
        continue;
      }
      unresolved.push(o.kind === 'unknown' ? o.reason : target ? `${asString(o)} is a ${target.type}` : `${asString(o) ?? o.kind} cannot be resolved`);
    }
    return { resources, unresolved };
  }

  /** Parts of the templates the gate cannot see (transforms, external nested stacks, StackSets, SDK-call custom resources). */
  public get unverifiableParts(): readonly UnverifiablePart[] {
    return (this.unverifiable ??= unverifiableParts(this));
  }

  /** Environment membership (tag black-hole:environment), VPCs, subnets and security groups. */
  public get environments(): EnvironmentIndex {
    return (this.envIndex ??= new EnvironmentIndex(this));
  }

  private resolveImport(exportName: string, depth: number): Resolved | undefined {
    if (!this.exportsIndex) {
      this.exportsIndex = new Map();
      for (const s of this.stacks) {
        for (const output of Object.values(s.outputs)) {
          if (typeof output !== 'object' || output === null) continue;
          const exp = (output as Record<string, unknown>).Export as Record<string, unknown> | undefined;
          if (!exp || typeof exp !== 'object') continue;
          const name = s.resolve(exp.Name);
          if (name.kind === 'literal' && typeof name.value === 'string' && !name.placeholders) {
            this.exportsIndex.set(name.value, { stack: s, value: (output as Record<string, unknown>).Value });
          }
        }
      }
    }
    const e = this.exportsIndex.get(exportName);
    return e ? e.stack.resolveAt(e.value, depth + 1) : undefined;
  }
}

/** A raw property at a dotted path (`ConnectionInput.Name`), without lists. */
function dotted(props: Readonly<Record<string, unknown>>, path: string): unknown {
  let v: unknown = props;
  for (const k of path.split('.')) {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return undefined;
    v = (v as Record<string, unknown>)[k];
  }
  return v;
}

/** The single resource a resolved value refers to, if exactly one. */
export function refOf(r: Resolved): ResourceRef | undefined {
  if (r.kind === 'ref') return { stack: r.stack, logicalId: r.logicalId };
  if (r.kind === 'getatt') return { stack: r.stack, logicalId: r.logicalId, attribute: r.attribute };
  if (r.kind === 'literal' && r.refs) {
    const distinct = new Set(r.refs.map((x) => `${x.stack}\u0000${x.logicalId}`));
    if (distinct.size === 1) return r.refs[0];
  }
  return undefined;
}
