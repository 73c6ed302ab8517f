/**
 * The SageMaker execution role: SageMaker's tool, not the agent's. Template shape, and liveness
 * proven with @cloud-copilot/iam-simulate under every policy AWS applies: the role's identity
 * policy, its permissions boundary, and the organisation guardrail SCP (default scope), with the
 * request context SageMaker really sends (its own network: no aws:SourceVpc; aws:PrincipalArn is
 * the role's ARN, path included).
 */
import { runSimulation, type Simulation } from '@cloud-copilot/iam-simulate';
import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { markRuntimeRole } from '../../lib/common/runtime-roles';
import { AgentBoundary } from '../../lib/identity/agent-boundary';
import { AgentRole } from '../../lib/identity/agent-role';
import { SageMakerExecutionRole } from '../../lib/identity/sagemaker-execution-role';
import { SageMakerTrainingLaunchPolicy } from '../../lib/identity/sagemaker-launch-policy';
import { TrainingGuardrailPolicy } from '../../lib/identity/training-guardrail-policy';
import { ACCOUNT, environmentStack, PhysicalIds, REGION } from './helpers';

const ALLOW_ALL = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] };

function synthesize() {
  const { stack, vpc } = environmentStack();
  const sg = new ec2.SecurityGroup(stack, 'TrainingSg', { vpc, allowAllOutbound: false });
  const exec = new SageMakerExecutionRole(stack, 'Exec', { environmentName: 'rl-dev', vpc, subnets: vpc.isolatedSubnets, securityGroups: [sg] });
  const key = new kms.Key(stack, 'DataKey');
  const datasets = new s3.Bucket(stack, 'Datasets', { encryptionKey: key });
  const checkpoints = new s3.Bucket(stack, 'Checkpoints', { encryptionKey: key });
  const repository = new ecr.Repository(stack, 'Images');
  exec.grantReadDatasets(datasets, 'datasets/');
  exec.grantWriteCheckpoints(checkpoints, 'runs/');
  exec.grantPullImages(repository);
  exec.grantVolumeAndOutputKey(key);
  const launcher = new iam.Role(stack, 'Launcher', { assumedBy: new iam.AccountPrincipal(ACCOUNT) });
  markRuntimeRole(launcher);
  const launch = new SageMakerTrainingLaunchPolicy(stack, 'Launch', {
    environmentName: 'rl-dev',
    subnets: vpc.isolatedSubnets,
    securityGroups: [sg],
    executionRoles: [exec],
  });
  launch.attachToRole(launcher);
  const guardrail = new TrainingGuardrailPolicy(stack, 'Guardrail', {
    breakGlassPrincipalArns: ['arn:aws:iam::*:role/BreakGlass'],
    targetIds: ['ou-ab12-cdefgh34'],
  });

  const template = Template.fromStack(stack);
  const ids = new PhysicalIds(template);
  const id = (c: { node: { defaultChild?: unknown } }) => stack.getLogicalId(c.node.defaultChild as never);
  const policyOf = (roleId: string) => {
    const found = Object.values(template.findResources('AWS::IAM::Policy')).filter((p) => JSON.stringify(p.Properties.Roles).includes(roleId));
    return { Version: '2012-10-17', Statement: found.flatMap((p) => (ids.resolve(p.Properties.PolicyDocument) as { Statement: unknown[] }).Statement) };
  };
  const managed = template.findResources('AWS::IAM::ManagedPolicy');
  const boundaryId = Object.keys(managed).find((k) => k.startsWith('ExecBoundary'))!;
  const launchId = Object.keys(managed).find((k) => JSON.stringify(managed[k]).includes('AllowCreateTrainingJob'))!;
  return {
    stack,
    template,
    exec,
    launcher,
    execPolicy: policyOf(id(exec)),
    execBoundary: ids.resolve(managed[boundaryId].Properties.PolicyDocument),
    launchPolicy: ids.resolve(managed[launchId].Properties.PolicyDocument),
    keyPolicy: ids.resolve(template.findResources('AWS::KMS::Key')[id(key)].Properties.KeyPolicy),
    scps: [
      {
        orgIdentifier: 'ou-ab12-cdefgh34',
        policies: [{ name: 'FullAWSAccess', policy: ALLOW_ALL }, ...guardrail.documents.map((d, i) => ({ name: `guardrail-${i + 1}`, policy: d }))],
      },
    ],
    execArn: ids.getAtt(id(exec), 'Arn'),
    execName: id(exec),
    launcherArn: ids.getAtt(id(launcher), 'Arn'),
    vpcArn: `arn:aws:ec2:${REGION}:${ACCOUNT}:vpc/${ids.ref(id(vpc))}`,
    subnets: vpc.isolatedSubnets.map((s) => ids.ref(id(s))),
    sg: ids.ref(id(sg)),
    datasets: ids.ref(id(datasets)),
    checkpoints: ids.ref(id(checkpoints)),
    repository: ids.ref(id(repository)),
    keyArn: ids.getAtt(id(key), 'Arn'),
  };
}

