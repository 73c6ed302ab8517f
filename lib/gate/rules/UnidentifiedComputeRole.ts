import { IdentityReachability } from '../analysis/identity-reachability';
import type { GateRule } from '../rule';

/**
 * Compute that runs (or may run) in an environment with a role the gate cannot identify: a role or
 * instance profile from outside the app, a parameter, an import, a launch template or task
 * definition named from outside the app. Its permissions are unknown, so the agent's are too.
 */
export const UnidentifiedComputeRole: GateRule = {
  id: 'BlackHole-GATE2',
  name: 'UnidentifiedComputeRole',
  severity: 'error',
  core: true,
  info: 'Compute in (or possibly in) an environment runs with a role, instance profile, launch template or task definition the gate cannot identify.',
  explanation:
    "Code on environment compute holds that role's credentials, so the agent holds them too; a role defined outside the app can grant anything without the gate seeing it (ESCAPES.md 24, 25). Define the role (and its instance profile, launch template or task definition) in the app and refer to it by Ref or GetAtt, so that the gate proves its permissions.",
  check: ({ model }) => {
    const out = [];
    for (const u of IdentityReachability.of(model).unresolved) {
      const resource = model.resourceAt({ stack: u.stack, logicalId: u.logicalId });
      if (!resource) continue;
      out.push({
        resource,
        message: `${u.type} ${u.logicalId} ${u.possible ? `may run in environment '${u.environment}' (${u.possible})` : `runs in environment '${u.environment}'`} with a role the gate cannot identify: ${u.reason}.`,
        evidence: { compute: u.logicalId, type: u.type, environment: u.environment, reason: u.reason, ...(u.possible ? { possible: u.possible } : {}) },
      });
    }
    return out;
  },
};
