import { actionPatternRegExp } from '../../common/aws-action-catalog';
import { asString, Resolved, ResourceRef, StackModel, placeholdersToWildcards } from '../model';
import { resourcePatternsMayIntersect } from './arn-match';

/** How a policy reaches a principal. */
export type PolicySource =
  | 'inline' // Policies on the AWS::IAM::Role
  | 'AWS::IAM::Policy'
  | 'AWS::IAM::ManagedPolicy'
  | 'AWS::IAM::RolePolicy'
  | 'aws-managed' // AWS managed policy named by ARN
  | 'scp' // AWS::Organizations::Policy SERVICE_CONTROL_POLICY
  | 'unverifiable'; // an attachment the gate cannot read: treated as Allow * on *

/** Where a statement lives, so a finding can name it. */
export interface StatementRef {
  readonly stack: string;
  /** Logical ID of the resource holding the statement (the role, the policy resource, the SCP). */
  readonly resource: string;
  readonly source: PolicySource;
  /** PolicyName, the AWS managed policy name, or the resource's logical ID when unnamed. */
  readonly policyName: string;
  /** Index of the statement in the document's Statement list (0-based). */
  readonly statementIndex: number;
  readonly sid?: string;
  /** For source `aws-managed`: the policy ARN. */
  readonly managedPolicyArn?: string;
  /** For source `unverifiable`: why the gate could not read the policy. */
  readonly unverifiableReason?: string;
}

/** One string of a Resource/NotResource list. */
interface ResourcePattern {
  /** Placeholders turned into `*`. */
  readonly glob: string;
  readonly literalStar: boolean;
  /** The resource this pattern names, when it is exactly one template resource's Ref/GetAtt. */
  readonly ref?: ResourceRef;
}

/** A request's resource as the analysis sees it: a glob (e.g. `arn:*:iam::*:role/name`) and its identity. */
export interface ResourceTarget {
  readonly glob: string;
  readonly ref?: { readonly stack: string; readonly logicalId: string };
}

/** A statement compiled for fast may-allow/protects questions. */
export class CompiledStatement {
  /** The Effect may be Allow (or is unresolvable). */
  public readonly mayBeAllow: boolean;
  /** Certainly a Deny that is certainly present. */
  public readonly certainDeny: boolean;
  public readonly conditional: boolean;
  /** Action patterns (undefined when the statement uses NotAction). */
  public readonly actions?: readonly string[];
  public readonly notActions?: readonly string[];
  /** Some Action/NotAction element is unresolvable. */
  public readonly actionUnknown: boolean;
  /**
   * The (lower-case) service prefixes of the actions the Action/NotAction element may match, or
   * undefined when it may match an action of any service (NotAction, an unresolvable element, a
   * wildcard or no colon before the first colon). Only an index key: matchesAction/protects judge.
   */
  public readonly actionServices?: readonly string[];
  /** May certainly block some action as a Deny (what protects checks before looking at the action). */
  public readonly mayProtect: boolean;
  /** Patterns without wildcards, lower case: an exact match is a set lookup. */
  private readonly literalActions: ReadonlySet<string>;
  /** Patterns with `*` or `?`, compiled (cached across statements and roles). */
  private readonly actionRes: RegExp[];
  private readonly resources?: readonly ResourcePattern[];
  private readonly notResources?: readonly ResourcePattern[];
  private readonly resourceUnknown: boolean;
  /** Some field (or the statement's presence) depends on an Fn::If/alternative. */
  private readonly uncertain: boolean;
  private lastTarget?: { glob: string; stack?: string; logicalId?: string; result: boolean };