const env = synthesize();

describe('SageMakerExecutionRole template', () => {
  test('trusted only by SageMaker, for training jobs of this account and region (confused deputy)', () => {
    const role = env.template.findResources('AWS::IAM::Role')[env.execName];
    expect(new PhysicalIds(env.template).resolve(role.Properties.AssumeRolePolicyDocument)).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Action: 'sts:AssumeRole',
          Principal: { Service: 'sagemaker.amazonaws.com' },
          Condition: {
            StringEquals: { 'aws:SourceAccount': ACCOUNT },
            ArnLike: { 'aws:SourceArn': `arn:aws:sagemaker:${REGION}:${ACCOUNT}:training-job/*` },
          },
        },
      ],
    });
    expect(role.Properties).toMatchObject({
      Path: '/black-hole-runtime/',
      MaxSessionDuration: 3600,
      PermissionsBoundary: { Ref: expect.stringMatching(/^ExecBoundary/) },
    });
  });

  test('tagged with the environment, never as an agent role', () => {
    const role = env.template.findResources('AWS::IAM::Role')[env.execName];
    expect(role.Properties.Tags).toEqual([{ Key: 'black-hole:environment', Value: 'rl-dev' }]);
  });

  test('grant helpers reject wildcard and absolute prefixes; props are validated all at once', () => {
    const { stack, vpc } = environmentStack('Other');
    expect(() => new SageMakerExecutionRole(stack, 'X', { environmentName: '', vpc, subnets: [], securityGroups: [] })).toThrow(
      /3 problems[\s\S]*environmentName[\s\S]*subnets[\s\S]*securityGroups/,
    );
    expect(() => env.exec.grantReadDatasets(new s3.Bucket(env.stack, 'B1'), 'data/*')).toThrow(/prefix: 'data\/\*' must be a literal key prefix/);
  });

  test('is not an AgentRole: ENI actions are accepted by addToPolicy (no escape-catalog check)', () => {
    expect(env.exec).not.toBeInstanceOf(AgentRole);
    expect(env.execPolicy.Statement).toEqual(
      expect.arrayContaining([expect.objectContaining({ Sid: 'CreateJobNetworkInterfaces', Action: 'ec2:CreateNetworkInterface' })]),
    );
  });
});

async function simulate(
  principalArn: string,
  sessionArn: string,
  action: string,
  resource: string,
  identity: unknown,
  context: Record<string, string | string[]>,
  extra: Partial<Simulation> = {},
): Promise<string> {
  const simulation: Simulation = {
    request: {
      principal: sessionArn,
      action,
      resource: { resource, accountId: ACCOUNT },
      contextVariables: { 'aws:PrincipalArn': principalArn, 'aws:PrincipalAccount': ACCOUNT, 'aws:RequestedRegion': REGION, ...context },
    },
    identityPolicies: [{ name: 'identity', policy: identity }],
    serviceControlPolicies: env.scps,
    resourceControlPolicies: [],
    ...extra,
  };
  const result = await runSimulation(simulation, {});
  if (result.resultType === 'error') throw new Error(`${action}: ${result.errors.message}`);
  return result.overallResult;
}

