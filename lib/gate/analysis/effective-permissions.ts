import { awsAllActions, expandActionPattern } from '../../common/aws-action-catalog';
import { ModelResource, possibilities, Resolved, ResourceRef, StackModel, TemplateModel, placeholdersToWildcards } from '../model';
import { isAwsManagedPolicyArn, lookupAwsManagedPolicy } from './aws-managed-policies';
import {
  actionServiceKey,
  CompiledStatement,
  compileDocument,
  compileResolved,
  DocumentOrigin,
  ResourceTarget,
  ServiceIndex,
  StatementRef,
  unverifiableStatement,
  valuesOf,
} from './policy-document';

/**
 * Effective permissions, the "may allow" semantics of ARCHITECTURE.md: sound (may over-report,
 * never misses). A principal may perform an action when an Allow in its identity policies
 * matches it (any resource unless provably excluded, conditions assumed satisfiable), its
 * permissions boundary (if any) allows it the same way, and no unconditional Deny on all
 * resources in its identity policies, boundary or the app's SCPs blocks it.
 */

/** The permissions boundary of a role. */
export type BoundaryStatus =
  | { readonly kind: 'none' }
  | { readonly kind: 'template'; readonly stack: string; readonly logicalId: string }
  | { readonly kind: 'aws-managed'; readonly name: string; readonly arn: string }
  /** Unreadable boundary: treated as allowing everything. */
  | { readonly kind: 'unverifiable'; readonly reason: string };

/** An AWS principal named in a trust policy (placeholders kept; `ref` when it names one template resource). */
export interface TrustAwsPrincipal {
  readonly text: string;
  readonly ref?: ResourceRef;
}

/** Who the role's trust policy (AssumeRolePolicyDocument Allow statements) admits. */
export interface TrustPrincipals {
  readonly services: readonly string[];
  readonly aws: readonly TrustAwsPrincipal[];
  readonly federated: readonly string[];
  /** Some principal or statement could not be resolved: anyone might be admitted. */
  readonly unknown: boolean;
}

export interface MayAllowResult {
  readonly action: string;
  readonly allowed: boolean;
  /** Allow statements of identity policies that match (empty: no grant). */
  readonly grants: readonly StatementRef[];
  /** Allow statements of the permissions boundary that match; undefined when there is no (readable) boundary. */
  readonly boundaryGrants?: readonly StatementRef[];
  /** The unconditional Deny that blocks the action (identity, boundary or SCP). */
  readonly deniedBy?: StatementRef;
  /** Why parts of the answer rest on policies the gate could not read. */
  readonly unverifiable: readonly string[];
}

/** An action the identity policies of a role may grant (identity and SCP Denies applied, not the boundary). */
export interface GrantedAction {
  /** A real action (catalog casing), or an action the installed catalog does not know, as written. */
  readonly action: string;
  /** Allow statements of identity policies that match. */
  readonly grants: readonly StatementRef[];
  /** The permissions boundary lets it through as well: the role may perform it (mayAllow). */
  readonly effective: boolean;
}

/** The statements of one role that may concern the actions of one service (original order kept). */
interface ServiceBucket {
  /** Identity statements that may be Allows. */
  readonly allows: readonly CompiledStatement[];
  /** Boundary statements that may be Allows; undefined when there is no (readable) boundary. */
  readonly boundaryAllows?: readonly CompiledStatement[];
  readonly identityDenies: readonly CompiledStatement[];
  readonly boundaryDenies: readonly CompiledStatement[];
  readonly scpDenies: readonly CompiledStatement[];
}

const NO_STATEMENTS: readonly CompiledStatement[] = [];

interface Attachment {
  readonly statements: readonly CompiledStatement[];
  readonly key: string;
}

