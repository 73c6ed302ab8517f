import { EgressKind } from '../analysis/egress-paths';
import { egressRule } from './egress-rule';

/** Environment subnets or compute get public IPv4 or IPv6 addresses, or are excluded from VPC Block Public Access. */
export const EnvironmentPublicAddressing = egressRule(
  {
    id: 'BlackHole-NET7',
    name: 'EnvironmentPublicAddressing',
    severity: 'error',
    core: true,
    info: 'Environment subnets or compute get public IPv4 or IPv6 addresses, or are excluded from VPC Block Public Access.',
    explanation:
      'Public addressing is half of an internet path and IPv6 is a side door (ESCAPES.md 1-3). Keep MapPublicIpOnLaunch and AssociatePublicIpAddress false, no IPv6 CIDRs, no Block Public Access exclusions.',
  },
  EgressKind.PUBLIC_ADDRESS,
);