describe('(a) SageMaker, with the execution role and from its own network, under the guardrail SCP', () => {
  const session = () => `arn:aws:sts::${ACCOUNT}:assumed-role/${env.execName}/SageMaker`;
  const asSageMaker = (action: string, resource: string, context: Record<string, string | string[]> = {}, principalArn = env.execArn) =>
    simulate(principalArn, session(), action, resource, env.execPolicy, context, {
      permissionBoundaryPolicies: [{ name: 'boundary', policy: env.execBoundary }],
      ...(action.startsWith('kms:') ? { resourcePolicy: env.keyPolicy } : {}),
    });
  const eni = `arn:aws:ec2:${REGION}:${ACCOUNT}:network-interface/eni-0123456789abcdef0`;
  const subnetArn = (s: string) => `arn:aws:ec2:${REGION}:${ACCOUNT}:subnet/${s}`;

  test('the role ARN carries the runtime path', () => {
    expect(env.execArn).toBe(`arn:aws:iam::${ACCOUNT}:role/black-hole-runtime/${env.execName}`);
  });

  test('creates the job network interfaces in the environment subnets with the environment security group', async () => {
    expect(await asSageMaker('ec2:CreateNetworkInterface', eni)).toBe('Allowed');
    expect(await asSageMaker('ec2:CreateNetworkInterface', subnetArn(env.subnets[0]), { 'ec2:Vpc': env.vpcArn, 'ec2:SubnetID': env.subnets[0] })).toBe(
      'Allowed',
    );
    expect(
      await asSageMaker('ec2:CreateNetworkInterface', `arn:aws:ec2:${REGION}:${ACCOUNT}:security-group/${env.sg}`, {
        'ec2:Vpc': env.vpcArn,
        'ec2:SecurityGroupID': env.sg,
      }),
    ).toBe('Allowed');
    for (const action of ['ec2:CreateNetworkInterfacePermission', 'ec2:DeleteNetworkInterface', 'ec2:DeleteNetworkInterfacePermission']) {
      expect(await asSageMaker(action, eni, { 'ec2:Vpc': env.vpcArn, 'ec2:Subnet': subnetArn(env.subnets[1]) })).toBe('Allowed');
    }
    for (const action of [
      'ec2:DescribeNetworkInterfaces',
      'ec2:DescribeVpcs',
      'ec2:DescribeDhcpOptions',
      'ec2:DescribeSubnets',
      'ec2:DescribeSecurityGroups',
    ]) {
      expect(await asSageMaker(action, '*')).toBe('Allowed');
    }
  });

  test('but not in a foreign subnet, VPC or security group', async () => {
    expect(
      await asSageMaker('ec2:CreateNetworkInterface', subnetArn('subnet-0fffffffffffffff0'), {
        'ec2:Vpc': env.vpcArn,
        'ec2:SubnetID': 'subnet-0fffffffffffffff0',
      }),
    ).toBe('ImplicitlyDenied');
    expect(
      await asSageMaker('ec2:CreateNetworkInterface', subnetArn(env.subnets[0]), {
        'ec2:Vpc': `arn:aws:ec2:${REGION}:${ACCOUNT}:vpc/vpc-0fffffffffffffff0`,
        'ec2:SubnetID': env.subnets[0],
      }),
    ).toBe('ImplicitlyDenied');
    expect(
      await asSageMaker('ec2:CreateNetworkInterface', `arn:aws:ec2:${REGION}:${ACCOUNT}:security-group/sg-0fffffffffffffff0`, {
        'ec2:Vpc': env.vpcArn,
        'ec2:SecurityGroupID': 'sg-0fffffffffffffff0',
      }),
    ).toBe('ImplicitlyDenied');
    expect(await asSageMaker('ec2:DeleteNetworkInterface', eni, { 'ec2:Vpc': env.vpcArn, 'ec2:Subnet': subnetArn('subnet-0fffffffffffffff0') })).toBe(
      'ImplicitlyDenied',
    );
  });

  test('pulls the image, stages datasets, writes checkpoints, logs and metrics, uses the volume and output key', async () => {
    const repo = `arn:aws:ecr:${REGION}:${ACCOUNT}:repository/${env.repository}`;
    const logs = `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:/aws/sagemaker/TrainingJobs`;
    const calls: Array<[string, string, Record<string, string | string[]>?]> = [
      ['ecr:GetAuthorizationToken', '*'],
      ['ecr:BatchGetImage', repo],
      ['ecr:GetDownloadUrlForLayer', repo],
      ['ecr:BatchCheckLayerAvailability', repo],
      ['s3:GetObject', `arn:aws:s3:::${env.datasets}/datasets/shard-0001.parquet`],
      ['s3:ListBucket', `arn:aws:s3:::${env.datasets}`, { 's3:prefix': 'datasets/' }],
      ['s3:PutObject', `arn:aws:s3:::${env.checkpoints}/runs/episode-42/model.tar.gz`],
      ['s3:GetObject', `arn:aws:s3:::${env.checkpoints}/runs/episode-42/checkpoint-1000`],
      ['logs:CreateLogGroup', logs],
      ['logs:CreateLogStream', `${logs}:log-stream:episode-42/algo-1`],
      ['logs:PutLogEvents', `${logs}:log-stream:episode-42/algo-1`],
      ['logs:DescribeLogStreams', `${logs}:*`],
      ['cloudwatch:PutMetricData', '*', { 'cloudwatch:namespace': '/aws/sagemaker/TrainingJobs' }],
      ['kms:Decrypt', env.keyArn],
      ['kms:GenerateDataKey', env.keyArn],
      ['kms:Encrypt', env.keyArn],
      ['kms:CreateGrant', env.keyArn, { 'kms:GrantIsForAWSResource': 'true' }],
    ];
    const denied: string[] = [];
    for (const [action, resource, context] of calls) {
      const decision = await asSageMaker(action, resource, context);
      if (decision !== 'Allowed') denied.push(`${action} ${resource}: ${decision}`);
    }
    expect(denied).toEqual([]);
  });

  test('nothing beyond the ceiling, even if someone attaches Allow * later', async () => {
    const broad = (action: string, resource: string) =>
      simulate(env.execArn, session(), action, resource, ALLOW_ALL, {}, { permissionBoundaryPolicies: [{ name: 'boundary', policy: env.execBoundary }] });
    expect(await broad('ec2:RunInstances', '*')).toBe('ImplicitlyDenied');
    expect(await broad('iam:PassRole', '*')).toBe('ImplicitlyDenied');
    expect(await broad('s3:DeleteObject', `arn:aws:s3:::${env.checkpoints}/runs/x`)).toBe('ImplicitlyDenied');
  });

  test('off the runtime path, the guardrail SCP would deny SageMaker the network interfaces', async () => {
    expect(await asSageMaker('ec2:CreateNetworkInterface', eni, {}, `arn:aws:iam::${ACCOUNT}:role/${env.execName}`)).toBe('ExplicitlyDenied');
  });
});

