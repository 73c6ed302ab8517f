import { App, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { TrainingData } from '../../../lib/data/training-data';
import { BlackHoleEnvironment } from '../../../lib/environment';
import { auditTemplates, logicalIdOf, synthWithChecks, templateOf } from '../../helpers/gate';

/**
 * Issue #12, acceptance of the allow-list verdict: broad grants on the bounded agent role of a full
 * BlackHoleEnvironment fail both doors and name the open capabilities the escape catalog does not
 * know; the environment with the workload's own grants passes both.
 */

function build(): { app: App; stack: Stack; env: BlackHoleEnvironment } {
  const app = new App();
  const stack = new Stack(app, 'Env', { env: { account: '111122223333', region: 'eu-west-1' } });
  const env = new BlackHoleEnvironment(stack, 'Bh', {
    environmentName: 'team-a',
    gpuFleet: { instanceTypes: ['g5.2xlarge'], maxInstances: 2 },
    billing: { monthlyLimitUsd: 500 },
  });
  const data = new TrainingData(stack, 'TrainingData', { environmentName: 'team-a' });
  data.grantTrainingAccess(env.agentRole, { datasetPrefix: 'datasets/', checkpointPrefix: 'runs/' });
  return { app, stack, env };
}

/** Mutations that bypass AgentRole's own checks, as a hand-edited template or an escape hatch would. */
const broadGrants: Array<{ name: string; apply: (role: iam.CfnRole) => void }> = [
  {
    name: 'AdministratorAccess',
    apply: (r) =>
      r.addPropertyOverride('ManagedPolicyArns', [{ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::aws:policy/AdministratorAccess']] }]),
  },
  {
    name: 'PowerUserAccess',
    apply: (r) => r.addPropertyOverride('ManagedPolicyArns', [{ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::aws:policy/PowerUserAccess']] }]),
  },
  {
    name: 'inline Allow *',
    apply: (r) =>
      r.addPropertyOverride('Policies', [
        { PolicyName: 'everything', PolicyDocument: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] } },
      ]),
  },
];

/** Capabilities nobody listed in the escape catalog, which issue #12 names. */
const NAMED = [
  'logs:PutMetricFilter',
  's3:PutBucketNotification',
  'kms:CreateCustomKeyStore',
  'ecr:CreatePullThroughCacheRule',
  's3:PutEncryptionConfiguration',
  's3:PutInventoryConfiguration',
];

describe('a clean BlackHoleEnvironment with TrainingData.grantTrainingAccess', () => {
  // Identity rules only: other areas' rules are proven on this environment in their own tests.
  const identity = (ids: string[]) => ids.filter((id) => id.startsWith('BlackHole-IAM'));

  test('passes both doors: no identity finding', () => {
    const { app, stack } = build();
    const template = templateOf(stack);
    expect(identity(synthWithChecks(app).ruleIds)).toEqual([]);
    const r = auditTemplates({ Env: template });
    expect(r.stderr).toBe('');
    expect(identity(r.ruleIds)).toEqual([]);
  });
});

describe.each(broadGrants)('$name on the bounded agent role of a BlackHoleEnvironment', ({ apply }) => {
  test('fails synth with BlackHole-IAM10', () => {
    const { app, env } = build();
    apply(env.agentRole.node.defaultChild as iam.CfnRole);
    const r = synthWithChecks(app);
    expect(r.failed).toBe(true);
    expect(r.ruleIds).toContain('BlackHole-IAM10');
  });

  test('fails the CLI with BlackHole-IAM10, naming the open capabilities with their access level', () => {
    const { stack, env } = build();
    apply(env.agentRole.node.defaultChild as iam.CfnRole);
    const template = templateOf(stack);
    const r = auditTemplates({ Env: template });
    expect(r.code).toBe(1);
    const role = logicalIdOf(template, 'AWS::IAM::Role', /AgentRole/);
    const f = r.report.findings.find((x: any) => x.ruleId === 'BlackHole-IAM10' && x.resource === role);
    expect(f).toBeDefined();
    for (const a of NAMED) expect(f.evidence.findings).toContain(`Action::${a}`);
    expect(f.evidence.findings).not.toContain('Action::s3:GetObject');
    expect(f.evidence.unclassifiedCount).toBeGreaterThan(100);
    expect(f.evidence.byAccessLevel.Write).toBeGreaterThan(0);
    expect(f.message).toMatch(/outside the agent allow-list/);
    expect(f.message).toMatch(/unclassified, (Write|Permissions management)/);
  });
});
