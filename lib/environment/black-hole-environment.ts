import { Construct } from 'constructs';
import { BillingGuard, type BillingGuardProps } from '../billing/billing-guard';
import { markRuntimeRolesOf } from '../common/runtime-roles';
import { PropsValidator } from '../common/validation';
import { GpuTrainingFleet, type GpuTrainingFleetProps } from '../compute/gpu-training-fleet';
import { SageMakerTrainingTarget } from '../compute/sagemaker-training';
import { AgentBoundary } from '../identity/agent-boundary';
import { AgentComputeService, AgentRole, type EpisodeSessionsOptions } from '../identity/agent-role';
import { SageMakerExecutionRole } from '../identity/sagemaker-execution-role';
import { BlackHoleVpc, type BlackHoleVpcProps } from '../network/black-hole-vpc';
import { ENDPOINT_PRESETS } from '../network/endpoint-services';
import { FlowLogPipeline, type FlowLogPipelineProps } from '../telemetry/flow-log-pipeline';
import { ViolationStream, type ContainmentOptions, type ViolationStreamTrailOptions } from '../telemetry/violation-stream';

/** The GPU fleet of an environment (its network and role come from the environment). */
export type EnvironmentFleetOptions = Omit<GpuTrainingFleetProps, 'network' | 'role'>;

/** The billing guard of an environment (its name, agent roles and declared capacity come from it). */
export type EnvironmentBillingOptions = Omit<BillingGuardProps, 'environmentName' | 'agentRoles' | 'declaredVcpus'>;

/** Telemetry options. */
export interface EnvironmentTelemetryOptions {
  /** Flow-log pipeline options. @default - Parquet pipeline with a CloudWatch Logs copy (feeds the violation stream) */
  readonly flowLogs?: Omit<FlowLogPipelineProps, 'network' | 'vpc' | 'environmentName'>;
  /** Containment of violations. @default - contain HIGH and CRITICAL violations */
  readonly containment?: ContainmentOptions;
  /**
   * The CloudTrail trail that reports agents' denied API calls.
   * @default - one management-event trail per stack (set `existingTrail: true` when the account or organisation already logs management events in the region)
   */
  readonly trail?: ViolationStreamTrailOptions;
}

/** Properties of a BlackHoleEnvironment. */
export interface BlackHoleEnvironmentProps {
  /** Name of the environment: tagged `black-hole:environment` on everything. */
  readonly environmentName: string;
  /**
   * Network options.
   * @default - 10.80.0.0/16, 2 AZs, the EC2 training endpoints (`ENDPOINT_PRESETS.EC2_TRAINING`)
   */
  readonly network?: Omit<BlackHoleVpcProps, 'environmentName'>;
  /** Compute services that may assume the agent role. @default [EC2, SAGEMAKER] */
  readonly agentComputeServices?: AgentComputeService[];
  /**
   * Per-episode sessions: only the harness principals may assume the agent role, once per episode,
   * with the episode as source identity (see `AgentRole.episodeSessions`, `startEpisodeSession`).
   * The agent role then has no compute-service trust, so it cannot be the GPU fleet's instance role:
   * not combinable with `gpuFleet` or `agentComputeServices`.
   * @default - none: compute services assume the agent role directly
   */
  readonly episodeSessions?: EpisodeSessionsOptions;
  /** A GPU fleet. @default - none (SageMaker jobs or your own compute) */
  readonly gpuFleet?: EnvironmentFleetOptions;
  /** The billing guard; the monthly limit is required: every environment has one. */
  readonly billing: EnvironmentBillingOptions;
  /** Telemetry and containment. @default - on, containing HIGH and CRITICAL violations */
  readonly telemetry?: EnvironmentTelemetryOptions;
  /**
   * SageMaker training: publish where jobs must run (SSM parameters, outputs) and create the
   * environment's {@link SageMakerExecutionRole} (`sageMakerExecutionRole`), the role jobs run as.
   * @default true
   */
  readonly sageMakerTarget?: boolean;
}

/**
 * A whole black hole: the air-gapped network, the agent boundary and role, an optional GPU fleet,
 * the billing guard, the flow-log pipeline, the violation stream with containment, and the
 * SageMaker placement and execution role, all with the closed defaults. Everything is
 * configurable; nothing opens silently: every prop that opens something belongs to the construct
 * it configures.
 *
 * Runtime path: every role the environment creates except the agent role (telemetry and billing
 * Lambdas, the budget action role, the flow-log delivery role, the SageMaker execution role) and
 * CDK's singleton provider roles of its stack (default-security-group handler, AwsCustomResource,
 * bucket notifications, log retention) are put on the IAM path `/black-hole-runtime/`, so that the
 * organisation guardrail's default scope exempts them. Only the roles the environment creates in its
 * constructor are marked: a role you add inside its scope later keeps the default path and stays
 * under the guardrail (call `markRuntimeRole` on it only if it is runtime, never for an agent).
 */
