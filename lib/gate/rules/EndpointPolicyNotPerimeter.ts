import { EgressKind } from '../analysis/egress-paths';
import { egressRule } from './egress-rule';

/** An environment VPC endpoint has no policy, or a policy that does not confine principals and resources to the account or organisation. */
export const EndpointPolicyNotPerimeter = egressRule(
  {
    id: 'BlackHole-NET5',
    name: 'EndpointPolicyNotPerimeter',
    severity: 'error',
    core: true,
    info: 'An environment VPC endpoint has no policy, or a policy that does not confine principals and resources to the account or organisation.',
    explanation:
      "Without aws:PrincipalAccount/aws:PrincipalOrgID and aws:ResourceAccount/aws:ResourceOrgID conditions, an endpoint carries the agent's data to any bucket or queue in any account (ESCAPES.md 16-17). BlackHoleVpc writes such policies for every endpoint.",
  },
  EgressKind.OPEN_ENDPOINT_POLICY,
);
