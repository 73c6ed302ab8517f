import { EscapeCategory } from '../../identity/escape-catalog';
import { agentCapabilityRule } from './agent-capability-rule';

/** An agent-reachable role may create a network or DNS path out of the black hole. */
export const AgentMayCreateEgress = agentCapabilityRule(
  {
    id: 'BlackHole-IAM1',
    name: 'AgentMayCreateEgress',
    severity: 'error',
    core: true,
    info: 'An agent-reachable role may create a network or DNS path out of the black hole.',
    explanation:
      'Gateways, routes, peering, VPNs, foreign endpoints, loosened security groups or a neutralised DNS firewall re-open what the VPC closed (ESCAPES.md 1-11). Remove the grant; the AgentBoundary denies these actions whatever identity policy is attached.',
  },
  [EscapeCategory.NETWORK_EGRESS, EscapeCategory.DNS],
);
