/**
 * Network-isolated SageMaker training in a black hole. The containers get no network and no
 * credentials; SageMaker itself moves the data and images with the environment's execution role
 * (SageMakerExecutionRole: its tool, not the agent's). A launcher role (for the training harness)
 * may start training jobs only isolated, in the environment's subnets and security group,
 * encrypted between containers, on allowlisted GPU types, passing only that execution role. Both
 * are on the runtime path, so the organisation guardrail SCP does not deny them their calls.
 */
import { CfnGuardValidator } from '@cdklabs/cdk-validator-cfnguard';
import { App, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { AwsSolutionsChecks } from 'cdk-nag';
// In your own app: import { ... } from 'cdk-black-hole';
import { AgentComputeService, BlackHoleChecks, BlackHoleEnvironment, ENDPOINT_PRESETS, markRuntimeRole, SageMakerTrainingLaunchPolicy } from '../../lib';

const app = new App();
const stack = new Stack(app, 'SageMakerIsolatedTraining', { description: 'cdk-black-hole example: network-isolated SageMaker training' });
const env = new BlackHoleEnvironment(stack, 'Environment', {
  environmentName: 'sagemaker-isolated',
  network: { endpointServices: [...ENDPOINT_PRESETS.SAGEMAKER_ISOLATED] }, // only the S3 gateway endpoint
  agentComputeServices: [AgentComputeService.SAGEMAKER],
  billing: { monthlyLimitUsd: 2000 },
});

// The harness assumes this role to submit jobs; it is not an agent role and agents cannot assume it.
// On the runtime path: the guardrail SCP would otherwise deny it sagemaker:CreateTrainingJob and iam:PassRole.
const launcher = new iam.Role(stack, 'Launcher', {
  assumedBy: new iam.AccountPrincipal(stack.account),
  description: 'Submits network-isolated training jobs into the black hole',
});
markRuntimeRole(launcher);
const launchPolicy = new SageMakerTrainingLaunchPolicy(stack, 'LaunchPolicy', {
  environmentName: env.environmentName,
  subnets: env.network.isolatedSubnets,
  securityGroups: [env.network.trainingSecurityGroup],
  // SageMaker's tool: network interfaces in the environment, image pulls, logs (published at /black-hole/<env>/sagemaker/execution-role-arn).
  executionRoles: [env.sageMakerExecutionRole!],
  instanceTypes: ['ml.g5.*', 'ml.p5.*'],
});
launchPolicy.attachToRole(launcher);

// No EC2 fleet here, and SageMaker training publishes no AWS/Usage metric: the budget actions and
// the launch policy's instance-type allowlist and runtime cap are this environment's spend fences.
Validations.of(env.billing).acknowledge({
  id: 'black-hole:billing-no-usage-alarms',
  reason: 'SageMaker-only environment: no EC2 usage metric to alarm on; budget actions and the launch policy cap spend.',
});

// The gate, and the peer checks: cdk-nag's AWS Solutions pack and the AWS Control Tower proactive
// controls (cfn-guard, offline). Acknowledged findings and their reasons: docs/COMPLIANCE.md.
Validations.of(app).addPlugins(new BlackHoleChecks(app), new AwsSolutionsChecks(app), new CfnGuardValidator());
app.synth();
