import { EgressKind } from '../analysis/egress-paths';
import { egressRule } from './egress-rule';

/** An environment subnet has an EC2 Instance Connect endpoint. */
export const EnvironmentTunnelEndpoint = egressRule(
  {
    id: 'BlackHole-NET6',
    name: 'EnvironmentTunnelEndpoint',
    severity: 'error',
    core: true,
    info: 'An environment subnet has an EC2 Instance Connect endpoint.',
    explanation:
      'An Instance Connect endpoint is a managed SSH tunnel that needs no internet gateway (ESCAPES.md 13). Remove it; operators reach instances through the harness, not through tunnels.',
  },
  EgressKind.TUNNEL,
);