  constructor(
    public readonly ref: StatementRef,
    fields: {
      effect: Values;
      action?: Values;
      notAction?: Values;
      resource?: Values;
      notResource?: Values;
      conditional: boolean;
      uncertain: boolean;
    },
  ) {
    const effects = fields.effect.strings.map((s) => s.text);
    this.mayBeAllow = fields.effect.unknown || effects.includes('Allow');
    const actionValues = fields.action ?? fields.notAction;
    this.uncertain =
      fields.uncertain || fields.effect.uncertain || !!actionValues?.uncertain || !!fields.resource?.uncertain || !!fields.notResource?.uncertain;
    this.certainDeny = !this.uncertain && !fields.effect.unknown && effects.length > 0 && effects.every((e) => e === 'Deny');
    this.conditional = fields.conditional;
    const patterns = (actionValues?.strings ?? []).filter((s) => !s.placeholders).map((s) => s.text);
    this.actionUnknown = !actionValues || actionValues.unknown || actionValues.strings.some((s) => s.placeholders);
    if (fields.action) this.actions = patterns;
    else if (fields.notAction) this.notActions = patterns;
    const literal = new Set<string>();
    this.actionRes = [];
    for (const p of patterns) {
      if (/[*?]/.test(p)) this.actionRes.push(actionPatternRegExp(p));
      else literal.add(p.toLowerCase()); // what the anchored regex of a pattern without wildcards matches
    }
    this.literalActions = literal;
    if (this.actions && !this.actionUnknown) this.actionServices = patternServices(patterns);
    const toPatterns = (v: Values | undefined): ResourcePattern[] | undefined =>
      v?.strings.map((s) => ({
        glob: s.placeholders ? placeholdersToWildcards(s.text) : s.text,
        literalStar: !s.placeholders && s.text === '*',
        ...(singleRef(s) ? { ref: singleRef(s) } : {}),
      }));
    this.resources = toPatterns(fields.resource);
    this.notResources = toPatterns(fields.notResource);
    this.resourceUnknown = !!fields.resource?.unknown || !!fields.notResource?.unknown;
    this.mayProtect = this.certainDeny && !this.conditional && !this.resourceUnknown && !this.notResources && !!this.resources;
  }

  /** The statement's Action/NotAction covers the (lower-case) action. */
  public matchesAction(lowerAction: string): boolean {
    const hit = this.actionHit(lowerAction);
    if (this.notActions) return !hit; // an unknown NotAction element might exclude it, but might not
    return hit || this.actionUnknown;
  }

  /** Some Action/NotAction pattern matches the (lower-case) action. */
  private actionHit(lowerAction: string): boolean {
    if (this.literalActions.has(lowerAction)) return true;
    for (const re of this.actionRes) if (re.test(lowerAction)) return true;
    return false;
  }

  /** As an Allow, may apply to the target (any resource unless provably excluded). */
  public mayApplyTo(target?: ResourceTarget): boolean {
    if (this.notResources && !this.uncertain && !this.resourceUnknown && this.notResources.some((p) => p.literalStar)) return false;
    if (!target) return true;
    // The answer depends on the target only (its glob and identity), not on the action: the last
    // one is remembered, since a role is asked about many actions on one target in a row.
    const memo = this.lastTarget;
    if (memo && memo.glob === target.glob && memo.stack === target.ref?.stack && memo.logicalId === target.ref?.logicalId) return memo.result;
    const result = this.appliesTo(target);
    this.lastTarget = { glob: target.glob, stack: target.ref?.stack, logicalId: target.ref?.logicalId, result };
    return result;
  }

  private appliesTo(target: ResourceTarget): boolean {
    if (this.resources && !this.resourceUnknown) {
      if (!this.resources.some((p) => resourceMayMatch(p, target))) return false;
    }
    if (this.notResources && !this.uncertain && !this.resourceUnknown) {
      if (this.notResources.some((p) => p.literalStar || (p.ref && target.ref && sameRef(p.ref, target.ref)))) return false;
    }
    return true;
  }

  /** As a Deny, certainly blocks the action on every resource (or on the named target). */
  public protects(lowerAction: string, target?: ResourceTarget): boolean {
    if (!this.mayProtect || !this.resources) return false;
    if (this.notActions) {
      if (this.actionUnknown || this.actionHit(lowerAction)) return false;
    } else if (!this.actionHit(lowerAction)) {
      return false;
    }
    // `${Target.Arn}` names exactly the target; anything narrower than "*" otherwise is not protection.
    return this.resources.some((p) => p.literalStar || (target?.ref !== undefined && p.ref?.attribute === 'Arn' && sameRef(p.ref, target.ref)));
  }
}

/**
 * The service prefixes (lower case) an Action list's patterns may match, or undefined for any. A
 * pattern whose part before the first colon has no wildcard matches only actions whose part
 * before their first colon is exactly that part (regexes are anchored and the part has no colon).
 */
function patternServices(patterns: readonly string[]): string[] | undefined {
  const out = new Set<string>();
  for (const p of patterns) {
    const i = p.indexOf(':');
    if (i < 0) return undefined;
    const service = p.slice(0, i).toLowerCase();
    if (/[*?]/.test(service)) return undefined;
    out.add(service);
  }
  return [...out];
}

