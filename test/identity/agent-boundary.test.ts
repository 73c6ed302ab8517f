import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AGENT_BASE_ACTIONS, AgentBoundary, GLOBAL_SERVICE_ACTIONS, NetworkPerimeter, SESSION_REVOCATION_POLICY_NAME } from '../../lib/identity/agent-boundary';
import { AGENT_ALLOW_LIST, agentCeilingEntries } from '../../lib/identity/agent-allow-list';
import { catalogActionPatterns, findEscapePatterns } from '../../lib/identity/escape-catalog';
import { MANAGED_POLICY_MAX_CHARS } from '../../lib/identity/policy-size';
import { ENDPOINT_PRESETS, ENDPOINT_SERVICES } from '../../lib/network/endpoint-services';
import { compactLength, environmentStack, onlyResource, PhysicalIds } from './helpers';

interface Statement {
  Sid?: string;
  Effect: string;
  Action?: string | string[];
  NotAction?: string[];
  Resource?: string | string[];
  Condition?: Record<string, Record<string, unknown>>;
}

function boundaryDocument(props: Partial<ConstructorParameters<typeof AgentBoundary>[2]> = {}) {
  const { stack, vpc } = environmentStack();
  const boundary = new AgentBoundary(stack, 'Boundary', { environmentName: 'rl-dev', vpc, ...props });
  const template = Template.fromStack(stack);
  const policy = onlyResource(template, 'AWS::IAM::ManagedPolicy');
  const document = new PhysicalIds(template).resolve(policy.properties.PolicyDocument) as { Statement: Statement[] };
  return { stack, vpc, boundary, template, document, statements: document.Statement };
}

