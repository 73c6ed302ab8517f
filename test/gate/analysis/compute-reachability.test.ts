import { IdentityReachability } from '../../../lib/gate/analysis/identity-reachability';
import { runGate } from '../../../lib/gate/engine';
import { TemplateModel } from '../../../lib/gate/model';
import { EnvironmentContainmentDisabled } from '../../../lib/gate/rules/EnvironmentContainmentDisabled';
import { UnidentifiedComputeRole } from '../../../lib/gate/rules/UnidentifiedComputeRole';

const ENV = 'black-hole:environment';
const doc = (...Statement: unknown[]) => ({ Version: '2012-10-17', Statement });
const trust = (service: string) => doc({ Effect: 'Allow', Principal: { Service: service }, Action: 'sts:AssumeRole' });
const role = (service: string, extra: Record<string, unknown> = {}) => ({
  Type: 'AWS::IAM::Role',
  Properties: { AssumeRolePolicyDocument: trust(service), ...extra },
});
const profile = (roleId: string, extra: Record<string, unknown> = {}) => ({
  Type: 'AWS::IAM::InstanceProfile',
  Properties: { Roles: [{ Ref: roleId }], ...extra },
});
const arn = (id: string) => ({ 'Fn::GetAtt': [id, 'Arn'] });

/** An environment VPC with one subnet, plus an unrelated VPC and subnet. */
const NETWORK = {
  Vpc: { Type: 'AWS::EC2::VPC', Properties: { CidrBlock: '10.0.0.0/16', Tags: [{ Key: ENV, Value: 'bh1' }] } },
  Subnet: { Type: 'AWS::EC2::Subnet', Properties: { VpcId: { Ref: 'Vpc' }, CidrBlock: '10.0.0.0/24' } },
  OtherVpc: { Type: 'AWS::EC2::VPC', Properties: { CidrBlock: '10.1.0.0/16' } },
  OtherSubnet: { Type: 'AWS::EC2::Subnet', Properties: { VpcId: { Ref: 'OtherVpc' }, CidrBlock: '10.1.0.0/24' } },
};

function model(resources: Record<string, unknown>, extra: Record<string, unknown> = {}) {
  return TemplateModel.fromTemplates([{ stackName: 'S', template: { ...extra, Resources: { ...NETWORK, ...resources } } }]);
}
function reached(resources: Record<string, unknown>, extra: Record<string, unknown> = {}): string[] {
  return IdentityReachability.of(model(resources, extra))
    .principals.map((p) => p.logicalId)
    .sort();
}
function ruleIds(resources: Record<string, unknown>, extra: Record<string, unknown> = {}): string[] {
  return [
    ...new Set(runGate(model(resources, extra), { rules: [UnidentifiedComputeRole, EnvironmentContainmentDisabled] }).findings.map((f) => f.ruleId)),
  ].sort();
}

