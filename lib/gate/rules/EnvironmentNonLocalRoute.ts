import { EgressKind } from '../analysis/egress-paths';
import { egressRule } from './egress-rule';

/** An environment route table has a route other than local. */
export const EnvironmentNonLocalRoute = egressRule(
  {
    id: 'BlackHole-NET2',
    name: 'EnvironmentNonLocalRoute',
    severity: 'error',
    core: true,
    info: 'An environment route table has a route other than local.',
    explanation:
      'Any route beyond local (to a gateway, an ENI or instance, a peering or transit gateway) re-creates a path out (ESCAPES.md 1, 5). Delete the route; gateway endpoints add their prefix-list routes themselves.',
  },
  EgressKind.ROUTE,
);
