/**
 * Acceptance: an independent IAM evaluator (@cloud-copilot/iam-simulate, AGPL, devDependency only)
 * evaluates the synthesized boundary. With an identity policy that allows everything, every expanded
 * catalog action is explicitly denied by the boundary alone; the actions a training job needs stay
 * allowed through the role's own policy and the boundary, from inside the perimeter only.
 */
import { runSimulation, type Simulation } from '@cloud-copilot/iam-simulate';
import { Template } from 'aws-cdk-lib/assertions';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { AgentBoundary } from '../../lib/identity/agent-boundary';
import { AgentRole } from '../../lib/identity/agent-role';
import { catalogActionPatterns, catalogExpandedActions, escapeEntriesForAction } from '../../lib/identity/escape-catalog';
import { ENDPOINT_PRESETS } from '../../lib/network/endpoint-services';
import { ACCOUNT, environmentStack, onlyResource, PhysicalIds, REGION } from './helpers';

const ALLOW_ALL = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] };
const ENDPOINT_ID = 'vpce-0123456789abcdef0';

function synthesize() {
  const { stack, vpc } = environmentStack();
  const boundary = new AgentBoundary(stack, 'Boundary', {
    environmentName: 'rl-dev',
    vpc,
    enabledEndpointServices: [...ENDPOINT_PRESETS.EC2_TRAINING],
    vpcEndpointIds: [ENDPOINT_ID],
  });
  const role = new AgentRole(stack, 'Agent', { boundary });
  const key = new kms.Key(stack, 'DataKey');
  const datasets = new s3.Bucket(stack, 'Datasets', { encryptionKey: key });
  const checkpoints = new s3.Bucket(stack, 'Checkpoints', { encryptionKey: key });
  const logGroup = new logs.LogGroup(stack, 'TrainingLogs');
  const repository = new ecr.Repository(stack, 'Images');
  role.grantReadDatasets(datasets, 'datasets/');
  role.grantWriteCheckpoints(checkpoints, 'runs/');
  role.grantWriteLogs(logGroup);
  role.grantPullImages(repository);

  const template = Template.fromStack(stack);
  const ids = new PhysicalIds(template);
  const boundaryPolicy = ids.resolve(onlyResource(template, 'AWS::IAM::ManagedPolicy').properties.PolicyDocument);
  const rolePolicy = ids.resolve(onlyResource(template, 'AWS::IAM::Policy').properties.PolicyDocument);
  const keyPolicy = ids.resolve(onlyResource(template, 'AWS::KMS::Key').properties.KeyPolicy);
  const vpcId = ids.ref(stack.getLogicalId(vpc.node.defaultChild as never));
  const name = (c: { node: { defaultChild?: unknown } }) => ids.ref(stack.getLogicalId(c.node.defaultChild as never));
  return {
    boundaryPolicy,
    rolePolicy,
    keyPolicy,
    vpcId,
    datasets: name(datasets),
    checkpoints: name(checkpoints),
    logGroup: name(logGroup),
    repository: name(repository),
    keyId: name(key),
  };
}

const env = synthesize();
const PRINCIPAL = `arn:aws:sts::${ACCOUNT}:assumed-role/Agent/i-0123456789abcdef0`;

/** Request context of a call made from inside the environment: its VPC, its endpoint, its region, its account's resources. */
const inside: Record<string, string> = {
  'aws:SourceVpc': env.vpcId,
  'aws:SourceVpce': ENDPOINT_ID,
  'aws:RequestedRegion': REGION,
  'aws:ResourceAccount': ACCOUNT,
  'aws:ViaAWSService': 'false',
};