/** Everything one IAM role may do. */
export class PrincipalPermissions {
  public readonly stack: string;
  public readonly logicalId: string;
  /** Literal RoleName (placeholders possible), when set. */
  public readonly roleName?: string;
  /** Glob of the role's ARN (`arn:*:iam::*:role/<path><name or *>`), for resource matching. */
  public readonly arnGlob: string;
  public readonly trust: TrustPrincipals;
  public readonly boundary: BoundaryStatus;
  /** Identity policy statements (all attachment forms, AWS managed, unverifiable Allow *). */
  public readonly identityStatements: readonly CompiledStatement[];
  /** Boundary statements; undefined when none or unverifiable. */
  public readonly boundaryStatements?: readonly CompiledStatement[];
  /** Every reason something about this role could not be read. */
  public readonly unverifiable: readonly string[];
  private readonly cache = new Map<string, MayAllowResult>();
  private granted?: readonly GrantedAction[];
  private readonly buckets = new Map<string, ServiceBucket>();
  private indexes?: {
    allows: ServiceIndex;
    boundaryAllows?: ServiceIndex;
    identityDenies: ServiceIndex;
    boundaryDenies: ServiceIndex;
    scpDenies: ServiceIndex;
  };

  constructor(
    public readonly resource: ModelResource,
    identity: readonly CompiledStatement[],
    boundary: { status: BoundaryStatus; statements?: readonly CompiledStatement[] },
    private readonly scpDenies: readonly CompiledStatement[],
    trust: TrustPrincipals,
  ) {
    this.stack = resource.stack.name;
    this.logicalId = resource.logicalId;
    const name = resource.stack.resolve(resource.properties.RoleName);
    if (name.kind === 'literal' && typeof name.value === 'string') this.roleName = name.value;
    const p = resource.stack.resolve(resource.properties.Path);
    const path = p.kind === 'novalue' ? '/' : p.kind === 'literal' && typeof p.value === 'string' ? placeholdersToWildcards(p.value) : '/*';
    this.arnGlob = `arn:*:iam::*:role${path}${this.roleName !== undefined ? placeholdersToWildcards(this.roleName) : '*'}`;
    this.identityStatements = identity;
    this.boundary = boundary.status;
    if (boundary.statements) this.boundaryStatements = boundary.statements;
    this.trust = trust;
    const reasons = new Set<string>();
    for (const s of [...identity, ...(boundary.statements ?? [])]) if (s.ref.unverifiableReason) reasons.add(s.ref.unverifiableReason);
    if (boundary.status.kind === 'unverifiable') reasons.add(`permissions boundary: ${boundary.status.reason}`);
    if (trust.unknown) reasons.add('trust policy has unresolvable principals');
    this.unverifiable = [...reasons];
  }

  /** The role's tags. */
  public get tags(): ReadonlyMap<string, string | undefined> {
    return this.resource.tags;
  }

  /** This role as the resource of a request (iam:PassRole, sts:AssumeRole on it). */
  public asTarget(): ResourceTarget {
    return { glob: this.arnGlob, ref: { stack: this.stack, logicalId: this.logicalId } };
  }

  /** Action patterns granted by Allow statements (`*` for unverifiable policies; NotAction grants listed as `NotAction:<patterns>`). */
  public get grantedActionPatterns(): string[] {
    const out = new Set<string>();
    for (const s of this.identityStatements) {
      if (!s.mayBeAllow) continue;
      if (s.notActions) out.add(`NotAction:${s.notActions.join(',')}`);
      else if (s.actionUnknown) out.add('*');
      for (const a of s.actions ?? []) out.add(a);
    }
    return [...out].sort();
  }

  /**
   * May the role perform the action (on the target, when given; otherwise on some resource)?
   * A pattern (`ec2:*`) is expanded with the AWS action catalog: allowed if any expansion is.
   */
  public mayAllow(action: string, target?: ResourceTarget): MayAllowResult {
    const lower = action.toLowerCase();
    if (!target) {
      const hit = this.cache.get(lower);
      if (hit) return hit;
    }
    let result: MayAllowResult;
    const expanded = action.indexOf('*') >= 0 || action.indexOf('?') >= 0 ? expandActionPattern(action) : [];
    if (expanded.length > 0) {
      result = { action, allowed: false, grants: [], unverifiable: [] };
      for (const a of expanded) {
        const r = this.evaluate(a, target);
        if (r.allowed) {
          result = r;
          break;
        }
      }
    } else {
      result = this.evaluate(action, target, lower);
    }
    if (!target) this.cache.set(lower, result);
    return result;
  }

