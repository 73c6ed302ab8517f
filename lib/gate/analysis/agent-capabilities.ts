import { expandActionPattern } from '../../common/aws-action-catalog';
import { accessLevelOf, isAgentAllowedAction } from '../../identity/agent-allow-list';
import { ESCAPE_CATALOG, EscapeCategory, escapeEntriesForAction, expandedEscapeActions, type EscapeCatalogEntry } from '../../identity/escape-catalog';
import type { TemplateModel } from '../model';
import type { MayAllowResult, PrincipalPermissions } from './effective-permissions';
import { ServiceIndex, type CompiledStatement, type StatementRef } from './policy-document';
import { IdentityReachability, type ReachablePrincipal } from './identity-reachability';

/** One escape action an agent-reachable principal may perform, with what grants it. */
export interface EscapeCapability {
  readonly entry: EscapeCatalogEntry;
  readonly result: MayAllowResult;
}

/** An action granted to an agent-reachable principal that is not on the agent allow-list. */
export interface OutsideCapability {
  readonly action: string;
  /** Access level in the AWS action catalog (`Write`, `Permissions management`, ...), `Unknown` for actions it does not know. */
  readonly accessLevel: string;
  /** The permissions boundary lets it through too: the principal may perform it now. Otherwise only the boundary stops it. */
  readonly effective: boolean;
  /** The escape catalog's entry for it, when the catalog knows it; undefined: an unclassified capability. */
  readonly entry?: EscapeCatalogEntry;
  readonly grants: readonly StatementRef[];
}

/** What one agent-reachable principal may do from the escape catalog, and whether its boundary holds. */
export interface AgentCapabilities {
  readonly principal: ReachablePrincipal;
  /** Catalog actions the principal may perform (expanded, real actions). */
  readonly escapes: readonly EscapeCapability[];
  /** Catalog actions its permissions boundary does not deny unconditionally on every resource. */
  readonly boundaryGaps: readonly string[];
  /**
   * Every action its identity policies grant that is not on the agent allow-list (lib/identity/
   * agent-allow-list.ts), classified by the escape catalog where it can be: the allow-list verdict.
   */
  readonly outsideAllowList: readonly OutsideCapability[];
  /**
   * Actions outside the allow-list that its permissions boundary allows (not denied unconditionally):
   * a boundary whose ceiling is not the allow-list. Empty when there is no readable boundary (see boundaryGaps).
   */
  readonly ceilingExcess: readonly string[];
}

const cache = new WeakMap<TemplateModel, AgentCapabilityAnalysis>();

/**
 * The escape catalog (expanded against the AWS action catalog) asked of every agent-reachable
 * principal. Rules select capabilities by catalog category.
 */
export class AgentCapabilityAnalysis {
  public static of(model: TemplateModel): AgentCapabilityAnalysis {
    let a = cache.get(model);
    if (!a) cache.set(model, (a = new AgentCapabilityAnalysis(model)));
    return a;
  }

  public readonly agents: readonly AgentCapabilities[];

  private constructor(model: TemplateModel) {
    const catalog = catalogActions();
    this.agents = IdentityReachability.of(model).principals.map((principal) => ({
      principal,
      escapes: escapesOf(principal.permissions, catalog),
      boundaryGaps: boundaryGaps(principal.permissions, catalog),
      outsideAllowList: outsideAllowList(principal.permissions),
      ceilingExcess: principal.permissions.boundaryStatements ? ceilingExcess(principal.permissions.boundaryStatements) : [],
    }));
  }

  /** Capabilities in the given categories, per principal that has any. */
  public inCategories(categories: readonly EscapeCategory[]): { agent: AgentCapabilities; escapes: EscapeCapability[] }[] {
    const out: { agent: AgentCapabilities; escapes: EscapeCapability[] }[] = [];
    for (const agent of this.agents) {
      const escapes = agent.escapes.filter((e) => categories.includes(e.entry.category));
      if (escapes.length > 0) out.push({ agent, escapes });
    }
    return out;
  }
}

let expanded: { action: string; lower: string; entry: EscapeCatalogEntry }[] | undefined;

