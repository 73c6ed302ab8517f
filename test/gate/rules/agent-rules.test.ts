import { App, Stack, Tags } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { expandActionPattern } from '../../../lib/common/aws-action-catalog';
import { AgentBoundary, AgentRole, findEscapePatterns, isAgentAllowedAction } from '../../../lib/identity';
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

  test('the boundary keeps Allow * from the escape rules; the allow-list verdict still names every grant (IAM10)', () => {
    const t = rogueTemplate('*');
    t.Resources.Rogue.Properties.PermissionsBoundary = { Ref: logicalIdOf(t, 'AWS::IAM::ManagedPolicy', /Boundary/) };
    const r = auditTemplates({ Env: t });
    expect(r.ruleIds).toEqual(['BlackHole-IAM10']);
    expect(r.code).toBe(1);
    const f = r.report.findings.find((x: any) => x.ruleId === 'BlackHole-IAM10');
    expect(f.evidence.openCount).toBe(0);
    expect(f.message).toMatch(/stopped only by its permissions boundary/);
    expect(f.evidence.classified.length).toBeGreaterThan(0); // catalog actions only the boundary stops keep their class
  });

  test('a deny-list boundary ("Allow * minus the catalog") fails IAM7, naming what its ceiling allows', () => {
    const t = rogueTemplate(['s3:GetObject']);
    const boundaryId = logicalIdOf(t, 'AWS::IAM::ManagedPolicy', /Boundary/);
    const doc = t.Resources[boundaryId].Properties.PolicyDocument;
    doc.Statement = [{ Effect: 'Allow', Action: '*', Resource: '*' }, ...doc.Statement.filter((x: any) => x.Effect === 'Deny')];
    t.Resources.Rogue.Properties.PermissionsBoundary = { Ref: boundaryId };
    const r = auditTemplates({ Env: t });
    expect(r.code).toBe(1);
    const f = r.report.findings.find((x: any) => x.ruleId === 'BlackHole-IAM7' && x.resource === 'Rogue');
    expect(f.evidence.missingDenyCount).toBe(0);
    expect(f.evidence.ceilingOutsideAllowListCount).toBeGreaterThan(1000);
    expect(f.message).toMatch(/allows \d+ action\(s\) outside the agent allow-list/);
  });

  test('a whole-service ceiling (s3:*) fails IAM7; the allow-list ceiling passes', () => {
    const t = rogueTemplate(['s3:GetObject']);
    const boundaryId = logicalIdOf(t, 'AWS::IAM::ManagedPolicy', /Boundary/);
    t.Resources.Rogue.Properties.PermissionsBoundary = { Ref: boundaryId };
    expect(auditTemplates({ Env: t }).ruleIds).toEqual([]);
    t.Resources[boundaryId].Properties.PolicyDocument.Statement.find((x: any) => x.Sid === 'AllowAgentCeiling').Action.push('s3:*');
    const r = auditTemplates({ Env: t });
    expect(r.ruleIds).toEqual(['BlackHole-IAM7']);
    const f = r.report.findings.find((x: any) => x.ruleId === 'BlackHole-IAM7' && x.resource === 'Rogue');
    // Every S3 action outside the list, except those the boundary's catalog Deny removes (s3:DeleteObject, s3:PutBucketPolicy, ...).
    const expected = expandActionPattern('s3:*').filter((a) => !isAgentAllowedAction(a) && findEscapePatterns(a).length === 0);
    expect(expected).toEqual(expect.arrayContaining(['s3:PutBucketNotification', 's3:PutInventoryConfiguration', 's3:PutEncryptionConfiguration']));
    expect(f.evidence.ceilingOutsideAllowListCount).toBe(expected.length);
    expect(f.evidence.ceilingOutsideAllowList).toEqual(expected.sort().slice(0, 40));
  });

  test('construct level: a boundary whose ceiling is s3:* fails synth with IAM7', () => {
    const { app, stack } = environment();
    const loose = new iam.ManagedPolicy(stack, 'Loose', { statements: [new iam.PolicyStatement({ actions: ['s3:*'], resources: ['*'] })] });
    const role = rogueAgent(stack, ['s3:GetObject']);
    (role.node.defaultChild as iam.CfnRole).permissionsBoundary = loose.managedPolicyArn;
    const r = synthWithChecks(app);
    expect(r.failed).toBe(true);
    expect(r.ruleIds).toContain('BlackHole-IAM7');
  });
});