export class BlackHoleEnvironment extends Construct {
  /** Name of the environment (the `black-hole:environment` tag value of its resources). */
  public readonly environmentName: string;
  /** The isolated VPC with its endpoint perimeter, DNS walled garden and flow logs. */
  public readonly network: BlackHoleVpc;
  /** The permissions boundary of every agent role of the environment. */
  public readonly boundary: AgentBoundary;
  /**
   * The agent role: what the training code runs as. Grant it its data with `grant*` (escape actions throw).
   */
  public readonly agentRole: AgentRole;
  /** The GPU fleet, when `gpuFleet` is given. */
  public readonly fleet?: GpuTrainingFleet;
  /** The billing guard: budget actions, usage alarms and the stop function. */
  public readonly billing: BillingGuard;
  /** Flow logs as Parquet, with the Glue table and Athena queries. */
  public readonly flowLogs: FlowLogPipeline;
  /** Violations attributed to episodes, and the containment responder. */
  public readonly violations: ViolationStream;
  /** Where SageMaker training jobs must run, when SageMaker training is enabled. */
  public readonly sageMakerTarget?: SageMakerTrainingTarget;
  /** The execution role of the environment's SageMaker training jobs (when `sageMakerTarget` is on). */
  public readonly sageMakerExecutionRole?: SageMakerExecutionRole;

  constructor(scope: Construct, id: string, props: BlackHoleEnvironmentProps) {
    super(scope, id);
    const v = new PropsValidator('BlackHoleEnvironment');
    v.check(props.billing !== undefined && typeof props.billing === 'object', 'billing', 'is required: give at least { monthlyLimitUsd }');
    v.check(
      !(props.episodeSessions && props.gpuFleet),
      'episodeSessions',
      'cannot be combined with gpuFleet: fleet instances run as the agent role, which per-episode sessions reserve for the harness; run the fleet as your harness role and hand episodes their session credentials',
    );
    v.check(
      !(props.episodeSessions && props.agentComputeServices),
      'episodeSessions',
      'cannot be combined with agentComputeServices: instance and task credentials carry no episode source identity',
    );
    v.throwIfAny();
    this.environmentName = props.environmentName;

    this.network = new BlackHoleVpc(this, 'Network', {
      endpointServices: [...ENDPOINT_PRESETS.EC2_TRAINING],
      ...props.network,
      environmentName: props.environmentName,
    });
    this.boundary = new AgentBoundary(this, 'AgentBoundary', {
      environmentName: props.environmentName,
      vpc: this.network.vpc,
      enabledEndpointServices: [...this.network.endpointServices],
      ...(props.network?.organizationId ? { organizationId: props.network.organizationId } : {}),
    });
    this.agentRole = new AgentRole(this, 'AgentRole', {
      boundary: this.boundary,
      ...(props.agentComputeServices ? { computeServices: props.agentComputeServices } : {}),
      ...(props.episodeSessions ? { episodeSessions: props.episodeSessions } : {}),
    });
    if (props.gpuFleet) {
      this.fleet = new GpuTrainingFleet(this, 'GpuFleet', { ...props.gpuFleet, network: this.network, role: this.agentRole });
    }
    this.billing = new BillingGuard(this, 'BillingGuard', {
      ...props.billing,
      environmentName: props.environmentName,
      agentRoles: [this.agentRole],
      ...(this.fleet ? { declaredVcpus: { ...this.fleet.declaredVcpus } } : {}),
    });
    this.flowLogs = new FlowLogPipeline(this, 'FlowLogs', {
      cloudWatchCopy: {},
      ...props.telemetry?.flowLogs,
      network: this.network,
    });
    this.violations = new ViolationStream(this, 'Violations', {
      network: this.network,
      pipeline: this.flowLogs,
      agentRoles: [this.agentRole],
      ...(props.telemetry?.containment ? { containment: props.telemetry.containment } : {}),
      ...(props.telemetry?.trail ? { trail: props.telemetry.trail } : {}),
    });
    if (props.sageMakerTarget ?? true) {
      this.sageMakerExecutionRole = new SageMakerExecutionRole(this, 'SageMakerExecutionRole', {
        environmentName: props.environmentName,
        vpc: this.network.vpc,
        subnets: this.network.isolatedSubnets,
        securityGroups: [this.network.trainingSecurityGroup],
      });
      this.sageMakerTarget = new SageMakerTrainingTarget(this, 'SageMakerTarget', { network: this.network, executionRole: this.sageMakerExecutionRole });
    }

    // The library's runtime roles leave the guardrail SCP's reach by their path (lib/common/runtime-roles.ts):
    // the roles created above, now, and CDK's singleton providers of the stack; not roles added later.
    markRuntimeRolesOf(this);
  }
}
