import type { EscapeCategory } from '../../identity/escape-catalog';
import { AgentCapabilityAnalysis } from '../analysis/agent-capabilities';
import { describeReachReason } from '../analysis/identity-reachability';
import type { StatementRef } from '../analysis/policy-document';
import type { GateRule, RuleFinding } from '../rule';

type Meta = Omit<GateRule, 'check'>;

const MAX_LISTED = 40;

/** Where a statement lives, in words. */
export function describeStatement(s: StatementRef): string {
  const where =
    s.source === 'aws-managed'
      ? `AWS managed policy ${s.policyName}`
      : s.source === 'unverifiable'
        ? `unverifiable policy ${s.policyName} (${s.unverifiableReason ?? 'cannot be read'})`
        : `policy ${s.policyName} on ${s.resource}`;
  return `statement ${s.statementIndex}${s.sid ? ` (Sid ${s.sid})` : ''} of ${where}`;
}

/**
 * A rule that reports, for every agent-reachable principal, the escape actions of the given catalog
 * categories it may perform: one finding per principal naming the actions and the statements that
 * grant them.
 */
export function agentCapabilityRule(meta: Meta, categories: EscapeCategory[]): GateRule {
  return {
    ...meta,
    check: ({ model }) =>
      AgentCapabilityAnalysis.of(model)
        .inCategories(categories)
        .map(({ agent, escapes }): RuleFinding => {
          const p = agent.principal;
          const actions = escapes.map((e) => e.result.action);
          const grants = new Map<string, StatementRef>();
          for (const e of escapes) for (const g of e.result.grants) grants.set(describeStatement(g), g);
          const techniques = [...new Set(escapes.map((e) => e.entry.id))];
          const listed = actions.slice(0, 6).join(', ') + (actions.length > 6 ? ` and ${actions.length - 6} more` : '');
          return {
            resource: p.permissions.resource,
            message:
              `Agent-reachable role ${p.logicalId} (${p.reasons.map(describeReachReason).join('; ')}) may perform ${listed}, ` +
              `granted by ${[...grants.keys()].join('; ') || 'its policies'}.`,
            evidence: {
              principal: p.logicalId,
              environments: p.environments,
              actions: actions.slice(0, MAX_LISTED),
              actionCount: actions.length,
              techniques,
              grantedBy: [...grants.values()],
              ...(p.permissions.unverifiable.length ? { unverifiable: p.permissions.unverifiable } : {}),
            },
          };
        }),
  };
}