describe('BlackHole-IAM10: every grant outside the allow-list is named', () => {
  test('an unclassified capability on a bounded agent role fails both doors, with its access level', () => {
    const { app, stack } = environment();
    const { boundary } = { boundary: stack.node.findChild('Boundary') as AgentBoundary };
    const role = new iam.Role(stack, 'Rogue', { assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com'), permissionsBoundary: boundary.managedPolicy });
    Tags.of(role).add('black-hole:agent-role', 'true');
    role.addToPolicy(new iam.PolicyStatement({ actions: ['logs:PutMetricFilter'], resources: ['*'] }));
    const template = templateOf(stack);
    expect(synthWithChecks(app)).toEqual({ failed: true, ruleIds: ['BlackHole-IAM10'] });
    const r = auditTemplates({ Env: template });
    expect(r.code).toBe(1);
    expect(r.ruleIds).toEqual(['BlackHole-IAM10']);
    const f = r.report.findings.find((x: any) => x.ruleId === 'BlackHole-IAM10');
    expect(f.resource).toBe(logicalIdOf(template, 'AWS::IAM::Role', /Rogue/));
    expect(f.evidence.findings).toEqual(['Action::logs:PutMetricFilter']);
    expect(f.message).toMatch(/logs:PutMetricFilter \(boundary-stopped; unclassified, Write\)/);
  });

  test('an open capability (no boundary) is reported as open, next to IAM7', () => {
    const r = auditTemplates({ Env: rogueTemplate(['s3:PutBucketNotification', 's3:GetObject']) });
    expect(r.ruleIds).toEqual(['BlackHole-IAM10', 'BlackHole-IAM7']);
    const f = r.report.findings.find((x: any) => x.ruleId === 'BlackHole-IAM10');
    expect(f.evidence.open).toEqual(['s3:PutBucketNotification']);
    expect(f.message).toMatch(/1 open/);
  });

  test('a whole service granted is one finding string service:*', () => {
    const r = auditTemplates({ Env: rogueTemplate(['ses:*']) });
    const f = r.report.findings.find((x: any) => x.ruleId === 'BlackHole-IAM10');
    expect(f.evidence.findings).toEqual(['Action::ses:*']);
  });

  test('an action newer than the installed AWS catalog is a grant too (fail closed)', () => {
    const r = auditTemplates({ Env: rogueTemplate(['s3:PutBrandNewFeature2031']) });
    const f = r.report.findings.find((x: any) => x.ruleId === 'BlackHole-IAM10');
    expect(f.evidence.findings).toEqual(['Action::s3:PutBrandNewFeature2031']);
    expect(f.evidence.byAccessLevel).toEqual({ Unknown: 1 });
  });
});

describe('a boundary referenced by name (item 10 of issue #12)', () => {
  test('arn:${AWS::Partition}:iam::${AWS::AccountId}:policy/<name> resolves to the boundary of the same template', () => {
    const app = new App();
    const stack = new Stack(app, 'Env');
    const net = new BlackHoleVpc(stack, 'Net', { environmentName: 'team-a' });
    new AgentBoundary(stack, 'Boundary', { environmentName: 'team-a', vpc: net.vpc, managedPolicyName: 'team-a-agent-boundary' });
    const byName = iam.ManagedPolicy.fromManagedPolicyName(stack, 'ByName', 'team-a-agent-boundary');
    const role = new iam.Role(stack, 'Rogue', { assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com'), permissionsBoundary: byName });
    Tags.of(role).add('black-hole:agent-role', 'true');
    role.addToPolicy(new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: ['*'] }));
    const template = templateOf(stack);
    expect(JSON.stringify(template.Resources[logicalIdOf(template, 'AWS::IAM::Role', /Rogue/)].Properties.PermissionsBoundary)).toMatch(
      /AWS::Partition[\s\S]*AWS::AccountId[\s\S]*policy\/team-a-agent-boundary/,
    );
    expect(synthWithChecks(app)).toEqual({ failed: false, ruleIds: [] });
    const r = auditTemplates({ Env: template });
    expect(r.ruleIds).toEqual([]);
    expect(r.code).toBe(0);
  });

  test('a name no policy of the app has stays unverifiable', () => {
    const t = rogueTemplate(['s3:GetObject']);
    t.Resources.Rogue.Properties.PermissionsBoundary = {
      'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::', { Ref: 'AWS::AccountId' }, ':policy/someone-elses']],
    };
    const r = auditTemplates({ Env: t });
    expect(r.ruleIds).toEqual(expect.arrayContaining(['BlackHole-IAM7', 'BlackHole-IAM8']));
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
        Policies: [
          { PolicyName: 'quota', PolicyDocument: { Statement: [{ Effect: 'Allow', Action: 'servicequotas:RequestServiceQuotaIncrease', Resource: '*' }] } },
        ],
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