async function decide(action: string, resource: string, identityPolicy: unknown, context: Record<string, string> = inside): Promise<string> {
  // KMS authorises through the key policy (which CDK's key.grant() may have extended) as well.
  const resourcePolicy = action.startsWith('kms:') && resource.includes(':key/') ? env.keyPolicy : undefined;
  const simulation: Simulation = {
    resourcePolicy,
    request: { principal: PRINCIPAL, action, resource: { resource, accountId: ACCOUNT }, contextVariables: context },
    identityPolicies: [{ name: 'identity', policy: identityPolicy }],
    serviceControlPolicies: [],
    resourceControlPolicies: [],
    permissionBoundaryPolicies: [{ name: 'AgentBoundary', policy: env.boundaryPolicy }],
  };
  const result = await runSimulation(simulation, {});
  if (result.resultType === 'error') throw new Error(`${action}: ${result.errors.message}`);
  return result.overallResult;
}

describe('boundary alone, identity policy Allow *', () => {
  test('every expanded catalog action is explicitly denied, from inside the perimeter', async () => {
    const actions = catalogExpandedActions();
    expect(actions.length).toBeGreaterThan(500);
    const start = Date.now();
    const notDenied: string[] = [];
    for (const action of actions) {
      const decision = await decide(action, '*', ALLOW_ALL);
      if (decision !== 'ExplicitlyDenied') notDenied.push(`${action}: ${decision}`);
    }
    expect(notDenied).toEqual([]);
    console.info(`simulated ${actions.length} catalog actions in ${Date.now() - start} ms`);
  });

  test('the denial comes from the unconditional statements: they alone deny every catalog action', async () => {
    // Keep only the boundary's Deny statements without conditions, next to an Allow *: if a catalog
    // action were denied only by a conditional statement (VPC, region), it would be allowed here.
    const doc = env.boundaryPolicy as { Statement: Array<{ Effect: string; Condition?: unknown }> };
    const unconditionalOnly = {
      Version: '2012-10-17',
      Statement: [...ALLOW_ALL.Statement, ...doc.Statement.filter((s) => s.Effect === 'Deny' && !s.Condition)],
    };
    const notDenied: string[] = [];
    for (const action of catalogExpandedActions()) {
      const simulation: Simulation = {
        request: { principal: PRINCIPAL, action, resource: { resource: '*', accountId: ACCOUNT }, contextVariables: {} },
        identityPolicies: [{ name: 'identity', policy: ALLOW_ALL }],
        serviceControlPolicies: [],
        resourceControlPolicies: [],
        permissionBoundaryPolicies: [{ name: 'unconditional', policy: unconditionalOnly }],
      };
      const result = await runSimulation(simulation, {});
      if (result.resultType === 'error' || result.overallResult !== 'ExplicitlyDenied') notDenied.push(action);
    }
    expect(notDenied).toEqual([]);
  });

  test('every catalog pattern is represented by at least one simulated action', () => {
    const simulated = new Set(catalogExpandedActions().map((a) => a.toLowerCase()));
    for (const p of catalogActionPatterns()) {
      expect(
        catalogExpandedActions().some(
          (a) =>
            simulated.has(a.toLowerCase()) &&
            escapeEntriesForAction(a).length > 0 &&
            new RegExp(`^${p.replace(/\*/g, '.*').replace(/\?/g, '.')}$`, 'i').test(a),
        ),
      ).toBe(true);
    }
  });

  test('a harmless action outside the ceiling is implicitly denied, not allowed', async () => {
    expect(await decide('ec2:DescribeInstances', '*', ALLOW_ALL)).toBe('ExplicitlyDenied'); // ec2:* is denied whole
    expect(await decide('dynamodb:GetItem', `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/t`, ALLOW_ALL)).toBe('ImplicitlyDenied');
  });
});