const asList = (v: string | string[] | undefined): string[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

describe('AgentBoundary policy', () => {
  test('allows only the base ceiling by default', () => {
    const { template } = boundaryDocument();
    template.hasResourceProperties('AWS::IAM::ManagedPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([{ Sid: 'AllowAgentCeiling', Effect: 'Allow', Action: [...AGENT_BASE_ACTIONS], Resource: '*' }]),
      },
    });
  });

  test('the base ceiling contains no catalog action', () => {
    for (const a of AGENT_BASE_ACTIONS) expect([a, findEscapePatterns(a)]).toEqual([a, []]);
  });

  test('every catalog pattern is covered by an unconditional Deny on Resource "*"', () => {
    for (const services of [[], [...ENDPOINT_PRESETS.EC2_TRAINING], Object.keys(ENDPOINT_SERVICES)]) {
      const { statements } = boundaryDocument({ enabledEndpointServices: services });
      const unconditional = statements.filter((s) => s.Effect === 'Deny' && !s.Condition && s.Resource === '*' && s.Action);
      const denied = unconditional.flatMap((s) => asList(s.Action)).map((a) => a.toLowerCase());
      const uncovered = catalogActionPatterns().filter((p) => {
        const lower = p.toLowerCase();
        return !denied.includes(lower) && !denied.includes(`${lower.split(':')[0]}:*`);
      });
      expect(uncovered).toEqual([]);
    }
  });

  test('catalog patterns of services in the ceiling are denied verbatim; other services whole', () => {
    const { boundary } = boundaryDocument({ enabledEndpointServices: ['sqs', 'logs'] });
    expect(boundary.deniedActions).toEqual(expect.arrayContaining(['ec2:*', 'iam:*', 'sqs:SendMessage', 'sqs:AddPermission', 'logs:Delete*']));
    expect(boundary.deniedActions).not.toContain('sqs:*');
    expect(boundary.deniedActions).not.toContain('s3:*');
  });

  test('the ceiling is exactly the allow-list of the enabled services, never a whole service', () => {
    for (const services of [[], [...ENDPOINT_PRESETS.EC2_TRAINING], Object.keys(ENDPOINT_SERVICES)]) {
      const { boundary, statements } = boundaryDocument({ enabledEndpointServices: services });
      const expected = agentCeilingEntries(services).map((e) => e.action);
      expect([...boundary.allowedActions].sort()).toEqual([...expected].sort());
      const allows = statements.filter((s) => s.Effect === 'Allow');
      expect(allows.flatMap((s) => asList(s.Action)).sort()).toEqual([...expected].sort());
      expect(allows.every((s) => !s.NotAction && asList(s.Action).every((x) => !/[*?]/.test(x)))).toBe(true);
      for (const s of services) for (const e of AGENT_ALLOW_LIST[s]) expect(boundary.allowedActions).toContain(e.action);
    }
    const { boundary } = boundaryDocument({ enabledEndpointServices: ['sqs', 'logs'] });
    expect(boundary.allowedActions).toEqual(expect.arrayContaining(['sqs:ReceiveMessage', 'logs:PutLogEvents', 's3:GetObject']));
    for (const outside of [
      'sqs:*',
      'logs:*',
      'logs:PutMetricFilter',
      's3:PutBucketNotification',
      'kms:CreateCustomKeyStore',
      'ecr:CreatePullThroughCacheRule',
      'sqs:SendMessage',
      'sts:AssumeRole',
    ]) {
      expect(boundary.allowedActions).not.toContain(outside);
    }
  });

  test('queues, tables, secrets and SageMaker endpoints only when shared with the agent (tag condition)', () => {
    const { statements } = boundaryDocument({ enabledEndpointServices: ['sqs', 'dynamodb', 'secretsmanager', 'sagemaker.runtime'] });
    const shared = statements.find((s) => s.Sid === 'AllowAgentCeilingOnSharedResources')!;
    expect(shared.Condition).toEqual({ StringEquals: { 'aws:ResourceTag/black-hole:agent-access': 'true' } });
    expect(asList(shared.Action)).toEqual(
      expect.arrayContaining(['sqs:ReceiveMessage', 'dynamodb:PutItem', 'secretsmanager:GetSecretValue', 'sagemaker:InvokeEndpoint']),
    );
    expect(asList(statements.find((s) => s.Sid === 'AllowAgentCeiling')!.Action)).not.toContain('dynamodb:PutItem');
    expect(boundaryDocument().statements.find((s) => s.Sid === 'AllowAgentCeilingOnSharedResources')).toBeUndefined();
  });

  test('network perimeter: aws:SourceVpc of the environment, absent key counts as outside, service calls exempt', () => {
    const { template, stack, vpc } = boundaryDocument();
    template.hasResourceProperties('AWS::IAM::ManagedPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          {
            Sid: 'DenyOutsideEnvironmentVpc',
            Effect: 'Deny',
            Action: '*',
            Resource: '*',
            Condition: { StringNotEqualsIfExists: { 'aws:SourceVpc': stack.resolve(vpc.vpcId) }, BoolIfExists: { 'aws:ViaAWSService': 'false' } },
          },
        ]),
      },
    });
    expect(JSON.stringify(template.toJSON())).not.toContain('DenyOutsideEnvironmentEndpoints');
  });

  test('endpoints given: requests must also come through them (aws:SourceVpce)', () => {
    const { statements } = boundaryDocument({ vpcEndpointIds: ['vpce-0123456789abcdef0'] });
    expect(statements.find((s) => s.Sid === 'DenyOutsideEnvironmentEndpoints')).toEqual({
      Sid: 'DenyOutsideEnvironmentEndpoints',
      Effect: 'Deny',
      Action: '*',
      Resource: '*',
      Condition: { StringNotEqualsIfExists: { 'aws:SourceVpce': ['vpce-0123456789abcdef0'] }, BoolIfExists: { 'aws:ViaAWSService': 'false' } },
    });
  });

  test('EC2_INSTANCE_CREDENTIALS perimeter applies only to requests carrying ec2:SourceInstanceARN', () => {
    const { statements } = boundaryDocument({ networkPerimeter: NetworkPerimeter.EC2_INSTANCE_CREDENTIALS });
    expect(statements.find((s) => s.Sid === 'DenyOutsideEnvironmentVpc')!.Condition!.Null).toEqual({ 'ec2:SourceInstanceARN': 'false' });
  });

  test('region pin on by default with the global-service exceptions; off when pinRegion is false', () => {
    const on = boundaryDocument().statements.find((s) => s.Sid === 'DenyOutsideEnvironmentRegion');
    expect(on).toEqual({
      Sid: 'DenyOutsideEnvironmentRegion',
      Effect: 'Deny',
      NotAction: [...GLOBAL_SERVICE_ACTIONS],
      Resource: '*',
      Condition: { StringNotEquals: { 'aws:RequestedRegion': 'eu-west-1' } },
    });
    expect(boundaryDocument({ pinRegion: false }).statements.find((s) => s.Sid === 'DenyOutsideEnvironmentRegion')).toBeUndefined();
    expect(boundaryDocument({ region: 'eu-central-1' }).statements.find((s) => s.Sid === 'DenyOutsideEnvironmentRegion')!.Condition).toEqual({
      StringNotEquals: { 'aws:RequestedRegion': 'eu-central-1' },
    });
  });

  test('resource perimeter: own account by default, the organisation when named', () => {
    const own = boundaryDocument().statements.find((s) => s.Sid === 'DenyResourcesOutsidePerimeter')!;
    expect(own.Action).toEqual(['s3:*', 'kms:*']);
    expect(own.Condition).toEqual({ StringNotEqualsIfExists: { 'aws:ResourceAccount': '111122223333' } });
    const org = boundaryDocument({ organizationId: 'o-abcdef1234' }).statements.find((s) => s.Sid === 'DenyResourcesOutsidePerimeter')!;
    expect(org.Condition).toEqual({ StringNotEqualsIfExists: { 'aws:ResourceOrgID': 'o-abcdef1234' } });
  });

  test('reserved tag keys cannot be set or removed; tags of environment resources cannot change', () => {
    const { statements } = boundaryDocument();
    expect(statements.find((s) => s.Sid === 'DenyReservedTagKeys')).toEqual({
      Sid: 'DenyReservedTagKeys',
      Effect: 'Deny',
      Action: '*',
      Resource: '*',
      Condition: { 'ForAnyValue:StringLike': { 'aws:TagKeys': ['black-hole:*'] } },
    });
    const onResources = statements.find((s) => s.Sid === 'DenyTagChangesOnEnvironmentResources')!;
    expect(onResources.Condition).toEqual({ Null: { 'aws:ResourceTag/black-hole:environment': 'false' } });
    expect(onResources.Action).toEqual(
      expect.arrayContaining(['s3:PutObjectTagging', 'logs:TagResource', 'logs:UntagLogGroup', 'kms:TagResource', 'ecr:UntagResource']),
    );
    // The agent itself: iam:TagRole/UntagRole fall under the unconditional iam:* deny.
    expect(statements.find((s) => s.Sid === 'DenyEscapeCatalogServices' && asList(s.Action).includes('iam:*'))).toBeDefined();
  });

  test('stays under the managed policy size limit, even with every endpoint service and endpoint', () => {
    for (const services of [[], [...ENDPOINT_PRESETS.EC2_TRAINING], Object.keys(ENDPOINT_SERVICES)]) {
      const { document, boundary, stack } = boundaryDocument({
        enabledEndpointServices: services,
        vpcEndpointIds: Array.from({ length: 14 }, (_, i) => `vpce-0123456789abcde${i.toString(16).padStart(2, '0')}`),
        organizationId: 'o-abcdef1234',
        revokeSessionsIssuedBefore: '2026-03-14T09:30:00Z',
      });
      expect(compactLength(document)).toBeLessThanOrEqual(MANAGED_POLICY_MAX_CHARS);
      expect(stack.node.tryFindChild('Boundary')).toBe(boundary);
    }
  });

  test('synthesis fails when the boundary grows over the size limit', () => {
    const { app, stack, vpc } = environmentStack();
    const boundary = new AgentBoundary(stack, 'Boundary', { environmentName: 'rl-dev', vpc });
    boundary.managedPolicy.addStatements(
      ...Array.from({ length: 40 }, (_, i) => AgentBoundary.sessionRevocationStatement(`2026-03-${String((i % 28) + 1).padStart(2, '0')}T00:00:00Z`)),
    );
    expect(() => app.synth()).toThrow(/over IAM's managed policy limit of 6144/);
  });
});

