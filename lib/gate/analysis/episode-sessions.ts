import { type ModelResource, possibilities, type Resolved, type TemplateModel } from '../model';
import { IdentityReachability, type ReachablePrincipal } from './identity-reachability';
import { valuesOf } from './policy-document';
import { actionPatternRegExp } from '../../common/aws-action-catalog';

/**
 * The episode-session contract of agent roles' trust policies (AgentRole `episodeSessions`,
 * lib/telemetry/runtime/episode-session.ts): every session of an agent-reachable role that a
 * principal starts (an AWS principal with sts:AssumeRole, a federated one with
 * AssumeRoleWithSAML/WebIdentity) must carry a source identity, because the source identity is
 * what attributes each CloudTrail record to its episode and what the agent can never set or change
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_temp_control-access_monitor.html).
 *
 * Roles trusted only by compute services are not session roles: instance-profile, task and job
 * credentials carry no source identity, and their episodes are attributed by the ledger's time
 * window. A role trusted by compute services AND by a session principal breaks the contract: the
 * compute path hands out the same role without an episode, so it is reported.
 *
 * Roles checked: those an agent starts out in (tagged agent roles, roles of environment compute,
 * SageMaker roles tagged with an environment). A role the agent can only chain into keeps the
 * source identity of the session it was assumed from (role chaining), so it is not checked here.
 *
 * Sound, like the other analyses: a condition or principal that cannot be resolved is an issue.
 */

/** What is wrong with one trust path of an agent-reachable role. */
export type EpisodeSessionIssue =
  | {
      /** An Allow that admits a principal to start a session without requiring `sts:SourceIdentity`. */
      readonly kind: 'no-source-identity';
      readonly statementIndex: number;
      readonly principals: readonly string[];
      readonly actions: readonly string[];
    }
  | {
      /** The role is trusted by compute services as well as by session principals. */
      readonly kind: 'compute-and-sessions';
      readonly services: readonly string[];
      readonly sessionPrincipals: readonly string[];
    }
  | {
      /** A session principal that is an account, `*` or unresolvable: anyone it delegates to may start sessions. */
      readonly kind: 'broad-session-principal';
      readonly statementIndex: number;
      readonly principal: string;
    }
  | {
      /** Part of the trust policy cannot be read. */
      readonly kind: 'unreadable-trust';
      readonly reason: string;
    };

export interface AgentSessionTrust {
  readonly principal: ReachablePrincipal;
  readonly role: ModelResource;
  /** Services the trust admits. */
  readonly services: readonly string[];
  /** AWS and federated principals the trust admits to start sessions. */
  readonly sessionPrincipals: readonly string[];
  readonly issues: readonly EpisodeSessionIssue[];
}

/** How an agent starts out in a role (rather than chaining into it or passing it). */
const ENTRY_REASONS: readonly string[] = ['agent-role-tag', 'compute', 'sagemaker-role-tag'];

const SESSION_ACTIONS = ['sts:AssumeRole', 'sts:AssumeRoleWithSAML', 'sts:AssumeRoleWithWebIdentity'];

/** Operators that, without IfExists, are false when the key is absent: they require the key. */
const REQUIRING_OPERATORS = new Set([
  'stringequals',
  'stringequalsignorecase',
  'stringlike',
  'foranyvalue:stringequals',
  'foranyvalue:stringequalsignorecase',
  'foranyvalue:stringlike',
]);

const cache = new WeakMap<TemplateModel, EpisodeSessionAnalysis>();

/** The trust policy of every agent-reachable role, read against the episode-session contract. */
export class EpisodeSessionAnalysis {
  public static of(model: TemplateModel): EpisodeSessionAnalysis {
    let a = cache.get(model);
    if (!a) cache.set(model, (a = new EpisodeSessionAnalysis(model)));
    return a;
  }

  /** Agent-reachable roles, each with its trust and the contract's issues (empty when it holds or does not apply). */
  public readonly roles: readonly AgentSessionTrust[];

  private constructor(model: TemplateModel) {
    const out: AgentSessionTrust[] = [];
    for (const principal of IdentityReachability.of(model).principals) {
      // Entry points only: a role the agent reaches by assuming it from another agent role is a
      // chained session, which keeps the first session's source identity; passable roles become
      // compute, whose credentials carry none (other rules judge both).
      if (!principal.reasons.some((r) => ENTRY_REASONS.includes(r.kind))) continue;
      const role = model.stack(principal.stack)?.resource(principal.logicalId);
      if (!role) continue;
      out.push({ principal, role, ...readTrust(role) });
    }
    this.roles = out;
  }

  /** The roles that break the contract. */
  public get violations(): readonly AgentSessionTrust[] {
    return this.roles.filter((r) => r.issues.length > 0);
  }
}

