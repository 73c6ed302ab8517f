import { EscapeCategory } from '../../identity/escape-catalog';
import { agentCapabilityRule } from './agent-capability-rule';

/** An agent-reachable role may blind the monitors or disarm containment: flow logs, trails, GuardDuty, EventBridge rules, log buckets, responders. */
export const AgentMayBlindMonitors = agentCapabilityRule(
  {
    id: 'BlackHole-IAM5',
    name: 'AgentMayBlindMonitors',
    severity: 'error',
    core: true,
    info: 'An agent-reachable role may blind the monitors or disarm containment: flow logs, trails, GuardDuty, EventBridge rules, log buckets, responders.',
    explanation: 'An escape nobody sees is not caught (ESCAPES.md 34, 36). Remove the grant; agents write their own logs and nothing else of the telemetry.',
  },
  [EscapeCategory.BLINDING_MONITORS],
);
