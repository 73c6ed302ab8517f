import * as fs from 'fs';
import * as path from 'path';
import type * as Yaml from 'yaml';
import { GateInputError } from './errors';
import { TemplateInput } from './stack-model';

/** Largest template file the gate reads (CloudFormation itself accepts at most 1 MB). */
export const MAX_TEMPLATE_BYTES = 16 * 1024 * 1024;
/** Deepest nesting of cloud assemblies (stages) and nested stacks followed. */
export const MAX_ASSEMBLY_DEPTH = 16;

/** A loaded template, plus the nested-stack link when it is one. */
export interface LoadedTemplate extends TemplateInput {
  /** For a nested stack: the parent stack's name and the AWS::CloudFormation::Stack logical ID. */
  readonly nestedIn?: { readonly stackName: string; readonly logicalId: string };
}

/** Parses template text. One per file extension; YAML plugs in here (see parseYaml). */
export type TemplateParser = (file: string, text: string) => unknown;

function parseJson(file: string, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new GateInputError(file, `invalid JSON: ${(e as Error).message.split('\n')[0]}`);
  }
}

/** CloudFormation's short-form intrinsic tags, as YAML custom tags. */
const INTRINSICS = [
  'Base64',
  'Cidr',
  'FindInMap',
  'GetAZs',
  'ImportValue',
  'Join',
  'Select',
  'Split',
  'Sub',
  'Transform',
  'And',
  'Equals',
  'If',
  'Not',
  'Or',
  'Condition',
  'Length',
  'ToJsonString',
];

// yaml is loaded on the first YAML template only: cdk.out holds JSON, and every synth with the pack
// (and every `black-hole audit`) would otherwise pay for loading it.
let yamlModule: typeof Yaml | undefined;
let cfnTags: Yaml.Tags | undefined;
const yamlLib = (): typeof Yaml => (yamlModule ??= require('yaml'));

const CFN_TAGS = (): Yaml.Tags =>
  (cfnTags ??= [
    ...(['scalar', 'seq', 'map'] as const).map((kind) => ({
      tag: '!Ref',
      collection: kind === 'scalar' ? undefined : kind,
      resolve: (v: unknown) => ({ Ref: toJs(v) }),
    })),
    ...(['scalar', 'seq'] as const).map((kind) => ({
      tag: '!GetAtt',
      collection: kind === 'scalar' ? undefined : kind,
      resolve: (v: unknown) => {
        const js = toJs(v);
        if (typeof js === 'string') {
          const i = js.indexOf('.');
          return { 'Fn::GetAtt': i < 0 ? [js] : [js.slice(0, i), js.slice(i + 1)] };
        }
        return { 'Fn::GetAtt': js };
      },
    })),
    ...INTRINSICS.flatMap((name) =>
      (['scalar', 'seq', 'map'] as const).map((kind) => ({
        tag: `!${name}`,
        collection: kind === 'scalar' ? undefined : kind,
        resolve: (v: unknown) => (name === 'Condition' ? { Condition: toJs(v) } : { [`Fn::${name}`]: toJs(v) }),
      })),
    ),
  ] as unknown as Yaml.Tags);

function toJs(v: unknown): unknown {
  return v && typeof v === 'object' && typeof (v as { toJSON?: () => unknown }).toJSON === 'function' ? (v as { toJSON: () => unknown }).toJSON() : v;
}

/** YAML templates with CloudFormation's short-form tags (`!Ref`, `!GetAtt a.b`, `!Sub`...). */
function parseYaml(file: string, text: string): unknown {
  try {
    const doc = yamlLib().parseDocument(text, { customTags: CFN_TAGS(), uniqueKeys: false, prettyErrors: false });
    if (doc.errors.length > 0) throw doc.errors[0];
    return doc.toJS({ maxAliasCount: 100 });
  } catch (e) {
    throw new GateInputError(file, `invalid YAML: ${String((e as Error).message ?? e).split('\n')[0]}`);
  }
}

const PARSERS: Record<string, TemplateParser> = {
  '.json': parseJson,
  '.template': parseJson,
  '.yaml': parseYaml,
  '.yml': parseYaml,
};

function readTemplateFile(file: string): unknown {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(file);
  } catch {
    throw new GateInputError(file, 'no such file or directory');
  }
  if (!stat.isFile()) throw new GateInputError(file, 'not a file');
  if (stat.size > MAX_TEMPLATE_BYTES) throw new GateInputError(file, `file too large (${stat.size} bytes; at most ${MAX_TEMPLATE_BYTES})`);
  const parser = PARSERS[path.extname(file).toLowerCase()] ?? parseJson;
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new GateInputError(file, `cannot read: ${(e as NodeJS.ErrnoException).code ?? 'error'}`);
  }
  return parser(file, text);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Reads every template of the given cdk.out directories and template files. */