  /** The subset of the actions the role may perform, with the reasons. */
  public allowedActions(actions: readonly string[], target?: ResourceTarget): MayAllowResult[] {
    const out: MayAllowResult[] = [];
    const { runs, lower } = actionRunsOf(actions);
    for (const run of runs) {
      if (run.service === undefined) {
        // A pattern: mayAllow expands it.
        const r = this.mayAllow(actions[run.start], target);
        if (r.allowed) out.push(r);
        continue;
      }
      // Nothing grants an action of this service, or the boundary allows none: evaluate would find
      // every one of them not allowed.
      const b = this.bucket(run.service);
      if (b.allows.length === 0 || b.boundaryAllows?.length === 0) continue;
      for (let i = run.start; i < run.end; i++) {
        const l = lower ? lower[i] : actions[i].toLowerCase();
        // What mayAllow does for an action without wildcards, with the run's bucket.
        let r = target ? undefined : this.cache.get(l);
        if (!r) {
          // No identity statement matches the action: not allowed, on any resource.
          if (!b.allows.some((s) => s.matchesAction(l))) continue;
          r = this.evaluate(actions[i], target, l, b);
          if (!target) this.cache.set(l, r);
        }
        if (r.allowed) out.push(r);
      }
    }
    return out;
  }

  /**
   * Every action the identity policies may grant on some resource, whatever the boundary says: the
   * expansions of their Allow statements against the AWS action catalog (every action for NotAction
   * or an unreadable Action), plus literal actions the installed catalog does not know yet. Removed:
   * actions an unconditional identity or SCP Deny blocks on every resource. `effective` tells whether
   * the boundary lets the action through too.
   */
  public grantedActions(): readonly GrantedAction[] {
    if (this.granted) return this.granted;
    const allows = this.identityStatements.filter((s) => s.mayBeAllow && s.mayApplyTo(undefined));
    const candidates = new Map<string, string>();
    const add = (a: string) => {
      const lower = a.toLowerCase();
      if (!candidates.has(lower)) candidates.set(lower, a);
    };
    const addCatalog = () => {
      // The whole catalog, lower-case forms computed once for every role.
      const all = awsAllActions();
      const lower = actionRunsOf(all).lower!;
      for (let i = 0; i < all.length; i++) if (!candidates.has(lower[i])) candidates.set(lower[i], all[i]);
    };
    if (allows.some((s) => s.notActions || s.actionUnknown)) addCatalog();
    for (const s of allows) {
      for (const p of s.actions ?? []) {
        if (p === '*') {
          addCatalog();
          continue;
        }
        const expanded = expandActionPattern(p);
        if (expanded.length > 0) expanded.forEach(add);
        // An action newer than the installed catalog is still a grant (fail closed).
        else if (/^[a-z0-9-]+:[A-Za-z0-9]+$/i.test(p)) add(p);
      }
    }
    const out: GrantedAction[] = [];
    let key: string | undefined;
    let b: ServiceBucket | undefined;
    for (const [lower, action] of candidates) {
      if (key === undefined || !lower.startsWith(key) || lower.charCodeAt(key.length) !== 58 /* : */) {
        key = actionServiceKey(lower);
        b = this.bucket(key);
        if (key === ':') key = undefined;
      }
      const bucket = b!;
      const grants: StatementRef[] = [];
      for (const s of bucket.allows) if (s.mayApplyTo(undefined) && s.matchesAction(lower)) grants.push(s.ref);
      if (grants.length === 0) continue;
      if (bucket.identityDenies.some((s) => s.protects(lower)) || bucket.scpDenies.some((s) => s.protects(lower))) continue;
      // evaluate(action).allowed, given grants and no identity or SCP Deny: the boundary lets it through.
      const effective =
        (!bucket.boundaryAllows || bucket.boundaryAllows.some((s) => s.matchesAction(lower) && s.mayApplyTo(undefined))) &&
        !bucket.boundaryDenies.some((s) => s.protects(lower));
      out.push({ action, grants, effective });
    }
    this.granted = out;
    return out;
  }

