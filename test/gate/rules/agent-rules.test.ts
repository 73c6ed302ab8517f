import { App, Stack, Tags } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { AgentBoundary, AgentRole } from '../../../lib/identity';
import { BlackHoleVpc } from '../../../lib/network';
import { auditTemplates, logicalIdOf, synthWithChecks, templateOf } from '../../helpers/gate';

/**
 * Every agent-identity rule at both doors: an agent-tagged role (or a role reached through it) that
 * may perform catalog actions, or lacks the catalog boundary, fails synth and the CLI; a bounded
 * AgentRole with least-privilege grants passes both.
 */

function environment(): { app: App; stack: Stack; net: BlackHoleVpc; agent: AgentRole } {
  const app = new App();
  const stack = new Stack(app, 'Env');
  const net = new BlackHoleVpc(stack, 'Net', { environmentName: 'team-a' });
  const boundary = new AgentBoundary(stack, 'Boundary', { environmentName: 'team-a', vpc: net.vpc });
  const agent = new AgentRole(stack, 'Agent', { boundary });
  return { app, stack, net, agent };
}

/** A role someone added by hand and tagged as an agent role, without the boundary. */
function rogueAgent(stack: Stack, actions: string[], id = 'Rogue'): iam.Role {
  const role = new iam.Role(stack, id, { assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com') });
  Tags.of(role).add('black-hole:agent-role', 'true');
  role.addToPolicy(new iam.PolicyStatement({ actions, resources: ['*'] }));
  return role;
}

function rogueTemplate(actions: string[] | string, extra: Record<string, unknown> = {}): any {
  const t = templateOf(environment().stack);
  t.Resources.Rogue = {
    Type: 'AWS::IAM::Role',
    Properties: {
      AssumeRolePolicyDocument: { Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }] },
      Tags: [{ Key: 'black-hole:agent-role', Value: 'true' }],
      Policies: [{ PolicyName: 'p', PolicyDocument: { Statement: [{ Effect: 'Allow', Action: actions, Resource: '*' }] } }],
      ...extra,
    },
  };
  return t;
}

const cases: Array<{ rule: string; actions: string[] }> = [
  { rule: 'BlackHole-IAM1', actions: ['ec2:CreateInternetGateway', 'ec2:AttachInternetGateway'] },
  { rule: 'BlackHole-IAM1', actions: ['route53resolver:DisassociateFirewallRuleGroup'] },
  { rule: 'BlackHole-IAM2', actions: ['ssm:StartSession'] },
  { rule: 'BlackHole-IAM3', actions: ['servicequotas:*'] },
  { rule: 'BlackHole-IAM3', actions: ['budgets:ModifyBudget'] },
  { rule: 'BlackHole-IAM4', actions: ['iam:PutRolePolicy'] },
  { rule: 'BlackHole-IAM5', actions: ['cloudtrail:StopLogging'] },
  { rule: 'BlackHole-IAM6', actions: ['lambda:CreateFunction'] },
  { rule: 'BlackHole-IAM6', actions: ['s3:PutBucketPolicy'] },
];

describe('bounded AgentRole with least-privilege grants', () => {
  test('passes both doors', () => {
    const { app, stack } = environment();
    expect(synthWithChecks(app)).toEqual({ failed: false, ruleIds: [] });
    expect(auditTemplates({ Env: templateOf(stack) }).code).toBe(0);
  });

  test('an unrelated admin role elsewhere in the app is not an agent and passes', () => {
    const { app } = environment();
    const ops = new Stack(app, 'Ops');
    new iam.Role(ops, 'Admin', {
      assumedBy: new iam.AccountRootPrincipal(),
      managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('AdministratorAccess')],
    });
    expect(synthWithChecks(app)).toEqual({ failed: false, ruleIds: [] });
  });
});

describe.each(cases)('$rule: an agent allowed $actions', ({ rule, actions }) => {
  test('construct level: synth fails with the rule', () => {
    const { app, stack } = environment();
    rogueAgent(stack, actions);
    const r = synthWithChecks(app);
    expect(r.failed).toBe(true);
    expect(r.ruleIds).toContain(rule);
  });

  test('template level: the CLI exits 1 with the rule, naming role, action and statement', () => {
    const r = auditTemplates({ Env: rogueTemplate(actions) });
    expect(r.code).toBe(1);
    expect(r.ruleIds).toContain(rule);
    const f = r.report.findings.find((x: any) => x.ruleId === rule);
    expect(f.resource).toBe('Rogue');
    expect(f.message).toMatch(/Agent-reachable role Rogue/);
    expect(f.message).toMatch(/statement 0 of policy p on Rogue/);
    expect(f.evidence.actionCount).toBeGreaterThan(0);
  });
});

