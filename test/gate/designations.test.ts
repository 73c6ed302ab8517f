import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, CfnResource, Stack } from 'aws-cdk-lib';
import { CONFIG_SCHEMA } from '../../lib/gate/cli/config';
import { validateJsonSchema } from '../../lib/gate/cli/json-schema';
import { runGate } from '../../lib/gate/engine';
import { TemplateModel } from '../../lib/gate/model';
import { auditTemplates, runCli, templateOf, validateScopeWithChecks } from '../helpers/gate';

// A real public CloudFormation template: a VPC with public subnets, an internet gateway and NAT
// gateways, no black-hole tags (test/fixtures/templates/SOURCES.md).
const NAT_VPC = path.join(__dirname, '../fixtures/templates/aws-cloudformation-templates_VPC_With_Managed_NAT_And_Private_Subnet.yaml');
const NETWORK_RULES = ['BlackHole-DNS1', 'BlackHole-LOG1', 'BlackHole-LOG2', 'BlackHole-NET1', 'BlackHole-NET2', 'BlackHole-NET7'];

const tmpDirs: string[] = [];
const tmp = (): string => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bh-designations-'));
  tmpDirs.push(dir);
  return dir;
};
afterAll(() => tmpDirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

function writeConfig(config: unknown): string {
  const file = path.join(tmp(), 'black-hole.config.json');
  fs.writeFileSync(file, typeof config === 'string' ? config : JSON.stringify(config));
  return file;
}

const json = (args: string[]) => {
  const r = runCli(['audit', ...args, '--format', 'json']);
  const report = r.stdout ? JSON.parse(r.stdout) : undefined;
  const rules = report ? [...new Set<string>(report.findings.map((f: any) => f.ruleId))].sort() : [];
  return { ...r, report, rules };
};

describe('a public NAT VPC template', () => {
  test('designated as an environment with --environment-vpc, it fails with the network rules', () => {
    const r = json([NAT_VPC, '--environment-vpc', 'VPC=public']);
    expect(r.code).toBe(1);
    expect(r.rules).toEqual(expect.arrayContaining(NETWORK_RULES));
    expect(r.report.environmentsFound).toBe(1);
    expect(r.report.warnings).toBeUndefined();
    expect(r.report.designated).toEqual([
      expect.objectContaining({ kind: 'environment-vpc', logicalId: 'VPC', environment: 'public', pattern: 'VPC', source: '--environment-vpc' }),
    ]);
    expect(r.report.findings.find((f: any) => f.ruleId === 'BlackHole-NET1').message).toMatch(/Environment 'public'/);
  });

  test('a glob and a <stack>/ pattern designate it too; without a name the pattern names the environment', () => {
    const stack = TemplateModel.load([NAT_VPC]).stacks[0].name;
    for (const pattern of ['V*', 'V?C', `${stack}/VPC`, '*/VP*']) {
      const r = json([NAT_VPC, '--environment-vpc', pattern]);
      expect(r.code).toBe(1);
      expect(r.rules).toEqual(expect.arrayContaining(NETWORK_RULES));
      expect(r.report.designated[0].environment).toBe(pattern);
    }
  });

  test('designated in black-hole.config.json (--config), the same findings', () => {
    const viaFlag = json([NAT_VPC, '--environment-vpc', 'VPC=public']);
    const viaConfig = json([NAT_VPC, '--config', writeConfig({ environments: [{ name: 'public', vpcs: ['VP*'] }] })]);
    expect(viaConfig.code).toBe(1);
    expect(viaConfig.report.findings.map((f: any) => [f.ruleId, f.resource, f.message])).toEqual(
      viaFlag.report.findings.map((f: any) => [f.ruleId, f.resource, f.message]),
    );
  });

  test('black-hole.config.json in the current directory is read without --config', () => {
    const dir = path.dirname(writeConfig({ environments: [{ name: 'public', vpcs: ['VPC'] }] }));
    const cwd = process.cwd();
    process.chdir(dir);
    let r: ReturnType<typeof json>;
    try {
      r = json([NAT_VPC]);
    } finally {
      process.chdir(cwd);
    }
    expect(r.code).toBe(1);
    expect(r.rules).toEqual(expect.arrayContaining(NETWORK_RULES));
    expect(r.report.designated[0].source).toBe(path.join(dir, 'black-hole.config.json'));
  });

  test('undesignated: exit 0 but every format says no environment was found', () => {
    const r = json([NAT_VPC]);
    expect(r.code).toBe(0);
    expect(r.report.environmentsFound).toBe(0);
    expect(r.report.warnings).toEqual([expect.stringMatching(/^No black hole environment found/)]);

    const md = runCli(['audit', NAT_VPC, '--format', 'markdown']).stdout;
    expect(md).toMatch(/^## black-hole audit: PASS\n\n> \[!WARNING\]\n> \*\*No black hole environment found:\*\*/);

    const sarif = JSON.parse(runCli(['audit', NAT_VPC, '--format', 'sarif']).stdout);
    expect(sarif.runs[0].properties.environmentsFound).toBe(0);
    expect(sarif.runs[0].invocations[0].toolExecutionNotifications).toEqual([
      expect.objectContaining({
        level: 'warning',
        descriptor: { id: 'no-environment' },
        message: { text: expect.stringMatching(/^No black hole environment found/) },
      }),
    ]);

    expect(runCli(['audit', NAT_VPC]).stdout).toMatch(/warning: no black hole environment found: no VPC is tagged/);
  });

  test('undesignated with --require-environment: exit 1, FAIL in the report, one line on stderr', () => {
    const r = json([NAT_VPC, '--require-environment']);
    expect(r.code).toBe(1);
    expect(r.report.summary.passed).toBe(false);
    expect(r.stderr.trim().split('\n')).toEqual([expect.stringMatching(/no black hole environment found.*--require-environment/)]);
    expect(runCli(['audit', NAT_VPC, '--require-environment', '--format', 'markdown']).stdout).toMatch(/^## black-hole audit: FAIL\n\n> \[!CAUTION\]/);
    const sarif = JSON.parse(runCli(['audit', NAT_VPC, '--require-environment', '--format', 'sarif']).stdout);
    expect(sarif.runs[0].invocations[0].toolExecutionNotifications[0].level).toBe('error');
  });

  test("designated with --require-environment: the environment is found (the exit code is the findings' 1)", () => {
    const r = json([NAT_VPC, '--require-environment', '--environment-vpc', 'VPC']);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('');
    expect(r.report.environmentsFound).toBe(1);
  });
});

/** An untagged VPC and an untagged role that may raise service quotas (no boundary). */
function untaggedApp(): { app: App; stack: Stack } {
  const app = new App();
  const stack = new Stack(app, 'Plain');
  new CfnResource(stack, 'TrainingVpc', { type: 'AWS::EC2::VPC', properties: { CidrBlock: '10.0.0.0/16' } });
  new CfnResource(stack, 'TrainingRoleA', {
    type: 'AWS::IAM::Role',
    properties: {
      AssumeRolePolicyDocument: {
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }],
      },
      Policies: [
        {
          PolicyName: 'quotas',
          PolicyDocument: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'servicequotas:RequestServiceQuotaIncrease', Resource: '*' }] },
        },
      ],
    },
  });
  return { app, stack };
}

