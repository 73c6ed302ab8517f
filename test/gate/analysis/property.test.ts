/**
 * Property-based soundness of the may-allow analysis (fast-check), against the real evaluator
 * @cloud-copilot/iam-simulate (AGPL, devDependency, tests only): for any generated identity
 * policies, boundary and attached SCP, and any concrete request, if the evaluator allows the
 * request then the analysis says may-allow. fast-check shrinks a failure to a minimal policy set.
 */
import { runSimulation } from '@cloud-copilot/iam-simulate';
import fc from 'fast-check';
import { PermissionAnalysis } from '../../../lib/gate/analysis/effective-permissions';
import { TemplateModel } from '../../../lib/gate/model';

const ACCOUNT = '111111111111';

const request = fc.constantFrom<[string, string]>(
  ['ec2:CreateInternetGateway', `arn:aws:ec2:us-east-1:${ACCOUNT}:internet-gateway/igw-1`],
  ['ec2:CreateVpcPeeringConnection', `arn:aws:ec2:us-east-1:${ACCOUNT}:vpc/vpc-1`],
  ['iam:PassRole', `arn:aws:iam::${ACCOUNT}:role/train-gpu`],
  ['iam:PutRolePolicy', `arn:aws:iam::${ACCOUNT}:role/agent`],
  ['servicequotas:RequestServiceQuotaIncrease', '*'],
  ['s3:GetObject', 'arn:aws:s3:::datasets/key'],
  ['s3:PutBucketPolicy', 'arn:aws:s3:::datasets'],
  ['ssm:StartSession', `arn:aws:ec2:us-east-1:${ACCOUNT}:instance/i-1`],
  ['cloudtrail:StopLogging', `arn:aws:cloudtrail:us-east-1:${ACCOUNT}:trail/t`],
);

/** Action patterns as an attacker (or a careless author) writes them. */
const actionPattern = fc.oneof(
  fc.constantFrom(
    '*',
    'ec2:*',
    'ec2:Create*',
    'iam:*',
    'iam:?assRole',
    'iam:Put*',
    's3:*',
    's3:Get*',
    'servicequotas:*',
    'ssm:Start*',
    'cloudtrail:*',
    'ec2:Describe*',
    'sts:GetCallerIdentity',
  ),
  fc
    .constantFrom('ec2:CreateInternetGateway', 'iam:PassRole', 's3:PutBucketPolicy', 'ssm:StartSession')
    .chain((a) => fc.constantFrom(a, a.toLowerCase(), a.toUpperCase(), a.replace(/[a-z]$/, '?'))),
);

const resourcePattern = fc.constantFrom(
  '*',
  'arn:aws:s3:::datasets/*',
  `arn:aws:iam::${ACCOUNT}:role/*`,
  'arn:aws:ec2:*:*:*',
  'arn:aws:s3:::other/*',
  'arn:aws:*:*:*:*',
);

const condition = fc.option(
  fc.constantFrom(
    { StringEquals: { 'aws:RequestedRegion': 'us-east-1' } },
    { Bool: { 'aws:SecureTransport': 'true' } },
    { StringLike: { 'aws:PrincipalTag/team': 'ml-*' } },
  ),
  { nil: undefined },
);

const statement = (effects: ('Allow' | 'Deny')[]) =>
  fc
    .record({
      effect: fc.constantFrom(...effects),
      not: fc.boolean(),
      actions: fc.array(actionPattern, { minLength: 1, maxLength: 3 }),
      notResource: fc.boolean(),
      resources: fc.array(resourcePattern, { minLength: 1, maxLength: 2 }),
      condition,
    })
    .map((s) => ({
      Effect: s.effect,
      [s.not && s.actions.length > 0 ? 'NotAction' : 'Action']: s.actions,
      [s.notResource ? 'NotResource' : 'Resource']: s.resources,
      ...(s.condition ? { Condition: s.condition } : {}),
    }));

const policy = (effects: ('Allow' | 'Deny')[], max: number) =>
  fc.array(statement(effects), { minLength: 1, maxLength: max }).map((Statement) => ({ Version: '2012-10-17', Statement }));

const scenario = fc.record({
  identity: fc.array(policy(['Allow', 'Allow', 'Deny'], 3), { minLength: 1, maxLength: 2 }),
  boundary: fc.option(policy(['Allow', 'Deny'], 3), { nil: undefined }),
  scpDenies: fc.option(fc.array(statement(['Deny']), { minLength: 1, maxLength: 2 }), { nil: undefined }),
  request,
  context: fc.record({ region: fc.constantFrom('us-east-1', 'eu-west-1'), tls: fc.constantFrom('true', 'false'), team: fc.constantFrom('ml-research', 'ops') }),
});

test('whenever iam-simulate allows a request, the analysis says may-allow (fast-check)', async () => {
  let allowed = 0;
  await fc.assert(
    fc.asyncProperty(scenario, async (s) => {
      const scp = s.scpDenies ? { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }, ...s.scpDenies] } : undefined;
      const resources: Record<string, unknown> = {
        Agent: {
          Type: 'AWS::IAM::Role',
          Properties: {
            AssumeRolePolicyDocument: { Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }] },
            Policies: s.identity.map((p, i) => ({ PolicyName: `p${i}`, PolicyDocument: p })),
            ...(s.boundary ? { PermissionsBoundary: { Ref: 'Boundary' } } : {}),
          },
        },
        ...(s.boundary ? { Boundary: { Type: 'AWS::IAM::ManagedPolicy', Properties: { PolicyDocument: s.boundary } } } : {}),
        ...(scp
          ? { Scp: { Type: 'AWS::Organizations::Policy', Properties: { Name: 'scp', Type: 'SERVICE_CONTROL_POLICY', TargetIds: ['r-1'], Content: scp } } }
          : {}),
      };
      const model = TemplateModel.fromTemplates([{ stackName: 'P', template: { Resources: resources } }]);
      const principal = PermissionAnalysis.of(model).principal('P', 'Agent')!;
      const [action, resource] = s.request;
      const result = await runSimulation(
        {
          request: {
            principal: `arn:aws:iam::${ACCOUNT}:role/agent`,
            action,
            resource: { resource, accountId: ACCOUNT },
            contextVariables: { 'aws:RequestedRegion': s.context.region, 'aws:SecureTransport': s.context.tls, 'aws:PrincipalTag/team': s.context.team },
          },
          identityPolicies: s.identity.map((p, i) => ({ name: `p${i}`, policy: p })),
          serviceControlPolicies: scp ? [{ orgIdentifier: 'r-1', policies: [{ name: 'scp', policy: scp }] }] : [],
          resourceControlPolicies: [],
          ...(s.boundary ? { permissionBoundaryPolicies: [{ name: 'boundary', policy: s.boundary }] } : {}),
        },
        {},
      );
      if (result.resultType === 'error' || result.overallResult !== 'Allowed') return true;
      allowed++;
      return principal.mayAllow(action).allowed && principal.mayAllow(action, { glob: resource }).allowed;
    }),
    { numRuns: 600, seed: 0xb1ac4 },
  );
  // The generator must produce allowed requests, or the property proves nothing.
  expect(allowed).toBeGreaterThan(30);
});