describe('AgentBoundary session revocation', () => {
  test('revokeSessionsIssuedBefore adds an unconditional-resource Deny on older tokens', () => {
    const { stack, vpc } = environmentStack();
    const boundary = new AgentBoundary(stack, 'Boundary', { environmentName: 'rl-dev', vpc });
    boundary.revokeSessionsIssuedBefore(new Date('2026-03-14T09:30:00.000Z'));
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::ManagedPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          {
            Sid: 'DenySessionsIssuedBeforeRevocation',
            Effect: 'Deny',
            Action: '*',
            Resource: '*',
            Condition: { DateLessThan: { 'aws:TokenIssueTime': '2026-03-14T09:30:00Z' } },
          },
        ]),
      },
    });
    expect(() => boundary.revokeSessionsIssuedBefore('2026-03-15T00:00:00Z')).toThrow(/revokeSessionsIssuedBefore: already set/);
  });

  test('the responder document is plain JSON under a fixed inline policy name', () => {
    expect(SESSION_REVOCATION_POLICY_NAME).toBe('BlackHoleRevokeOlderSessions');
    expect(AgentBoundary.sessionRevocationPolicyDocument('2026-03-14T09:30:00Z')).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'DenySessionsIssuedBeforeRevocation',
          Effect: 'Deny',
          Action: '*',
          Resource: '*',
          Condition: { DateLessThan: { 'aws:TokenIssueTime': '2026-03-14T09:30:00Z' } },
        },
      ],
    });
    expect(() => AgentBoundary.sessionRevocationStatement('yesterday')).toThrow(/issuedBefore: expected a valid Date or an ISO 8601 UTC time/);
    expect(() => AgentBoundary.sessionRevocationStatement(new Date('nope'))).toThrow(/issuedBefore/);
  });
});

