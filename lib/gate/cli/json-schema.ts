/**
 * A small JSON Schema (draft-07) validator for the keywords test/redteam/cases/case.schema.json and
 * docs/black-hole.config.schema.json use:
 * `$ref` (local `#/definitions/...`), `type` (one or a list; `integer`), `enum`, `const`,
 * `required`, `properties`, `additionalProperties` (false or a schema), `items`, `minItems`,
 * `minLength`, `minimum`, `pattern`, `oneOf`. Any other keyword in the schema is an error, so the
 * schema cannot silently say more than is checked. (No JSON Schema package is a dependency here.)
 */

type Schema = boolean | Record<string, unknown>;

const SUPPORTED = new Set([
  '$schema',
  '$id',
  '$ref',
  'title',
  'description',
  'type',
  'enum',
  'const',
  'required',
  'properties',
  'additionalProperties',
  'items',
  'minItems',
  'minLength',
  'minimum',
  'pattern',
  'oneOf',
  'definitions',
]);

function typeOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

function deepEqual(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** Validates `value` against `schema` (whose root holds the definitions); returns the errors, empty when valid. */
export function validateJsonSchema(root: Record<string, unknown>, value: unknown): string[] {
  const errors: string[] = [];
  check(root, value, '$', errors);
  return errors;

  function resolve(ref: string): Schema {
    const m = /^#\/definitions\/([^/]+)$/.exec(ref);
    const target = m ? (root.definitions as Record<string, Schema> | undefined)?.[m[1]] : undefined;
    if (target === undefined) throw new Error(`schema: unsupported or unknown $ref ${ref}`);
    return target;
  }

  function check(schema: Schema, v: unknown, at: string, out: string[]): void {
    if (schema === true) return;
    if (schema === false) {
      out.push(`${at}: not allowed`);
      return;
    }
    for (const k of Object.keys(schema)) if (!SUPPORTED.has(k)) throw new Error(`schema: keyword ${k} is not supported by this validator`);
    if (typeof schema.$ref === 'string') {
      check(resolve(schema.$ref), v, at, out);
      return;
    }
    if (schema.type !== undefined) {
      const types = Array.isArray(schema.type) ? (schema.type as string[]) : [schema.type as string];
      const t = typeOf(v);
      if (!types.some((x) => x === t || (x === 'number' && t === 'integer'))) {
        out.push(`${at}: expected ${types.join(' or ')}, got ${t}`);
        return;
      }
    }
    if (schema.enum !== undefined && !(schema.enum as unknown[]).some((e) => deepEqual(e, v))) out.push(`${at}: must be one of ${JSON.stringify(schema.enum)}`);
    if (schema.const !== undefined && !deepEqual(schema.const, v)) out.push(`${at}: must be ${JSON.stringify(schema.const)}`);
    if (typeof v === 'string') {
      if (typeof schema.minLength === 'number' && v.length < schema.minLength) out.push(`${at}: shorter than ${schema.minLength}`);
      if (typeof schema.pattern === 'string' && !new RegExp(schema.pattern, 'u').test(v)) out.push(`${at}: '${v}' does not match ${schema.pattern}`);
    }
    if (typeof v === 'number' && typeof schema.minimum === 'number' && v < schema.minimum) out.push(`${at}: below ${schema.minimum}`);
    if (Array.isArray(v)) {
      if (typeof schema.minItems === 'number' && v.length < schema.minItems) out.push(`${at}: fewer than ${schema.minItems} items`);
      if (schema.items !== undefined) v.forEach((item, i) => check(schema.items as Schema, item, `${at}[${i}]`, out));
    }
    if (typeOf(v) === 'object') {
      const obj = v as Record<string, unknown>;
      for (const r of (schema.required as string[] | undefined) ?? []) if (!(r in obj)) out.push(`${at}: missing ${r}`);
      const props = (schema.properties as Record<string, Schema> | undefined) ?? {};
      for (const [k, val] of Object.entries(obj)) {
        if (k in props) check(props[k], val, `${at}.${k}`, out);
        else if (schema.additionalProperties !== undefined) check(schema.additionalProperties as Schema, val, `${at}.${k}`, out);
      }
    }
    if (Array.isArray(schema.oneOf)) {
      const results = (schema.oneOf as Schema[]).map((s) => {
        const e: string[] = [];
        check(s, v, at, e);
        return e;
      });
      const matching = results.filter((e) => e.length === 0).length;
      if (matching !== 1) {
        // Report the errors of the closest alternative, so that a typo in one op reads as such.
        const closest = results.reduce((a, b) => (b.length < a.length ? b : a));
        out.push(matching === 0 ? `${at}: matches no alternative (${closest.join('; ')})` : `${at}: matches ${matching} alternatives`);
      }
    }
  }
}