describe('agent roles and both doors', () => {
  const designations = { environments: [{ name: 'lab', vpcs: ['TrainingVpc'] }], agentRoles: ['TrainingRole*'] };

  test('--agent-role analyses an untagged role as an agent role', () => {
    const template = templateOf(untaggedApp().stack);
    expect(auditTemplates({ Plain: template }).ruleIds).toEqual([]);
    const r = auditTemplates({ Plain: template }, ['--agent-role', 'TrainingRole*']);
    expect(r.code).toBe(1);
    expect(r.ruleIds).toEqual(expect.arrayContaining(['BlackHole-IAM3', 'BlackHole-IAM7']));
  });

  test('BlackHoleChecks({ designations }) reports what the CLI reports with the same designations in a config file', () => {
    const { stack } = untaggedApp();
    const cli = auditTemplates({ Plain: templateOf(stack) }, ['--config', writeConfig(designations)]);
    expect(cli.code).toBe(1);
    expect(cli.ruleIds).toEqual(expect.arrayContaining(['BlackHole-DNS1', 'BlackHole-IAM3', 'BlackHole-IAM7', 'BlackHole-LOG1']));

    const without = validateScopeWithChecks(untaggedApp().stack);
    expect(without.ruleIds).toEqual([]);
    const nag = validateScopeWithChecks(untaggedApp().stack, { designations });
    expect(nag.failed).toBe(true);
    expect(nag.ruleIds).toEqual(cli.ruleIds);
  });

  test("runGate({ designations }) is the engine's own entry", () => {
    const model = TemplateModel.fromTemplates([{ stackName: 'Plain', template: templateOf(untaggedApp().stack) }]);
    expect(runGate(model).summary.environments).toBe(0);
    const result = runGate(model, { designations });
    expect(result.summary.environments).toBe(1);
    expect(new Set(result.findings.map((f) => f.ruleId))).toContain('BlackHole-IAM3');
  });
});

