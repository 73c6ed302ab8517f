import { TemplateModel } from '../../../lib/gate/model';
import { describeReachReason, IdentityReachability } from '../../../lib/gate/analysis/identity-reachability';
import { RUNTIME_ROLE_PATH } from '../../../lib/common/runtime-roles';
import { AgentRoleOnRuntimePath } from '../../../lib/gate/rules/AgentRoleOnRuntimePath';

const ENV = 'black-hole:environment';
const doc = (...Statement: unknown[]) => ({ Version: '2012-10-17', Statement });
const trustService = (service: string) => doc({ Effect: 'Allow', Principal: { Service: service }, Action: 'sts:AssumeRole' });
const trustAccount = doc({
  Effect: 'Allow',
  Principal: { AWS: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::', { Ref: 'AWS::AccountId' }, ':root']] } },
  Action: 'sts:AssumeRole',
});
const role = (trust: unknown, extra: Record<string, unknown> = {}) => ({ Type: 'AWS::IAM::Role', Properties: { AssumeRolePolicyDocument: trust, ...extra } });
const allow = (action: string, resource: unknown = '*') => ({
  Policies: [{ PolicyName: 'p', PolicyDocument: doc({ Effect: 'Allow', Action: action, Resource: resource }) }],
});

/** An environment VPC with one subnet, plus an unrelated VPC/subnet. */
const NETWORK = {
  Vpc: { Type: 'AWS::EC2::VPC', Properties: { CidrBlock: '10.0.0.0/16', Tags: [{ Key: ENV, Value: 'bh1' }] } },
  Subnet: { Type: 'AWS::EC2::Subnet', Properties: { VpcId: { Ref: 'Vpc' }, CidrBlock: '10.0.0.0/24' } },
  OtherVpc: { Type: 'AWS::EC2::VPC', Properties: { CidrBlock: '10.1.0.0/16' } },
  OtherSubnet: { Type: 'AWS::EC2::Subnet', Properties: { VpcId: { Ref: 'OtherVpc' }, CidrBlock: '10.1.0.0/24' } },
};

function reach(resources: Record<string, unknown>) {
  const model = TemplateModel.fromTemplates([{ stackName: 'S', template: { Resources: { ...NETWORK, ...resources } } }]);
  return IdentityReachability.of(model);
}
const ids = (r: IdentityReachability) => r.principals.map((p) => p.logicalId).sort();

describe('identity reachability', () => {
  test('tagged agent role; 2-hop assume chain; an unrelated admin role elsewhere is not reachable', () => {
    const r = reach({
      Agent: role(trustService('ec2.amazonaws.com'), {
        ...allow('sts:AssumeRole', { 'Fn::GetAtt': ['Hop1', 'Arn'] }),
        Tags: [
          { Key: 'black-hole:agent-role', Value: 'true' },
          { Key: ENV, Value: 'bh1' },
        ],
      }),
      Hop1: role(trustAccount, allow('sts:AssumeRole', { 'Fn::GetAtt': ['Hop2', 'Arn'] })),
      Hop2: role(trustAccount, allow('ec2:*')),
      Admin: role(trustAccount, { ManagedPolicyArns: ['arn:aws:iam::aws:policy/AdministratorAccess'] }),
      Deployer: role(trustService('codebuild.amazonaws.com'), allow('*')),
    });
    expect(ids(r)).toEqual(['Agent', 'Hop1', 'Hop2']);
    expect(r.get('S', 'Agent')!.reasons).toEqual([{ kind: 'agent-role-tag' }]);
    const hop2 = r.get('S', 'Hop2')!;
    expect(hop2.environment).toBe('bh1');
    expect(hop2.reasons).toEqual([
      {
        kind: 'assumable',
        from: { stack: 'S', logicalId: 'Hop1' },
        trustedAs: 'account arn:${AWS::Partition}:iam::${AWS::AccountId}:root',
        grants: [expect.objectContaining({ resource: 'Hop1', policyName: 'p', statementIndex: 0 })],
      },
    ]);
    expect(describeReachReason(hop2.reasons[0])).toMatch(/assumable from role S\/Hop1.*statement 0 of policy p on Hop1/);
    expect(r.get('S', 'Admin')).toBeUndefined();
    expect(hop2.permissions.mayAllow('ec2:CreateVpc').allowed).toBe(true);
  });

  test('a trust policy naming the role directly needs no identity grant; account trust without a grant does not admit', () => {
    const r = reach({
      Agent: role(trustService('ec2.amazonaws.com'), { Tags: [{ Key: 'black-hole:agent-role', Value: 'true' }] }),
      TrustsAgent: role(doc({ Effect: 'Allow', Principal: { AWS: { 'Fn::GetAtt': ['Agent', 'Arn'] } }, Action: 'sts:AssumeRole' })),
      TrustsAccount: role(trustAccount),
      TrustsAnyone: role(doc({ Effect: 'Allow', Principal: '*', Action: 'sts:AssumeRole' })),
    });
    expect(ids(r)).toEqual(['Agent', 'TrustsAgent', 'TrustsAnyone']);
    expect(r.get('S', 'TrustsAgent')!.reasons[0]).toMatchObject({ kind: 'assumable', grants: [] });
  });

  test('PassRole: a role the principal may pass and that trusts a service is reachable', () => {
    const r = reach({
      Agent: role(trustService('ec2.amazonaws.com'), {
        ...allow('iam:PassRole', { 'Fn::GetAtt': ['Worker', 'Arn'] }),
        Tags: [{ Key: 'black-hole:agent-role', Value: 'true' }],
      }),
      Worker: role(trustService('lambda.amazonaws.com')),
      NotPassed: role(trustService('lambda.amazonaws.com')),
    });
    expect(ids(r)).toEqual(['Agent', 'Worker']);
    expect(r.get('S', 'Worker')!.reasons).toEqual([
      { kind: 'passable', from: { stack: 'S', logicalId: 'Agent' }, grants: [expect.objectContaining({ resource: 'Agent' })] },
    ]);
  });

  test('compute only: launch template instance profile used by an instance in an environment subnet', () => {
    const r = reach({
      GpuRole: role(trustService('ec2.amazonaws.com')),
      Profile: { Type: 'AWS::IAM::InstanceProfile', Properties: { Roles: [{ Ref: 'GpuRole' }] } },
      Lt: { Type: 'AWS::EC2::LaunchTemplate', Properties: { LaunchTemplateData: { IamInstanceProfile: { Arn: { 'Fn::GetAtt': ['Profile', 'Arn'] } } } } },
      Gpu: { Type: 'AWS::EC2::Instance', Properties: { SubnetId: { Ref: 'Subnet' }, LaunchTemplate: { LaunchTemplateId: { Ref: 'Lt' }, Version: '1' } } },
      // Same shape outside the environment.
      OutRole: role(trustService('ec2.amazonaws.com')),
      OutProfile: { Type: 'AWS::IAM::InstanceProfile', Properties: { Roles: [{ Ref: 'OutRole' }] } },
      OutInstance: { Type: 'AWS::EC2::Instance', Properties: { SubnetId: { Ref: 'OtherSubnet' }, IamInstanceProfile: { Ref: 'OutProfile' } } },
    });
    expect(ids(r)).toEqual(['GpuRole']);
    const reason = r.get('S', 'GpuRole')!.reasons[0];
    expect(reason).toEqual({
      kind: 'compute',
      compute: { stack: 'S', logicalId: 'Lt', type: 'AWS::EC2::LaunchTemplate' },
      via: 'instance profile S/Profile used by AWS::EC2::Instance S/Gpu',
      environment: 'bh1',
      subnet: 'S/Subnet',
    });
  });

  test('ASG with a launch template (by ID) and one with a launch configuration, in environment subnets', () => {
    const r = reach({
      AsgRole: role(trustService('ec2.amazonaws.com')),
      AsgProfile: { Type: 'AWS::IAM::InstanceProfile', Properties: { InstanceProfileName: 'asg-profile', Roles: [{ Ref: 'AsgRole' }] } },
      Lt: { Type: 'AWS::EC2::LaunchTemplate', Properties: { LaunchTemplateData: { IamInstanceProfile: { Name: 'asg-profile' } } } },
      Asg: {
        Type: 'AWS::AutoScaling::AutoScalingGroup',
        Properties: {
          MinSize: '0',
          MaxSize: '1',
          VPCZoneIdentifier: [{ Ref: 'Subnet' }],
          LaunchTemplate: { LaunchTemplateId: { Ref: 'Lt' }, Version: { 'Fn::GetAtt': ['Lt', 'LatestVersionNumber'] } },
        },
      },
      LcRole: role(trustService('ec2.amazonaws.com')),
      LcProfile: { Type: 'AWS::IAM::InstanceProfile', Properties: { Roles: [{ Ref: 'LcRole' }] } },
      Lc: {
        Type: 'AWS::AutoScaling::LaunchConfiguration',
        Properties: { ImageId: 'ami-1', InstanceType: 'g6.xlarge', IamInstanceProfile: { Ref: 'LcProfile' } },
      },
      Asg2: {
        Type: 'AWS::AutoScaling::AutoScalingGroup',
        Properties: { MinSize: '0', MaxSize: '1', VPCZoneIdentifier: [{ Ref: 'Subnet' }], LaunchConfigurationName: { Ref: 'Lc' } },
      },
    });
    expect(ids(r)).toEqual(['AsgRole', 'LcRole']);
    expect(r.get('S', 'AsgRole')!.reasons[0]).toMatchObject({
      kind: 'compute',
      via: 'instance profile S/AsgProfile used by AWS::AutoScaling::AutoScalingGroup S/Asg',
      subnet: 'S/Subnet',
    });
  });

  test('Lambda in an environment subnet, SageMaker notebook, ECS service, tagged SageMaker role; Lambda elsewhere is not', () => {
    const r = reach({
      FnRole: role(trustService('lambda.amazonaws.com')),
      Fn: {
        Type: 'AWS::Lambda::Function',
        Properties: { Role: { 'Fn::GetAtt': ['FnRole', 'Arn'] }, VpcConfig: { SubnetIds: [{ Ref: 'Subnet' }], SecurityGroupIds: [] } },
      },
      OutFnRole: role(trustService('lambda.amazonaws.com')),
      OutFn: { Type: 'AWS::Lambda::Function', Properties: { Role: { 'Fn::GetAtt': ['OutFnRole', 'Arn'] } } },
      NbRole: role(trustService('sagemaker.amazonaws.com')),
      Nb: {
        Type: 'AWS::SageMaker::NotebookInstance',
        Properties: { InstanceType: 'ml.t3.medium', RoleArn: { 'Fn::GetAtt': ['NbRole', 'Arn'] }, SubnetId: { Ref: 'Subnet' } },
      },
      TaskRole: role(trustService('ecs-tasks.amazonaws.com')),
      Td: { Type: 'AWS::ECS::TaskDefinition', Properties: { TaskRoleArn: { 'Fn::GetAtt': ['TaskRole', 'Arn'] } } },
      Svc: {
        Type: 'AWS::ECS::Service',
        Properties: { TaskDefinition: { Ref: 'Td' }, NetworkConfiguration: { AwsvpcConfiguration: { Subnets: [{ Ref: 'Subnet' }] } } },
      },
      TrainRole: role(trustService('sagemaker.amazonaws.com'), { Tags: [{ Key: ENV, Value: 'bh1' }] }),
    });
    expect(ids(r)).toEqual(['FnRole', 'NbRole', 'TaskRole', 'TrainRole']);
    expect(r.get('S', 'TrainRole')!.reasons).toEqual([{ kind: 'sagemaker-role-tag', environment: 'bh1' }]);
    expect(r.get('S', 'TaskRole')!.reasons[0]).toMatchObject({ via: 'TaskRoleArn, run by AWS::ECS::Service S/Svc', subnet: 'S/Subnet' });
  });

  test('a function tagged with an environment but without a VpcConfig runs outside it: its role is not reached', () => {
    const r = reach({
      OwnedRole: role(trustService('lambda.amazonaws.com')),
      Owned: { Type: 'AWS::Lambda::Function', Properties: { Role: { 'Fn::GetAtt': ['OwnedRole', 'Arn'] }, Tags: [{ Key: ENV, Value: 'bh1' }] } },
    });
    expect(ids(r)).toEqual([]);
  });

  test('compute with unknown placement counts when tagged with an environment; unresolvable roles are listed', () => {
    const r = reach({
      TaggedRole: role(trustService('lambda.amazonaws.com')),
      Tagged: {
        Type: 'AWS::Lambda::Function',
        Properties: {
          Role: { 'Fn::GetAtt': ['TaggedRole', 'Arn'] },
          VpcConfig: { SubnetIds: [{ 'Fn::ImportValue': 'x' }] },
          Tags: [{ Key: ENV, Value: 'bh2' }],
        },
      },
      Imported: { Type: 'AWS::Lambda::Function', Properties: { Role: { 'Fn::ImportValue': 'SomeRoleArn' }, VpcConfig: { SubnetIds: [{ Ref: 'Subnet' }] } } },
    });
    expect(ids(r)).toEqual(['TaggedRole']);
    expect(r.get('S', 'TaggedRole')!.reasons[0]).toMatchObject({ environment: 'bh2' });
    expect((r.get('S', 'TaggedRole')!.reasons[0] as { subnet?: string }).subnet).toBeUndefined();
    expect(r.unresolved).toEqual([expect.objectContaining({ logicalId: 'Imported', environment: 'bh1', reason: expect.stringContaining('Role') })]);
  });

  test('reachability across stacks through exports, and Batch compute in an environment', () => {
    const model = TemplateModel.fromTemplates([
      {
        stackName: 'Net',
        template: { Resources: NETWORK, Outputs: { S: { Value: { Ref: 'Subnet' }, Export: { Name: 'Net:Subnet' } } } },
      },
      {
        stackName: 'Train',
        template: {
          Resources: {
            InstRole: role(trustService('ec2.amazonaws.com')),
            InstProfile: { Type: 'AWS::IAM::InstanceProfile', Properties: { Roles: [{ Ref: 'InstRole' }] } },
            Ce: {
              Type: 'AWS::Batch::ComputeEnvironment',
              Properties: {
                Type: 'MANAGED',
                ComputeResources: { Subnets: [{ 'Fn::ImportValue': 'Net:Subnet' }], InstanceRole: { 'Fn::GetAtt': ['InstProfile', 'Arn'] } },
              },
            },
            JobRole: role(trustService('ecs-tasks.amazonaws.com')),
            Jd: {
              Type: 'AWS::Batch::JobDefinition',
              Properties: { Type: 'container', ContainerProperties: { JobRoleArn: { 'Fn::GetAtt': ['JobRole', 'Arn'] } } },
            },
          },
        },
      },
    ]);
    const r = IdentityReachability.of(model);
    expect(ids(r)).toEqual(['InstRole', 'JobRole']);
    expect(r.get('Train', 'InstRole')!.reasons[0]).toMatchObject({ subnet: 'Net/Subnet', environment: 'bh1' });
  });

  test('300 roles in 100 environments are analysed quickly', () => {
    const resources: Record<string, unknown> = {};
    for (let e = 0; e < 100; e++) {
      resources[`Vpc${e}`] = { Type: 'AWS::EC2::VPC', Properties: { Tags: [{ Key: ENV, Value: `env${e}` }] } };
      resources[`Subnet${e}`] = { Type: 'AWS::EC2::Subnet', Properties: { VpcId: { Ref: `Vpc${e}` } } };
      resources[`Agent${e}`] = role(trustService('ec2.amazonaws.com'), {
        Policies: [
          {
            PolicyName: 'p',
            PolicyDocument: doc(
              { Effect: 'Allow', Action: ['iam:PassRole', 'sts:AssumeRole'], Resource: { 'Fn::GetAtt': [`Worker${e}`, 'Arn'] } },
              { Effect: 'Allow', Action: ['s3:Get*', 'ec2:Describe*'], Resource: '*' },
            ),
          },
        ],
        Tags: [
          { Key: 'black-hole:agent-role', Value: 'true' },
          { Key: ENV, Value: `env${e}` },
        ],
      });
      resources[`Worker${e}`] = role(trustAccount, { ...allow('s3:*') });
      resources[`Inst${e}`] = role(trustService('ec2.amazonaws.com'), allow('cloudwatch:PutMetricData'));
      resources[`Profile${e}`] = { Type: 'AWS::IAM::InstanceProfile', Properties: { Roles: [{ Ref: `Inst${e}` }] } };
      resources[`Gpu${e}`] = { Type: 'AWS::EC2::Instance', Properties: { SubnetId: { Ref: `Subnet${e}` }, IamInstanceProfile: { Ref: `Profile${e}` } } };
    }
    const start = Date.now();
    const model = TemplateModel.fromTemplates([{ stackName: 'Big', template: { Resources: resources } }]);
    const r = IdentityReachability.of(model);
    const catalog = [
      'ec2:CreateInternetGateway',
      'iam:PassRole',
      'servicequotas:RequestServiceQuotaIncrease',
      'budgets:ModifyBudget',
      'ssm:StartSession',
      's3:PutBucketPolicy',
    ];
    for (const p of r.principals) p.permissions.allowedActions(catalog);
    const elapsed = Date.now() - start;
    expect(r.principals).toHaveLength(300);
    expect(
      r
        .get('Big', 'Worker7')!
        .reasons.map((x) => x.kind)
        .sort(),
    ).toEqual(['assumable']);
    expect(elapsed).toBeLessThan(2000);
  });
});

describe('SageMaker execution roles passable only for network-isolated jobs', () => {
  const execRole = () => role(trustService('sagemaker.amazonaws.com'), { Path: RUNTIME_ROLE_PATH, Tags: [{ Key: ENV, Value: 'bh1' }] });
  const isolated = {
    Bool: { 'sagemaker:NetworkIsolation': 'true' },
    Null: { 'sagemaker:VpcSubnets': 'false' },
    'ForAllValues:StringEquals': { 'sagemaker:VpcSubnets': [{ Ref: 'Subnet' }] },
  };
  const launcher = (condition: unknown, extra: unknown[] = []) => ({
    Launcher: role(trustAccount),
    LaunchPolicy: {
      Type: 'AWS::IAM::ManagedPolicy',
      Properties: {
        Roles: [{ Ref: 'Launcher' }],
        PolicyDocument: doc(
          { Effect: 'Allow', Action: 'sagemaker:CreateTrainingJob', Resource: '*', ...(condition ? { Condition: condition } : {}) },
          { Effect: 'Allow', Action: ['sagemaker:DescribeTrainingJob', 'sagemaker:StopTrainingJob', 'sagemaker:AddTags'], Resource: '*' },
          {
            Effect: 'Allow',
            Action: 'iam:PassRole',
            Resource: { 'Fn::GetAtt': ['Exec', 'Arn'] },
            Condition: { StringEquals: { 'iam:PassedToService': 'sagemaker.amazonaws.com' } },
          },
          ...extra,
        ),
      },
    },
  });

  test('not agent compute when every launcher may only start isolated jobs in environment subnets', () => {
    const r = reach({ Exec: execRole(), ...launcher(isolated) });
    expect(r.get('S', 'Exec')).toBeUndefined();
    expect(r.isolatedExecutionRoles).toEqual([{ stack: 'S', logicalId: 'Exec', environment: 'bh1', launchers: ['S/Launcher'] }]);
  });

  test.each([
    ['no condition', undefined, []],
    ['BoolIfExists (a request without isolation matches)', { ...isolated, Bool: undefined, BoolIfExists: { 'sagemaker:NetworkIsolation': 'true' } }, []],
    ['isolation false', { ...isolated, Bool: { 'sagemaker:NetworkIsolation': 'false' } }, []],
    ['no VpcConfig required', { Bool: isolated.Bool }, []],
    ['subnets outside any environment', { ...isolated, 'ForAllValues:StringEquals': { 'sagemaker:VpcSubnets': [{ Ref: 'OtherSubnet' }] } }, []],
    ['an unresolvable subnet', { ...isolated, 'ForAllValues:StringEquals': { 'sagemaker:VpcSubnets': [{ 'Fn::ImportValue': 'x' }] } }, []],
    ['CreateProcessingJob as well', isolated, [{ Effect: 'Allow', Action: 'sagemaker:CreateProcessingJob', Resource: '*' }]],
    ['CreateNotebookInstance as well', isolated, [{ Effect: 'Allow', Action: 'sagemaker:CreateNotebookInstance', Resource: '*' }]],
    ['sagemaker:Create* as well', isolated, [{ Effect: 'Allow', Action: 'sagemaker:Create*', Resource: '*' }]],
  ])('stays agent-reachable with a launcher allowed %s', (_what, condition, extra) => {
    const r = reach({ Exec: execRole(), ...launcher(condition, extra) });
    expect(r.get('S', 'Exec')!.reasons).toEqual([{ kind: 'sagemaker-role-tag', environment: 'bh1' }]);
    expect(r.isolatedExecutionRoles).toEqual([]);
  });

  test('stays agent-reachable when nobody in the app passes it, when it also trusts EC2, or when compute uses it', () => {
    expect(reach({ Exec: execRole() }).get('S', 'Exec')).toBeDefined();
    const both = role(doc({ Effect: 'Allow', Principal: { Service: ['sagemaker.amazonaws.com', 'ec2.amazonaws.com'] }, Action: 'sts:AssumeRole' }), {
      Tags: [{ Key: ENV, Value: 'bh1' }],
    });
    expect(reach({ Exec: both, ...launcher(isolated) }).get('S', 'Exec')).toBeDefined();
    const model = {
      Exec: execRole(),
      ...launcher(isolated),
      Model: { Type: 'AWS::SageMaker::Model', Properties: { ExecutionRoleArn: { 'Fn::GetAtt': ['Exec', 'Arn'] } } },
    };
    expect(reach(model).get('S', 'Exec')).toBeDefined();
    const space = {
      Exec: execRole(),
      ...launcher(isolated),
      Space: { Type: 'AWS::SageMaker::Space', Properties: { SpaceSettings: { ExecutionRole: { 'Fn::GetAtt': ['Exec', 'Arn'] } } } },
    };
    expect(reach(space).get('S', 'Exec')).toBeDefined();
  });

  test('stays agent-reachable when a second role may pass it without the condition, or the app has IAM users', () => {
    const second = {
      Other: role(trustAccount, {
        Policies: [{ PolicyName: 'p', PolicyDocument: doc({ Effect: 'Allow', Action: ['iam:PassRole', 'sagemaker:CreateTrainingJob'], Resource: '*' }) }],
      }),
    };
    expect(reach({ Exec: execRole(), ...launcher(isolated), ...second }).get('S', 'Exec')).toBeDefined();
    expect(reach({ Exec: execRole(), ...launcher(isolated), User: { Type: 'AWS::IAM::User', Properties: {} } }).get('S', 'Exec')).toBeDefined();
  });

  test('an agent that may pass it reaches it (and it is then no exemption)', () => {
    const r = reach({
      Exec: execRole(),
      ...launcher(isolated),
      Agent: role(trustService('ec2.amazonaws.com'), {
        ...allow('iam:PassRole', { 'Fn::GetAtt': ['Exec', 'Arn'] }),
        Tags: [{ Key: 'black-hole:agent-role', Value: 'true' }],
      }),
    });
    expect(r.get('S', 'Exec')!.reasons[0]).toMatchObject({ kind: 'passable' });
    expect(r.isolatedExecutionRoles).toEqual([]);
    expect(r.get('S', 'Exec')!.runtimePath).toBe('certain');
  });
});

describe('agent-reachable roles on the runtime path (BlackHole-IAM9)', () => {
  const agentTags = {
    Tags: [
      { Key: 'black-hole:agent-role', Value: 'true' },
      { Key: ENV, Value: 'bh1' },
    ],
  };
  test('an agent role on the runtime path is an error; an unresolvable path counts; the default path does not', () => {
    const model = TemplateModel.fromTemplates([
      {
        stackName: 'S',
        template: {
          Parameters: { P: { Type: 'String' } },
          Resources: {
            ...NETWORK,
            OnPath: role(trustService('ec2.amazonaws.com'), { ...agentTags, Path: RUNTIME_ROLE_PATH }),
            Unresolvable: role(trustService('ec2.amazonaws.com'), { ...agentTags, Path: { 'Fn::ImportValue': 'path' } }),
            Plain: role(trustService('ec2.amazonaws.com'), agentTags),
            OtherPath: role(trustService('ec2.amazonaws.com'), { ...agentTags, Path: '/agents/' }),
            RuntimeNotReachable: role(trustService('lambda.amazonaws.com'), { Path: RUNTIME_ROLE_PATH }),
          },
        },
      },
    ]);
    const r = IdentityReachability.of(model);
    expect(r.get('S', 'OnPath')!.runtimePath).toBe('certain');
    expect(r.get('S', 'Unresolvable')!.runtimePath).toBe('possible');
    expect(r.get('S', 'Plain')!.runtimePath).toBeUndefined();
    const findings = AgentRoleOnRuntimePath.check({ model });
    expect(findings.map((f) => f.resource.logicalId).sort()).toEqual(['OnPath', 'Unresolvable']);
    expect(AgentRoleOnRuntimePath.severity).toBe('error');
    expect(findings[0].message).toMatch(/runtime path \/black-hole-runtime\//);
  });
});