  /** The role's statements that may concern actions of one service (see ServiceIndex), built once per service. */
  private bucket(service: string): ServiceBucket {
    let b = this.buckets.get(service);
    if (!b) {
      const ix = (this.indexes ??= {
        allows: new ServiceIndex(this.identityStatements.filter((s) => s.mayBeAllow)),
        ...(this.boundaryStatements ? { boundaryAllows: new ServiceIndex(this.boundaryStatements.filter((s) => s.mayBeAllow)) } : {}),
        identityDenies: new ServiceIndex(this.identityStatements.filter((s) => s.mayProtect)),
        boundaryDenies: new ServiceIndex((this.boundaryStatements ?? NO_STATEMENTS).filter((s) => s.mayProtect)),
        scpDenies: new ServiceIndex(this.scpDenies.filter((s) => s.mayProtect)),
      });
      b = {
        allows: ix.allows.of(service),
        ...(ix.boundaryAllows ? { boundaryAllows: ix.boundaryAllows.of(service) } : {}),
        identityDenies: ix.identityDenies.of(service),
        boundaryDenies: ix.boundaryDenies.of(service),
        scpDenies: ix.scpDenies.of(service),
      };
      this.buckets.set(service, b);
    }
    return b;
  }

  private evaluate(action: string, target: ResourceTarget | undefined, lower = action.toLowerCase(), b = this.bucket(actionServiceKey(lower))): MayAllowResult {
    const grants: StatementRef[] = [];
    let unverifiable: Set<string> | undefined;
    for (const s of b.allows) {
      if (!s.matchesAction(lower) || !s.mayApplyTo(target)) continue;
      grants.push(s.ref);
      if (s.ref.unverifiableReason) (unverifiable ??= new Set()).add(s.ref.unverifiableReason);
    }
    let boundaryGrants: StatementRef[] | undefined;
    if (b.boundaryAllows) {
      boundaryGrants = [];
      for (const s of b.boundaryAllows) {
        if (!s.matchesAction(lower) || !s.mayApplyTo(target)) continue;
        boundaryGrants.push(s.ref);
        if (s.ref.unverifiableReason) (unverifiable ??= new Set()).add(s.ref.unverifiableReason);
      }
    }
    let deniedBy: StatementRef | undefined;
    const granted = grants.length > 0 && (!boundaryGrants || boundaryGrants.length > 0);
    if (granted) {
      // Only when something grants it: the first unconditional Deny, identity, boundary, then SCPs.
      deniedBy = (
        b.identityDenies.find((s) => s.protects(lower, target)) ??
        b.boundaryDenies.find((s) => s.protects(lower, target)) ??
        b.scpDenies.find((s) => s.protects(lower, target))
      )?.ref;
    }
    const allowed = granted && !deniedBy;
    if (allowed && this.boundary.kind === 'unverifiable') (unverifiable ??= new Set()).add(`permissions boundary: ${this.boundary.reason}`);
    const u = unverifiable ? [...unverifiable] : [];
    // Key order as it always was: action, allowed, grants, boundaryGrants, deniedBy, unverifiable.
    if (boundaryGrants) {
      return deniedBy ? { action, allowed, grants, boundaryGrants, deniedBy, unverifiable: u } : { action, allowed, grants, boundaryGrants, unverifiable: u };
    }
    return deniedBy ? { action, allowed, grants, deniedBy, unverifiable: u } : { action, allowed, grants, unverifiable: u };
  }
}

/** Consecutive actions of one service (`service`: the lower-case key of ServiceIndex), or one pattern (`service` undefined). */
interface ActionRun {
  readonly start: number;
  readonly end: number;
  readonly service?: string;
}

const frozenRuns = new WeakMap<readonly string[], { runs: readonly ActionRun[]; lower: readonly string[] }>();

/**
 * A list of actions cut into runs of one service, so that a role looks up its statements once per
 * run. A frozen list (the catalog's awsAllActions, the escape catalog's expansions) cannot change:
 * its runs and lower-case forms are computed once and shared by every role.
 */
