import { TemplateModel } from '../../../lib/gate/model';
import { describeReachReason, IdentityReachability } from '../../../lib/gate/analysis/identity-reachability';

const ENV = 'black-hole:environment';
const doc = (...Statement: unknown[]) => ({ Version: '2012-10-17', Statement });
const trustService = (service: string) => doc({ Effect: 'Allow', Principal: { Service: service }, Action: 'sts:AssumeRole' });
const trustAccount = doc({ Effect: 'Allow', Principal: { AWS: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::', { Ref: 'AWS::AccountId' }, ':root']] } }, Action: 'sts:AssumeRole' });
const role = (trust: unknown, extra: Record<string, unknown> = {}) => ({ Type: 'AWS::IAM::Role', Properties: { AssumeRolePolicyDocument: trust, ...extra } });
const allow = (action: string, resource: unknown = '*') => ({ Policies: [{ PolicyName: 'p', PolicyDocument: doc({ Effect: 'Allow', Action: action, Resource: resource }) }] });

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
      Agent: role(trustService('ec2.amazonaws.com'), { ...allow('sts:AssumeRole', { 'Fn::GetAtt': ['Hop1', 'Arn'] }), Tags: [{ Key: 'black-hole:agent-role', Value: 'true' }, { Key: ENV, Value: 'bh1' }] }),
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
      Agent: role(trustService('ec2.amazonaws.com'), { ...allow('iam:PassRole', { 'Fn::GetAtt': ['Worker', 'Arn'] }), Tags: [{ Key: 'black-hole:agent-role', Value: 'true' }] }),
      Worker: role(trustService('lambda.amazonaws.com')),
      NotPassed: role(trustService('lambda.amazonaws.com')),
    });
    expect(ids(r)).toEqual(['Agent', 'Worker']);
    expect(r.get('S', 'Worker')!.reasons).toEqual([{ kind: 'passable', from: { stack: 'S', logicalId: 'Agent' }, grants: [expect.objectContaining({ resource: 'Agent' })] }]);
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
      Asg: { Type: 'AWS::AutoScaling::AutoScalingGroup', Properties: { MinSize: '0', MaxSize: '1', VPCZoneIdentifier: [{ Ref: 'Subnet' }], LaunchTemplate: { LaunchTemplateId: { Ref: 'Lt' }, Version: { 'Fn::GetAtt': ['Lt', 'LatestVersionNumber'] } } } },
      LcRole: role(trustService('ec2.amazonaws.com')),
      LcProfile: { Type: 'AWS::IAM::InstanceProfile', Properties: { Roles: [{ Ref: 'LcRole' }] } },
      Lc: { Type: 'AWS::AutoScaling::LaunchConfiguration', Properties: { ImageId: 'ami-1', InstanceType: 'g6.xlarge', IamInstanceProfile: { Ref: 'LcProfile' } } },
      Asg2: { Type: 'AWS::AutoScaling::AutoScalingGroup', Properties: { MinSize: '0', MaxSize: '1', VPCZoneIdentifier: [{ Ref: 'Subnet' }], LaunchConfigurationName: { Ref: 'Lc' } } },
    });
    expect(ids(r)).toEqual(['AsgRole', 'LcRole']);
    expect(r.get('S', 'AsgRole')!.reasons[0]).toMatchObject({ kind: 'compute', via: 'instance profile S/AsgProfile used by AWS::AutoScaling::AutoScalingGroup S/Asg', subnet: 'S/Subnet' });
  });

  test('Lambda in an environment subnet, SageMaker notebook, ECS service, tagged SageMaker role; Lambda elsewhere is not', () => {
    const r = reach({
      FnRole: role(trustService('lambda.amazonaws.com')),
      Fn: { Type: 'AWS::Lambda::Function', Properties: { Role: { 'Fn::GetAtt': ['FnRole', 'Arn'] }, VpcConfig: { SubnetIds: [{ Ref: 'Subnet' }], SecurityGroupIds: [] } } },
      OutFnRole: role(trustService('lambda.amazonaws.com')),
      OutFn: { Type: 'AWS::Lambda::Function', Properties: { Role: { 'Fn::GetAtt': ['OutFnRole', 'Arn'] } } },
      NbRole: role(trustService('sagemaker.amazonaws.com')),
      Nb: { Type: 'AWS::SageMaker::NotebookInstance', Properties: { InstanceType: 'ml.t3.medium', RoleArn: { 'Fn::GetAtt': ['NbRole', 'Arn'] }, SubnetId: { Ref: 'Subnet' } } },
      TaskRole: role(trustService('ecs-tasks.amazonaws.com')),
      Td: { Type: 'AWS::ECS::TaskDefinition', Properties: { TaskRoleArn: { 'Fn::GetAtt': ['TaskRole', 'Arn'] } } },
      Svc: { Type: 'AWS::ECS::Service', Properties: { TaskDefinition: { Ref: 'Td' }, NetworkConfiguration: { AwsvpcConfiguration: { Subnets: [{ Ref: 'Subnet' }] } } } },
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
      Tagged: { Type: 'AWS::Lambda::Function', Properties: { Role: { 'Fn::GetAtt': ['TaggedRole', 'Arn'] }, VpcConfig: { SubnetIds: [{ 'Fn::ImportValue': 'x' }] }, Tags: [{ Key: ENV, Value: 'bh2' }] } },
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
            Ce: { Type: 'AWS::Batch::ComputeEnvironment', Properties: { Type: 'MANAGED', ComputeResources: { Subnets: [{ 'Fn::ImportValue': 'Net:Subnet' }], InstanceRole: { 'Fn::GetAtt': ['InstProfile', 'Arn'] } } } },
            JobRole: role(trustService('ecs-tasks.amazonaws.com')),
            Jd: { Type: 'AWS::Batch::JobDefinition', Properties: { Type: 'container', ContainerProperties: { JobRoleArn: { 'Fn::GetAtt': ['JobRole', 'Arn'] } } } },
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
        Policies: [{ PolicyName: 'p', PolicyDocument: doc({ Effect: 'Allow', Action: ['iam:PassRole', 'sts:AssumeRole'], Resource: { 'Fn::GetAtt': [`Worker${e}`, 'Arn'] } }, { Effect: 'Allow', Action: ['s3:Get*', 'ec2:Describe*'], Resource: '*' }) }],
        Tags: [{ Key: 'black-hole:agent-role', Value: 'true' }, { Key: ENV, Value: `env${e}` }],
      });
      resources[`Worker${e}`] = role(trustAccount, { ...allow('s3:*') });
      resources[`Inst${e}`] = role(trustService('ec2.amazonaws.com'), allow('cloudwatch:PutMetricData'));
      resources[`Profile${e}`] = { Type: 'AWS::IAM::InstanceProfile', Properties: { Roles: [{ Ref: `Inst${e}` }] } };
      resources[`Gpu${e}`] = { Type: 'AWS::EC2::Instance', Properties: { SubnetId: { Ref: `Subnet${e}` }, IamInstanceProfile: { Ref: `Profile${e}` } } };
    }
    const start = Date.now();
    const model = TemplateModel.fromTemplates([{ stackName: 'Big', template: { Resources: resources } }]);
    const r = IdentityReachability.of(model);
    const catalog = ['ec2:CreateInternetGateway', 'iam:PassRole', 'servicequotas:RequestServiceQuotaIncrease', 'budgets:ModifyBudget', 'ssm:StartSession', 's3:PutBucketPolicy'];
    for (const p of r.principals) p.permissions.allowedActions(catalog);
    const elapsed = Date.now() - start;
    expect(r.principals).toHaveLength(300);
    expect(r.get('Big', 'Worker7')!.reasons.map((x) => x.kind).sort()).toEqual(['assumable']);
    expect(elapsed).toBeLessThan(2000);
  });
});
