import { IdentityReachability } from '../analysis/identity-reachability';
import type { GateRule } from '../rule';

/**
 * Environment compute whose template switches off containment: DisableApiStop on an instance or
 * launch template (the responder's StopInstances fails), scale-in protection or suspended
 * Terminate/ReplaceUnhealthy/HealthCheck processes on an Auto Scaling group (scaling in leaves the
 * instances running). Values from parameters or Fn::If count when any branch may disable it.
 */
export const EnvironmentContainmentDisabled: GateRule = {
  id: 'BlackHole-RSP1',
  name: 'EnvironmentContainmentDisabled',
  severity: 'error',
  core: true,
  info: 'Environment compute disables containment in the template: DisableApiStop, scale-in protection or suspended scaling processes.',
  explanation:
    'The containment responder stops instances (only stopping cuts tracked connections) and the kill switches scale groups in; an instance with DisableApiStop keeps running, and a group with scale-in protection or suspended Terminate processes keeps its instances through a scale-in, so the agent outlives the response (ESCAPES.md 36). Leave DisableApiStop unset or false, NewInstancesProtectedFromScaleIn unset or false, and do not suspend Terminate, ReplaceUnhealthy or HealthCheck in an UpdatePolicy.',
  check: ({ model }) =>
    IdentityReachability.of(model).containmentBlockers.map((b) => ({
      resource: b.resource,
      message: `${b.resource.type} ${b.resource.logicalId} ${b.possible ? `may run in environment '${b.environment}' (${b.possible})` : `runs in environment '${b.environment}'`}: ${b.detail}.`,
      evidence: { environment: b.environment, detail: b.detail, ...(b.possible ? { possible: b.possible } : {}) },
    })),
};
