import { runSimulation, type Simulation } from '@cloud-copilot/iam-simulate';
import { Duration } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import { AgentBoundary } from '../../lib/identity/agent-boundary';
import { AgentRole } from '../../lib/identity/agent-role';
import { GPU_INSTANCE_FAMILIES, isAllowedSageMakerGpuInstanceType, sagemakerGpuInstanceTypePatterns } from '../../lib/identity/gpu-instance-types';
import { SageMakerExecutionRole } from '../../lib/identity/sagemaker-execution-role';
import { SageMakerTrainingLaunchPolicy } from '../../lib/identity/sagemaker-launch-policy';
import { ACCOUNT, environmentStack, PhysicalIds, REGION } from './helpers';

function setup(props: Record<string, unknown> = {}) {
  const { stack, vpc } = environmentStack();
  const boundary = new AgentBoundary(stack, 'Boundary', { environmentName: 'rl-dev', vpc });
  const agent = new AgentRole(stack, 'Agent', { boundary });
  const sg = new ec2.SecurityGroup(stack, 'TrainingSg', { vpc, allowAllOutbound: false });
  const exec = new SageMakerExecutionRole(stack, 'Exec', { environmentName: 'rl-dev', vpc, subnets: vpc.isolatedSubnets, securityGroups: [sg] });
  const launch = new SageMakerTrainingLaunchPolicy(stack, 'Launch', {
    environmentName: 'rl-dev',
    subnets: vpc.isolatedSubnets,
    securityGroups: [sg],
    executionRoles: [exec],
    ...props,
  });
  return { stack, vpc, agent, exec, sg, launch };
}

