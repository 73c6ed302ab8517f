import { EgressKind } from '../analysis/egress-paths';
import { egressRule } from './egress-rule';

/** An environment VPC has an internet path: an attached internet gateway, an egress-only gateway, a NAT gateway or an Elastic IP. */
export const EnvironmentInternetPath = egressRule(
  {
    id: 'BlackHole-NET1',
    name: 'EnvironmentInternetPath',
    severity: 'error',
    core: true,
    info: 'An environment VPC has an internet path: an attached internet gateway, an egress-only gateway, a NAT gateway or an Elastic IP.',
    explanation:
      'A black hole has no internet routing of any kind (ESCAPES.md 1-2). Remove the gateway or address; reach AWS services through the endpoint perimeter (BlackHoleVpc endpointServices) instead.',
  },
  EgressKind.INTERNET,
);