describe('unusable designations: exit 2, one line naming the file or flag and the problem', () => {
  test.each<[string, unknown, RegExp]>([
    ['invalid JSON', '{ "environments": ', /black-hole\.config\.json: invalid JSON/],
    ['unknown property', { environment: [] }, /black-hole\.config\.json: does not match docs\/black-hole\.config\.schema\.json: \$\.environment: not allowed/],
    ['an environment without VPCs', { environments: [{ name: 'x', vpcs: [] }] }, /\$\.environments\[0\]\.vpcs: fewer than 1 items/],
    ['an environment without a name', { environments: [{ vpcs: ['VPC'] }] }, /\$\.environments\[0\]: missing name/],
    ['a pattern that is not a logical ID', { agentRoles: ['arn:aws:iam::1:role/x'] }, /\$\.agentRoles\[0\]: 'arn:aws:iam::1:role\/x' does not match/],
    [
      'a pattern that names nothing',
      { environments: [{ name: 'x', vpcs: ['Nothing*'] }] },
      /black-hole\.config\.json: 'Nothing\*' names no AWS::EC2::VPC of the input/,
    ],
  ])('%s', (_name, config, message) => {
    const r = runCli(['audit', NAT_VPC, '--config', writeConfig(config)]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  test.each<[string[], RegExp]>([
    [['--config', '/nonexistent/black-hole.config.json'], /\/nonexistent\/black-hole\.config\.json: no such file/],
    [['--environment-vpc', 'Nope'], /--environment-vpc: 'Nope' names no AWS::EC2::VPC/],
    [['--agent-role', 'Nobody'], /--agent-role: 'Nobody' names no AWS::IAM::Role/],
    [['--environment-vpc', 'VPC=a', '--environment-vpc', 'V*=b'], /VPC .*\/VPC would belong to two environments \('a' and 'b'\)/],
    [['--environment-vpc', 'vpc-0123;rm'], /--environment-vpc: 'vpc-0123;rm' is not a logical ID or glob/],
  ])('%j', (args, message) => {
    const r = runCli(['audit', NAT_VPC, ...args]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  test('a VPC tagged with one environment cannot be designated another', () => {
    const t = TemplateModel.load([NAT_VPC]).stacks[0].template as any;
    const template = JSON.parse(JSON.stringify(t));
    template.Resources.VPC.Properties.Tags.push({ Key: 'black-hole:environment', Value: 'tagged' });
    expect(auditTemplates({ T: template }, ['--environment-vpc', 'VPC=tagged']).code).toBe(1);
    const r = auditTemplates({ T: template }, ['--environment-vpc', 'VPC=other']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/would belong to two environments \('tagged' and 'other'\)/);
  });
});

test('docs/black-hole.config.schema.json is the schema the CLI validates with, and the documented example is valid', () => {
  const shipped = JSON.parse(fs.readFileSync(path.join(__dirname, '../../docs/black-hole.config.schema.json'), 'utf8'));
  expect(shipped).toEqual(JSON.parse(JSON.stringify(CONFIG_SCHEMA)));
  expect(validateJsonSchema(shipped, { environments: [{ name: 'x', vpcs: ['Vpc*'] }], agentRoles: ['TrainingRole*'] })).toEqual([]);
  expect(
    validateJsonSchema(shipped, {
      $schema: './docs/black-hole.config.schema.json',
      environments: [{ name: 'team a', vpcs: ['Net/Vpc*', 'Stage/Stack/Vpc?'] }],
    }),
  ).toEqual([]);
});
