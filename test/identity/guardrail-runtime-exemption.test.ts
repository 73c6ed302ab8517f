/**
 * The organisation guardrail (default scope: every principal but break-glass) against the library's
 * own runtime, evaluated with @cloud-copilot/iam-simulate: every runtime role of a BlackHoleEnvironment
 * (telemetry Lambdas, stop function, budget action role, flow-log delivery, SageMaker execution role,
 * CDK's singleton providers) is allowed each call its own policy grants, under the SCP; an agent role
 * is still denied the catalog; nobody but break-glass may mint or pass a runtime-path role.
 */
import { runSimulation, type Simulation } from '@cloud-copilot/iam-simulate';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { expandActionPattern } from '../../lib/common/aws-action-catalog';
import { RUNTIME_ROLE_PATH } from '../../lib/common/runtime-roles';
import { BlackHoleEnvironment } from '../../lib/environment/black-hole-environment';
import { catalogExpandedActions } from '../../lib/identity/escape-catalog';
import { TrainingGuardrailPolicy } from '../../lib/identity/training-guardrail-policy';
import { ACCOUNT, PhysicalIds, REGION } from './helpers';

type Json = any;
const ALLOW_ALL = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] };
const BREAK_GLASS = 'arn:aws:iam::*:role/BreakGlass';

function synthesize() {
  const app = new App();
  const stack = new Stack(app, 'Env', { env: { account: ACCOUNT, region: REGION } });
  new BlackHoleEnvironment(stack, 'Bh', {
    environmentName: 'rl-dev',
    gpuFleet: { instanceTypes: ['g5.2xlarge'], maxInstances: 2 },
    billing: { monthlyLimitUsd: 500 },
  });
  const org = new Stack(app, 'Org');
  const guardrail = new TrainingGuardrailPolicy(org, 'Guardrail', { breakGlassPrincipalArns: [BREAK_GLASS], targetIds: ['ou-ab12-cdefgh34'] });
  return { template: Template.fromStack(stack).toJSON() as { Resources: Record<string, Json> }, guardrail };
}

const { template, guardrail } = synthesize();
const ids = new PhysicalIds(Template.fromJSON(template));
const SCPS = [
  {
    orgIdentifier: 'ou-ab12-cdefgh34',
    policies: [{ name: 'FullAWSAccess', policy: ALLOW_ALL }, ...guardrail.documents.map((d, i) => ({ name: `guardrail-${i + 1}`, policy: d }))],
  },
];

/** Deployed values where the test helper knows them; `x` for the rest (only identity Allows are resolved this way). */
function loose(v: Json): Json {
  if (Array.isArray(v)) return v.map(loose);
  if (v && typeof v === 'object') {
    const keys = Object.keys(v);
    if (keys.length === 1 && (keys[0] === 'Ref' || keys[0] === 'Fn::GetAtt')) {
      try {
        return ids.resolve(v);
      } catch {
        return arnOf(keys[0] === 'Ref' ? v.Ref : v['Fn::GetAtt'][0]);
      }
    }
    if (keys.length === 1 && keys[0] === 'Fn::Join') return (v['Fn::Join'][1] as Json[]).map(loose).join(v['Fn::Join'][0]);
    if (keys.length === 1 && keys[0].startsWith('Fn::')) return 'x';
    return Object.fromEntries(keys.map((k) => [k, loose(v[k])]));
  }
  return v;
}

/** A plausible deployed ARN for resources the helper does not know (tables, buses, topics, functions, queues). */
function arnOf(logicalId: string): string {
  const type = template.Resources[logicalId]?.Type ?? '';
  const id = logicalId.toLowerCase();
  const forms: Record<string, string> = {
    'AWS::DynamoDB::Table': `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/${id}`,
    'AWS::Events::EventBus': `arn:aws:events:${REGION}:${ACCOUNT}:event-bus/${id}`,
    'AWS::SNS::Topic': `arn:aws:sns:${REGION}:${ACCOUNT}:${id}`,
    'AWS::SQS::Queue': `arn:aws:sqs:${REGION}:${ACCOUNT}:${id}`,
    'AWS::Lambda::Function': `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${id}`,
    'AWS::Events::Rule': `arn:aws:events:${REGION}:${ACCOUNT}:rule/${id}`,
  };
  return forms[type] ?? 'x';
}

const roles = Object.entries(template.Resources).filter(([, r]) => r.Type === 'AWS::IAM::Role');
const runtimeRoles = roles.filter(([, r]) => r.Properties.Path === RUNTIME_ROLE_PATH).map(([id]) => id);
const agentRoleId = roles.find(([, r]) => (r.Properties.Tags ?? []).some((t: Json) => t.Key === 'black-hole:agent-role'))![0];

