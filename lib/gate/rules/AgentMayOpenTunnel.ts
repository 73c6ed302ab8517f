import { EscapeCategory } from '../../identity/escape-catalog';
import { agentCapabilityRule } from './agent-capability-rule';

/** An agent-reachable role may open a tunnel: Session Manager, Instance Connect, IoT secure tunneling or remote command. */
export const AgentMayOpenTunnel = agentCapabilityRule(
  {
    id: 'BlackHole-IAM2',
    name: 'AgentMayOpenTunnel',
    severity: 'error',
    core: true,
    info: 'An agent-reachable role may open a tunnel: Session Manager, Instance Connect, IoT secure tunneling or remote command.',
    explanation:
      'Managed tunnels need no internet gateway: they are the reverse SSH tunnel of the motivating incident (ESCAPES.md 12-15). Remove the grant; never give agents ssm:StartSession, SendCommand or ec2-instance-connect actions.',
  },
  [EscapeCategory.TUNNELS],
);
