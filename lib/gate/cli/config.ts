import * as fs from 'fs';
import * as path from 'path';
import { GateInputError } from '../model';
import type { DesignatedEnvironment, Designations } from '../model/environments';
import { validateJsonSchema } from './json-schema';

/** The config file `black-hole audit` and `black-hole diff` read from the current directory when no --config is given. */
export const CONFIG_FILE_NAME = 'black-hole.config.json';

/**
 * The JSON Schema of black-hole.config.json. Shipped as docs/black-hole.config.schema.json (a test
 * keeps the two equal); embedded here so that the installed CLI validates without reading docs/.
 */
export const CONFIG_SCHEMA = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  $id: 'https://github.com/cdk-black-hole/cdk-black-hole/blob/main/docs/black-hole.config.schema.json',
  title: 'black-hole.config.json',
  description:
    'Designates the environment VPCs and agent roles of templates that do not carry the black-hole:environment and black-hole:agent-role tags, for black-hole audit and black-hole diff. Patterns are logical IDs or globs over logical IDs (* any characters, ? one character), or, with a /, over <stack>/<logicalId>. A pattern that names nothing is an error.',
  type: 'object',
  additionalProperties: false,
  properties: {
    $schema: { type: 'string' },
    environments: {
      description: 'Environments, each with the VPCs that are its network (as if tagged black-hole:environment=<name>).',
      type: 'array',
      items: { $ref: '#/definitions/environment' },
    },
    agentRoles: {
      description: 'AWS::IAM::Role patterns analysed as agent roles (as if tagged black-hole:agent-role=true).',
      type: 'array',
      items: { $ref: '#/definitions/pattern' },
    },
  },
  definitions: {
    environment: {
      type: 'object',
      additionalProperties: false,
      required: ['name', 'vpcs'],
      properties: {
        name: { description: 'Environment name (a tag value).', type: 'string', pattern: '^[\\p{L}\\p{N}\\s_.:/=+@-]{1,256}$' },
        vpcs: { description: 'AWS::EC2::VPC patterns.', type: 'array', minItems: 1, items: { $ref: '#/definitions/pattern' } },
      },
    },
    pattern: {
      description: 'A logical ID or glob (* and ?), optionally prefixed with <stack>/.',
      type: 'string',
      pattern: '^([A-Za-z0-9*?_.-]+/)*[A-Za-z0-9*?]+$',
    },
  },
} as const;

/** Where designations come from on the command line: flags, an explicit --config, or the config file in the current directory. */
export interface DesignationArgs {
  /** `--environment-vpc <pattern>[=name]`, in order. */
  readonly environmentVpcs: readonly string[];
  /** `--agent-role <pattern>`, in order. */
  readonly agentRoles: readonly string[];
  /** `--config FILE`. */
  readonly config?: string;
}

/** Options shared by the commands that take designations (node:util parseArgs form). */
export const DESIGNATION_OPTIONS = {
  'environment-vpc': { type: 'string', multiple: true },
  'agent-role': { type: 'string', multiple: true },
  config: { type: 'string' },
} as const;

const PATTERN = new RegExp(CONFIG_SCHEMA.definitions.pattern.pattern);
const NAME = new RegExp(CONFIG_SCHEMA.definitions.environment.properties.name.pattern, 'u');

/**
 * The designations of a command line: the config file (--config, else black-hole.config.json in
 * `cwd` when it exists) and the flags, flags after the file's entries. Throws GateInputError naming
 * the file or the flag and the problem (one line).
 */
export function readDesignations(args: DesignationArgs, cwd: string = process.cwd()): Designations {
  const environments: DesignatedEnvironment[] = [];
  const agentRoles: string[] = [];
  const file = args.config ?? (fs.existsSync(path.join(cwd, CONFIG_FILE_NAME)) ? path.join(cwd, CONFIG_FILE_NAME) : undefined);
  if (file !== undefined) {
    const config = readConfigFile(file);
    for (const e of config.environments ?? []) environments.push({ name: e.name, vpcs: e.vpcs, source: file });
    agentRoles.push(...(config.agentRoles ?? []));
  }
  const roleSources = [...(agentRoles.length > 0 ? [file!] : []), ...(args.agentRoles.length > 0 ? ['--agent-role'] : [])];
  for (const raw of args.environmentVpcs) {
    const i = raw.indexOf('=');
    const pattern = i < 0 ? raw : raw.slice(0, i);
    const name = i < 0 ? undefined : raw.slice(i + 1);
    if (!PATTERN.test(pattern))
      throw new GateInputError('--environment-vpc', `'${pattern}' is not a logical ID or glob (letters, digits, * and ?, optionally <stack>/ first)`);
    if (name !== undefined && !NAME.test(name))
      throw new GateInputError('--environment-vpc', `'${name}' is not a valid environment name (1 to 256 letters, digits, spaces and _.:/=+@-)`);
    // Without a name, each VPC it names is an environment named by the pattern.
    environments.push({ name: name ?? pattern, vpcs: [pattern], source: '--environment-vpc' });
  }
  for (const pattern of args.agentRoles) {
    if (!PATTERN.test(pattern))
      throw new GateInputError('--agent-role', `'${pattern}' is not a logical ID or glob (letters, digits, * and ?, optionally <stack>/ first)`);
    agentRoles.push(pattern);
  }
  return { environments, agentRoles, source: roleSources.join(' or ') || '--agent-role' };
}

interface ConfigFile {
  readonly environments?: readonly { readonly name: string; readonly vpcs: readonly string[] }[];
  readonly agentRoles?: readonly string[];
}

/** Reads and validates a black-hole.config.json; GateInputError(file, problem) otherwise. */
export function readConfigFile(file: string): ConfigFile {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new GateInputError(
      file,
      code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory, not a config file' : `cannot read the config file (${code ?? 'error'})`,
    );
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new GateInputError(file, `invalid JSON: ${(e as Error).message.split('\n')[0]}`);
  }
  const errors = validateJsonSchema(CONFIG_SCHEMA as unknown as Record<string, unknown>, value);
  if (errors.length > 0) {
    throw new GateInputError(
      file,
      `does not match docs/black-hole.config.schema.json: ${errors.slice(0, 3).join('; ')}${errors.length > 3 ? ` (and ${errors.length - 3} more)` : ''}`,
    );
  }
  return value as ConfigFile;
}