function actionRunsOf(actions: readonly string[]): { runs: readonly ActionRun[]; lower?: readonly string[] } {
  const frozen = Object.isFrozen(actions);
  if (frozen) {
    const hit = frozenRuns.get(actions);
    if (hit) return hit;
  }
  const runs: ActionRun[] = [];
  let prefix: string | undefined; // the raw service part of the current run
  let start = 0;
  let service: string | undefined;
  const close = (end: number) => {
    if (prefix !== undefined && end > start) runs.push({ start, end, service });
    prefix = undefined;
  };
  for (let i = 0; i < actions.length; i++) {
    const a = actions[i];
    if (prefix !== undefined && a.startsWith(prefix) && a.charCodeAt(prefix.length) === 58 /* : */ && a.indexOf('*') < 0 && a.indexOf('?') < 0) continue;
    close(i);
    if (a.indexOf('*') >= 0 || a.indexOf('?') >= 0) {
      runs.push({ start: i, end: i + 1 });
      continue;
    }
    const c = a.indexOf(':');
    if (c < 0) {
      runs.push({ start: i, end: i + 1, service: ':' });
      continue;
    }
    prefix = a.slice(0, c);
    service = prefix.toLowerCase();
    start = i;
  }
  close(actions.length);
  if (!frozen) return { runs };
  const result = { runs, lower: actions.map((a) => a.toLowerCase()) };
  frozenRuns.set(actions, result);
  return result;
}

const analyses = new WeakMap<TemplateModel, PermissionAnalysis>();

/** Effective permissions of every IAM role of a model. Built once per model (cached). */
export class PermissionAnalysis {
  public static of(model: TemplateModel): PermissionAnalysis {
    let a = analyses.get(model);
    if (!a) analyses.set(model, (a = new PermissionAnalysis(model)));
    return a;
  }

  /** Unconditional Deny statements of the app's SCPs (only certain Deny on Resource "*" counts). */
  public readonly scpStatements: readonly CompiledStatement[];
  private readonly principals = new Map<ModelResource, PrincipalPermissions>();
  private readonly attachmentsByRole = new Map<ModelResource, Attachment[]>();
  private readonly attachToAnyRole: Attachment[] = [];
  private readonly rolesByName = new Map<string, ModelResource[]>();
  private readonly managedPolicyStatements = new Map<ModelResource, readonly CompiledStatement[]>();
  private readonly managedPoliciesByName = new Map<string, ModelResource[]>();

  private constructor(public readonly model: TemplateModel) {
    for (const role of model.resourcesOfType('AWS::IAM::Role')) {
      const n = role.stack.resolve(role.properties.RoleName);
      if (n.kind === 'literal' && typeof n.value === 'string' && !n.placeholders) push(this.rolesByName, n.value, role);
    }
    for (const mp of model.resourcesOfType('AWS::IAM::ManagedPolicy')) {
      const n = mp.stack.resolve(mp.properties.ManagedPolicyName);
      if (n.kind === 'literal' && typeof n.value === 'string' && !n.placeholders) push(this.managedPoliciesByName, n.value, mp);
    }
    this.scpStatements = model
      .resourcesOfType('AWS::Organizations::Policy')
      .filter((p) => {
        const t = p.stack.resolve(p.properties.Type);
        // An SCP protects only where it is attached: one with no TargetIds (a budget action's
        // deny-all, a policy staged for later) protects nobody today.
        const targets = p.stack.resolve(p.properties.TargetIds);
        const attached = targets.kind === 'array' ? targets.items.length > 0 : targets.kind !== 'novalue' && p.properties.TargetIds !== undefined;
        return t.kind === 'literal' && t.value === 'SERVICE_CONTROL_POLICY' && attached;
      })
      .flatMap((p) =>
        compileDocument(p.stack, p.properties.Content, { stack: p.stack.name, resource: p.logicalId, source: 'scp', policyName: policyName(p, 'Name') }),
      )
      .filter((s) => s.certainDeny && !s.conditional);
    this.indexAttachments();
  }

  /** Every IAM role of the model. */
  public roles(): PrincipalPermissions[] {
    return this.model.resourcesOfType('AWS::IAM::Role').map((r) => this.principalOf(r));
  }

  /** One role's permissions; undefined when the logical ID is not an AWS::IAM::Role. */
  public principal(stack: StackModel | string, logicalId: string): PrincipalPermissions | undefined {
    const s = typeof stack === 'string' ? this.model.stack(stack) : stack;
    const r = s?.resource(logicalId);
    return r && r.type === 'AWS::IAM::Role' ? this.principalOf(r) : undefined;
  }