describe('(b) the launcher, under the guardrail SCP', () => {
  const session = `arn:aws:sts::${ACCOUNT}:assumed-role/Launcher/harness`;
  const job = `arn:aws:sagemaker:${REGION}:${ACCOUNT}:training-job/episode-42`;
  const good = (): Record<string, string | string[]> => ({
    'sagemaker:NetworkIsolation': 'true',
    'sagemaker:InterContainerTrafficEncryption': 'true',
    'sagemaker:VpcSubnets': env.subnets,
    'sagemaker:VpcSecurityGroupIds': [env.sg],
    'sagemaker:InstanceTypes': ['ml.p5.48xlarge'],
    'sagemaker:MaxRuntimeInSeconds': '3600',
    'aws:RequestTag/black-hole:environment': 'rl-dev',
    'aws:TagKeys': ['black-hole:environment'],
  });
  const asLauncher = (action: string, resource: string, context: Record<string, string | string[]>, principalArn = env.launcherArn) =>
    simulate(principalArn, session, action, resource, env.launchPolicy, context);

  test('may start an isolated job in the environment and pass the execution role to SageMaker', async () => {
    expect(env.launcherArn).toMatch(/:role\/black-hole-runtime\//);
    expect(await asLauncher('sagemaker:CreateTrainingJob', job, good())).toBe('Allowed');
    expect(await asLauncher('sagemaker:AddTags', job, { 'sagemaker:TaggingAction': 'CreateTrainingJob', 'aws:TagKeys': ['black-hole:environment'] })).toBe(
      'Allowed',
    );
    expect(await asLauncher('iam:PassRole', env.execArn, { 'iam:PassedToService': 'sagemaker.amazonaws.com' })).toBe('Allowed');
  });

  test('is denied a job without network isolation, and any other role', async () => {
    expect(await asLauncher('sagemaker:CreateTrainingJob', job, { ...good(), 'sagemaker:NetworkIsolation': 'false' })).toBe('ImplicitlyDenied');
    const { 'sagemaker:NetworkIsolation': _dropped, ...withoutKey } = good();
    expect(await asLauncher('sagemaker:CreateTrainingJob', job, withoutKey)).toBe('ImplicitlyDenied');
    expect(await asLauncher('iam:PassRole', `arn:aws:iam::${ACCOUNT}:role/SomeAgent`, { 'iam:PassedToService': 'sagemaker.amazonaws.com' })).toBe(
      'ImplicitlyDenied',
    );
  });

  test('off the runtime path, the guardrail SCP would deny the launcher (catalog and reserved tags)', async () => {
    const plain = `arn:aws:iam::${ACCOUNT}:role/Launcher`;
    expect(await asLauncher('sagemaker:CreateTrainingJob', job, good(), plain)).toBe('ExplicitlyDenied');
    expect(await asLauncher('iam:PassRole', env.execArn, { 'iam:PassedToService': 'sagemaker.amazonaws.com' }, plain)).toBe('ExplicitlyDenied');
  });
});

describe('an agent role cannot be the execution role', () => {
  test('the launch policy refuses it', () => {
    const { stack, vpc } = environmentStack('AgentExec');
    const agent = new AgentRole(stack, 'Agent', { boundary: new AgentBoundary(stack, 'Boundary', { environmentName: 'rl-dev', vpc }) });
    expect(
      () =>
        new SageMakerTrainingLaunchPolicy(stack, 'Launch', {
          environmentName: 'rl-dev',
          subnets: vpc.isolatedSubnets,
          securityGroups: [],
          executionRoles: [agent],
        }),
    ).toThrow(/executionRoles: .* is an AgentRole/);
    expect(() => markRuntimeRole(agent)).toThrow(/is an agent role/);
  });
});
