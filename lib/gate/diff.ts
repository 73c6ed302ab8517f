import { AgentCapabilityAnalysis } from './analysis/agent-capabilities';
import { EgressPathAnalysis, type EgressKind } from './analysis/egress-paths';
import { describeReachReason } from './analysis/identity-reachability';
import type { GateResult } from './engine';
import type { Finding } from './findings';
import type { TemplateModel } from './model';

/**
 * What a change does to the gate's verdict: `black-hole diff <base> <head>`. Compares the engine's
 * results and analyses over two models (never the templates): the escape capabilities of every
 * agent-reachable principal (AgentCapabilityAnalysis), the egress paths (EgressPathAnalysis), the
 * findings (runGate) and the parts the gate cannot see (model.unverifiableParts).
 *
 * Matching (documented in DIFF_MATCHING, printed by the reports):
 * 1. Stacks are matched by name; when exactly one stack of each side is left unmatched (a renamed
 *    stack, two apps compared), those two are paired.
 * 2. Items are matched by (what, stack, logical ID, finding string): `what` is the rule id, the
 *    egress kind, `capability` or the unverifiable kind; a finding's strings are its cdk-nag style
 *    `findings` (e.g. `Action::ec2:*`), else its `actions` (`Action::<action>`), else its message;
 *    a path's string is its detail; a capability's is the action.
 * 3. Left over items are matched again by construct path (aws:cdk:path) instead of logical ID, and
 *    then by logical ID stem: CDK logical IDs end in an 8-character hash of the construct path, which
 *    changes when a construct moves; the stem drops that hash, in the logical ID and in the finding
 *    string. In both passes the finding string leaves out the resource's own logical ID, which
 *    messages name. Pairs found this way are listed as `moved`, neither added nor removed.
 * Each pass matches one-to-one (a finding present twice in head and once in base is added once).
 * What is still unmatched is added (head only) or removed (base only).
 *
 * Verdict: the change fails when it adds an escape capability (an action outside the agent
 * allow-list, or one its permissions boundary stopped before and no longer does) or an error-level
 * finding, acknowledged or not: an acknowledgment added with the finding is part of the change to review.
 */
export const DIFF_MATCHING =
  'Stacks match by name (the one unmatched stack of each side is paired); items match by (rule id, egress kind or capability; ' +
  'stack; logical ID; finding string: the cdk-nag finding strings, else Action::<action>, else the message), then by construct path, ' +
  "then by logical ID stem (the logical ID and finding string without CDK's 8-character hash suffix); in these two passes the finding string " +
  "leaves out the resource's own logical ID. Pairs matched that way are listed as moved.";

/** One side of a diff: a model (designations applied) and the gate's result over it. */
export interface DiffSide {
  readonly model: TemplateModel;
  readonly result: GateResult;
}

/** One finding string of one finding: the unit findings are matched by. */
export interface DiffFinding {
  readonly ruleId: string;
  readonly severity: Finding['severity'];
  readonly core: boolean;
  readonly stack: string;
  readonly resource: string;
  readonly path?: string;
  /** The finding string matched on (see DIFF_MATCHING). */
  readonly finding: string;
  readonly message: string;
  readonly acknowledged: boolean;
}

/** One action an agent-reachable principal may perform outside the agent allow-list. */
export interface DiffCapability {
  readonly stack: string;
  /** The role's logical ID. */
  readonly role: string;
  readonly path?: string;
  readonly action: string;
  /** Its permissions boundary allows it too (false: only the boundary stops it). */
  readonly effective: boolean;
  /** The escape catalog technique, when the catalog knows the action. */
  readonly technique?: string;
  readonly category?: string;
  readonly escapes?: readonly number[];
  readonly environments: readonly string[];
  /** Why the role is agent-reachable (first reason). */
  readonly reachedBy: string;
}

/** One egress path or missing control of an environment VPC. */
export interface DiffEgressPath {
  readonly kind: EgressKind;
  readonly environment?: string;
  readonly vpc?: string;
  readonly stack: string;
  readonly resource: string;
  readonly resourceType: string;
  readonly path?: string;
  readonly detail: string;
  readonly unresolved?: boolean;
}

/** One part of a template the gate cannot see. */
export interface DiffUnverifiablePart {
  readonly kind: string;
  readonly stack: string;
  readonly resource: string;
  readonly path?: string;
  readonly detail: string;
}

/** Added (head only) and removed (base only) items of one kind. */
export interface DiffChanges<T> {
  readonly added: readonly T[];
  readonly removed: readonly T[];
}

/** An item matched across a logical ID change (by construct path or logical ID stem). */
export interface DiffMove {
  readonly what: 'finding' | 'capability' | 'egress-path' | 'unverifiable';
  readonly by: 'path' | 'stem';
  readonly base: string;
  readonly head: string;
}