/** The identity policy statements of a role: inline Policies and AWS::IAM::Policy resources attached to it. */
function statementsOf(roleId: string): Json[] {
  const role = template.Resources[roleId];
  const inline = (role.Properties.Policies ?? []).flatMap((p: Json) => [p.PolicyDocument.Statement].flat());
  const attached = Object.values(template.Resources)
    .filter((r: Json) => r.Type === 'AWS::IAM::Policy' && JSON.stringify(r.Properties.Roles).includes(`"${roleId}"`))
    .flatMap((r: Json) => [r.Properties.PolicyDocument.Statement].flat());
  return [...inline, ...attached].map(loose);
}

/** A request context that satisfies a statement's conditions (the SCP is what is under test). */
function contextFor(statement: Json): Record<string, string | string[]> {
  const context: Record<string, string | string[]> = {};
  for (const [operator, block] of Object.entries<Json>(statement.Condition ?? {})) {
    for (const [key, value] of Object.entries<Json>(block)) {
      const first = String([value].flat()[0]).replace(/\*/g, 'x');
      if (operator.startsWith('Null')) {
        if (first === 'false') context[key] = 'x';
      } else if (/^Bool/.test(operator)) context[key] = first;
      else if (/NotEquals|NotLike/.test(operator)) context[key] = 'not-the-denied-value';
      else context[key] = operator.startsWith('ForAllValues') || operator.startsWith('ForAnyValue') ? [first] : first;
    }
  }
  return context;
}

interface Call {
  action: string;
  resources: string[];
  context: Record<string, string | string[]>;
}

function callsOf(roleId: string): Call[] {
  const out: Call[] = [];
  for (const s of statementsOf(roleId)) {
    if (s.Effect !== 'Allow' || !s.Action) continue;
    // A log group ARN with `:*` covers its streams: the stream form is what the calls name.
    const resources = ([s.Resource].flat() as unknown[]).map((r) =>
      String(r)
        .replace(/(:log-group:[^:]+):\*$/, '$1:log-stream:x')
        .replace(/\*/g, 'x')
        .replace(/^x$/, '*'),
    );
    for (const pattern of [s.Action].flat() as string[]) {
      const action = /[*?]/.test(pattern) ? expandActionPattern(pattern)[0] : pattern;
      if (action) out.push({ action, resources, context: contextFor(s) });
    }
  }
  return out;
}

const keyPolicies = new Map(
  Object.entries(template.Resources)
    .filter(([, r]) => r.Type === 'AWS::KMS::Key')
    .map(([id, r]) => [ids.getAtt(id, 'Arn'), ids.resolve(r.Properties.KeyPolicy)]),
);

/** The call is allowed on one of the statement's resources (errors for resource forms the simulator cannot type count as not allowed). */
async function decideCall(principalArn: string, c: Call, identity: unknown, scps = SCPS): Promise<string> {
  let last = 'no resource';
  for (const resource of c.resources) {
    try {
      last = await decide(principalArn, c.action, resource, identity, c.context, scps);
    } catch (e) {
      last = (e as Error).message;
    }
    if (last === 'Allowed') return last;
  }
  return last;
}

async function decide(
  principalArn: string,
  action: string,
  resource: string,
  identity: unknown,
  context: Record<string, string | string[]>,
  scps = SCPS,
): Promise<string> {
  const name = principalArn.slice(principalArn.lastIndexOf('/') + 1);
  const simulation: Simulation = {
    request: {
      principal: `arn:aws:sts::${ACCOUNT}:assumed-role/${name}/session`,
      action,
      resource: { resource, accountId: ACCOUNT },
      contextVariables: { 'aws:PrincipalArn': principalArn, 'aws:PrincipalAccount': ACCOUNT, 'aws:RequestedRegion': REGION, ...context },
    },
    identityPolicies: [{ name: 'identity', policy: identity }],
    serviceControlPolicies: scps,
    resourceControlPolicies: [],
    // KMS authorises through the key policy as well.
    ...(keyPolicies.has(resource) ? { resourcePolicy: keyPolicies.get(resource) } : {}),
  };
  const result = await runSimulation(simulation, {});
  if (result.resultType === 'error') throw new Error(`${action}: ${result.errors.message}`);
  return result.overallResult;
}