describe('SageMakerTrainingLaunchPolicy template', () => {
  test('CreateTrainingJob only with isolation, encryption, environment subnets and groups, GPU types, bounded run time, tag', () => {
    const { stack, vpc, sg } = setup();
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::ManagedPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          {
            Sid: 'AllowCreateTrainingJobInsideBlackHole',
            Effect: 'Allow',
            Action: 'sagemaker:CreateTrainingJob',
            Resource: Match.anyValue(),
            Condition: {
              Bool: { 'sagemaker:NetworkIsolation': 'true', 'sagemaker:InterContainerTrafficEncryption': 'true' },
              BoolIfExists: { 'sagemaker:EnableRemoteDebug': 'false' },
              'ForAllValues:StringEquals': {
                'sagemaker:VpcSubnets': vpc.isolatedSubnets.map((s) => stack.resolve(s.subnetId)),
                'sagemaker:VpcSecurityGroupIds': [stack.resolve(sg.securityGroupId)],
              },
              'ForAllValues:StringLike': { 'sagemaker:InstanceTypes': sagemakerGpuInstanceTypePatterns() },
              Null: { 'sagemaker:VpcSubnets': 'false', 'sagemaker:VpcSecurityGroupIds': 'false', 'sagemaker:InstanceTypes': 'false' },
              NumericLessThanEquals: { 'sagemaker:MaxRuntimeInSeconds': '86400' },
              NumericLessThanEqualsIfExists: { 'sagemaker:KeepAlivePeriod': '0' },
              StringEquals: { 'aws:RequestTag/black-hole:environment': 'rl-dev' },
            },
          },
        ]),
      },
    });
  });

  test('PassRole only for the execution roles and only to SageMaker; nothing else creates compute', () => {
    const { stack, exec } = setup();
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::IAM::ManagedPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          {
            Sid: 'AllowPassExecutionRolesToSageMaker',
            Effect: 'Allow',
            Action: 'iam:PassRole',
            Resource: stack.resolve(exec.roleArn),
            Condition: { StringEquals: { 'iam:PassedToService': 'sagemaker.amazonaws.com' } },
          },
        ]),
      },
    });
    const launchPolicies = Object.values(template.findResources('AWS::IAM::ManagedPolicy')).filter((p) => JSON.stringify(p).includes('AllowCreateTrainingJob'));
    const actions = launchPolicies[0].Properties.PolicyDocument.Statement.flatMap((s: { Action: string | string[] }) => [s.Action].flat());
    expect(actions.sort()).toEqual([
      'iam:PassRole',
      'sagemaker:AddTags',
      'sagemaker:CreateTrainingJob',
      'sagemaker:DescribeTrainingJob',
      'sagemaker:StopTrainingJob',
    ]);
  });

  test('instanceTypes and maxRuntime narrow the conditions', () => {
    const { launch, stack } = setup({ instanceTypes: ['ml.p5.48xlarge', 'ml.g6e.*'], maxRuntime: Duration.hours(6) });
    const condition = stack.resolve(launch.statements[0].toStatementJson()).Condition;
    expect(condition['ForAllValues:StringLike']).toEqual({ 'sagemaker:InstanceTypes': ['ml.p5.48xlarge', 'ml.g6e.*'] });
    expect(condition.NumericLessThanEquals).toEqual({ 'sagemaker:MaxRuntimeInSeconds': '21600' });
  });

  test('attachToRole refuses agent roles and attaches to a launcher', () => {
    const { stack, agent, launch } = setup();
    expect(() => launch.attachToRole(agent)).toThrow(/attachToRole: .* is an AgentRole/);
    const launcher = new iam.Role(stack, 'Launcher', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    launch.attachToRole(launcher);
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: Match.objectLike({ Statement: [Match.objectLike({ Principal: { Service: 'lambda.amazonaws.com' } })] }),
      ManagedPolicyArns: [{ Ref: stack.getLogicalId(launch.managedPolicy.node.defaultChild as never) }],
    });
  });

  test.each([
    [{ subnets: [] }, /subnets: must name at least one/],
    [{ securityGroups: [] }, /securityGroups: must name at least one/],
    [{ executionRoles: [] }, /executionRoles: must name at least one execution role/],
    [{ instanceTypes: ['ml.m5.xlarge'] }, /instanceTypes: 'ml.m5.xlarge' is not a SageMaker type of the GPU allowlist; allowed: ml.p4d.\*/],
    [{ instanceTypes: ['p5.48xlarge'] }, /instanceTypes: 'p5.48xlarge'/],
    [{ instanceTypes: [] }, /instanceTypes: must not be empty/],
    [{ maxRuntime: Duration.days(30) }, /maxRuntime: must be a whole number of seconds between 1 second and 28 days/],
    [{ environmentName: '' }, /environmentName: must be a non-empty string/],
  ])('rejects %p', (props, message) => {
    expect(() => setup(props)).toThrow(message);
  });

  test('an AgentRole as execution role is refused: SageMaker could not start the job with it', () => {
    const { stack, vpc, agent, sg } = setup();
    expect(
      () =>
        new SageMakerTrainingLaunchPolicy(stack, 'Launch2', {
          environmentName: 'rl-dev',
          subnets: vpc.isolatedSubnets,
          securityGroups: [sg],
          executionRoles: [agent],
        }),
    ).toThrow(/executionRoles: .*Agent is an AgentRole: its boundary denies ec2:\*/);
  });

  test('the deprecated agentRoles still renders, with a warning', () => {
    const { stack, vpc, agent, sg } = setup();
    const legacy = new SageMakerTrainingLaunchPolicy(stack, 'Legacy', {
      environmentName: 'rl-dev',
      subnets: vpc.isolatedSubnets,
      securityGroups: [sg],
      agentRoles: [agent],
    });
    const pass = stack.resolve(legacy.statements[3].toStatementJson());
    expect(pass.Resource).toEqual(stack.resolve(agent.roleArn));
    const warnings = legacy.node.metadata.filter((m) => m.type === 'aws:cdk:warning').map((m) => String(m.data));
    expect(warnings.some((w) => /agentRoles is deprecated/.test(w))).toBe(true);
  });
});

describe('GPU instance allowlist', () => {
  test('families are unique and the patterns follow them', () => {
    const families = GPU_INSTANCE_FAMILIES.map((f) => f.family);
    expect(new Set(families).size).toBe(families.length);
    expect(sagemakerGpuInstanceTypePatterns()).toEqual(families.map((f) => `ml.${f}.*`));
    expect(isAllowedSageMakerGpuInstanceType('ml.p5.48xlarge')).toBe(true);
    expect(isAllowedSageMakerGpuInstanceType('ml.p6-b200.48xlarge')).toBe(true);
    expect(isAllowedSageMakerGpuInstanceType('ml.m5.xlarge')).toBe(false);
    expect(isAllowedSageMakerGpuInstanceType('ml.p5')).toBe(false);
  });
});