describe('compute forms reached through their placement', () => {
  test('Glue job: a connection named by string in an environment subnet places it; in another VPC or without one it is not', () => {
    const conn = (subnet: string, name: string) => ({
      Type: 'AWS::Glue::Connection',
      Properties: {
        CatalogId: { Ref: 'AWS::AccountId' },
        ConnectionInput: { Name: name, ConnectionType: 'NETWORK', PhysicalConnectionRequirements: { SubnetId: { Ref: subnet } } },
      },
    });
    const job = (roleId: string, connections?: unknown[]) => ({
      Type: 'AWS::Glue::Job',
      Properties: { Role: arn(roleId), Command: { Name: 'glueetl' }, ...(connections ? { Connections: { Connections: connections } } : {}) },
    });
    expect(
      reached({
        InConn: conn('Subnet', 'in-env'),
        OutConn: conn('OtherSubnet', 'elsewhere'),
        EnvRole: role('glue.amazonaws.com'),
        OtherRole: role('glue.amazonaws.com'),
        NoVpcRole: role('glue.amazonaws.com'),
        ByRefRole: role('glue.amazonaws.com'),
        EnvJob: job('EnvRole', ['in-env']),
        OtherJob: job('OtherRole', ['elsewhere']),
        NoVpcJob: job('NoVpcRole'),
        ByRefJob: job('ByRefRole', [{ Ref: 'InConn' }]),
      }),
    ).toEqual(['ByRefRole', 'EnvRole']);
  });

  test('EMR cluster: the JobFlowRole instance profile and the ServiceRole in an environment subnet', () => {
    expect(
      reached({
        Ec2Role: role('ec2.amazonaws.com'),
        Profile: profile('Ec2Role'),
        ServiceRole: role('elasticmapreduce.amazonaws.com'),
        Cluster: {
          Type: 'AWS::EMR::Cluster',
          Properties: {
            Name: 'c',
            ReleaseLabel: 'emr-7.0.0',
            JobFlowRole: { Ref: 'Profile' },
            ServiceRole: { Ref: 'ServiceRole' },
            Instances: { Ec2SubnetIds: [{ Ref: 'Subnet' }] },
          },
        },
      }),
    ).toEqual(['Ec2Role', 'ServiceRole']);
  });

  test('MWAA environment in environment subnets; one in another VPC is not', () => {
    const mwaa = (roleId: string, subnet: string) => ({
      Type: 'AWS::MWAA::Environment',
      Properties: { Name: roleId, ExecutionRoleArn: arn(roleId), NetworkConfiguration: { SubnetIds: [{ Ref: subnet }] } },
    });
    expect(
      reached({ In: role('airflow-env.amazonaws.com'), Out: role('airflow-env.amazonaws.com'), A: mwaa('In', 'Subnet'), B: mwaa('Out', 'OtherSubnet') }),
    ).toEqual(['In']);
  });

  test('ECS tasks started by an EventBridge rule (task definition by Ref) or Scheduler (by family name)', () => {
    const td = (roleId: string, family: string) => ({ Type: 'AWS::ECS::TaskDefinition', Properties: { Family: family, TaskRoleArn: arn(roleId) } });
    expect(
      reached({
        RuleTask: role('ecs-tasks.amazonaws.com'),
        ScheduleTask: role('ecs-tasks.amazonaws.com'),
        Idle: role('ecs-tasks.amazonaws.com'),
        RuleTd: td('RuleTask', 'rule-task'),
        ScheduleTd: td('ScheduleTask', 'nightly'),
        IdleTd: td('Idle', 'idle'),
        Launcher: role('events.amazonaws.com'),
        Rule: {
          Type: 'AWS::Events::Rule',
          Properties: {
            ScheduleExpression: 'rate(1 hour)',
            Targets: [
              {
                Id: 't',
                Arn: 'arn:aws:ecs:us-east-1:111111111111:cluster/c',
                RoleArn: arn('Launcher'),
                EcsParameters: { TaskDefinitionArn: { Ref: 'RuleTd' }, NetworkConfiguration: { AwsVpcConfiguration: { Subnets: [{ Ref: 'Subnet' }] } } },
              },
            ],
          },
        },
        Schedule: {
          Type: 'AWS::Scheduler::Schedule',
          Properties: {
            ScheduleExpression: 'rate(1 day)',
            FlexibleTimeWindow: { Mode: 'OFF' },
            Target: {
              Arn: 'arn:aws:ecs:us-east-1:111111111111:cluster/c',
              RoleArn: arn('Launcher'),
              EcsParameters: {
                TaskDefinitionArn: 'arn:aws:ecs:us-east-1:111111111111:task-definition/nightly:3',
                NetworkConfiguration: { AwsvpcConfiguration: { Subnets: [{ Ref: 'Subnet' }] } },
              },
            },
          },
        },
      }),
    ).toEqual(['RuleTask', 'ScheduleTask']);
  });

  test('a task definition named from outside the app on environment compute is BlackHole-GATE2', () => {
    expect(
      ruleIds({
        Rule: {
          Type: 'AWS::Events::Rule',
          Properties: {
            ScheduleExpression: 'rate(1 hour)',
            Targets: [
              {
                Id: 't',
                Arn: 'arn:aws:ecs:us-east-1:111111111111:cluster/c',
                EcsParameters: {
                  TaskDefinitionArn: 'arn:aws:ecs:us-east-1:111111111111:task-definition/foreign:1',
                  NetworkConfiguration: { AwsVpcConfiguration: { Subnets: [{ Ref: 'Subnet' }] } },
                },
              },
            ],
          },
        },
      }),
    ).toEqual(['BlackHole-GATE2']);
  });

  test('Batch multi-node job roles run on environment compute', () => {
    expect(
      reached({
        NodeRole: role('ecs-tasks.amazonaws.com'),
        InstanceRole: role('ec2.amazonaws.com'),
        Profile: profile('InstanceRole'),
        Ce: {
          Type: 'AWS::Batch::ComputeEnvironment',
          Properties: { Type: 'MANAGED', ComputeResources: { Type: 'EC2', MaxvCpus: 4, Subnets: [{ Ref: 'Subnet' }], InstanceRole: arn('Profile') } },
        },
        Jd: {
          Type: 'AWS::Batch::JobDefinition',
          Properties: {
            Type: 'multinode',
            NodeProperties: { NumNodes: 2, MainNode: 0, NodeRangeProperties: [{ TargetNodes: '0:', Container: { Image: 'x', JobRoleArn: arn('NodeRole') } }] },
          },
        },
      }),
    ).toEqual(['InstanceRole', 'NodeRole']);
  });

  test('ASG per-instance-type override launch template, and a launch configuration named by string', () => {
    const lt = (profileId: string) => ({
      Type: 'AWS::EC2::LaunchTemplate',
      Properties: { LaunchTemplateData: { IamInstanceProfile: { Arn: arn(profileId) } } },
    });
    expect(
      reached({
        BaseRole: role('ec2.amazonaws.com'),
        OverrideRole: role('ec2.amazonaws.com'),
        LcRole: role('ec2.amazonaws.com'),
        BaseProfile: profile('BaseRole'),
        OverrideProfile: profile('OverrideRole'),
        LcProfile: profile('LcRole'),
        BaseLt: lt('BaseProfile'),
        OverrideLt: lt('OverrideProfile'),
        Lc: {
          Type: 'AWS::AutoScaling::LaunchConfiguration',
          Properties: { LaunchConfigurationName: 'gpu-lc', ImageId: 'ami-1', InstanceType: 'p5.48xlarge', IamInstanceProfile: { Ref: 'LcProfile' } },
        },
        Mixed: {
          Type: 'AWS::AutoScaling::AutoScalingGroup',
          Properties: {
            MinSize: '0',
            MaxSize: '1',
            VPCZoneIdentifier: [{ Ref: 'Subnet' }],
            MixedInstancesPolicy: {
              LaunchTemplate: {
                LaunchTemplateSpecification: { LaunchTemplateId: { Ref: 'BaseLt' }, Version: '1' },
                Overrides: [{ InstanceType: 'p5.48xlarge', LaunchTemplateSpecification: { LaunchTemplateId: { Ref: 'OverrideLt' }, Version: '1' } }],
              },
            },
          },
        },
        ByName: {
          Type: 'AWS::AutoScaling::AutoScalingGroup',
          Properties: { MinSize: '0', MaxSize: '1', VPCZoneIdentifier: [{ Ref: 'Subnet' }], LaunchConfigurationName: 'gpu-lc' },
        },
      }),
    ).toEqual(['BaseRole', 'LcRole', 'OverrideRole']);
  });

  test('SageMaker user profile in an environment domain (placed through DomainId)', () => {
    expect(
      reached({
        DomainRole: role('sagemaker.amazonaws.com'),
        UserRole: role('sagemaker.amazonaws.com'),
        Domain: {
          Type: 'AWS::SageMaker::Domain',
          Properties: {
            DomainName: 'd',
            AuthMode: 'IAM',
            VpcId: { Ref: 'Vpc' },
            SubnetIds: [{ Ref: 'Subnet' }],
            DefaultUserSettings: { ExecutionRole: arn('DomainRole') },
          },
        },
        User: {
          Type: 'AWS::SageMaker::UserProfile',
          Properties: { DomainId: { 'Fn::GetAtt': ['Domain', 'DomainId'] }, UserProfileName: 'u', UserSettings: { ExecutionRole: arn('UserRole') } },
        },
      }),
    ).toEqual(['DomainRole', 'UserRole']);
  });

  test('Fn::If around an instance profile: every branch is analysed', () => {
    expect(
      reached(
        {
          A: role('ec2.amazonaws.com'),
          B: role('ec2.amazonaws.com'),
          PA: profile('A'),
          PB: profile('B'),
          I: {
            Type: 'AWS::EC2::Instance',
            Properties: { SubnetId: { Ref: 'Subnet' }, IamInstanceProfile: { 'Fn::If': ['Big', { Ref: 'PA' }, { Ref: 'PB' }] } },
          },
        },
        { Conditions: { Big: { 'Fn::Equals': ['a', 'b'] } } },
      ),
    ).toEqual(['A', 'B']);
  });

  test("a literal subnet id or a parameter is possibly the environment's; the library's SSM parameter names its environment", () => {
    const fn = (roleId: string, subnets: unknown) => ({
      Type: 'AWS::Lambda::Function',
      Properties: { Role: arn(roleId), Code: { ZipFile: 'x' }, Handler: 'i.h', Runtime: 'nodejs22.x', VpcConfig: { SubnetIds: subnets, SecurityGroupIds: [] } },
    });
    const m = model(
      {
        Literal: role('lambda.amazonaws.com'),
        Param: role('lambda.amazonaws.com'),
        Ssm: role('lambda.amazonaws.com'),
        Dynamic: role('lambda.amazonaws.com'),
        Elsewhere: role('lambda.amazonaws.com'),
        F1: fn('Literal', ['subnet-0123456789abcdef0']),
        F2: fn('Param', { Ref: 'Subnets' }),
        F3: fn('Ssm', { Ref: 'SsmSubnets' }),
        F4: fn('Dynamic', ['{{resolve:ssm:/black-hole/team-x/sagemaker/subnet-ids}}']),
        F5: fn('Elsewhere', [{ Ref: 'OtherSubnet' }]),
      },
      {
        Parameters: {
          Subnets: { Type: 'List<AWS::EC2::Subnet::Id>' },
          SsmSubnets: { Type: 'AWS::SSM::Parameter::Value<List<String>>', Default: '/black-hole/team-x/sagemaker/subnet-ids' },
        },
      },
    );
    const r = IdentityReachability.of(m);
    expect(r.principals.map((p) => p.logicalId).sort()).toEqual(['Dynamic', 'Literal', 'Param', 'Ssm']);
    expect(r.get('S', 'Literal')!.reasons[0]).toMatchObject({
      kind: 'compute',
      environment: 'bh1',
      possible: expect.stringMatching(/subnet-0123456789abcdef0/),
    });
    expect(r.get('S', 'Ssm')!.reasons[0]).toMatchObject({ environment: 'team-x', subnet: 'SSM parameter /black-hole/team-x/sagemaker/subnet-ids' });
    expect(r.get('S', 'Dynamic')!.environments).toEqual(['team-x']);
  });

  test('an unresolvable role on environment compute is an error (BlackHole-GATE2); an app role is not', () => {
    const nb = (roleArn: unknown) => ({
      Type: 'AWS::SageMaker::NotebookInstance',
      Properties: { InstanceType: 'ml.t3.medium', SubnetId: { Ref: 'Subnet' }, RoleArn: roleArn },
    });
    expect(ruleIds({ Nb: nb('arn:aws:iam::111111111111:role/outside') })).toEqual(['BlackHole-GATE2']);
    expect(ruleIds({ Nb: nb({ Ref: 'RoleParam' }) }, { Parameters: { RoleParam: { Type: 'String', Default: 'arn:aws:iam::111111111111:role/x' } } })).toEqual([
      'BlackHole-GATE2',
    ]);
    expect(ruleIds({ R: role('sagemaker.amazonaws.com'), Nb: nb(arn('R')) })).toEqual([]);
    // Outside every environment: not the gate's business.
    expect(
      ruleIds({
        Nb: {
          ...nb('arn:aws:iam::111111111111:role/outside'),
          Properties: { ...nb('x').Properties, SubnetId: { Ref: 'OtherSubnet' }, RoleArn: 'arn:aws:iam::111111111111:role/outside' },
        },
      }),
    ).toEqual([]);
  });
});