describe('AgentBoundary validation', () => {
  const make = (props: Record<string, unknown>) => () => {
    const { stack, vpc } = environmentStack();
    new AgentBoundary(stack, 'Boundary', { environmentName: 'rl-dev', vpc, ...props } as never);
  };

  test.each([
    [{ environmentName: '' }, /environmentName: must be 1-64 characters/],
    [{ environmentName: 'has space' }, /environmentName/],
    [{ vpc: undefined }, /vpc: is required/],
    [{ enabledEndpointServices: ['ssmmessages'] }, /enabledEndpointServices: 'ssmmessages' is not an endpoint service of the allowlist; allowed: s3, dynamodb/],
    [{ vpcEndpointIds: ['vpc-123'] }, /vpcEndpointIds: 'vpc-123' is not a VPC endpoint id/],
    [{ region: 'Europe' }, /region: 'Europe' is not an AWS region name/],
    [{ networkPerimeter: 'OFF' }, /networkPerimeter: must be one of ALL_REQUESTS, EC2_INSTANCE_CREDENTIALS/],
    [{ organizationId: '123' }, /organizationId: '123' is not an organisation id/],
    [{ revokeSessionsIssuedBefore: '14/03/2026' }, /revokeSessionsIssuedBefore: expected a valid Date/],
  ])('rejects %j', (props, message) => {
    expect(make(props)).toThrow(message);
  });

  test('reports every problem at once', () => {
    expect(make({ environmentName: '', region: 'x', organizationId: 'y' })).toThrow(/\(3 problems\)[\s\S]*environmentName[\s\S]*region[\s\S]*organizationId/);
  });

  test('accepts tokens where literals are checked', () => {
    const { stack, vpc } = environmentStack();
    expect(
      () => new AgentBoundary(stack, 'Boundary', { environmentName: 'rl-dev', vpc, region: Stack.of(stack).resolve('eu-west-1'), vpcEndpointIds: [vpc.vpcId] }),
    ).not.toThrow();
  });
});
