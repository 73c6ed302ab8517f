import { EpisodeSessionAnalysis, type EpisodeSessionIssue } from '../analysis/episode-sessions';
import { describeReachReason } from '../analysis/identity-reachability';
import type { GateRule } from '../rule';

function describeIssue(i: EpisodeSessionIssue): string {
  switch (i.kind) {
    case 'no-source-identity':
      return `trust statement ${i.statementIndex} lets ${i.principals.join(', ')} start sessions (${i.actions.join(', ')}) without requiring sts:SourceIdentity`;
    case 'compute-and-sessions':
      return `the role is trusted by ${i.services.join(', ')} as well as by session principals (${i.sessionPrincipals.join(', ')}): compute credentials carry no source identity`;
    case 'broad-session-principal':
      return `trust statement ${i.statementIndex} admits ${i.principal}, which delegates session starts to every identity it covers`;
    case 'unreadable-trust':
      return `the trust policy cannot be verified: ${i.reason}`;
  }
}

/**
 * An agent-reachable role whose trust lets a principal start sessions without a source identity
 * (the per-episode credential contract), or mixes such sessions with compute-service trust.
 */
export const AgentSessionWithoutSourceIdentity: GateRule = {
  id: 'BlackHole-IAM11',
  name: 'AgentSessionWithoutSourceIdentity',
  severity: 'error',
  core: false,
  info: 'An agent-reachable role can be assumed by a principal without a source identity, or by compute services next to such principals.',
  explanation:
    'Per-episode credentials attribute every AWS call to its episode through the session\'s source identity, which only the harness can set and the agent can never change (it survives role chaining). A trust statement that admits an AWS or federated principal to sts:AssumeRole* without requiring sts:SourceIdentity (Null false, or StringEquals/StringLike without IfExists) lets sessions start without an episode; so does compute-service trust on the same role (instance, task and job credentials carry no source identity); and a session principal that is an account or "*" delegates session starts to every identity it covers. Use AgentRole with episodeSessions: { harnessPrincipals: [harnessRole] } and no computeServices, and start sessions with startEpisodeSession. Roles trusted only by compute services are not checked (their episodes are attributed by the ledger time window).',
  check: ({ model }) =>
    EpisodeSessionAnalysis.of(model).violations.map((r) => ({
      resource: r.role,
      message: `Agent-reachable role ${r.principal.logicalId} (${r.principal.reasons.map(describeReachReason).join('; ')}): ${r.issues.map(describeIssue).join('; ')}.`,
      evidence: { principal: r.principal.logicalId, services: r.services, sessionPrincipals: r.sessionPrincipals, issues: r.issues },
    })),
};