describe('(c) the runtime roles of an environment under the guardrail SCP', () => {
  test('every role of the environment except the agent role is on the runtime path, including CDK singleton providers', () => {
    expect(template.Resources[agentRoleId].Properties.Path).toBeUndefined();
    const expected = [
      'BillingGuardActionExecutionRole',
      'BillingGuardStopComputeRole',
      'FlowLogsCloudWatchFlowLogIAMRole',
      'ViolationsCorrelatorRole',
      'ViolationsResponderRole',
      'SageMakerExecutionRole',
      'CustomVpcRestrictDefaultSGCustomResourceProviderRole',
      'AWS679f53fac002430cb0da5b7982bd2287ServiceRole',
    ];
    for (const e of expected) expect(runtimeRoles.some((id) => id.includes(e))).toBe(true);
    expect(roles.length).toBe(runtimeRoles.length + 1);
  });

  test.each(runtimeRoles)('%s: the SCP takes none of the calls its policy grants', async (roleId) => {
    const calls = callsOf(roleId);
    expect(calls.length).toBeGreaterThan(0);
    const identity = { Version: '2012-10-17', Statement: statementsOf(roleId) };
    const arn = ids.getAtt(roleId, 'Arn');
    expect(arn).toBe(`arn:aws:iam::${ACCOUNT}:role${RUNTIME_ROLE_PATH}${roleId}`);
    const changed: string[] = [];
    let allowed = 0;
    for (const c of calls) {
      // Baseline without SCPs: a call the simulator cannot match from the generated context (e.g. a
      // kms:EncryptionContext key) is not the SCP's doing; the SCP must not change any decision.
      const baseline = await decideCall(arn, c, identity, []);
      const underScp = await decideCall(arn, c, identity);
      if (baseline === 'Allowed') allowed++;
      if (underScp !== baseline) changed.push(`${c.action} on ${c.resources.join(' | ')}: ${baseline} without the SCP, ${underScp} under it`);
    }
    expect(changed).toEqual([]);
    expect(allowed).toBeGreaterThanOrEqual(Math.ceil(calls.length / 2));
  });

  test('without the runtime path the SCP denies the runtime its own calls (what this change fixes)', async () => {
    const denied: string[] = [];
    for (const roleId of runtimeRoles) {
      const identity = { Version: '2012-10-17', Statement: statementsOf(roleId) };
      for (const c of callsOf(roleId)) {
        if ((await decideCall(`arn:aws:iam::${ACCOUNT}:role/${roleId}`, c, identity)) === 'ExplicitlyDenied') denied.push(c.action);
      }
    }
    expect(denied).toEqual(expect.arrayContaining(['events:PutEvents', 'iam:AttachRolePolicy', 'iam:PutRolePolicy', 'ec2:CreateNetworkInterface']));
  });

  test('the agent role under the SCP is still denied every catalog action', async () => {
    const arn = ids.getAtt(agentRoleId, 'Arn');
    const notDenied: string[] = [];
    for (const action of catalogExpandedActions()) {
      if ((await decide(arn, action, '*', ALLOW_ALL, {})) !== 'ExplicitlyDenied') notDenied.push(action);
    }
    expect(notDenied).toEqual([]);
  });
});

describe('(d) nobody but break-glass mints, changes or passes a runtime-path role', () => {
  const target = `arn:aws:iam::${ACCOUNT}:role/black-hole-runtime/Exempt`;
  test('a role off the runtime path may not create or alter one', async () => {
    for (const action of ['iam:CreateRole', 'iam:UpdateAssumeRolePolicy', 'iam:PutRolePolicy', 'iam:AttachRolePolicy', 'iam:TagRole']) {
      expect(await decide(`arn:aws:iam::${ACCOUNT}:role/PipelineAdmin`, action, target, ALLOW_ALL, {})).toBe('ExplicitlyDenied');
    }
  });

  test('nor may a runtime role (the responder edits agent roles, never runtime ones)', async () => {
    expect(await decide(`arn:aws:iam::${ACCOUNT}:role/black-hole-runtime/Responder`, 'iam:CreateRole', target, ALLOW_ALL, {})).toBe('ExplicitlyDenied');
    expect(await decide(`arn:aws:iam::${ACCOUNT}:role/black-hole-runtime/Responder`, 'iam:PutRolePolicy', target, ALLOW_ALL, {})).toBe('ExplicitlyDenied');
  });

  test('passing one is for break-glass and runtime roles only; break-glass may create one', async () => {
    expect(
      await decide(`arn:aws:iam::${ACCOUNT}:role/PipelineAdmin`, 'iam:PassRole', target, ALLOW_ALL, { 'iam:PassedToService': 'lambda.amazonaws.com' }),
    ).toBe('ExplicitlyDenied');
    expect(
      await decide(`arn:aws:iam::${ACCOUNT}:role/black-hole-runtime/Launcher`, 'iam:PassRole', target, ALLOW_ALL, {
        'iam:PassedToService': 'sagemaker.amazonaws.com',
      }),
    ).toBe('Allowed');
    expect(await decide(`arn:aws:iam::${ACCOUNT}:role/BreakGlass`, 'iam:CreateRole', target, ALLOW_ALL, {})).toBe('Allowed');
    // The catalog exempts runtime roles; only the runtime-path guard stops them minting another.
    expect(
      await decide(`arn:aws:iam::${ACCOUNT}:role/black-hole-runtime/Responder`, 'iam:CreateRole', `arn:aws:iam::${ACCOUNT}:role/Ordinary`, ALLOW_ALL, {}),
    ).toBe('Allowed');
  });
});
