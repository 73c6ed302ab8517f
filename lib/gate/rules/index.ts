import type { GateRule } from '../rule';
import { AgentMayBlindMonitors } from './AgentMayBlindMonitors';
import { AgentMayChangeQuotasOrBudgets } from './AgentMayChangeQuotasOrBudgets';
import { AgentMayCreateEgress } from './AgentMayCreateEgress';
import { AgentMayEscalateIdentity } from './AgentMayEscalateIdentity';
import { AgentMayExfiltrate } from './AgentMayExfiltrate';
import { AgentMayOpenTunnel } from './AgentMayOpenTunnel';
import { AgentRoleOnRuntimePath } from './AgentRoleOnRuntimePath';
import { AgentRoleWithoutCatalogBoundary } from './AgentRoleWithoutCatalogBoundary';
import { AgentSessionWithoutSourceIdentity } from './AgentSessionWithoutSourceIdentity';
import { AgentCapabilityOutsideAllowList } from './AgentCapabilityOutsideAllowList';
import { UnverifiableAgentPolicy } from './UnverifiableAgentPolicy';
import { EndpointPolicyNotPerimeter } from './EndpointPolicyNotPerimeter';
import { EndpointServiceNotAllowed } from './EndpointServiceNotAllowed';
import { EnvironmentCrossVpcPath } from './EnvironmentCrossVpcPath';
import { EnvironmentDnsFirewallMissing } from './EnvironmentDnsFirewallMissing';
import { EnvironmentDnsRedirect } from './EnvironmentDnsRedirect';
import { EnvironmentFlowLogMissing } from './EnvironmentFlowLogMissing';
import { EnvironmentInstanceMetadataOpen } from './EnvironmentInstanceMetadataOpen';
import { EnvironmentInternetPath } from './EnvironmentInternetPath';
import { EnvironmentNonLocalRoute } from './EnvironmentNonLocalRoute';
import { EnvironmentPublicAddressing } from './EnvironmentPublicAddressing';
import { EnvironmentQueryLogMissing } from './EnvironmentQueryLogMissing';
import { EnvironmentTunnelEndpoint } from './EnvironmentTunnelEndpoint';
import { EnvironmentManagedInternetAccess } from './EnvironmentManagedInternetAccess';
import { EnvironmentDataSink } from './EnvironmentDataSink';
import { UnverifiableTemplatePart } from './UnverifiableTemplatePart';
import { UnidentifiedComputeRole } from './UnidentifiedComputeRole';
import { EnvironmentContainmentDisabled } from './EnvironmentContainmentDisabled';

/** Every rule of the gate, in report order. The cdk-nag pack and the CLI both run exactly these. */
export const ALL_RULES: readonly GateRule[] = Object.freeze([
  AgentMayCreateEgress,
  AgentMayOpenTunnel,
  AgentMayChangeQuotasOrBudgets,
  AgentMayEscalateIdentity,
  AgentMayBlindMonitors,
  AgentMayExfiltrate,
  AgentRoleWithoutCatalogBoundary,
  AgentCapabilityOutsideAllowList,
  UnverifiableAgentPolicy,
  AgentRoleOnRuntimePath,
  AgentSessionWithoutSourceIdentity,
  EnvironmentInternetPath,
  EnvironmentNonLocalRoute,
  EnvironmentCrossVpcPath,
  EndpointServiceNotAllowed,
  EndpointPolicyNotPerimeter,
  EnvironmentTunnelEndpoint,
  EnvironmentManagedInternetAccess,
  EnvironmentDataSink,
  EnvironmentPublicAddressing,
  EnvironmentInstanceMetadataOpen,
  EnvironmentDnsFirewallMissing,
  EnvironmentDnsRedirect,
  EnvironmentFlowLogMissing,
  EnvironmentQueryLogMissing,
  UnverifiableTemplatePart,
  UnidentifiedComputeRole,
  EnvironmentContainmentDisabled,
]);

export {
  AgentCapabilityOutsideAllowList,
  AgentMayBlindMonitors,
  AgentMayChangeQuotasOrBudgets,
  AgentMayCreateEgress,
  AgentMayEscalateIdentity,
  AgentMayExfiltrate,
  AgentMayOpenTunnel,
  AgentRoleOnRuntimePath,
  AgentRoleWithoutCatalogBoundary,
  AgentSessionWithoutSourceIdentity,
  UnverifiableAgentPolicy,
  EndpointPolicyNotPerimeter,
  EndpointServiceNotAllowed,
  EnvironmentCrossVpcPath,
  EnvironmentDnsFirewallMissing,
  EnvironmentDnsRedirect,
  EnvironmentFlowLogMissing,
  EnvironmentInstanceMetadataOpen,
  EnvironmentInternetPath,
  EnvironmentNonLocalRoute,
  EnvironmentPublicAddressing,
  EnvironmentQueryLogMissing,
  EnvironmentTunnelEndpoint,
  EnvironmentManagedInternetAccess,
  EnvironmentDataSink,
  UnverifiableTemplatePart,
  UnidentifiedComputeRole,
  EnvironmentContainmentDisabled,
};
