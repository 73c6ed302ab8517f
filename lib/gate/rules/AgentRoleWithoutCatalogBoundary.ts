import { AgentCapabilityAnalysis } from '../analysis/agent-capabilities';
import { describeReachReason } from '../analysis/identity-reachability';
import type { GateRule } from '../rule';

/**
 * An agent-reachable role whose permissions boundary does not deny the whole escape catalog,
 * unconditionally and on every resource. An error even when today's identity policies are narrow:
 * the boundary is what stays true when someone attaches a policy later.
 */
export const AgentRoleWithoutCatalogBoundary: GateRule = {
  id: 'BlackHole-IAM7',
  name: 'AgentRoleWithoutCatalogBoundary',
  severity: 'error',
  core: true,
  info: 'An agent-reachable role has no permissions boundary that denies the whole escape catalog unconditionally.',
  explanation: 'Identity policies change; the boundary is the fence that holds when someone attaches a broader policy later. Attach the AgentBoundary (AgentRole does so always), whose explicit Deny covers every catalog action on every resource with no condition.',
  check: ({ model }) => AgentCapabilityAnalysis.of(model).agents.filter((a) => a.boundaryGaps.length > 0).map((a) => {
    const p = a.principal;
    const b = p.permissions.boundary;
    const why = b.kind === 'none' ? 'has no permissions boundary'
      : b.kind === 'unverifiable' ? `has a boundary the gate cannot read (${b.reason})`
        : `has a boundary (${b.kind === 'template' ? b.logicalId : b.name}) that does not deny ${a.boundaryGaps.length} catalog action(s), e.g. ${a.boundaryGaps.slice(0, 4).join(', ')}`;
    return {
      resource: p.permissions.resource,
      message: `Agent-reachable role ${p.logicalId} (${p.reasons.map(describeReachReason).join('; ')}) ${why}.`,
      evidence: { principal: p.logicalId, boundary: b, missingDenies: a.boundaryGaps.slice(0, 40), missingDenyCount: a.boundaryGaps.length },
    };
  }),
};
