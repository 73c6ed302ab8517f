import { IdentityReachability, describeReachReason } from '../analysis/identity-reachability';
import type { GateRule } from '../rule';

/**
 * An agent-reachable role sits on the library's runtime path (`/black-hole-runtime/`), which the
 * organisation guardrail (TrainingGuardrailPolicy) exempts from its escape-catalog denies: the agent
 * would have lost the second fence. A Path the gate cannot resolve counts (it might be that path).
 */
export const AgentRoleOnRuntimePath: GateRule = {
  id: 'BlackHole-IAM9',
  name: 'AgentRoleOnRuntimePath',
  severity: 'error',
  core: true,
  info: 'An agent-reachable role is on the runtime path /black-hole-runtime/, which the organisation guardrail SCP exempts.',
  explanation:
    "The guardrail SCP exempts the library's own runtime roles (Lambdas, budget actions, SageMaker execution roles, launchers) by their IAM path; an agent in such a role is no longer held by the SCP. Give agent roles the default path, keep runtime roles out of the agent's reach (no sts:AssumeRole or iam:PassRole on them, no environment compute running as them), and call markRuntimeRole only for roles of the library's runtime.",
  check: ({ model }) =>
    IdentityReachability.of(model)
      .principals.filter((p) => p.runtimePath !== undefined)
      .map((p) => ({
        resource: p.permissions.resource,
        message: `Agent-reachable role ${p.logicalId} (${p.reasons.map(describeReachReason).join('; ')}) ${p.runtimePath === 'certain' ? 'is' : 'may be (its Path cannot be resolved)'} on the runtime path /black-hole-runtime/, exempt from the organisation guardrail.`,
        evidence: { principal: p.logicalId, runtimePath: p.runtimePath, environments: p.environments },
      })),
};