/** What `diffGate` returns. */
export interface GateDiff {
  /**
   * Escape capabilities: `added` also holds actions the permissions boundary stopped in base and
   * nothing stops in head (`effective` true on both counts).
   */
  readonly capabilities: DiffChanges<DiffCapability>;
  readonly findings: DiffChanges<DiffFinding>;
  readonly egressPaths: DiffChanges<DiffEgressPath>;
  readonly unverifiable: DiffChanges<DiffUnverifiablePart>;
  /** Items matched across a logical ID change, by construct path or logical ID stem (step 3 of the matching). */
  readonly moved: readonly DiffMove[];
  /** Stacks paired under different names (step 1 of the matching). */
  readonly pairedStacks: readonly { readonly base: string; readonly head: string }[];
  /** Whether the change fails the gate, and why (one line each). */
  readonly verdict: { readonly fails: boolean; readonly reasons: readonly string[] };
}

interface Keyed<T> {
  readonly item: T;
  readonly scope: string;
  readonly stack: string;
  readonly logicalId: string;
  readonly path?: string;
  readonly text: string;
}

/** Compares the gate's view of base and head (see DIFF_MATCHING). */
export function diffGate(base: DiffSide, head: DiffSide): GateDiff {
  const pairedStacks = pairStacks(
    base.model.stacks.map((s) => s.name),
    head.model.stacks.map((s) => s.name),
  );
  const headStack = new Map(pairedStacks.map((p) => [p.head, p.base]));
  const moved: DiffMove[] = [];

  const caps = matchItems(capabilitiesOf(base), capabilitiesOf(head), headStack, 'capability', moved);
  // A capability the boundary stopped in base and nothing stops in head is a new escape capability.
  const escalated = caps.matched.filter(([b, h]) => !b.effective && h.effective).map(([, h]) => h);
  const findings = matchItems(findingsOf(base), findingsOf(head), headStack, 'finding', moved);
  const egress = matchItems(egressOf(base), egressOf(head), headStack, 'egress-path', moved);
  const unverifiable = matchItems(unverifiableOf(base), unverifiableOf(head), headStack, 'unverifiable', moved);

  const capabilities = { added: [...caps.added, ...escalated], removed: caps.removed };
  const reasons: string[] = [];
  if (capabilities.added.length > 0) {
    const roles = new Set(capabilities.added.map((c) => `${c.stack}/${c.role}`));
    reasons.push(
      `adds ${capabilities.added.length} escape capabilit${capabilities.added.length === 1 ? 'y' : 'ies'} to ${roles.size} agent-reachable role(s): ${[...roles].slice(0, 5).join(', ')}${roles.size > 5 ? ', ...' : ''}`,
    );
  }
  const failing = findings.added.filter((f) => f.severity === 'error');
  if (failing.length > 0) {
    const acknowledged = failing.filter((f) => f.acknowledged).length;
    reasons.push(
      `adds ${failing.length} error finding(s)${acknowledged ? ` (${acknowledged} acknowledged)` : ''}: ${[...new Set(failing.map((f) => f.ruleId))].sort().join(', ')}`,
    );
  }
  return {
    capabilities,
    findings: { added: findings.added, removed: findings.removed },
    egressPaths: { added: egress.added, removed: egress.removed },
    unverifiable: { added: unverifiable.added, removed: unverifiable.removed },
    moved,
    pairedStacks: pairedStacks.filter((p) => p.base !== p.head),
    verdict: { fails: reasons.length > 0, reasons },
  };
}

function pairStacks(base: readonly string[], head: readonly string[]): { base: string; head: string }[] {
  const pairs = head.filter((h) => base.includes(h)).map((h) => ({ base: h, head: h }));
  const leftBase = base.filter((b) => !head.includes(b));
  const leftHead = head.filter((h) => !base.includes(h));
  if (leftBase.length === 1 && leftHead.length === 1) pairs.push({ base: leftBase[0], head: leftHead[0] });
  return pairs;
}

/** A CDK logical ID (or a string naming some) without the 8-character hash suffix of each. */
export function logicalIdStem(s: string): string {
  return s.replace(/\b([A-Za-z][A-Za-z0-9]*?)[0-9A-F]{8}\b/g, '$1');
}

/** A finding string for the looser passes: the item's own logical ID (messages name it) left out, other logical IDs stemmed. */
function looseText(k: Keyed<unknown>): string {
  return logicalIdStem(k.text.split(k.logicalId).join('\u0001'));
}

