/**
 * Differential test of the may-allow analysis against an independent IAM evaluator,
 * @cloud-copilot/iam-simulate (AGPL, devDependency, used only here). Soundness property: whenever
 * the evaluator allows a concrete request, the analysis must say may-allow (for the action, and
 * for the action on that resource). The converse is not required (the analysis over-reports).
 */
import { runSimulation, type Simulation } from '@cloud-copilot/iam-simulate';
import { TemplateModel } from '../../../lib/gate/model';
import { PermissionAnalysis } from '../../../lib/gate/analysis/effective-permissions';

const ACCOUNT = '111111111111';

/** Real actions with a resource ARN valid for them. */
const REQUESTS: readonly [string, string][] = [
  ['ec2:CreateVpc', `arn:aws:ec2:us-east-1:${ACCOUNT}:vpc/vpc-1`],
  ['ec2:CreateInternetGateway', `arn:aws:ec2:us-east-1:${ACCOUNT}:internet-gateway/igw-1`],
  ['ec2:DescribeVpcs', '*'],
  ['iam:PassRole', `arn:aws:iam::${ACCOUNT}:role/train-gpu`],
  ['iam:PutRolePolicy', `arn:aws:iam::${ACCOUNT}:role/agent`],
  ['sts:AssumeRole', `arn:aws:iam::${ACCOUNT}:role/admin`],
  ['s3:GetObject', 'arn:aws:s3:::bucket/key'],
  ['s3:PutBucketPolicy', 'arn:aws:s3:::bucket'],
  ['budgets:ModifyBudget', `arn:aws:budgets::${ACCOUNT}:budget/b1`],
  ['ssm:StartSession', `arn:aws:ec2:us-east-1:${ACCOUNT}:instance/i-1`],
  ['lambda:CreateFunction', `arn:aws:lambda:us-east-1:${ACCOUNT}:function:f1`],
  ['logs:DeleteLogGroup', `arn:aws:logs:us-east-1:${ACCOUNT}:log-group:g1`],
  ['kms:CreateGrant', `arn:aws:kms:us-east-1:${ACCOUNT}:key/k1`],
];

const ACTION_PATTERNS = [
  '*',
  'ec2:*',
  'ec2:Create*',
  'ec2:*Vpc*',
  'ec2:Describe*',
  'ec2:CreateInternetGateway',
  'iam:*',
  'iam:?assRole',
  'iam:P*',
  'iam:Put*Policy',
  'sts:AssumeRole*',
  's3:*',
  's3:Get*',
  's3:PutBucket*',
  'budgets:*',
  'budgets:ModifyBudget',
  'ssm:Start*',
  'ssm:StartSess?on',
  'lambda:Create*',
  'logs:Delete*',
  'kms:*Grant',
  'sqs:SendMessage',
  'ec2:RunInstances',
];

const RESOURCE_PATTERNS = [
  '*',
  '*',
  `arn:aws:iam::${ACCOUNT}:role/train-*`,
  'arn:aws:iam::*:role/*',
  `arn:aws:iam::${ACCOUNT}:role/agent`,
  'arn:aws:s3:::bucket/*',
  'arn:aws:s3:::bucket',
  'arn:aws:s3:::other/*',
  'arn:aws:ec2:*:*:vpc/*',
  `arn:aws:ec2:us-east-1:${ACCOUNT}:*`,
  'arn:aws:ec2:eu-west-1:*:*',
  'arn:aws:*:*:*:*',
  `arn:aws:budgets::${ACCOUNT}:budget/*`,
  'arn:aws:lambda:*:*:function:f?',
  'arn:aws:kms:*:*:key/*',
  'arn:aws:logs:*:*:log-group:*',
];

const CONDITIONS: (Record<string, unknown> | undefined)[] = [
  undefined,
  undefined,
  { StringEquals: { 'aws:RequestedRegion': 'us-east-1' } },
  { StringNotEquals: { 'aws:RequestedRegion': 'us-east-1' } },
  { Bool: { 'aws:SecureTransport': 'true' } },
  { StringLike: { 'aws:PrincipalTag/team': 'ml-*' } },
];

