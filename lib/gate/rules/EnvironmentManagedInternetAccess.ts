import { EgressKind } from '../analysis/egress-paths';
import { egressRule } from './egress-rule';

/** Managed compute of an environment that AWS connects to the internet itself: a SageMaker notebook with direct internet access, a Studio domain on PublicInternetOnly, or a model running agent-written code without network isolation. */
export const EnvironmentManagedInternetAccess = egressRule(
  {
    id: 'BlackHole-NET9',
    name: 'EnvironmentManagedInternetAccess',
    severity: 'error',
    core: true,
    info: 'Managed compute of an environment that AWS connects to the internet itself: a SageMaker notebook with direct internet access, a Studio domain on PublicInternetOnly, or a model running agent-written code without network isolation.',
    explanation:
      "SageMaker gives such compute a network interface of its own with internet access, outside the environment's subnets, routes and DNS firewall (ESCAPES.md 20). Set DirectInternetAccess Disabled (notebooks, with a SubnetId in the environment), AppNetworkAccessType VpcOnly with environment subnets (Studio domains), and EnableNetworkIsolation true or a VpcConfig of environment subnets (models). Both defaults are open.",
  },
  EgressKind.MANAGED_INTERNET,
);