describe('what a training job needs stays allowed through role and boundary', () => {
  const needs = (): Array<[string, string]> => [
    ['s3:GetObject', `arn:aws:s3:::${env.datasets}/datasets/shard-0001.parquet`],
    ['s3:ListBucket', `arn:aws:s3:::${env.datasets}`],
    ['s3:PutObject', `arn:aws:s3:::${env.checkpoints}/runs/episode-42/step-1000.ckpt`],
    ['logs:CreateLogStream', `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:${env.logGroup}:log-stream:episode-42`],
    ['logs:PutLogEvents', `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:${env.logGroup}:log-stream:episode-42`],
    ['ecr:GetAuthorizationToken', '*'],
    ['ecr:BatchGetImage', `arn:aws:ecr:${REGION}:${ACCOUNT}:repository/${env.repository}`],
    ['ecr:GetDownloadUrlForLayer', `arn:aws:ecr:${REGION}:${ACCOUNT}:repository/${env.repository}`],
    ['kms:Decrypt', `arn:aws:kms:${REGION}:${ACCOUNT}:key/${env.keyId}`],
    ['kms:GenerateDataKey', `arn:aws:kms:${REGION}:${ACCOUNT}:key/${env.keyId}`],
  ];

  test.each(needs())('%s on %s is allowed from inside the environment', async (action, resource) => {
    const context = action === 's3:ListBucket' ? { ...inside, 's3:prefix': 'datasets/' } : inside;
    expect(await decide(action, resource, env.rolePolicy, context)).toBe('Allowed');
  });

  test('the same calls are denied from outside the VPC, through another endpoint, in another region', async () => {
    const [action, resource] = needs()[0];
    const { 'aws:SourceVpc': _vpc, 'aws:SourceVpce': _vpce, ...publicInternet } = inside;
    expect(await decide(action, resource, env.rolePolicy, publicInternet)).toBe('ExplicitlyDenied');
    expect(await decide(action, resource, env.rolePolicy, { ...inside, 'aws:SourceVpc': 'vpc-0fffffffffffffff0' })).toBe('ExplicitlyDenied');
    expect(await decide(action, resource, env.rolePolicy, { ...inside, 'aws:SourceVpce': 'vpce-0fffffffffffffff0' })).toBe('ExplicitlyDenied');
    expect(await decide(action, resource, env.rolePolicy, { ...inside, 'aws:RequestedRegion': 'us-east-1' })).toBe('ExplicitlyDenied');
    // An AWS service acting with the role's credentials (forward access session) is exempt from the network pin.
    expect(await decide(action, resource, env.rolePolicy, { ...publicInternet, 'aws:ViaAWSService': 'true' })).toBe('Allowed');
  });

  test('writing to a bucket of another account is denied even with Allow *', async () => {
    expect(await decide('s3:PutObject', 'arn:aws:s3:::someone-elses-bucket/loot', ALLOW_ALL, { ...inside, 'aws:ResourceAccount': '999988887777' })).toBe(
      'ExplicitlyDenied',
    );
  });

  test('deleting checkpoints or reading outside the granted prefixes is not allowed', async () => {
    expect(await decide('s3:DeleteObject', `arn:aws:s3:::${env.checkpoints}/runs/x`, env.rolePolicy)).toBe('ExplicitlyDenied');
    expect(await decide('s3:GetObject', `arn:aws:s3:::${env.datasets}/secrets/x`, env.rolePolicy)).toBe('ImplicitlyDenied');
  });

  test('reserved tags cannot be changed and sessions can be revoked', async () => {
    expect(
      await decide('s3:PutObject', `arn:aws:s3:::${env.checkpoints}/runs/x`, ALLOW_ALL, { ...inside, 'aws:TagKeys': 'black-hole:environment' } as never),
    ).toBe('ExplicitlyDenied');
    const revoked = {
      Version: '2012-10-17',
      Statement: [
        ...(env.rolePolicy as { Statement: unknown[] }).Statement,
        ...AgentBoundary.sessionRevocationPolicyDocument('2026-03-14T09:30:00Z').Statement,
      ],
    };
    const resource = `arn:aws:s3:::${env.datasets}/datasets/shard-0001.parquet`;
    expect(await decide('s3:GetObject', resource, revoked, { ...inside, 'aws:TokenIssueTime': '2026-03-14T09:00:00Z' })).toBe('ExplicitlyDenied');
    expect(await decide('s3:GetObject', resource, revoked, { ...inside, 'aws:TokenIssueTime': '2026-03-14T10:00:00Z' })).toBe('Allowed');
  });
});
