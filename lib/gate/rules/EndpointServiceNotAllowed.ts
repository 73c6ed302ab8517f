import { EgressKind } from '../analysis/egress-paths';
import { egressRule } from './egress-rule';

/** An environment VPC has an endpoint to a service that is not on the endpoint allowlist. */
export const EndpointServiceNotAllowed = egressRule(
  {
    id: 'BlackHole-NET4',
    name: 'EndpointServiceNotAllowed',
    severity: 'error',
    core: true,
    info: 'An environment VPC has an endpoint to a service that is not on the endpoint allowlist.',
    explanation:
      'An interface endpoint to a PrivateLink service someone else owns (vpce-svc-...) is a TCP path into their network, and services such as ssmmessages or execute-api are tunnels (ESCAPES.md 4, 12). Use only the services in lib/network/endpoint-services.ts.',
  },
  EgressKind.FOREIGN_ENDPOINT,
);