function readTrust(role: ModelResource): Omit<AgentSessionTrust, 'principal' | 'role'> {
  const issues: EpisodeSessionIssue[] = [];
  const services = new Set<string>();
  const sessionPrincipals = new Set<string>();
  let doc = role.stack.resolve(role.properties.AssumeRolePolicyDocument);
  if (doc.kind === 'literal' && typeof doc.value === 'string' && !doc.placeholders) {
    try {
      doc = role.stack.resolve(JSON.parse(doc.value));
    } catch {
      return { services: [], sessionPrincipals: [], issues: [{ kind: 'unreadable-trust', reason: 'trust policy string is not JSON' }] };
    }
  }
  const statements: Resolved[] = [];
  const collect = (r: Resolved | undefined, depth: number): void => {
    if (!r || r.kind === 'novalue') return;
    if (depth > 8) issues.push({ kind: 'unreadable-trust', reason: 'statements nested too deeply' });
    else if (r.kind === 'array') r.items.forEach((i) => collect(i, depth + 1));
    else if (r.kind === 'choice') r.options.forEach((o) => collect(o, depth + 1));
    else statements.push(r);
  };
  for (const d of possibilities(doc)) {
    if (d.kind === 'object') collect(d.entries.Statement, 0);
    else if (d.kind !== 'novalue') issues.push({ kind: 'unreadable-trust', reason: `trust policy is ${d.kind === 'unknown' ? d.reason : `a ${d.kind}`}` });
  }

  statements.forEach((s, statementIndex) => {
    if (s.kind !== 'object') {
      issues.push({ kind: 'unreadable-trust', reason: `statement ${statementIndex} is unresolvable` });
      return;
    }
    const e = s.entries;
    const effect = valuesOf(e.Effect);
    if (!effect.unknown && !effect.strings.some((x) => x.text === 'Allow')) return;
    if (e.NotPrincipal !== undefined) {
      issues.push({ kind: 'unreadable-trust', reason: `statement ${statementIndex} allows with NotPrincipal (admits nearly everyone)` });
      return;
    }
    const sessionActions = sessionActionsOf(e.Action, e.NotAction);
    const principals = principalsOf(e.Principal);
    if (principals.unknown) issues.push({ kind: 'unreadable-trust', reason: `statement ${statementIndex} has an unresolvable principal` });
    principals.services.forEach((x) => services.add(x));
    const admitted = [...principals.aws, ...principals.federated];
    if (admitted.length === 0 || sessionActions.length === 0) return;
    admitted.forEach((p) => sessionPrincipals.add(p));
    if (!requiresSourceIdentity(e.Condition)) {
      issues.push({ kind: 'no-source-identity', statementIndex, principals: admitted, actions: sessionActions });
    }
    for (const p of principals.aws) {
      if (isBroadAwsPrincipal(p)) issues.push({ kind: 'broad-session-principal', statementIndex, principal: p });
    }
  });
  if (services.size > 0 && sessionPrincipals.size > 0) {
    issues.push({ kind: 'compute-and-sessions', services: [...services], sessionPrincipals: [...sessionPrincipals] });
  }
  return { services: [...services], sessionPrincipals: [...sessionPrincipals], issues };
}

/** The session-starting actions an Action/NotAction element may cover (unresolvable: all of them). */
function sessionActionsOf(action: Resolved | undefined, notAction: Resolved | undefined): string[] {
  const v = valuesOf(action ?? notAction);
  if (v.unknown || v.strings.some((x) => x.placeholders)) return [...SESSION_ACTIONS];
  const res = v.strings.map((x) => actionPatternRegExp(x.text));
  return SESSION_ACTIONS.filter((a) => (action !== undefined ? res.some((re) => re.test(a.toLowerCase())) : !res.some((re) => re.test(a.toLowerCase()))));
}

function principalsOf(p: Resolved | undefined): { services: string[]; aws: string[]; federated: string[]; unknown: boolean } {
  const out = { services: [] as string[], aws: [] as string[], federated: [] as string[], unknown: false };
  if (!p) return out;
  for (const option of possibilities(p)) {
    if (option.kind === 'literal' && option.value === '*') {
      out.aws.push('*');
      continue;
    }
    if (option.kind !== 'object') {
      out.unknown = true;
      continue;
    }
    for (const [k, v] of Object.entries(option.entries)) {
      const vals = valuesOf(v);
      if (vals.unknown) {
        out.unknown = true;
        if (k !== 'Service') out.aws.push('<unresolvable>');
      }
      for (const x of vals.strings) {
        if (k === 'Service') out.services.push(x.text);
        else if (k === 'Federated') out.federated.push(x.text);
        else out.aws.push(x.text); // AWS, CanonicalUser and anything unexpected: a session principal
      }
    }
  }
  return out;
}

/** `*`, an account id, an account root ARN, or a value the gate cannot read. */
function isBroadAwsPrincipal(p: string): boolean {
  return p === '*' || p === '<unresolvable>' || /^\d{12}$/.test(p) || p === '${AWS::AccountId}' || /:root$/.test(p);
}

/**
 * The Condition certainly requires `sts:SourceIdentity` to be present: `Null` false, or a
 * positive string operator (no IfExists, no ForAllValues, which are true when the key is absent).
 * Anything unresolvable does not count.
 */
function requiresSourceIdentity(condition: Resolved | undefined): boolean {
  if (!condition || condition.kind !== 'object') return false;
  for (const [operator, block] of Object.entries(condition.entries)) {
    if (block.kind !== 'object') continue;
    const op = operator.toLowerCase();
    for (const [key, value] of Object.entries(block.entries)) {
      if (key.toLowerCase() !== 'sts:sourceidentity') continue;
      const vals = valuesOf(value);
      if (vals.unknown || vals.uncertain || vals.strings.length === 0) continue;
      if (op === 'null' && vals.strings.every((x) => x.text.toLowerCase() === 'false')) return true;
      if (REQUIRING_OPERATORS.has(op)) return true;
    }
  }
  return false;
}
