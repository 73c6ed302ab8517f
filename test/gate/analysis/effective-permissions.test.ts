import { TemplateModel } from '../../../lib/gate/model';
import { PermissionAnalysis } from '../../../lib/gate/analysis/effective-permissions';

const TRUST = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }] };
const doc = (...Statement: unknown[]) => ({ Version: '2012-10-17', Statement });

function analyse(roleProps: Record<string, unknown>, resources: Record<string, unknown> = {}) {
  const model = TemplateModel.fromTemplates([
    {
      stackName: 'S',
      template: {
        Resources: {
          Agent: { Type: 'AWS::IAM::Role', Properties: { AssumeRolePolicyDocument: TRUST, ...roleProps } },
          ...resources,
        },
      },
    },
  ]);
  return PermissionAnalysis.of(model).principal('S', 'Agent')!;
}

const inline = (...statements: unknown[]) => ({ Policies: [{ PolicyName: 'P', PolicyDocument: doc(...statements) }] });

describe('may-allow semantics', () => {
  test('an Allow on an action grants it, with a StatementRef naming where', () => {
    const p = analyse(inline({ Sid: 'Ec2', Effect: 'Allow', Action: ['ec2:RunInstances'], Resource: '*' }));
    const r = p.mayAllow('ec2:RunInstances');
    expect(r.allowed).toBe(true);
    expect(r.grants).toEqual([{ stack: 'S', resource: 'Agent', source: 'inline', policyName: 'P', statementIndex: 0, sid: 'Ec2' }]);
    expect(r.boundaryGrants).toBeUndefined();
    expect(p.mayAllow('ec2:CreateVpc').allowed).toBe(false);
  });

  test('actions match case-insensitively, with * and ?', () => {
    const p = analyse(inline({ Effect: 'Allow', Action: ['EC2:create*', 'iam:?assRole'], Resource: '*' }));
    expect(p.mayAllow('ec2:CreateInternetGateway').allowed).toBe(true);
    expect(p.mayAllow('iam:PassRole').allowed).toBe(true);
    expect(p.mayAllow('iam:GetRole').allowed).toBe(false);
  });

  test('a NotAction Allow covers everything else', () => {
    const p = analyse(inline({ Effect: 'Allow', NotAction: 'iam:*', Resource: '*' }));
    expect(p.mayAllow('ec2:CreateNatGateway').allowed).toBe(true);
    expect(p.mayAllow('servicequotas:RequestServiceQuotaIncrease').allowed).toBe(true);
    expect(p.mayAllow('iam:PassRole').allowed).toBe(false);
    expect(p.grantedActionPatterns).toEqual(['NotAction:iam:*']);
  });

  test('an Allow applies to any resource unless NotResource "*" excludes all', () => {
    expect(analyse(inline({ Effect: 'Allow', Action: 's3:PutBucketPolicy', Resource: 'arn:aws:s3:::one-bucket' })).mayAllow('s3:PutBucketPolicy').allowed).toBe(
      true,
    );
    expect(analyse(inline({ Effect: 'Allow', Action: 's3:*', NotResource: 'arn:aws:s3:::x' })).mayAllow('s3:PutBucketPolicy').allowed).toBe(true);
    expect(analyse(inline({ Effect: 'Allow', Action: 's3:*', NotResource: '*' })).mayAllow('s3:PutBucketPolicy').allowed).toBe(false);
  });

  test('conditions on an Allow are assumed satisfiable', () => {
    const p = analyse(inline({ Effect: 'Allow', Action: 'ec2:RunInstances', Resource: '*', Condition: { StringEquals: { 'aws:RequestedRegion': 'mars-1' } } }));
    expect(p.mayAllow('ec2:RunInstances').allowed).toBe(true);
  });

  test('an unconditional Deny on "*" protects; with NotAction it protects everything else', () => {
    const p = analyse(
      inline({ Effect: 'Allow', Action: '*', Resource: '*' }, { Sid: 'NoIgw', Effect: 'Deny', Action: 'ec2:*InternetGateway*', Resource: ['*'] }),
    );
    const r = p.mayAllow('ec2:CreateInternetGateway');
    expect(r.allowed).toBe(false);
    expect(r.deniedBy).toMatchObject({ resource: 'Agent', statementIndex: 1, sid: 'NoIgw' });
    expect(r.grants).toHaveLength(1);
    const q = analyse(inline({ Effect: 'Allow', Action: '*', Resource: '*' }, { Effect: 'Deny', NotAction: 's3:GetObject', Resource: '*' }));
    expect(q.mayAllow('ec2:CreateVpc').allowed).toBe(false);
    expect(q.mayAllow('s3:GetObject').allowed).toBe(true);
  });

  test('a conditional Deny does not protect', () => {
    const p = analyse(
      inline(
        { Effect: 'Allow', Action: '*', Resource: '*' },
        { Effect: 'Deny', Action: 'ec2:CreateVpc', Resource: '*', Condition: { Bool: { 'aws:ViaAWSService': 'false' } } },
      ),
    );
    expect(p.mayAllow('ec2:CreateVpc').allowed).toBe(true);
  });

  test('a Deny on a narrowed resource, or with NotResource, does not protect', () => {
    expect(
      analyse(inline({ Effect: 'Allow', Action: '*', Resource: '*' }, { Effect: 'Deny', Action: 'ec2:CreateVpc', Resource: 'arn:aws:ec2:*:*:vpc/*' })).mayAllow(
        'ec2:CreateVpc',
      ).allowed,
    ).toBe(true);
    expect(
      analyse(inline({ Effect: 'Allow', Action: '*', Resource: '*' }, { Effect: 'Deny', Action: 'ec2:CreateVpc', NotResource: 'arn:aws:s3:::x' })).mayAllow(
        'ec2:CreateVpc',
      ).allowed,
    ).toBe(true);
  });

  test('a Deny inside an Fn::If does not protect; an Allow inside one grants', () => {
    const p = analyse({
      Policies: [
        {
          PolicyName: 'P',
          PolicyDocument: doc(
            { 'Fn::If': ['C', { Effect: 'Allow', Action: 'iam:PassRole', Resource: '*' }, { Ref: 'AWS::NoValue' }] },
            { Effect: 'Allow', Action: 'ec2:*', Resource: '*' },
            { 'Fn::If': ['C', { Effect: 'Deny', Action: 'ec2:CreateVpc', Resource: '*' }, { Ref: 'AWS::NoValue' }] },
          ),
        },
      ],
    });
    expect(p.mayAllow('iam:PassRole').allowed).toBe(true);
    expect(p.mayAllow('ec2:CreateVpc').allowed).toBe(true);
  });

  test('a policy document given as a JSON string is read', () => {
    const p = analyse({
      Policies: [{ PolicyName: 'J', PolicyDocument: JSON.stringify(doc({ Effect: 'Allow', Action: 'budgets:ModifyBudget', Resource: '*' })) }],
    });
    expect(p.mayAllow('budgets:ModifyBudget').allowed).toBe(true);
  });

  test('a boundary without the action blocks it; a boundary with Allow * does not', () => {
    const boundaryPolicy = (statements: unknown[]) => ({ Type: 'AWS::IAM::ManagedPolicy', Properties: { PolicyDocument: doc(...statements) } });
    const blocked = analyse(
      { ...inline({ Effect: 'Allow', Action: '*', Resource: '*' }), PermissionsBoundary: { Ref: 'Boundary' } },
      { Boundary: boundaryPolicy([{ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }]) },
    );
    expect(blocked.boundary).toEqual({ kind: 'template', stack: 'S', logicalId: 'Boundary' });
    const r = blocked.mayAllow('ec2:CreateVpc');
    expect(r.allowed).toBe(false);
    expect(r.grants).toHaveLength(1);
    expect(r.boundaryGrants).toEqual([]);
    expect(blocked.mayAllow('s3:GetObject').boundaryGrants).toEqual([expect.objectContaining({ resource: 'Boundary', source: 'AWS::IAM::ManagedPolicy' })]);

    const open = analyse(
      { ...inline({ Effect: 'Allow', Action: 'ec2:CreateVpc', Resource: '*' }), PermissionsBoundary: { Ref: 'Boundary' } },
      { Boundary: boundaryPolicy([{ Effect: 'Allow', Action: '*', Resource: '*' }]) },
    );
    expect(open.mayAllow('ec2:CreateVpc').allowed).toBe(true);

    const denyInBoundary = analyse(
      { ...inline({ Effect: 'Allow', Action: '*', Resource: '*' }), PermissionsBoundary: { Ref: 'Boundary' } },
      {
        Boundary: boundaryPolicy([
          { Effect: 'Allow', Action: '*', Resource: '*' },
          { Effect: 'Deny', Action: 'iam:*', Resource: '*' },
        ]),
      },
    );
    expect(denyInBoundary.mayAllow('iam:PassRole').deniedBy).toMatchObject({ resource: 'Boundary', statementIndex: 1 });
  });

  test('a boundary that cannot be read is treated as allowing everything, and reported', () => {
    const p = analyse({ ...inline({ Effect: 'Allow', Action: 'ec2:CreateVpc', Resource: '*' }), PermissionsBoundary: { 'Fn::ImportValue': 'Boundary' } });
    expect(p.boundary.kind).toBe('unverifiable');
    const r = p.mayAllow('ec2:CreateVpc');
    expect(r.allowed).toBe(true);
    expect(r.unverifiable).toEqual([expect.stringContaining('permissions boundary')]);
  });

  test('an AWS managed boundary by ARN is resolved', () => {
    const p = analyse({
      ...inline({ Effect: 'Allow', Action: '*', Resource: '*' }),
      PermissionsBoundary: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::aws:policy/ReadOnlyAccess']] },
    });
    expect(p.boundary).toEqual({ kind: 'aws-managed', name: 'ReadOnlyAccess', arn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' });
    expect(p.mayAllow('ec2:CreateInternetGateway').allowed).toBe(false);
    expect(p.mayAllow('ec2:DescribeVpcs').allowed).toBe(true);
  });

  test("the app's SCP: only unconditional Deny on Resource * counts, for every principal", () => {
    const scp = (statements: unknown[]) => ({
      Type: 'AWS::Organizations::Policy',
      Properties: { Name: 'Guard', Type: 'SERVICE_CONTROL_POLICY', TargetIds: ['ou-abcd-12345678'], Content: doc(...statements) },
    });
    const p = analyse(inline({ Effect: 'Allow', Action: '*', Resource: '*' }), {
      Scp: scp([
        { Effect: 'Allow', Action: '*', Resource: '*' },
        { Sid: 'Quotas', Effect: 'Deny', Action: 'servicequotas:*', Resource: '*' },
        { Effect: 'Deny', Action: 'ec2:CreateVpc', Resource: '*', Condition: { StringNotEquals: { 'aws:PrincipalTag/x': 'y' } } },
        { Effect: 'Deny', Action: 'ec2:CreateNatGateway', Resource: 'arn:aws:ec2:*:*:natgateway/*' },
      ]),
      Tag: { Type: 'AWS::Organizations::Policy', Properties: { Type: 'TAG_POLICY', Content: doc({ Effect: 'Deny', Action: 'ec2:CreateVpc', Resource: '*' }) } },
    });
    const r = p.mayAllow('servicequotas:RequestServiceQuotaIncrease');
    expect(r.allowed).toBe(false);
    expect(r.deniedBy).toMatchObject({ source: 'scp', resource: 'Scp', policyName: 'Guard', sid: 'Quotas' });
    expect(p.mayAllow('ec2:CreateVpc').allowed).toBe(true);
    expect(p.mayAllow('ec2:CreateNatGateway').allowed).toBe(true);
  });

  test('an SCP attached to nothing (no TargetIds) protects nobody', () => {
    const p = analyse(inline({ Effect: 'Allow', Action: '*', Resource: '*' }), {
      Staged: {
        Type: 'AWS::Organizations::Policy',
        Properties: { Name: 'DenyAll', Type: 'SERVICE_CONTROL_POLICY', Content: doc({ Effect: 'Deny', Action: '*', Resource: '*' }) },
      },
    });
    expect(p.mayAllow('servicequotas:RequestServiceQuotaIncrease').allowed).toBe(true);
  });
});

describe('policy attachment forms', () => {
  const allow = (action: string) => doc({ Effect: 'Allow', Action: action, Resource: '*' });

  test('AWS::IAM::Policy by Ref and by literal role name; AWS::IAM::RolePolicy; ManagedPolicy by Roles and by ARN', () => {
    const model = TemplateModel.fromTemplates([
      {
        stackName: 'S',
        template: {
          Resources: {
            Agent: { Type: 'AWS::IAM::Role', Properties: { AssumeRolePolicyDocument: TRUST, RoleName: 'agent-role', ManagedPolicyArns: [{ Ref: 'ByArn' }] } },
            Other: { Type: 'AWS::IAM::Role', Properties: { AssumeRolePolicyDocument: TRUST } },
            ByRef: { Type: 'AWS::IAM::Policy', Properties: { PolicyName: 'by-ref', Roles: [{ Ref: 'Agent' }], PolicyDocument: allow('ec2:CreateVpc') } },
            ByName: { Type: 'AWS::IAM::Policy', Properties: { PolicyName: 'by-name', Roles: ['agent-role'], PolicyDocument: allow('ec2:CreateSubnet') } },
            RolePol: { Type: 'AWS::IAM::RolePolicy', Properties: { PolicyName: 'rp', RoleName: { Ref: 'Agent' }, PolicyDocument: allow('ec2:CreateRoute') } },
            MpRoles: { Type: 'AWS::IAM::ManagedPolicy', Properties: { Roles: [{ Ref: 'Agent' }], PolicyDocument: allow('ec2:AttachInternetGateway') } },
            ByArn: { Type: 'AWS::IAM::ManagedPolicy', Properties: { PolicyDocument: allow('ec2:CreateNatGateway') } },
            ForOther: { Type: 'AWS::IAM::Policy', Properties: { PolicyName: 'other', Roles: [{ Ref: 'Other' }], PolicyDocument: allow('iam:PassRole') } },
          },
        },
      },
    ]);
    const p = PermissionAnalysis.of(model).principal('S', 'Agent')!;
    expect(p.roleName).toBe('agent-role');
    expect(p.mayAllow('ec2:CreateVpc').grants).toEqual([expect.objectContaining({ resource: 'ByRef', source: 'AWS::IAM::Policy', policyName: 'by-ref' })]);
    expect(p.mayAllow('ec2:CreateSubnet').grants).toEqual([expect.objectContaining({ resource: 'ByName' })]);
    expect(p.mayAllow('ec2:CreateRoute').grants).toEqual([expect.objectContaining({ resource: 'RolePol', source: 'AWS::IAM::RolePolicy' })]);
    expect(p.mayAllow('ec2:AttachInternetGateway').grants).toEqual([expect.objectContaining({ resource: 'MpRoles', source: 'AWS::IAM::ManagedPolicy' })]);
    expect(p.mayAllow('ec2:CreateNatGateway').grants).toEqual([expect.objectContaining({ resource: 'ByArn' })]);
    expect(p.mayAllow('iam:PassRole').allowed).toBe(false);
    expect(p.unverifiable).toEqual([]);
    expect(PermissionAnalysis.of(model)).toBe(PermissionAnalysis.of(model));
  });

  test('AWS managed AdministratorAccess by ARN (CDK Join form) is resolved to its document', () => {
    const p = analyse({ ManagedPolicyArns: [{ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::aws:policy/AdministratorAccess']] }] });
    const r = p.mayAllow('servicequotas:RequestServiceQuotaIncrease');
    expect(r.allowed).toBe(true);
    expect(r.grants).toEqual([
      expect.objectContaining({ source: 'aws-managed', policyName: 'AdministratorAccess', managedPolicyArn: 'arn:aws:iam::aws:policy/AdministratorAccess' }),
    ]);
    expect(r.unverifiable).toEqual([]);
  });

  test('AWS managed policy with a path (service-role) by literal ARN is resolved, not over-granted', () => {
    const p = analyse({ ManagedPolicyArns: ['arn:aws:iam::aws:policy/service-role/AmazonEC2ContainerServiceforEC2Role'] });
    expect(p.mayAllow('ecs:RegisterContainerInstance').allowed).toBe(true);
    expect(p.mayAllow('iam:CreateUser').allowed).toBe(false);
    expect(p.unverifiable).toEqual([]);
  });

  test('imported ARN, unknown AWS managed name and foreign customer policy are unverifiable: Allow *', () => {
    for (const arn of [{ 'Fn::ImportValue': 'SharedPolicyArn' }, 'arn:aws:iam::aws:policy/NoSuchPolicyXyz', 'arn:aws:iam::123456789012:policy/theirs']) {
      const p = analyse({ ManagedPolicyArns: [arn] });
      const r = p.mayAllow('iam:CreateAccessKey');
      expect(r.allowed).toBe(true);
      expect(r.grants).toEqual([expect.objectContaining({ source: 'unverifiable' })]);
      expect(r.unverifiable).toHaveLength(1);
      expect(p.grantedActionPatterns).toEqual(['*']);
    }
  });

  test('a policy attached to a role the gate cannot identify counts for every role', () => {
    const p = analyse(
      {},
      {
        Pol: { Type: 'AWS::IAM::Policy', Properties: { PolicyName: 'x', Roles: [{ 'Fn::ImportValue': 'SomeRole' }], PolicyDocument: allow('ec2:CreateVpc') } },
      },
    );
    expect(p.mayAllow('ec2:CreateVpc').allowed).toBe(true);
  });

  test('trust principals, tags, patterns and action batches', () => {
    const p = analyse(
      {
        ...inline({ Effect: 'Allow', Action: ['ec2:CreateVpc', 's3:Get*'], Resource: '*' }),
        AssumeRolePolicyDocument: doc(
          { Effect: 'Allow', Principal: { Service: ['sagemaker.amazonaws.com'], AWS: { 'Fn::GetAtt': ['Other', 'Arn'] } }, Action: 'sts:AssumeRole' },
          { Effect: 'Allow', Principal: { Federated: 'cognito-identity.amazonaws.com' }, Action: 'sts:AssumeRoleWithWebIdentity' },
        ),
        Tags: [{ Key: 'black-hole:agent-role', Value: 'true' }],
      },
      { Other: { Type: 'AWS::IAM::Role', Properties: { AssumeRolePolicyDocument: TRUST } } },
    );
    expect(p.trust).toEqual({
      services: ['sagemaker.amazonaws.com'],
      aws: [{ text: '${Other.Arn}', ref: { stack: 'S', logicalId: 'Other', attribute: 'Arn' } }],
      federated: ['cognito-identity.amazonaws.com'],
      unknown: false,
    });
    expect(p.tags.get('black-hole:agent-role')).toBe('true');
    expect(p.grantedActionPatterns).toEqual(['ec2:CreateVpc', 's3:Get*']);
    expect(p.allowedActions(['ec2:CreateVpc', 'ec2:DeleteVpc', 's3:GetObject']).map((r) => r.action)).toEqual(['ec2:CreateVpc', 's3:GetObject']);
    expect(p.mayAllow('s3:*').allowed).toBe(true);
    expect(p.mayAllow('ec2:Delete*').allowed).toBe(false);
  });

  test('PassRole resource matching: by identity, by name glob, and NotResource', () => {
    const model = TemplateModel.fromTemplates([
      {
        stackName: 'S',
        template: {
          Resources: {
            A: {
              Type: 'AWS::IAM::Role',
              Properties: {
                AssumeRolePolicyDocument: TRUST,
                Policies: [
                  {
                    PolicyName: 'p',
                    PolicyDocument: doc({ Effect: 'Allow', Action: 'iam:PassRole', Resource: [{ 'Fn::GetAtt': ['B', 'Arn'] }, 'arn:aws:iam::*:role/train-*'] }),
                  },
                ],
              },
            },
            B: { Type: 'AWS::IAM::Role', Properties: { AssumeRolePolicyDocument: TRUST } },
            C: { Type: 'AWS::IAM::Role', Properties: { AssumeRolePolicyDocument: TRUST, RoleName: 'train-gpu' } },
            D: { Type: 'AWS::IAM::Role', Properties: { AssumeRolePolicyDocument: TRUST, RoleName: 'admin' } },
            E: { Type: 'AWS::IAM::Role', Properties: { AssumeRolePolicyDocument: TRUST } },
          },
        },
      },
    ]);
    const a = PermissionAnalysis.of(model);
    const p = a.principal('S', 'A')!;
    expect(p.mayAllow('iam:PassRole', a.principal('S', 'B')!.asTarget()).allowed).toBe(true);
    expect(p.mayAllow('iam:PassRole', a.principal('S', 'C')!.asTarget()).allowed).toBe(true);
    expect(p.mayAllow('iam:PassRole', a.principal('S', 'D')!.asTarget()).allowed).toBe(false);
    // E's name is generated by CloudFormation: the train-* glob might match it.
    expect(p.mayAllow('iam:PassRole', a.principal('S', 'E')!.asTarget()).allowed).toBe(true);
  });
});

describe('grantedActions: every action the identity policies grant, whatever the boundary says', () => {
  const boundary = (...statements: unknown[]) => ({ B: { Type: 'AWS::IAM::ManagedPolicy', Properties: { PolicyDocument: doc(...statements) } } });

  test('patterns expand against the AWS catalog; identity Denies remove; the boundary only sets `effective`', () => {
    const p = analyse(
      {
        ...inline({ Effect: 'Allow', Action: ['sqs:*', 'logs:PutMetricFilter'], Resource: '*' }, { Effect: 'Deny', Action: 'sqs:SendMessage', Resource: '*' }),
        PermissionsBoundary: { Ref: 'B' },
      },
      boundary({ Effect: 'Allow', Action: 'sqs:ReceiveMessage', Resource: '*' }),
    );
    const granted = new Map(p.grantedActions().map((g) => [g.action, g]));
    expect(granted.get('sqs:ReceiveMessage')?.effective).toBe(true);
    expect(granted.get('logs:PutMetricFilter')?.effective).toBe(false);
    expect(granted.get('sqs:DeleteQueue')?.effective).toBe(false);
    expect(granted.has('sqs:SendMessage')).toBe(false);
    expect(granted.has('ec2:RunInstances')).toBe(false);
    expect(granted.get('logs:PutMetricFilter')?.grants[0]).toMatchObject({ resource: 'Agent', policyName: 'P', statementIndex: 0 });
  });

  test('NotAction grants everything else; actions unknown to the installed catalog are kept (fail closed)', () => {
    const all = analyse(inline({ Effect: 'Allow', NotAction: 'iam:*', Resource: '*' }))
      .grantedActions()
      .map((g) => g.action);
    expect(all.length).toBeGreaterThan(15000);
    expect(all).toContain('ses:SendEmail');
    expect(all.some((a) => a.startsWith('iam:'))).toBe(false);
    expect(
      analyse(inline({ Effect: 'Allow', Action: 'ses:SendQuantumMail', Resource: '*' }))
        .grantedActions()
        .map((g) => g.action),
    ).toEqual(['ses:SendQuantumMail']);
  });

  test('a boundary named in the form aws-cdk-lib renders for fromManagedPolicyName resolves to the template policy', () => {
    const p = analyse(
      { PermissionsBoundary: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::', { Ref: 'AWS::AccountId' }, ':policy/agent-boundary']] } },
      {
        B: {
          Type: 'AWS::IAM::ManagedPolicy',
          Properties: { ManagedPolicyName: 'agent-boundary', PolicyDocument: doc({ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }) },
        },
      },
    );
    expect(p.boundary).toEqual({ kind: 'template', stack: 'S', logicalId: 'B' });
  });
});