describe('containment disabled in the template (BlackHole-RSP1)', () => {
  const instance = (props: Record<string, unknown>, subnet = 'Subnet') => ({ Type: 'AWS::EC2::Instance', Properties: { SubnetId: { Ref: subnet }, ...props } });
  const asg = (props: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
    Type: 'AWS::AutoScaling::AutoScalingGroup',
    Properties: { MinSize: '0', MaxSize: '1', VPCZoneIdentifier: [{ Ref: 'Subnet' }], ...props },
    ...extra,
  });
  test.each([
    ['DisableApiStop on an instance', { I: instance({ DisableApiStop: true }) }],
    ['DisableApiStop in one Fn::If branch', { I: instance({ DisableApiStop: { 'Fn::If': ['C', true, false] } }) }],
    ['DisableApiStop from a parameter without AllowedValues', { I: instance({ DisableApiStop: { Ref: 'P' } }) }],
    [
      'DisableApiStop in a launch template used by an environment group',
      {
        Lt: { Type: 'AWS::EC2::LaunchTemplate', Properties: { LaunchTemplateName: 'lt', LaunchTemplateData: { DisableApiStop: 'true' } } },
        G: asg({ LaunchTemplate: { LaunchTemplateName: 'lt', Version: '1' } }),
      },
    ],
    ['scale-in protection', { G: asg({ NewInstancesProtectedFromScaleIn: true }) }],
    ['suspended Terminate during updates', { G: asg({}, { UpdatePolicy: { AutoScalingRollingUpdate: { SuspendProcesses: ['HealthCheck', 'Terminate'] } } }) }],
  ])('%s is a finding', (_, resources) => {
    expect(ruleIds(resources, { Parameters: { P: { Type: 'String', Default: 'false' } }, Conditions: { C: { 'Fn::Equals': ['a', 'b'] } } })).toEqual([
      'BlackHole-RSP1',
    ]);
  });
  test.each([
    ['DisableApiTermination only (the responder stops, it does not terminate)', { I: instance({ DisableApiTermination: true }) }],
    [
      'DisableApiStop false, or from a parameter allowing only false',
      { I: instance({ DisableApiStop: false }), J: instance({ DisableApiStop: { Ref: 'Q' } }) },
    ],
    ['DisableApiStop outside every environment', { I: instance({ DisableApiStop: true }, 'OtherSubnet') }],
    [
      'suspending only AZRebalance and ScheduledActions',
      { G: asg({}, { UpdatePolicy: { AutoScalingRollingUpdate: { SuspendProcesses: ['AZRebalance', 'ScheduledActions'] } } }) },
    ],
  ])('%s passes', (_, resources) => {
    expect(ruleIds(resources, { Parameters: { Q: { Type: 'String', Default: 'false', AllowedValues: ['false'] } } })).toEqual([]);
  });
});
