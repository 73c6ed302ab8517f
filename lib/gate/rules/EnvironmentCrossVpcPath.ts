import { EgressKind } from '../analysis/egress-paths';
import { egressRule } from './egress-rule';

/** An environment VPC is connected to another network: peering, transit gateway, VPC Lattice, VPN, Client VPN, Verified Access, a dual-homed host (a network interface inside and another outside), or a public front door (API Gateway VPC link or integration, PrivateLink endpoint service, Lambda function URL or permission for anyone, App Runner VPC connector). */
export const EnvironmentCrossVpcPath = egressRule(
  {
    id: 'BlackHole-NET3',
    name: 'EnvironmentCrossVpcPath',
    severity: 'error',
    core: true,
    info: 'An environment VPC is connected to another network: peering, transit gateway, VPC Lattice, VPN, Client VPN, Verified Access, a dual-homed host (a network interface inside and another outside), or a public front door (API Gateway VPC link or integration, PrivateLink endpoint service, Lambda function URL or permission for anyone, App Runner VPC connector).',
    explanation:
      'Cross-VPC plumbing and VPNs are paths into networks the perimeter does not control (ESCAPES.md 5-7). Remove the attachment, the second interface or the public permission; share data through the environment buckets instead.',
  },
  EgressKind.CROSS_VPC,
);
