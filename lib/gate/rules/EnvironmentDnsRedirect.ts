import { EgressKind } from '../analysis/egress-paths';
import { egressRule } from './egress-rule';

/** An environment VPC has an outbound resolver endpoint or a forwarding resolver rule. */
export const EnvironmentDnsRedirect = egressRule(
  {
    id: 'BlackHole-DNS2',
    name: 'EnvironmentDnsRedirect',
    severity: 'error',
    core: true,
    info: 'An environment VPC has an outbound resolver endpoint or a forwarding resolver rule.',
    explanation: 'Forwarding resolution to other resolvers moves DNS outside the walled garden (ESCAPES.md 11). Remove the endpoint or rule association.',
  },
  EgressKind.DNS_REDIRECT,
);
