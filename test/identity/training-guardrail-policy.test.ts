import { runSimulation, type Simulation } from '@cloud-copilot/iam-simulate';
import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { catalogActionPatterns, catalogExpandedActions } from '../../lib/identity/escape-catalog';
import { SCP_MAX_CHARS } from '../../lib/identity/policy-size';
import { GuardrailScope, MAX_GUARDRAIL_POLICIES, TrainingGuardrailPolicy } from '../../lib/identity/training-guardrail-policy';
import { compactLength } from './helpers';

const BREAK_GLASS = ['arn:aws:iam::*:role/BreakGlass', 'arn:aws:iam::*:role/cdk-*-cfn-exec-role-*'];
/** Break-glass and the library's runtime path (lib/common/runtime-roles.ts): what the default scope exempts. */
const EXEMPT = [...BREAK_GLASS, 'arn:*:iam::*:role/black-hole-runtime/*'];

function guardrail(props: Record<string, unknown> = {}) {
  const stack = new Stack(new App(), 'Org');
  const policy = new TrainingGuardrailPolicy(stack, 'Guardrail', { breakGlassPrincipalArns: BREAK_GLASS, targetIds: ['ou-ab12-cdefgh34'], ...props });
  return { stack, policy, template: Template.fromStack(stack) };
}

interface Scp {
  Version: string;
  Statement: Array<{ Sid: string; Effect: string; Action: string | string[]; Resource: string; Condition: Record<string, Record<string, unknown>> }>;
}