  /** The permissions of a role resource. */
  public principalOf(role: ModelResource): PrincipalPermissions {
    let p = this.principals.get(role);
    if (!p) {
      const attachments = [...this.inlineAndManaged(role), ...(this.attachmentsByRole.get(role) ?? []), ...this.attachToAnyRole];
      const seen = new Set<string>();
      const identity: CompiledStatement[] = [];
      for (const a of attachments) {
        if (seen.has(a.key)) continue;
        seen.add(a.key);
        identity.push(...a.statements);
      }
      p = new PrincipalPermissions(role, identity, this.boundaryOf(role), this.scpStatements, trustOf(role));
      this.principals.set(role, p);
    }
    return p;
  }

  /** The template role a Ref/GetAtt/literal role name designates (several for ambiguous names). */
  public rolesNamed(value: Resolved): { roles: ModelResource[]; certain: boolean } | 'any' {
    const out: ModelResource[] = [];
    let certain = true;
    for (const v of possibilities(value)) {
      if (value.kind === 'choice') certain = false;
      if (v.kind === 'novalue') continue;
      if (v.kind === 'ref' || v.kind === 'getatt') {
        const r = this.model.resourceAt(v);
        if (r && r.type === 'AWS::IAM::Role') out.push(r);
        continue;
      }
      if (v.kind === 'literal' && typeof v.value === 'string') {
        if (!v.placeholders) {
          out.push(...(this.rolesByName.get(v.value) ?? []));
          continue;
        }
        if (v.refs?.length === 1) {
          const r = this.model.resourceAt(v.refs[0]);
          if (r && r.type === 'AWS::IAM::Role') {
            out.push(r);
            continue;
          }
        }
      }
      return 'any';
    }
    return { roles: out, certain };
  }

  private indexAttachments(): void {
    const attach = (policy: ModelResource, rolesRaw: unknown, statements: readonly CompiledStatement[]): void => {
      const rolesValue = policy.stack.resolve(rolesRaw);
      const items = rolesValue.kind === 'array' ? rolesValue.items : rolesValue.kind === 'novalue' ? [] : [rolesValue];
      for (const item of items) {
        const named = this.rolesNamed(item);
        const key = `${policy.stack.name}/${policy.logicalId}`;
        if (named === 'any') {
          // An attachment to a role the gate cannot identify may be any role: its Allows count for all.
          this.attachToAnyRole.push({ key, statements: statements.filter((s) => s.mayBeAllow) });
          continue;
        }
        for (const role of named.roles) {
          let list = this.attachmentsByRole.get(role);
          if (!list) this.attachmentsByRole.set(role, (list = []));
          list.push({ key, statements: named.certain ? statements : statements.filter((s) => s.mayBeAllow) });
        }
      }
    };
    for (const p of this.model.resourcesOfType('AWS::IAM::Policy')) {
      const statements = compileDocument(p.stack, p.properties.PolicyDocument, origin(p, 'AWS::IAM::Policy', policyName(p, 'PolicyName')));
      attach(p, p.properties.Roles, statements);
    }
    for (const p of this.model.resourcesOfType('AWS::IAM::RolePolicy')) {
      const statements = compileDocument(p.stack, p.properties.PolicyDocument, origin(p, 'AWS::IAM::RolePolicy', policyName(p, 'PolicyName')));
      attach(p, p.properties.RoleName, statements);
    }
    for (const p of this.model.resourcesOfType('AWS::IAM::ManagedPolicy')) {
      attach(p, p.properties.Roles, this.managedStatements(p));
    }
  }

  private managedStatements(p: ModelResource): readonly CompiledStatement[] {
    let s = this.managedPolicyStatements.get(p);
    if (!s) {
      s = compileDocument(p.stack, p.properties.PolicyDocument, origin(p, 'AWS::IAM::ManagedPolicy', policyName(p, 'ManagedPolicyName')));
      this.managedPolicyStatements.set(p, s);
    }
    return s;
  }

