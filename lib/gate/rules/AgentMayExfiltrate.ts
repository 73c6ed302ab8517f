import { EscapeCategory } from '../../identity/escape-catalog';
import { agentCapabilityRule } from './agent-capability-rule';

/** An agent-reachable role may exfiltrate through AWS (service-side egress, cross-account sinks, sharing) or run compute outside the perimeter. */
export const AgentMayExfiltrate = agentCapabilityRule(
  {
    id: 'BlackHole-IAM6',
    name: 'AgentMayExfiltrate',
    severity: 'error',
    core: true,
    info: 'An agent-reachable role may exfiltrate through AWS (service-side egress, cross-account sinks, sharing) or run compute outside the perimeter.',
    explanation:
      'AWS services make outbound calls and run code where the VPC fences are not built (ESCAPES.md 16-21). Remove the grant, or allow only through the SageMaker launch policy with network isolation.',
  },
  [EscapeCategory.EXFILTRATION, EscapeCategory.COMPUTE_OUTSIDE_PERIMETER],
);