/**
 * The key of an action in a ServiceIndex: its lower-case part before the first colon, or `:` (no
 * pattern service contains a colon) for a string without one.
 */
export function actionServiceKey(lowerAction: string): string {
  const i = lowerAction.indexOf(':');
  return i < 0 ? ':' : lowerAction.slice(0, i);
}

/**
 * Statements grouped by the services their actions may belong to: `of(service)` is, in the original
 * order, every statement that may match an action of that service (those of any service included).
 * A pure pre-filter: a statement left out cannot match any action of the service.
 */
export class ServiceIndex {
  /** Statements that may match actions of any service. */
  private readonly anyService: readonly CompiledStatement[];
  /** Per named service: the candidates, once merged with anyService in the original order. */
  private readonly byService = new Map<string, { merged: boolean; list: readonly CompiledStatement[] }>();

  constructor(public readonly statements: readonly CompiledStatement[]) {
    const any: CompiledStatement[] = [];
    for (const s of statements) {
      if (s.actionServices === undefined) {
        any.push(s);
        continue;
      }
      for (const service of s.actionServices) {
        if (!this.byService.has(service)) this.byService.set(service, { merged: false, list: [] });
      }
    }
    this.anyService = any;
  }

  /** The candidate statements for actions of the (lower-case) service key (see actionServiceKey). */
  public of(service: string): readonly CompiledStatement[] {
    const entry = this.byService.get(service);
    if (!entry) return this.anyService; // no statement names the service
    if (!entry.merged) {
      const list = this.statements.filter((s) => s.actionServices === undefined || s.actionServices.includes(service));
      this.byService.set(service, { merged: true, list });
      return list;
    }
    return entry.list;
  }

  /** The candidate statements for a lower-case action. */
  public forAction(lowerAction: string): readonly CompiledStatement[] {
    return this.of(actionServiceKey(lowerAction));
  }
}

function sameRef(a: { stack: string; logicalId: string }, b: { stack: string; logicalId: string }): boolean {
  return a.stack === b.stack && a.logicalId === b.logicalId;
}

function singleRef(s: StringValue): ResourceRef | undefined {
  // Exactly `${X}` or `${X.Arn}`: the statement names that resource and nothing else.
  if (!s.refs || s.refs.length !== 1 || !/^\$\{[^}]+\}$/.test(s.text)) return undefined;
  return s.refs[0];
}

function resourceMayMatch(p: ResourcePattern, target: ResourceTarget): boolean {
  if (p.literalStar) return true;
  if (p.ref && target.ref) return sameRef(p.ref, target.ref);
  return resourcePatternsMayIntersect(p.glob, target.glob);
}

interface StringValue {
  readonly text: string;
  readonly placeholders: boolean;
  readonly refs?: readonly ResourceRef[];
}

/** A policy field flattened to strings. */
export interface Values {
  readonly strings: readonly StringValue[];
  /** Some element is unresolvable (or not a string). */
  readonly unknown: boolean;
  /** Alternatives (Fn::If) are involved. */
  readonly uncertain: boolean;
}

export function valuesOf(r: Resolved | undefined): Values {
  const strings: StringValue[] = [];
  let unknown = false;
  let uncertain = false;
  const walk = (v: Resolved, depth: number): void => {
    if (depth > 16) {
      unknown = true;
      return;
    }
    switch (v.kind) {
      case 'array':
        v.items.forEach((i) => walk(i, depth + 1));
        return;
      case 'choice':
        uncertain = true;
        v.options.forEach((o) => walk(o, depth + 1));
        return;
      case 'novalue':
        return;
      case 'literal':
        if (v.value === null) return;
        strings.push({ text: String(v.value), placeholders: !!v.placeholders, ...(v.refs ? { refs: v.refs } : {}) });
        return;
      case 'ref':
      case 'getatt':
        strings.push({
          text: asString(v)!,
          placeholders: true,
          refs: [{ stack: v.stack, logicalId: v.logicalId, ...(v.kind === 'getatt' ? { attribute: v.attribute } : {}) }],
        });
        return;
      case 'pseudo':
        strings.push({ text: asString(v)!, placeholders: true });
        return;
      default:
        unknown = true;
    }
  };
  if (r) walk(r, 0);
  return { strings, unknown, uncertain };
}

/** A document's source, for naming its statements. */
export type DocumentOrigin = Omit<StatementRef, 'statementIndex' | 'sid'>;