  private inlineAndManaged(role: ModelResource): Attachment[] {
    const out: Attachment[] = [];
    const stack = role.stack;
    const roleOrigin = (name: string): DocumentOrigin => ({ stack: stack.name, resource: role.logicalId, source: 'inline', policyName: name });
    const policies = stack.resolve(role.properties.Policies);
    const items = policies.kind === 'array' ? policies.items : policies.kind === 'novalue' ? [] : [policies];
    items.forEach((item, i) => {
      for (const option of possibilities(item)) {
        const uncertain = item.kind === 'choice';
        if (option.kind === 'novalue') continue;
        if (option.kind !== 'object') {
          out.push({
            key: `${role.logicalId}/inline/${i}`,
            statements: [unverifiableStatement(roleOrigin(`Policies[${i}]`), `inline policy ${i} of ${role.logicalId} is unresolvable`)],
          });
          continue;
        }
        const n = option.entries.PolicyName;
        const name = n && n.kind === 'literal' && typeof n.value === 'string' ? n.value : `Policies[${i}]`;
        const statements = compileResolved(stack, option.entries.PolicyDocument ?? { kind: 'novalue' }, roleOrigin(name), uncertain);
        out.push({ key: `${role.logicalId}/inline/${i}/${name}`, statements });
      }
    });
    const arns = stack.resolve(role.properties.ManagedPolicyArns);
    const arnItems = arns.kind === 'array' ? arns.items : arns.kind === 'novalue' ? [] : [arns];
    arnItems.forEach((item, i) => {
      for (const option of possibilities(item)) {
        const uncertain = item.kind === 'choice';
        const resolved = this.managedPolicyFromArn(option, role, `ManagedPolicyArns[${i}]`);
        if (!resolved) continue;
        out.push({ key: resolved.key, statements: uncertain ? resolved.statements.filter((s) => s.mayBeAllow) : resolved.statements });
      }
    });
    return out;
  }

  /** A managed policy ARN value: template ManagedPolicy, AWS managed policy, or unverifiable. */
  private managedPolicyFromArn(
    v: Resolved,
    role: ModelResource,
    where: string,
  ): { key: string; statements: readonly CompiledStatement[]; boundary?: BoundaryStatus } | undefined {
    if (v.kind === 'novalue') return undefined;
    const unverifiable = (reason: string) => ({
      key: `${role.logicalId}/${where}/unverifiable`,
      statements: [unverifiableStatement({ stack: role.stack.name, resource: role.logicalId, policyName: where }, `${where} of ${role.logicalId}: ${reason}`)],
      boundary: { kind: 'unverifiable', reason } as BoundaryStatus,
    });
    if (v.kind === 'ref') {
      const mp = this.model.resourceAt(v);
      if (mp?.type === 'AWS::IAM::ManagedPolicy') {
        return {
          key: `${mp.stack.name}/${mp.logicalId}`,
          statements: this.managedStatements(mp),
          boundary: { kind: 'template', stack: mp.stack.name, logicalId: mp.logicalId },
        };
      }
      return unverifiable(`Ref to ${v.logicalId} (${v.resourceType}) is not a managed policy of the app`);
    }
    if (v.kind === 'literal' && typeof v.value === 'string') {
      const arn = v.value;
      if (isAwsManagedPolicyArn(arn)) {
        const found = lookupAwsManagedPolicy(arn);
        if (!found.found) return unverifiable(found.reason);
        const compiled = compileDocument(role.stack, found.document, {
          stack: role.stack.name,
          resource: role.logicalId,
          source: 'aws-managed',
          policyName: found.name,
          managedPolicyArn: found.arn,
        });
        return { key: `aws-managed/${found.arn}`, statements: compiled, boundary: { kind: 'aws-managed', name: found.name, arn: found.arn } };
      }
      // Customer managed policy of this app by name: arn:${AWS::Partition}:iam::${AWS::AccountId}:policy/<name>.
      // The partition is a literal or `${AWS::Partition}` (what iam.ManagedPolicy.fromManagedPolicyName renders).
      const m = /^arn:(?:\$\{AWS::Partition\}|[a-z-]+):iam::(?:\$\{AWS::AccountId\}|\d{12}):policy\/(?:.*\/)?([^/${}*?]+)$/.exec(arn);
      const candidates = m ? (this.managedPoliciesByName.get(m[1]) ?? []) : [];
      if (candidates.length === 1) {
        const mp = candidates[0];
        return {
          key: `${mp.stack.name}/${mp.logicalId}`,
          statements: this.managedStatements(mp),
          boundary: { kind: 'template', stack: mp.stack.name, logicalId: mp.logicalId },
        };
      }
      if (v.refs?.length === 1) {
        const mp = this.model.resourceAt(v.refs[0]);
        if (mp?.type === 'AWS::IAM::ManagedPolicy') {
          return {
            key: `${mp.stack.name}/${mp.logicalId}`,
            statements: this.managedStatements(mp),
            boundary: { kind: 'template', stack: mp.stack.name, logicalId: mp.logicalId },
          };
        }
      }
      return unverifiable(`managed policy ${arn} is not in the app and not a known AWS managed policy`);
    }
    return unverifiable(v.kind === 'unknown' ? v.reason : `managed policy ARN is a ${v.kind}`);
  }