function matchItems<T>(
  base: readonly Keyed<T>[],
  head: readonly Keyed<T>[],
  headStack: ReadonlyMap<string, string>,
  what: DiffMove['what'],
  moved: DiffMove[],
): { added: T[]; removed: T[]; matched: [T, T][] } {
  const stackOf = (k: Keyed<T>) => headStack.get(k.stack) ?? k.stack;
  const passes: { by?: DiffMove['by']; key: (k: Keyed<T>, stack: string) => string | undefined }[] = [
    { key: (k, stack) => [k.scope, stack, k.logicalId, k.text].join('\u0000') },
    { by: 'path', key: (k, stack) => (k.path ? [k.scope, stack, k.path, looseText(k)].join('\u0000') : undefined) },
    { by: 'stem', key: (k, stack) => [k.scope, stack, logicalIdStem(k.logicalId), looseText(k)].join('\u0000') },
  ];
  let leftBase = [...base];
  let leftHead = [...head];
  const matched: [T, T][] = [];
  for (const pass of passes) {
    const pool = new Map<string, Keyed<T>[]>();
    for (const b of leftBase) {
      const key = pass.key(b, b.stack);
      if (key === undefined) continue;
      pool.set(key, [...(pool.get(key) ?? []), b]);
    }
    const used = new Set<Keyed<T>>();
    const stillHead: Keyed<T>[] = [];
    for (const h of leftHead) {
      const key = pass.key(h, stackOf(h));
      const candidates = key === undefined ? undefined : pool.get(key);
      const b = candidates?.shift();
      if (!b) {
        stillHead.push(h);
        continue;
      }
      used.add(b);
      matched.push([b.item, h.item]);
      if (pass.by) moved.push({ what, by: pass.by, base: `${b.stack}/${b.logicalId}: ${b.text}`, head: `${h.stack}/${h.logicalId}: ${h.text}` });
    }
    leftBase = leftBase.filter((b) => !used.has(b));
    leftHead = stillHead;
  }
  return { added: leftHead.map((k) => k.item), removed: leftBase.map((k) => k.item), matched };
}

function capabilitiesOf(side: DiffSide): Keyed<DiffCapability>[] {
  const out: Keyed<DiffCapability>[] = [];
  for (const agent of AgentCapabilityAnalysis.of(side.model).agents) {
    const p = agent.principal;
    const path = p.permissions.resource.path;
    const byAction = new Map<string, DiffCapability>();
    const base = {
      stack: p.stack,
      role: p.logicalId,
      ...(path ? { path } : {}),
      environments: p.environments,
      reachedBy: p.reasons.length ? describeReachReason(p.reasons[0]) : 'agent-reachable',
    };
    for (const c of agent.outsideAllowList) {
      byAction.set(c.action.toLowerCase(), {
        ...base,
        action: c.action,
        effective: c.effective,
        ...(c.entry ? { technique: c.entry.id, category: c.entry.category, escapes: c.entry.escapes } : {}),
      });
    }
    for (const e of agent.escapes) {
      const key = e.result.action.toLowerCase();
      if (byAction.has(key)) continue;
      byAction.set(key, { ...base, action: e.result.action, effective: true, technique: e.entry.id, category: e.entry.category, escapes: e.entry.escapes });
    }
    for (const [key, item] of [...byAction].sort(([a], [b]) => a.localeCompare(b))) {
      out.push({ item, scope: 'capability', stack: p.stack, logicalId: p.logicalId, ...(path ? { path } : {}), text: key });
    }
  }
  return out;
}

/** The finding strings of a finding: its cdk-nag `findings`, else its `actions`, else its message. */
export function findingStrings(f: Finding): string[] {
  const strings = (v: unknown): string[] | undefined =>
    Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === 'string') ? (v as string[]) : undefined;
  return strings(f.evidence.findings) ?? strings(f.evidence.actions)?.map((a) => `Action::${a}`) ?? [f.message];
}

function findingsOf(side: DiffSide): Keyed<DiffFinding>[] {
  return side.result.findings.flatMap((f) =>
    findingStrings(f).map((finding): Keyed<DiffFinding> => ({
      item: {
        ruleId: f.ruleId,
        severity: f.severity,
        core: f.core,
        stack: f.stack,
        resource: f.resource,
        ...(f.path ? { path: f.path } : {}),
        finding,
        message: f.message,
        acknowledged: f.acknowledged !== undefined,
      },
      scope: f.ruleId,
      stack: f.stack,
      logicalId: f.resource,
      ...(f.path ? { path: f.path } : {}),
      text: finding,
    })),
  );
}

function egressOf(side: DiffSide): Keyed<DiffEgressPath>[] {
  return EgressPathAnalysis.of(side.model).paths.map((p) => {
    const r = p.resource;
    const item: DiffEgressPath = {
      kind: p.kind,
      ...(p.environment !== undefined ? { environment: p.environment } : {}),
      ...(p.vpc ? { vpc: p.vpc.logicalId } : {}),
      stack: r.stack.name,
      resource: r.logicalId,
      resourceType: r.type,
      ...(r.path ? { path: r.path } : {}),
      detail: p.detail,
      ...(p.unresolved ? { unresolved: true } : {}),
    };
    return { item, scope: p.kind, stack: r.stack.name, logicalId: r.logicalId, ...(r.path ? { path: r.path } : {}), text: p.detail };
  });
}

function unverifiableOf(side: DiffSide): Keyed<DiffUnverifiablePart>[] {
  return side.model.unverifiableParts.map((u) => {
    const r = u.resource;
    const item: DiffUnverifiablePart = { kind: u.kind, stack: r.stack.name, resource: r.logicalId, ...(r.path ? { path: r.path } : {}), detail: u.detail };
    return { item, scope: u.kind, stack: r.stack.name, logicalId: r.logicalId, ...(r.path ? { path: r.path } : {}), text: u.detail };
  });
}