describe('BlackHole-IAM7: the boundary must deny the whole catalog', () => {
  test('a narrow agent role without a boundary fails at both doors, and only with IAM7', () => {
    const { app, stack } = environment();
    rogueAgent(stack, ['s3:GetObject']);
    expect(synthWithChecks(app)).toEqual({ failed: true, ruleIds: ['BlackHole-IAM7'] });
    const r = auditTemplates({ Env: rogueTemplate(['s3:GetObject']) });
    expect(r.code).toBe(1);
    expect(r.ruleIds).toEqual(['BlackHole-IAM7']);
  });

  test('with the AgentBoundary attached, the same role passes', () => {
    const t = rogueTemplate(['s3:GetObject']);
    const boundary = logicalIdOf(t, 'AWS::IAM::ManagedPolicy', /Boundary/);
    t.Resources.Rogue.Properties.PermissionsBoundary = { Ref: boundary };
    expect(auditTemplates({ Env: t }).code).toBe(0);
  });

  test('the boundary makes even Allow * harmless for the escape rules', () => {
    const t = rogueTemplate('*');
    t.Resources.Rogue.Properties.PermissionsBoundary = { Ref: logicalIdOf(t, 'AWS::IAM::ManagedPolicy', /Boundary/) };
    const r = auditTemplates({ Env: t });
    expect(r.ruleIds).toEqual([]);
    expect(r.code).toBe(0);
  });
});

describe('reachability: roles an agent can reach are agents too', () => {
  test('a role the agent may assume is analysed (role chaining), and its grants fail the gate', () => {
    const t = rogueTemplate(['s3:GetObject']);
    const boundary = logicalIdOf(t, 'AWS::IAM::ManagedPolicy', /Boundary/);
    t.Resources.Rogue.Properties.PermissionsBoundary = { Ref: boundary };
    t.Resources.Helper = {
      Type: 'AWS::IAM::Role',
      Properties: {
        AssumeRolePolicyDocument: { Statement: [{ Effect: 'Allow', Principal: { AWS: { 'Fn::GetAtt': ['Rogue', 'Arn'] } }, Action: 'sts:AssumeRole' }] },
        Policies: [{ PolicyName: 'quota', PolicyDocument: { Statement: [{ Effect: 'Allow', Action: 'servicequotas:RequestServiceQuotaIncrease', Resource: '*' }] } }],
      },
    };
    const r = auditTemplates({ Env: t });
    expect(r.code).toBe(1);
    const f = r.report.findings.find((x: any) => x.ruleId === 'BlackHole-IAM3');
    expect(f.resource).toBe('Helper');
    expect(f.message).toMatch(/assumable from role/);
  });

  test('construct level: an agent with an imported managed policy fails synth with IAM8 and the escape rules', () => {
    const { app, stack } = environment();
    const role = rogueAgent(stack, ['s3:GetObject']);
    role.addManagedPolicy(iam.ManagedPolicy.fromManagedPolicyArn(stack, 'Shared', 'arn:aws:iam::111122223333:policy/shared'));
    const r = synthWithChecks(app);
    expect(r.failed).toBe(true);
    expect(r.ruleIds).toEqual(expect.arrayContaining(['BlackHole-IAM1', 'BlackHole-IAM7', 'BlackHole-IAM8']));
  });

  test('an imported managed policy on an agent is unverifiable: treated as Allow * and reported', () => {
    const r = auditTemplates({ Env: rogueTemplate(['s3:GetObject'], { ManagedPolicyArns: ['arn:aws:iam::111122223333:policy/shared'] }) });
    expect(r.code).toBe(1);
    expect(r.ruleIds).toEqual(expect.arrayContaining(['BlackHole-IAM1', 'BlackHole-IAM3', 'BlackHole-IAM7', 'BlackHole-IAM8']));
    expect(r.report.findings.find((x: any) => x.ruleId === 'BlackHole-IAM8').severity).toBe('warning');
  });
});