  private boundaryOf(role: ModelResource): { status: BoundaryStatus; statements?: readonly CompiledStatement[] } {
    const v = role.stack.resolve(role.properties.PermissionsBoundary);
    if (v.kind === 'novalue') return { status: { kind: 'none' } };
    if (v.kind === 'choice') return { status: { kind: 'unverifiable', reason: `${v.reason}: the boundary depends on a deploy-time choice` } };
    const r = this.managedPolicyFromArn(v, role, 'PermissionsBoundary');
    if (!r || !r.boundary || r.boundary.kind === 'unverifiable') {
      return { status: r?.boundary ?? { kind: 'unverifiable', reason: 'unresolvable permissions boundary' } };
    }
    return { status: r.boundary, statements: r.statements };
  }
}

function push<K, V>(m: Map<K, V[]>, k: K, v: V): void {
  let l = m.get(k);
  if (!l) m.set(k, (l = []));
  l.push(v);
}

function origin(r: ModelResource, source: DocumentOrigin['source'], name: string): DocumentOrigin {
  return { stack: r.stack.name, resource: r.logicalId, source, policyName: name };
}

function policyName(r: ModelResource, prop: string): string {
  const v = r.stack.resolve(r.properties[prop]);
  return v.kind === 'literal' && typeof v.value === 'string' ? v.value : r.logicalId;
}

/** Principals admitted by the role's trust policy (Allow statements; conditions ignored). */
export function trustOf(role: ModelResource): TrustPrincipals {
  const services: string[] = [];
  const aws: TrustAwsPrincipal[] = [];
  const federated: string[] = [];
  let unknownFlag = false;
  let doc = role.stack.resolve(role.properties.AssumeRolePolicyDocument);
  if (doc.kind === 'literal' && typeof doc.value === 'string') {
    try {
      doc = role.stack.resolve(JSON.parse(doc.value));
    } catch {
      doc = { kind: 'unknown', reason: 'trust policy string is not JSON' };
    }
  }
  const statements: Resolved[] = [];
  const collect = (r: Resolved | undefined, depth: number): void => {
    if (!r || depth > 8) return;
    if (r.kind === 'array') r.items.forEach((i) => collect(i, depth + 1));
    else if (r.kind === 'choice') r.options.forEach((o) => collect(o, depth + 1));
    else if (r.kind === 'object') statements.push(r);
    else if (r.kind !== 'novalue') unknownFlag = true;
  };
  for (const d of possibilities(doc)) {
    if (d.kind === 'object') collect(d.entries.Statement, 0);
    else if (d.kind !== 'novalue') unknownFlag = true;
  }
  for (const s of statements) {
    if (s.kind !== 'object') continue;
    const effect = valuesOf(s.entries.Effect);
    if (!effect.unknown && !effect.strings.some((e) => e.text === 'Allow')) continue;
    const p = s.entries.Principal;
    if (!p) {
      if (s.entries.NotPrincipal) unknownFlag = true; // Allow with NotPrincipal admits nearly everyone
      continue;
    }
    for (const option of possibilities(p)) {
      if (option.kind === 'literal' && option.value === '*') {
        aws.push({ text: '*' });
        continue;
      }
      if (option.kind !== 'object') {
        unknownFlag = true;
        continue;
      }
      for (const [k, v] of Object.entries(option.entries)) {
        const vals = valuesOf(v);
        if (vals.unknown) unknownFlag = true;
        for (const x of vals.strings) {
          if (k === 'Service') services.push(x.text);
          else if (k === 'Federated') federated.push(x.text);
          else if (k === 'AWS') aws.push({ text: x.text, ...(x.refs?.length === 1 ? { ref: x.refs[0] } : {}) });
        }
      }
    }
  }
  return { services, aws, federated, unknown: unknownFlag };
}
