import { IdentityReachability, describeReachReason } from '../analysis/identity-reachability';
import type { GateRule, RuleFinding } from '../rule';

/**
 * An agent-reachable role carries a policy the gate cannot read (imported ARN, unresolvable token,
 * unknown managed policy), or compute in an environment uses a role the gate cannot identify. The
 * analysis treats such a policy as `Allow *`, so the escape rules already fail where it matters;
 * this finding says which verdicts rest on it.
 */
export const UnverifiableAgentPolicy: GateRule = {
  id: 'BlackHole-IAM8',
  name: 'UnverifiableAgentPolicy',
  severity: 'warning',
  core: false,
  info: 'An agent-reachable role has a policy the gate cannot read, or environment compute uses a role it cannot identify; it is treated as Allow *.',
  explanation:
    'The gate proves only what the template shows. Define the policy in the app (or attach it by a resolvable reference), so that the proof covers it; an imported policy can change without the gate seeing it.',
  check: ({ model }) => {
    const reach = IdentityReachability.of(model);
    const out: RuleFinding[] = [];
    for (const p of reach.principals) {
      if (p.permissions.unverifiable.length === 0) continue;
      out.push({
        resource: p.permissions.resource,
        message: `Agent-reachable role ${p.logicalId} (${p.reasons.map(describeReachReason).join('; ')}) has policies the gate cannot read: ${p.permissions.unverifiable.join('; ')}.`,
        evidence: { principal: p.logicalId, unverifiable: p.permissions.unverifiable },
      });
    }
    for (const u of reach.unresolved) {
      const resource = model.resourceAt({ stack: u.stack, logicalId: u.logicalId });
      if (!resource) continue;
      out.push({
        resource,
        message: `${u.type} ${u.logicalId} in environment '${u.environment}' uses a role the gate cannot identify: ${u.reason}.`,
        evidence: { compute: u.logicalId, type: u.type, environment: u.environment, reason: u.reason },
      });
    }
    return out;
  },
};
