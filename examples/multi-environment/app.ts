/**
 * Several teams in one app: one black hole per team, each in its own stack with its own VPC
 * range, boundary, agent role and GPU fleet; and the organisation guardrail (SCPs from the same
 * escape catalog) for the OU that holds the training accounts, with a break-glass role. The
 * library's runtime roles of each team stack (the flow-log role, CDK's default-security-group and
 * prefix-list handlers) are on the runtime path `/black-hole-runtime/`, which the guardrail exempts.
 */
import { CfnGuardValidator } from '@cdklabs/cdk-validator-cfnguard';
import { App, Stack, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
// In your own app: import { ... } from 'cdk-black-hole';
import { AgentBoundary, AgentRole, BlackHoleChecks, BlackHoleVpc, ENDPOINT_PRESETS, GpuTrainingFleet, TrainingGuardrailPolicy } from '../../lib';

const app = new App();

const teams = [
  { name: 'team-a', cidr: '10.81.0.0/16', instanceTypes: ['g5.xlarge'], maxInstances: 2 },
  { name: 'team-b', cidr: '10.82.0.0/16', instanceTypes: ['g6.2xlarge', 'g6e.xlarge'], maxInstances: 4 },
];
for (const team of teams) {
  const stack = new Stack(app, `BlackHole-${team.name}`);
  const network = new BlackHoleVpc(stack, 'Network', { environmentName: team.name, cidr: team.cidr, endpointServices: [...ENDPOINT_PRESETS.EC2_TRAINING] });
  const boundary = new AgentBoundary(stack, 'Boundary', {
    environmentName: team.name,
    vpc: network.vpc,
    enabledEndpointServices: [...network.endpointServices],
  });
  const role = new AgentRole(stack, 'Agent', { boundary });
  new GpuTrainingFleet(stack, 'Fleet', { network, role, instanceTypes: team.instanceTypes, maxInstances: team.maxInstances });
}

// Deployed in the organisation's management (or delegated administrator) account.
const org = new Stack(app, 'TrainingGuardrails');
new TrainingGuardrailPolicy(org, 'Guardrail', {
  targetIds: ['ou-abcd-12345678'],
  breakGlassPrincipalArns: ['arn:aws:iam::*:role/BreakGlass', 'arn:aws:iam::*:role/cdk-*'],
});

// The gate, and the peer checks: cdk-nag's AWS Solutions pack and the AWS Control Tower proactive
// controls (cfn-guard, offline). Acknowledged findings and their reasons: docs/COMPLIANCE.md.
Validations.of(app).addPlugins(new BlackHoleChecks(app), new AwsSolutionsChecks(app), new CfnGuardValidator());
app.synth();