describe('TrainingGuardrailPolicy', () => {
  test('renders SCPs attached to the targets, each under the size limit', () => {
    const { template, policy } = guardrail();
    const scps = template.findResources('AWS::Organizations::Policy');
    const documents = Object.values(scps).map((r) => r.Properties.Content as Scp);
    expect(documents.length).toBe(policy.policies.length);
    expect(documents.length).toBeGreaterThan(1); // the catalog does not fit in one SCP
    expect(documents.length).toBeLessThanOrEqual(MAX_GUARDRAIL_POLICIES);
    for (const d of documents) expect(compactLength(d)).toBeLessThanOrEqual(SCP_MAX_CHARS);
    template.allResourcesProperties('AWS::Organizations::Policy', { Type: 'SERVICE_CONTROL_POLICY', TargetIds: ['ou-ab12-cdefgh34'] });
    template.hasResourceProperties('AWS::Organizations::Policy', { Name: 'black-hole-training-guardrail-1' });
  });

  test('together the SCPs deny exactly the catalog patterns, in catalog order, except break-glass and the runtime path', () => {
    const { policy } = guardrail();
    const denies = policy.documents.flatMap((d) => d.Statement).filter((s) => String(s.Sid).startsWith('DenyEscapeCatalog'));
    expect(denies.flatMap((s) => s.Action as string[])).toEqual([...catalogActionPatterns()]);
    for (const s of denies) {
      expect(s).toMatchObject({ Effect: 'Deny', Resource: '*', Condition: { ArnNotLike: { 'aws:PrincipalArn': EXEMPT } } });
      expect(Object.keys(s.Condition as object)).toEqual(['ArnNotLike']);
    }
  });

  test('protects the reserved tags for everyone but break-glass and the runtime path', () => {
    const { template } = guardrail();
    template.hasResourceProperties('AWS::Organizations::Policy', {
      Content: {
        Statement: Match.arrayWith([
          {
            Sid: 'DenyReservedTagChanges',
            Effect: 'Deny',
            Action: '*',
            Resource: '*',
            Condition: { ArnNotLike: { 'aws:PrincipalArn': EXEMPT }, 'ForAnyValue:StringLike': { 'aws:TagKeys': ['black-hole:*'] } },
          },
        ]),
      },
    });
  });

  test('only break-glass may create or change a runtime-path role; only break-glass and runtime roles may pass one', () => {
    const { policy } = guardrail();
    const first = policy.documents[0].Statement;
    expect(first.find((s) => s.Sid === 'DenyRuntimePathRoleChanges')).toEqual({
      Sid: 'DenyRuntimePathRoleChanges',
      Effect: 'Deny',
      Action: expect.arrayContaining(['iam:CreateRole', 'iam:UpdateAssumeRolePolicy', 'iam:PutRolePolicy', 'iam:AttachRolePolicy']),
      Resource: 'arn:*:iam::*:role/black-hole-runtime/*',
      Condition: { ArnNotLike: { 'aws:PrincipalArn': BREAK_GLASS } },
    });
    expect(first.find((s) => s.Sid === 'DenyPassingRuntimePathRoles')).toEqual({
      Sid: 'DenyPassingRuntimePathRoles',
      Effect: 'Deny',
      Action: 'iam:PassRole',
      Resource: 'arn:*:iam::*:role/black-hole-runtime/*',
      Condition: { ArnNotLike: { 'aws:PrincipalArn': EXEMPT } },
    });
  });

  test('AGENT_ROLES scope neither exempts the runtime path nor guards it (runtime roles are out of its scope)', () => {
    const { policy } = guardrail({ scope: GuardrailScope.AGENT_ROLES });
    const all = policy.documents.flatMap((d) => d.Statement);
    expect(all.some((s) => String(s.Sid).startsWith('DenyRuntimePath') || s.Sid === 'DenyPassingRuntimePathRoles')).toBe(false);
    expect(JSON.stringify(all)).not.toContain('black-hole-runtime');
  });

  test('AGENT_ROLES scope adds the agent-role tag condition', () => {
    const { policy } = guardrail({ scope: GuardrailScope.AGENT_ROLES });
    const deny = policy.documents[0].Statement.find((s) => s.Sid === 'DenyEscapeCatalog1')!;
    expect(deny.Condition).toEqual({ ArnNotLike: { 'aws:PrincipalArn': BREAK_GLASS }, StringEquals: { 'aws:PrincipalTag/black-hole:agent-role': 'true' } });
  });

  test('tags the policies with the environment when it belongs to one', () => {
    guardrail({ environmentName: 'rl-dev' }).template.allResourcesProperties('AWS::Organizations::Policy', {
      Tags: [{ Key: 'black-hole:environment', Value: 'rl-dev' }],
    });
  });

  test.each([
    [{ breakGlassPrincipalArns: [] }, /breakGlassPrincipalArns: must name at least one break-glass principal/],
    [{ breakGlassPrincipalArns: ['BreakGlass'] }, /breakGlassPrincipalArns: 'BreakGlass' is not an IAM principal ARN pattern/],
    [{ breakGlassPrincipalArns: ['arn:aws:iam::*:role/*'] }, /exempts every role or user/],
    [{ targetIds: ['ou-1'] }, /targetIds: 'ou-1' is not a root \(r-...\), OU/],
    [{ targetIds: ['12345'] }, /targetIds: '12345'/],
    [{ scope: 'EVERYONE' }, /scope: must be one of ALL_PRINCIPALS, AGENT_ROLES/],
  ])('rejects %p', (props, message) => {
    expect(() => guardrail(props)).toThrow(message);
  });

  test('accepts roots, OUs and accounts', () => {
    expect(() => guardrail({ targetIds: ['r-ab12', 'ou-ab12-cdefgh34', '123456789012'] })).not.toThrow();
  });

  test('iam-simulate: every expanded catalog action is denied to a training principal, allowed to break-glass', async () => {
    const { policy } = guardrail();
    const scps = [
      {
        orgIdentifier: 'ou-ab12-cdefgh34',
        policies: [
          { name: 'FullAWSAccess', policy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] } },
          ...policy.documents.map((d, i) => ({ name: `guardrail-${i + 1}`, policy: d })),
        ],
      },
    ];
    const decide = async (principal: string, action: string) => {
      const simulation: Simulation = {
        request: { principal, action, resource: { resource: '*', accountId: '111122223333' }, contextVariables: { 'aws:PrincipalArn': principal } },
        identityPolicies: [{ name: 'all', policy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] } }],
        serviceControlPolicies: scps,
        resourceControlPolicies: [],
      };
      const r = await runSimulation(simulation, {});
      if (r.resultType === 'error') throw new Error(r.errors.message);
      return r.overallResult;
    };
    const notDenied: string[] = [];
    for (const action of catalogExpandedActions()) {
      if ((await decide('arn:aws:iam::111122223333:role/SomeTrainingRole', action)) !== 'ExplicitlyDenied') notDenied.push(action);
    }
    expect(notDenied).toEqual([]);
    expect(await decide('arn:aws:iam::111122223333:role/BreakGlass', 'ec2:CreateRoute')).toBe('Allowed');
    expect(await decide('arn:aws:iam::111122223333:role/SomeTrainingRole', 's3:GetObject')).toBe('Allowed');
  });
});
