import { EgressKind } from '../analysis/egress-paths';
import { egressRule } from './egress-rule';

/** An environment VPC is connected to another network: peering, transit gateway, VPC Lattice, VPN, Client VPN, Verified Access, or a public front door (API Gateway VPC link, PrivateLink endpoint service, Lambda function URL). */
export const EnvironmentCrossVpcPath = egressRule({
  id: 'BlackHole-NET3',
  name: 'EnvironmentCrossVpcPath',
  severity: 'error',
  core: true,
  info: "An environment VPC is connected to another network: peering, transit gateway, VPC Lattice, VPN, Client VPN, Verified Access, or a public front door (API Gateway VPC link, PrivateLink endpoint service, Lambda function URL).",
  explanation: "Cross-VPC plumbing and VPNs are paths into networks the perimeter does not control (ESCAPES.md 5-7). Remove the attachment; share data through the environment buckets instead.",
}, EgressKind.CROSS_VPC);
