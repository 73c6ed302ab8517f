import { EgressKind } from '../analysis/egress-paths';
import { egressRule } from './egress-rule';

/** An environment VPC has no DNS walled garden: no DNS firewall association ending in a BLOCK of every domain, or a firewall that fails open. */
export const EnvironmentDnsFirewallMissing = egressRule(
  {
    id: 'BlackHole-DNS1',
    name: 'EnvironmentDnsFirewallMissing',
    severity: 'error',
    core: true,
    info: 'An environment VPC has no DNS walled garden: no DNS firewall association ending in a BLOCK of every domain, or a firewall that fails open.',
    explanation:
      'The VPC resolver answers public names without an internet gateway, so DNS is a tunnel unless a Route 53 Resolver DNS Firewall allows only the needed AWS domains and blocks the rest, failing closed (ESCAPES.md 9). BlackHoleVpc creates one.',
  },
  EgressKind.MISSING_DNS_FIREWALL,
);