/** Every real action the catalog forbids, once, with the first entry that lists it. */
function catalogActions(): { action: string; lower: string; entry: EscapeCatalogEntry }[] {
  if (!expanded) {
    const seen = new Set<string>();
    expanded = [];
    for (const entry of ESCAPE_CATALOG) {
      for (const action of expandedEscapeActions(entry)) {
        const lower = action.toLowerCase();
        if (seen.has(lower)) continue;
        seen.add(lower);
        expanded.push({ action, lower, entry });
      }
    }
  }
  return expanded;
}

let byLower: Map<string, EscapeCatalogEntry> | undefined;

function catalogIndex(): Map<string, EscapeCatalogEntry> {
  if (!byLower) byLower = new Map(catalogActions().map((c) => [c.lower, c.entry]));
  return byLower;
}

let catalogList: readonly string[] | undefined;

function escapesOf(p: PrincipalPermissions, catalog: ReturnType<typeof catalogActions>): EscapeCapability[] {
  // Fast exit: a principal none of whose identity statements may allow anything has no escape.
  if (!p.identityStatements.some((s) => s.mayBeAllow)) return [];
  // One frozen list: allowedActions indexes it by service once for every principal; the answers are
  // mayAllow's, in the catalog's order. Each result names its action (lower-case key unique in the catalog).
  catalogList ??= Object.freeze(catalog.map((c) => c.action));
  const index = catalogIndex();
  return p.allowedActions(catalogList).map((result) => ({ entry: index.get(result.action.toLowerCase())!, result }));
}

const gapsCache = new WeakMap<readonly CompiledStatement[], string[]>();

function boundaryGaps(p: PrincipalPermissions, catalog: ReturnType<typeof catalogActions>): string[] {
  const statements = p.boundaryStatements;
  if (!statements) return catalog.map((c) => c.action);
  // Roles that share a boundary policy share its statements: computed once per boundary.
  let gaps = gapsCache.get(statements);
  if (!gaps) {
    // Only statements that may protect, and of those only the ones that may concern the action's service.
    const denies = new ServiceIndex(statements.filter((s) => s.mayProtect));
    gaps = catalog.filter((c) => !denies.forAction(c.lower).some((s) => s.protects(c.lower))).map((c) => c.action);
    gapsCache.set(statements, gaps);
  }
  return [...gaps];
}

function outsideAllowList(p: PrincipalPermissions): OutsideCapability[] {
  const out: OutsideCapability[] = [];
  for (const g of p.grantedActions()) {
    if (isAgentAllowedAction(g.action)) continue;
    const accessLevel = accessLevelOf(g.action);
    // A catalog-known action is classified by the expanded index; only actions newer than the installed
    // catalog need the (slow) pattern match against the escape catalog's wildcards.
    const entry = catalogIndex().get(g.action.toLowerCase()) ?? (accessLevel === 'Unknown' ? escapeEntriesForAction(g.action)[0] : undefined);
    out.push({ action: g.action, accessLevel, effective: g.effective, grants: g.grants, ...(entry ? { entry } : {}) });
  }
  return out;
}

const excessCache = new WeakMap<readonly CompiledStatement[], readonly string[]>();

/** Actions a boundary's Allow statements may allow outside the agent allow-list, unless one of its unconditional Denies removes them. */
function ceilingExcess(statements: readonly CompiledStatement[]): readonly string[] {
  let hit = excessCache.get(statements);
  if (hit) return hit;
  const allows = statements.filter((s) => s.mayBeAllow && s.mayApplyTo(undefined));
  const candidates = new Set<string>();
  if (allows.some((s) => s.notActions || s.actionUnknown)) expandActionPattern('*').forEach((a) => candidates.add(a));
  for (const s of allows) {
    for (const pattern of s.actions ?? []) {
      const expanded = expandActionPattern(pattern);
      if (expanded.length > 0) expanded.forEach((a) => candidates.add(a));
      else if (!isAgentAllowedAction(pattern)) candidates.add(pattern); // unknown to the installed catalog: not on the list either
    }
  }
  const out: string[] = [];
  for (const a of candidates) {
    if (isAgentAllowedAction(a)) continue;
    const lower = a.toLowerCase();
    if (!allows.some((s) => s.matchesAction(lower))) continue;
    if (statements.some((s) => s.protects(lower))) continue;
    out.push(a);
  }
  hit = out.sort();
  excessCache.set(statements, hit);
  return hit;
}