export function loadTemplates(paths: readonly string[]): LoadedTemplate[] {
  const out: LoadedTemplate[] = [];
  for (const p of paths) {
    let stat: fs.Stats;
    try {
      stat = fs.statSync(p);
    } catch {
      throw new GateInputError(p, 'no such file or directory');
    }
    if (stat.isDirectory()) {
      loadAssembly(p, out, new Set(), 0);
    } else {
      const template = readTemplateFile(p);
      const stackName = path.basename(p).replace(/(\.template)?\.(json|ya?ml)$/i, '');
      out.push({ stackName, template, templatePath: p });
      addNestedStacks(path.dirname(p), stackName, template, out, 1);
    }
  }
  return out;
}

function loadAssembly(dir: string, out: LoadedTemplate[], visited: Set<string>, depth: number): void {
  const manifestPath = path.join(dir, 'manifest.json');
  if (depth > MAX_ASSEMBLY_DEPTH) throw new GateInputError(dir, 'cloud assemblies nested too deeply');
  const real = fs.existsSync(dir) ? fs.realpathSync(dir) : dir;
  if (visited.has(real)) return;
  visited.add(real);
  if (!fs.existsSync(manifestPath)) throw new GateInputError(dir, 'directory without manifest.json (not a cdk.out cloud assembly)');
  const manifest = readTemplateFile(manifestPath);
  if (!isObject(manifest)) throw new GateInputError(manifestPath, 'manifest is not an object');
  const artifacts = manifest.artifacts ?? {};
  if (!isObject(artifacts)) throw new GateInputError(manifestPath, 'manifest artifacts is not an object');
  for (const [id, artifact] of Object.entries(artifacts)) {
    if (!isObject(artifact)) continue;
    const props = isObject(artifact.properties) ? artifact.properties : {};
    if (artifact.type === 'aws:cloudformation:stack') {
      if (typeof props.templateFile !== 'string') throw new GateInputError(manifestPath, `stack artifact ${id} has no templateFile`);
      const file = path.join(dir, props.templateFile);
      const template = readTemplateFile(file);
      const stackName = typeof props.stackName === 'string' ? props.stackName : id;
      const displayName = typeof artifact.displayName === 'string' ? artifact.displayName : id;
      out.push({ stackName, template, templatePath: file, displayName });
      addNestedStacks(dir, stackName, template, out, 1);
    } else if (artifact.type === 'cdk:cloud-assembly') {
      if (typeof props.directoryName !== 'string') continue;
      loadAssembly(path.join(dir, props.directoryName), out, visited, depth + 1);
    }
  }
}

/** Nested CloudFormation stacks whose template is a CDK asset next to the parent template. */
function addNestedStacks(dir: string, parentName: string, template: unknown, out: LoadedTemplate[], depth: number): void {
  if (!isObject(template) || !isObject(template.Resources) || depth > MAX_ASSEMBLY_DEPTH) return;
  let assets: Map<string, string> | undefined;
  for (const [logicalId, r] of Object.entries(template.Resources)) {
    if (!isObject(r) || r.Type !== 'AWS::CloudFormation::Stack') continue;
    // The asset path is in the metadata when asset metadata is enabled (the CLI's default), else
    // the TemplateURL ends with the asset's object key, listed in the assembly's *.assets.json.
    let asset = isObject(r.Metadata) && typeof r.Metadata['aws:asset:path'] === 'string' ? r.Metadata['aws:asset:path'] : undefined;
    if (!asset) {
      const key = /([0-9a-f]{64}\.json)"/.exec(JSON.stringify(isObject(r.Properties) ? (r.Properties.TemplateURL ?? '') : ''))?.[1];
      if (key) asset = (assets ??= assetSources(dir)).get(key);
    }
    if (typeof asset !== 'string' || !/\.json$/i.test(asset)) continue;
    const file = path.join(dir, asset);
    if (!fs.existsSync(file)) continue;
    const nested = readTemplateFile(file);
    const stackName = `${parentName}/${logicalId}`;
    out.push({ stackName, template: nested, templatePath: file, displayName: stackName, nestedIn: { stackName: parentName, logicalId } });
    addNestedStacks(dir, stackName, nested, out, depth + 1);
  }
}

/** Object key (`<hash>.json`) -> source file, from the assembly's asset manifests. */
function assetSources(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  let names: string[];
  try {
    names = fs.readdirSync(dir).filter((n) => n.endsWith('.assets.json'));
  } catch {
    return out;
  }
  for (const n of names) {
    let manifest: unknown;
    try {
      manifest = JSON.parse(fs.readFileSync(path.join(dir, n), 'utf8'));
    } catch {
      continue; // an unreadable asset manifest only costs nested-stack discovery
    }
    if (!isObject(manifest) || !isObject(manifest.files)) continue;
    for (const [hash, f] of Object.entries(manifest.files)) {
      if (!isObject(f) || !isObject(f.source) || typeof f.source.path !== 'string') continue;
      out.set(`${hash}.json`, f.source.path);
      if (isObject(f.destinations)) {
        for (const d of Object.values(f.destinations)) {
          if (isObject(d) && typeof d.objectKey === 'string') out.set(d.objectKey, f.source.path);
        }
      }
    }
  }
  return out;
}
