/**
 * cdk-black-hole: AWS CDK v2 constructs for air-gapped "black hole" RL training environments, and the
 * compliance gate that proves agents cannot reach egress or change their own quotas and budgets.
 *
 * This file is the package's public API (`cdk-black-hole`): every name here is semver surface, and
 * test/package/api-surface.test.ts pins the list. Two subpaths serve tools: `cdk-black-hole/gate`
 * (the gate's model, rules and analyses) and `cdk-black-hole/runtime` (the episode-ledger client a
 * training harness uses; it loads no aws-cdk-lib). The folders' own index.ts files are internal.
 * API.md is generated from the doc comments (`npx tsx scripts/api-doc.ts`).
 *
 * @packageDocumentation
 */

// Contracts: the tags the constructs set and the gate reads.
export { AGENT_ROLE_TAG, AGENT_ROLE_TAG_VALUE, ENVIRONMENT_TAG, RESERVED_TAG_PREFIX } from './common/tags';
export {
  isRuntimeRole,
  markRuntimeRole,
  markRuntimeRolesOf,
  RUNTIME_ROLE_ARN_PATTERN,
  RUNTIME_ROLE_PATH,
  RuntimeRolesAspect,
  type RuntimeRoleTarget,
} from './common/runtime-roles';

// The whole environment.
export {
  BlackHoleEnvironment,
  type BlackHoleEnvironmentProps,
  type EnvironmentBillingOptions,
  type EnvironmentFleetOptions,
  type EnvironmentTelemetryOptions,
} from './environment/black-hole-environment';

// Network.
export { BlackHoleVpc, type BlackHoleVpcProps, type DnsWalledGardenOptions } from './network/black-hole-vpc';
export { ENDPOINT_PRESETS, ENDPOINT_SERVICES, EndpointKind, type EndpointServiceDefinition, type EndpointServiceId } from './network/endpoint-services';

// Identity.
export { AgentBoundary, type AgentBoundaryProps, NetworkPerimeter } from './identity/agent-boundary';
export { AgentComputeService, AgentRole, type AgentRoleProps, type EpisodeSessionsOptions } from './identity/agent-role';
export { SageMakerExecutionRole, type SageMakerExecutionRoleProps } from './identity/sagemaker-execution-role';
export { SageMakerTrainingLaunchPolicy, type SageMakerTrainingLaunchPolicyProps } from './identity/sagemaker-launch-policy';
export { GuardrailScope, TrainingGuardrailPolicy, type TrainingGuardrailPolicyProps } from './identity/training-guardrail-policy';

// Compute.
export { GpuTrainingFleet, type GpuTrainingFleetProps } from './compute/gpu-training-fleet';
export {
  blackHoleTrainingJobRequest,
  type BlackHoleTrainingJobInput,
  SageMakerTrainingTarget,
  type SageMakerTrainingTargetProps,
  type TrainingJobRequest,
} from './compute/sagemaker-training';

// Training data.
export { TrainingData, type TrainingDataProps } from './data/training-data';

// Billing.
export { BillingGuard, type BillingGuardProps, BudgetNotificationType, type BudgetThreshold, DEFAULT_BUDGET_THRESHOLDS } from './billing/billing-guard';

// Telemetry.
export { FlowLogPipeline, type FlowLogCloudWatchOptions, type FlowLogObjectLockOptions, type FlowLogPipelineProps } from './telemetry/flow-log-pipeline';
export { EpisodeLedger, type EpisodeLedgerProps } from './telemetry/episode-ledger';
export { type ContainmentOptions, ViolationStream, type ViolationStreamProps, type ViolationStreamTrailOptions } from './telemetry/violation-stream';
export { type BlackHoleViolation, VIOLATION_DETAIL_TYPE, VIOLATION_EVENT_SOURCE } from './telemetry/runtime/correlate';
export type { ContainmentMode } from './telemetry/runtime/contain';
export { ThreatDetection, type ThreatDetectionProps } from './telemetry/guardduty-detector';
export { ManagementEventTrail } from './telemetry/management-event-trail';

// The compliance gate: the cdk-nag pack, and the engine and reports for tools (the template model
// they run on, TemplateModel, and the rules are in `cdk-black-hole/gate`).
export { BlackHoleChecks, type BlackHoleChecksProps } from './gate/nag/black-hole-checks';
export { failsGate, type GateOptions, type GateResult, runGate } from './gate/engine';
export type { Finding, FindingSummary } from './gate/findings';
export type { Severity } from './gate/rule';
export { renderReport, REPORT_FORMATS, type ReportFormat, type ReportOptions } from './gate/report/reporters';
