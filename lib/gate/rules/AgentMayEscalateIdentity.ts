import { EscapeCategory } from '../../identity/escape-catalog';
import { agentCapabilityRule } from './agent-capability-rule';

/** An agent-reachable role may escalate or edit its identity: change its own policies, create principals, pass or assume roles, hijack compute or leave the organisation. */
export const AgentMayEscalateIdentity = agentCapabilityRule(
  {
    id: 'BlackHole-IAM4',
    name: 'AgentMayEscalateIdentity',
    severity: 'error',
    core: true,
    info: 'An agent-reachable role may escalate or edit its identity: change its own policies, create principals, pass or assume roles, hijack compute or leave the organisation.',
    explanation:
      'Every other fence rests on the identity the agent was given (ESCAPES.md 22-28). Remove the grant; pass roles only from launcher roles, with iam:PassedToService.',
  },
  [EscapeCategory.IDENTITY_ESCALATION],
);
