/**
 * Environment shapes the way users build them (README, examples/*), each synthesized once per test
 * file (cache), with an explicit `env` and environment-agnostic (tokens for account and region).
 */
import { App, type AppProps, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { BlackHoleEnvironment } from '../../lib/environment/black-hole-environment';
import { AgentComputeService } from '../../lib/identity/agent-role';
import { SageMakerTrainingLaunchPolicy } from '../../lib/identity/sagemaker-launch-policy';
import { TrainingGuardrailPolicy } from '../../lib/identity/training-guardrail-policy';
import { ENDPOINT_PRESETS } from '../../lib/network/endpoint-services';

import { ACCOUNT, REGION } from './physical-ids';

/** The account and region every shape is deployed to (tokens resolve to these in agnostic shapes). */
export { ACCOUNT, REGION };
export const ORGANIZATION_ROOT_OU = 'ou-abcd-12345678';
/** Prefixes the shapes grant (what the flows read and write). */
export const DATASET_PREFIX = 'datasets/';
export const CHECKPOINT_PREFIX = 'runs/';
export const METRICS_NAMESPACE = 'BlackHole/Training';

/** Path metadata on, as the CDK CLI synthesizes: the harness finds principals by construct path. */
const APP_PROPS: AppProps = { context: { 'aws:cdk:enable-path-metadata': true } };

export type ShapeId = 'ec2-fleet' | 'sagemaker' | 'multi-environment';
export type EnvMode = 'explicit' | 'agnostic';

/** One synthesized shape: the environment stack's template, and the organisation's SCPs when attached. */
export interface SynthesizedShape {
  readonly id: ShapeId;
  readonly mode: EnvMode;
  readonly template: Record<string, unknown>;
  readonly stackName: string;
  /** Resolved (token-free) SCP documents that apply to the environment's account, root OU first. */
  readonly guardrailTemplate?: Record<string, unknown>;
  /** Construct path prefix of the environment (e.g. `Env/Environment`). */
  readonly environmentPath: string;
  /** Features the shape has (a flow that needs a missing feature is not part of the shape). */
  readonly features: ReadonlySet<ShapeFeature>;
}

export type ShapeFeature = 'fleet' | 'datasets' | 'checkpoints' | 'images' | 'logs' | 'metrics' | 'sagemaker-launcher' | 'guardrail' | 'interface-endpoints';

function stackProps(mode: EnvMode) {
  return mode === 'explicit' ? { env: { account: ACCOUNT, region: REGION } } : {};
}

/** Datasets, checkpoints, logs and images of a training environment, granted to the agent role. */
function workloadResources(stack: Stack, env: BlackHoleEnvironment, pullImages: boolean) {
  const key = new kms.Key(stack, 'DataKey', { enableKeyRotation: true });
  const datasets = new s3.Bucket(stack, 'Datasets', { encryptionKey: key, enforceSSL: true, blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL });
  const checkpoints = new s3.Bucket(stack, 'Checkpoints', { encryptionKey: key, enforceSSL: true, blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL });
  const logGroup = new logs.LogGroup(stack, 'TrainingLogs', { retention: logs.RetentionDays.ONE_MONTH });
  env.agentRole.grantReadDatasets(datasets, DATASET_PREFIX);
  env.agentRole.grantWriteCheckpoints(checkpoints, CHECKPOINT_PREFIX);
  env.agentRole.grantWriteLogs(logGroup);
  env.agentRole.grantPutMetrics(METRICS_NAMESPACE);
  const repository = pullImages ? new ecr.Repository(stack, 'Images', { imageScanOnPush: true, imageTagMutability: ecr.TagMutability.IMMUTABLE }) : undefined;
  if (repository) env.agentRole.grantPullImages(repository);
  // SageMaker jobs run as the environment's execution role (when the environment has one): it gets
  // the same data grants, as a user of a SageMaker environment gives it.
  type Grants = {
    grantReadDatasets(b: s3.IBucket, p?: string): unknown;
    grantWriteCheckpoints(b: s3.IBucket, p?: string): unknown;
    grantPullImages(r: ecr.IRepository): unknown;
  };
  const execution = (env as unknown as { sageMakerExecutionRole?: Grants }).sageMakerExecutionRole;
  if (execution) {
    execution.grantReadDatasets(datasets, DATASET_PREFIX);
    execution.grantWriteCheckpoints(checkpoints, CHECKPOINT_PREFIX);
    if (repository) execution.grantPullImages(repository);
  }
}

function ec2Fleet(mode: EnvMode): SynthesizedShape {
  const app = new App(APP_PROPS);
  const stack = new Stack(app, 'Ec2Fleet', stackProps(mode));
  const env = new BlackHoleEnvironment(stack, 'Environment', {
    environmentName: 'gpu-fleet',
    gpuFleet: { instanceTypes: ['g5.xlarge'], maxInstances: 2 },
    billing: { monthlyLimitUsd: 5000 },
  });
  workloadResources(stack, env, true);
  return {
    id: 'ec2-fleet',
    mode,
    stackName: stack.stackName,
    environmentPath: env.node.path,
    template: Template.fromStack(stack).toJSON(),
    features: new Set<ShapeFeature>(['fleet', 'datasets', 'checkpoints', 'images', 'logs', 'metrics', 'interface-endpoints']),
  };
}

function sageMakerOnly(mode: EnvMode): SynthesizedShape {
  // As examples/sagemaker-isolated-training/app.ts, plus the data the jobs read and write.
  const app = new App(APP_PROPS);
  const stack = new Stack(app, 'SageMakerIsolated', stackProps(mode));
  const env = new BlackHoleEnvironment(stack, 'Environment', {
    environmentName: 'sagemaker-isolated',
    network: { endpointServices: [...ENDPOINT_PRESETS.SAGEMAKER_ISOLATED] },
    agentComputeServices: [AgentComputeService.SAGEMAKER],
    billing: { monthlyLimitUsd: 2000 },
  });
  workloadResources(stack, env, true);
  const launcher = new iam.Role(stack, 'Launcher', { assumedBy: new iam.AccountPrincipal(stack.account) });
  // Jobs run as the environment's SageMaker execution role, never the agent role (issue #11): a shape
  // without one would prove nothing about the SageMaker path, so it fails here.
  const executionRole = env.sageMakerExecutionRole;
  if (!executionRole) throw new Error('the SageMaker shape needs BlackHoleEnvironment.sageMakerExecutionRole');
  new SageMakerTrainingLaunchPolicy(stack, 'LaunchPolicy', {
    environmentName: env.environmentName,
    subnets: env.network.isolatedSubnets,
    securityGroups: [env.network.trainingSecurityGroup],
    executionRoles: [executionRole],
    instanceTypes: ['ml.g5.*', 'ml.p5.*'],
  }).attachToRole(launcher);
  return {
    id: 'sagemaker',
    mode,
    stackName: stack.stackName,
    environmentPath: env.node.path,
    template: Template.fromStack(stack).toJSON(),
    features: new Set<ShapeFeature>(['datasets', 'checkpoints', 'images', 'logs', 'metrics', 'sagemaker-launcher']),
  };
}

function multiEnvironment(mode: EnvMode): SynthesizedShape {
  // As examples/multi-environment/app.ts: one stack per team plus the organisation's guardrail.
  const app = new App(APP_PROPS);
  const stack = new Stack(app, 'BlackHole-team-a', stackProps(mode));
  const env = new BlackHoleEnvironment(stack, 'Environment', {
    environmentName: 'team-a',
    network: { cidr: '10.81.0.0/16' },
    gpuFleet: { instanceTypes: ['g5.xlarge'], maxInstances: 2 },
    billing: { monthlyLimitUsd: 5000 },
  });
  workloadResources(stack, env, true);
  const teamB = new Stack(app, 'BlackHole-team-b', stackProps(mode));
  new BlackHoleEnvironment(teamB, 'Environment', {
    environmentName: 'team-b',
    network: { cidr: '10.82.0.0/16' },
    billing: { monthlyLimitUsd: 5000 },
  });
  const org = new Stack(app, 'TrainingGuardrails', stackProps(mode));
  new TrainingGuardrailPolicy(org, 'Guardrail', {
    targetIds: [ORGANIZATION_ROOT_OU],
    breakGlassPrincipalArns: ['arn:aws:iam::*:role/BreakGlass', 'arn:aws:iam::*:role/cdk-*'],
  });
  return {
    id: 'multi-environment',
    mode,
    stackName: stack.stackName,
    environmentPath: env.node.path,
    template: Template.fromStack(stack).toJSON(),
    guardrailTemplate: Template.fromStack(org).toJSON(),
    features: new Set<ShapeFeature>(['fleet', 'datasets', 'checkpoints', 'images', 'logs', 'metrics', 'guardrail', 'interface-endpoints']),
  };
}

const BUILDERS: Record<ShapeId, (mode: EnvMode) => SynthesizedShape> = {
  'ec2-fleet': ec2Fleet,
  sagemaker: sageMakerOnly,
  'multi-environment': multiEnvironment,
};

export const SHAPE_IDS: readonly ShapeId[] = ['ec2-fleet', 'sagemaker', 'multi-environment'];
export const ENV_MODES: readonly EnvMode[] = ['explicit', 'agnostic'];

const cache = new Map<string, SynthesizedShape>();

/** The shape, synthesized once per process (jest runs each test file in its own module registry). */
export function shape(id: ShapeId, mode: EnvMode): SynthesizedShape {
  const key = `${id}/${mode}`;
  let s = cache.get(key);
  if (!s) {
    s = BUILDERS[id](mode);
    cache.set(key, s);
  }
  return s;
}