describe('SageMakerTrainingLaunchPolicy evaluated by iam-simulate', () => {
  const { stack, vpc, sg, exec } = setup();
  const template = Template.fromStack(stack);
  const ids = new PhysicalIds(template);
  const policies = template.findResources('AWS::IAM::ManagedPolicy');
  const launchId = Object.keys(policies).find((id) => JSON.stringify(policies[id]).includes('AllowCreateTrainingJob'))!;
  const policy = ids.resolve(policies[launchId].Properties.PolicyDocument);
  const subnets = vpc.isolatedSubnets.map((s) => ids.ref(stack.getLogicalId(s.node.defaultChild as never)));
  const group = ids.ref(stack.getLogicalId(sg.node.defaultChild as never));
  const execArn = ids.getAtt(stack.getLogicalId(exec.node.defaultChild as never), 'Arn');
  const job = `arn:aws:sagemaker:${REGION}:${ACCOUNT}:training-job/episode-42`;

  const good: Record<string, string | string[]> = {
    'sagemaker:NetworkIsolation': 'true',
    'sagemaker:InterContainerTrafficEncryption': 'true',
    'sagemaker:VpcSubnets': subnets,
    'sagemaker:VpcSecurityGroupIds': [group],
    'sagemaker:InstanceTypes': ['ml.p5.48xlarge'],
    'sagemaker:MaxRuntimeInSeconds': '3600',
    'aws:RequestTag/black-hole:environment': 'rl-dev',
  };

  async function decide(action: string, resource: string, context: Record<string, string | string[]>): Promise<string> {
    const simulation: Simulation = {
      request: { principal: `arn:aws:iam::${ACCOUNT}:role/Launcher`, action, resource: { resource, accountId: ACCOUNT }, contextVariables: context },
      identityPolicies: [{ name: 'launch', policy }],
      serviceControlPolicies: [],
      resourceControlPolicies: [],
    };
    const result = await runSimulation(simulation, {});
    if (result.resultType === 'error') throw new Error(result.errors.message);
    return result.overallResult;
  }

  test('a job inside the black hole is allowed', async () => {
    expect(await decide('sagemaker:CreateTrainingJob', job, good)).toBe('Allowed');
  });

  test.each([
    ['without network isolation', { 'sagemaker:NetworkIsolation': 'false' }],
    ['without inter-container encryption', { 'sagemaker:InterContainerTrafficEncryption': 'false' }],
    ['in a foreign subnet', { 'sagemaker:VpcSubnets': [subnets[0], 'subnet-0fffffffffffffff0'] }],
    ['with a foreign security group', { 'sagemaker:VpcSecurityGroupIds': ['sg-0fffffffffffffff0'] }],
    ['on a non-GPU instance type', { 'sagemaker:InstanceTypes': ['ml.m5.24xlarge'] }],
    ['running longer than allowed', { 'sagemaker:MaxRuntimeInSeconds': '2419200' }],
    ['with remote debugging', { 'sagemaker:EnableRemoteDebug': 'true' }],
    ['with a warm pool', { 'sagemaker:KeepAlivePeriod': '3600' }],
    ['without the environment tag', { 'aws:RequestTag/black-hole:environment': 'other' }],
  ])('a job %s is denied', async (_what, change) => {
    expect(await decide('sagemaker:CreateTrainingJob', job, { ...good, ...change })).toBe('ImplicitlyDenied');
  });

  test.each(['sagemaker:VpcSubnets', 'sagemaker:VpcSecurityGroupIds', 'sagemaker:InstanceTypes', 'sagemaker:NetworkIsolation'])(
    'a job without %s in the request is denied',
    async (key) => {
      const { [key]: _removed, ...rest } = good;
      expect(await decide('sagemaker:CreateTrainingJob', job, rest)).toBe('ImplicitlyDenied');
    },
  );

  test('other ways to start compute are not allowed', async () => {
    expect(await decide('sagemaker:CreateProcessingJob', `arn:aws:sagemaker:${REGION}:${ACCOUNT}:processing-job/p`, good)).toBe('ImplicitlyDenied');
    expect(await decide('sagemaker:CreateNotebookInstance', `arn:aws:sagemaker:${REGION}:${ACCOUNT}:notebook-instance/n`, {})).toBe('ImplicitlyDenied');
  });

  test('PassRole: the execution role to SageMaker only', async () => {
    expect(execArn).toBe(`arn:aws:iam::${ACCOUNT}:role/black-hole-runtime/${stack.getLogicalId(exec.node.defaultChild as never)}`);
    expect(await decide('iam:PassRole', execArn, { 'iam:PassedToService': 'sagemaker.amazonaws.com' })).toBe('Allowed');
    expect(await decide('iam:PassRole', execArn, { 'iam:PassedToService': 'ec2.amazonaws.com' })).toBe('ImplicitlyDenied');
    expect(await decide('iam:PassRole', `arn:aws:iam::${ACCOUNT}:role/Admin`, { 'iam:PassedToService': 'sagemaker.amazonaws.com' })).toBe('ImplicitlyDenied');
  });
});
