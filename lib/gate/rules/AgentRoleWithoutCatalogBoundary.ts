import { AgentCapabilityAnalysis } from '../analysis/agent-capabilities';
import { describeReachReason } from '../analysis/identity-reachability';
import type { GateRule } from '../rule';

/**
 * An agent-reachable role whose permissions boundary is not an allow-list ceiling: it does not deny
 * the whole escape catalog unconditionally on every resource, or it allows actions outside the agent
 * allow-list (a deny-list boundary such as "Allow * minus the catalog", or `s3:*`). An error even
 * when today's identity policies are narrow: the boundary is what stays true when someone attaches
 * a policy later.
 */
export const AgentRoleWithoutCatalogBoundary: GateRule = {
  id: 'BlackHole-IAM7',
  name: 'AgentRoleWithoutCatalogBoundary',
  severity: 'error',
  core: true,
  info: 'An agent-reachable role has no allow-list permissions boundary: one whose ceiling is the agent allow-list and that denies the whole escape catalog unconditionally.',
  explanation:
    'Identity policies change; the boundary is the fence that holds when someone attaches a broader policy later. A boundary that allows whole services or everything but the catalog leaves every escape the catalog does not name open. Attach the AgentBoundary (AgentRole does so always): its ceiling is the agent allow-list (lib/identity/agent-allow-list.ts) and its explicit Deny covers every catalog action on every resource with no condition.',
  check: ({ model }) =>
    AgentCapabilityAnalysis.of(model)
      .agents.filter((a) => a.boundaryGaps.length > 0 || a.ceilingExcess.length > 0)
      .map((a) => {
        const p = a.principal;
        const b = p.permissions.boundary;
        const name = b.kind === 'template' ? b.logicalId : b.kind === 'aws-managed' ? b.name : '';
        const problems: string[] = [];
        if (a.boundaryGaps.length > 0 && (b.kind === 'template' || b.kind === 'aws-managed')) {
          problems.push(`does not deny ${a.boundaryGaps.length} catalog action(s), e.g. ${a.boundaryGaps.slice(0, 4).join(', ')}`);
        }
        if (a.ceilingExcess.length > 0) {
          problems.push(`allows ${a.ceilingExcess.length} action(s) outside the agent allow-list, e.g. ${a.ceilingExcess.slice(0, 6).join(', ')}`);
        }
        const why =
          b.kind === 'none'
            ? 'has no permissions boundary'
            : b.kind === 'unverifiable'
              ? `has a boundary the gate cannot read (${b.reason})`
              : `has a boundary (${name}) that ${problems.join(' and ')}`;
        return {
          resource: p.permissions.resource,
          message: `Agent-reachable role ${p.logicalId} (${p.reasons.map(describeReachReason).join('; ')}) ${why}.`,
          evidence: {
            principal: p.logicalId,
            boundary: b,
            missingDenies: a.boundaryGaps.slice(0, 40),
            missingDenyCount: a.boundaryGaps.length,
            ceilingOutsideAllowList: a.ceilingExcess.slice(0, 40),
            ceilingOutsideAllowListCount: a.ceilingExcess.length,
          },
        };
      }),
};