/** A statement that stands for a policy the gate could not read: Allow * on *. */
export function unverifiableStatement(origin: Omit<DocumentOrigin, 'source'>, reason: string): CompiledStatement {
  return new CompiledStatement(
    { ...origin, source: 'unverifiable', statementIndex: 0, unverifiableReason: reason },
    {
      effect: { strings: [{ text: 'Allow', placeholders: false }], unknown: false, uncertain: false },
      action: { strings: [{ text: '*', placeholders: false }], unknown: false, uncertain: false },
      resource: { strings: [{ text: '*', placeholders: false }], unknown: false, uncertain: false },
      conditional: false,
      uncertain: true,
    },
  );
}

/**
 * Compiles a raw policy document (object, JSON string, or intrinsics) in a stack. Anything
 * unreadable becomes an unverifiable Allow * statement, so it is never silently safe.
 * `uncertain`: the document itself is only one alternative (its Deny statements do not protect).
 */
export function compileDocument(stack: StackModel, raw: unknown, origin: DocumentOrigin, uncertain = false): CompiledStatement[] {
  return compileResolved(stack, stack.resolve(raw), origin, uncertain);
}

/** As compileDocument, for a document already resolved in the stack (JSON-string documents included). */
export function compileResolved(stack: StackModel, doc: Resolved, origin: DocumentOrigin, uncertain = false): CompiledStatement[] {
  if (doc.kind === 'literal' && typeof doc.value === 'string' && !doc.placeholders) {
    try {
      doc = stack.resolve(JSON.parse(doc.value));
    } catch {
      return [unverifiableStatement(origin, `policy document of ${origin.policyName} is a string that is not JSON`)];
    }
  }
  return compileResolvedDocument(doc, origin, uncertain);
}

/** Compiles an already resolved policy document. */
export function compileResolvedDocument(doc: Resolved, origin: DocumentOrigin, uncertain: boolean): CompiledStatement[] {
  if (doc.kind === 'choice') {
    return doc.options.flatMap((o) => compileResolvedDocument(o, origin, true));
  }
  if (doc.kind === 'novalue') return [];
  if (doc.kind !== 'object') {
    const reason = doc.kind === 'unknown' ? doc.reason : `a ${doc.kind}`;
    return [unverifiableStatement(origin, `policy document of ${origin.policyName} is unresolvable: ${reason}`)];
  }
  const st = doc.entries.Statement;
  if (!st) return [];
  const out: CompiledStatement[] = [];
  const items: { r: Resolved; uncertain: boolean }[] = [];
  const collect = (r: Resolved, unc: boolean, depth: number): void => {
    if (depth > 8) {
      items.push({ r: { kind: 'unknown', reason: 'statement nested too deeply' }, uncertain: true });
    } else if (r.kind === 'array') r.items.forEach((i) => collect(i, unc, depth + 1));
    else if (r.kind === 'choice') r.options.forEach((o) => collect(o, true, depth + 1));
    else if (r.kind !== 'novalue') items.push({ r, uncertain: unc });
  };
  collect(st, uncertain, 0);
  items.forEach(({ r, uncertain: unc }, statementIndex) => {
    if (r.kind !== 'object') {
      out.push(
        unverifiableStatement(
          { ...origin, policyName: `${origin.policyName} statement ${statementIndex}` },
          `statement ${statementIndex} of ${origin.policyName} is unresolvable`,
        ),
      );
      return;
    }
    const e = r.entries;
    const sid = e.Sid && e.Sid.kind === 'literal' && typeof e.Sid.value === 'string' ? e.Sid.value : undefined;
    const cond = e.Condition;
    const conditional = cond !== undefined && !(cond.kind === 'object' && Object.keys(cond.entries).length === 0);
    out.push(
      new CompiledStatement(
        { ...origin, statementIndex, ...(sid !== undefined ? { sid } : {}) },
        {
          effect: valuesOf(e.Effect),
          ...(e.Action !== undefined || e.NotAction === undefined ? { action: valuesOf(e.Action) } : {}),
          ...(e.NotAction !== undefined && e.Action === undefined ? { notAction: valuesOf(e.NotAction) } : {}),
          ...(e.Resource !== undefined ? { resource: valuesOf(e.Resource) } : {}),
          ...(e.NotResource !== undefined ? { notResource: valuesOf(e.NotResource) } : {}),
          conditional,
          uncertain: unc,
        },
      ),
    );
  });
  return out;
}
