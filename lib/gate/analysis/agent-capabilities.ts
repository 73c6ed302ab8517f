import { ESCAPE_CATALOG, EscapeCategory, expandedEscapeActions, type EscapeCatalogEntry } from '../../identity/escape-catalog';
import type { TemplateModel } from '../model';
import type { MayAllowResult, PrincipalPermissions } from './effective-permissions';
import { IdentityReachability, type ReachablePrincipal } from './identity-reachability';

/** One escape action an agent-reachable principal may perform, with what grants it. */
export interface EscapeCapability {
  readonly entry: EscapeCatalogEntry;
  readonly result: MayAllowResult;
}

/** What one agent-reachable principal may do from the escape catalog, and whether its boundary holds. */
export interface AgentCapabilities {
  readonly principal: ReachablePrincipal;
  /** Catalog actions the principal may perform (expanded, real actions). */
  readonly escapes: readonly EscapeCapability[];
  /** Catalog actions its permissions boundary does not deny unconditionally on every resource. */
  readonly boundaryGaps: readonly string[];
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

function escapesOf(p: PrincipalPermissions, catalog: ReturnType<typeof catalogActions>): EscapeCapability[] {
  // Fast exit: a principal none of whose identity statements may allow anything has no escape.
  if (!p.identityStatements.some((s) => s.mayBeAllow)) return [];
  const out: EscapeCapability[] = [];
  for (const { action, entry } of catalog) {
    const result = p.mayAllow(action);
    if (result.allowed) out.push({ entry, result });
  }
  return out;
}

function boundaryGaps(p: PrincipalPermissions, catalog: ReturnType<typeof catalogActions>): string[] {
  const statements = p.boundaryStatements;
  if (!statements) return catalog.map((c) => c.action);
  return catalog.filter((c) => !statements.some((s) => s.protects(c.lower))).map((c) => c.action);
}