/** mulberry32: small seeded PRNG, reproducible failures. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Rand = () => number;
const pick = <T>(r: Rand, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];
const some = <T>(r: Rand, xs: readonly T[], max: number): T[] => Array.from({ length: 1 + Math.floor(r() * max) }, () => pick(r, xs));

function caseVariant(r: Rand, action: string): string {
  const x = r();
  if (x < 0.15) return action.toLowerCase();
  if (x < 0.25) return action.toUpperCase();
  return action;
}

function statement(r: Rand, effect: 'Allow' | 'Deny'): Record<string, unknown> {
  const s: Record<string, unknown> = { Effect: effect };
  const actions = some(r, ACTION_PATTERNS, 3).map((a) => caseVariant(r, a));
  const oneOrMany = (xs: string[]) => (xs.length === 1 && r() < 0.5 ? xs[0] : xs);
  if (r() < 0.25) s.NotAction = oneOrMany(actions);
  else s.Action = oneOrMany(actions);
  const resources = some(r, RESOURCE_PATTERNS, 2);
  if (r() < 0.2) s.NotResource = oneOrMany(resources);
  else s.Resource = oneOrMany(resources);
  const c = pick(r, CONDITIONS);
  if (c) s.Condition = c;
  return s;
}

function policy(r: Rand, n: number, denyRatio: number): Record<string, unknown> {
  return { Version: '2012-10-17', Statement: Array.from({ length: 1 + Math.floor(r() * n) }, () => statement(r, r() < denyRatio ? 'Deny' : 'Allow')) };
}

interface Case {
  identity: Record<string, unknown>[];
  boundary?: Record<string, unknown>;
  scp?: Record<string, unknown>;
}

function generate(r: Rand): Case {
  const c: Case = { identity: Array.from({ length: 1 + Math.floor(r() * 3) }, () => policy(r, 4, 0.3)) };
  if (r() < 0.4) c.boundary = policy(r, 3, 0.25);
  if (r() < 0.3) {
    c.scp = {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }, ...Array.from({ length: 1 + Math.floor(r() * 2) }, () => statement(r, 'Deny'))],
    };
  }
  return c;
}

function modelOf(c: Case): TemplateModel {
  const resources: Record<string, unknown> = {
    Agent: {
      Type: 'AWS::IAM::Role',
      Properties: {
        AssumeRolePolicyDocument: { Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }] },
        Policies: c.identity.map((p, i) => ({ PolicyName: `p${i}`, PolicyDocument: p })),
        ...(c.boundary ? { PermissionsBoundary: { Ref: 'Boundary' } } : {}),
      },
    },
  };
  if (c.boundary) resources.Boundary = { Type: 'AWS::IAM::ManagedPolicy', Properties: { PolicyDocument: c.boundary } };
  if (c.scp)
    resources.Scp = { Type: 'AWS::Organizations::Policy', Properties: { Name: 'scp', Type: 'SERVICE_CONTROL_POLICY', Content: c.scp, TargetIds: ['r-1'] } };
  return TemplateModel.fromTemplates([{ stackName: 'Diff', template: { Resources: resources } }]);
}

function simulation(c: Case, action: string, resource: string, context: Record<string, string>): Simulation {
  return {
    request: { principal: `arn:aws:iam::${ACCOUNT}:role/agent`, action, resource: { resource, accountId: ACCOUNT }, contextVariables: context },
    identityPolicies: c.identity.map((policy, i) => ({ name: `p${i}`, policy })),
    serviceControlPolicies: c.scp ? [{ orgIdentifier: 'r-1', policies: [{ name: 'scp', policy: c.scp }] }] : [],
    resourceControlPolicies: [],
    ...(c.boundary ? { permissionBoundaryPolicies: [{ name: 'boundary', policy: c.boundary }] } : {}),
  };
}

const CASES = 2500;
const REQUESTS_PER_CASE = 2;

test(`may-allow is sound against iam-simulate (${CASES} generated policy sets x ${REQUESTS_PER_CASE} requests)`, async () => {
  const r = prng(0x5eed);
  const stats = { simulated: 0, simulatorAllowed: 0, analysisAllowed: 0, errors: 0 };
  const misses: string[] = [];
  for (let i = 0; i < CASES; i++) {
    const c = generate(r);
    const principal = PermissionAnalysis.of(modelOf(c)).principal('Diff', 'Agent')!;
    for (let k = 0; k < REQUESTS_PER_CASE; k++) {
      const [action, resource] = pick(r, REQUESTS);
      const context: Record<string, string> = {};
      if (r() < 0.7) context['aws:RequestedRegion'] = pick(r, ['us-east-1', 'eu-west-1']);
      if (r() < 0.5) context['aws:SecureTransport'] = pick(r, ['true', 'false']);
      if (r() < 0.5) context['aws:PrincipalTag/team'] = pick(r, ['ml-research', 'ops']);
      const requestAction = caseVariant(r, action);
      const result = await runSimulation(simulation(c, requestAction, resource, context), {});
      if (result.resultType === 'error') {
        stats.errors++;
        continue;
      }
      stats.simulated++;
      const ours = principal.mayAllow(requestAction);
      const oursOnResource = principal.mayAllow(requestAction, { glob: resource });
      if (ours.allowed) stats.analysisAllowed++;
      if (result.overallResult === 'Allowed') {
        stats.simulatorAllowed++;
        if (!ours.allowed || !oursOnResource.allowed) {
          misses.push(JSON.stringify({ case: i, action: requestAction, resource, context, policies: c, ours, oursOnResource }));
        }
      }
    }
  }
  console.log(`differential: ${JSON.stringify(stats)}`);
  expect(misses.slice(0, 3)).toEqual([]);
  // The generator must exercise both outcomes, or the test proves nothing.
  expect(stats.errors).toBeLessThan(stats.simulated / 10);
  expect(stats.simulatorAllowed).toBeGreaterThan(stats.simulated / 10);
  expect(stats.simulated - stats.simulatorAllowed).toBeGreaterThan(stats.simulated / 10);
});
