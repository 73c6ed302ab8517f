import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { API_DOC_PATH, type ApiReport, collectApi, ENTRY_POINTS, renderApiMarkdown } from '../../scripts/api-doc';

/**
 * The public API (issue 13): the exact names of each entry point, pinned so that every change to
 * the surface is deliberate (issue 13 counted 193 root names before, 226 by the time it was cut
 * down); a doc comment on every public symbol, every property of an exported interface and every
 * public class member; no public declaration naming a type that no entry point exports; API.md
 * generated from all of it and current.
 *
 * To change the surface on purpose: edit lib/index.ts (or lib/gate/index.ts, lib/runtime/index.ts),
 * update the list below, run `npx tsx scripts/api-doc.ts`.
 */
const ROOT = [
  'AGENT_ROLE_TAG',
  'AGENT_ROLE_TAG_VALUE',
  'AgentBoundary',
  'AgentBoundaryProps',
  'AgentComputeService',
  'AgentRole',
  'AgentRoleProps',
  'BillingGuard',
  'BillingGuardProps',
  'BlackHoleChecks',
  'BlackHoleChecksProps',
  'BlackHoleEnvironment',
  'BlackHoleEnvironmentProps',
  'BlackHoleTrainingJobInput',
  'BlackHoleViolation',
  'BlackHoleVpc',
  'BlackHoleVpcProps',
  'BudgetNotificationType',
  'BudgetThreshold',
  'ContainmentMode',
  'ContainmentOptions',
  'DEFAULT_BUDGET_THRESHOLDS',
  'DnsWalledGardenOptions',
  'ENDPOINT_PRESETS',
  'ENDPOINT_SERVICES',
  'ENVIRONMENT_TAG',
  'EndpointKind',
  'EndpointServiceDefinition',
  'EndpointServiceId',
  'EnvironmentBillingOptions',
  'EnvironmentFleetOptions',
  'EnvironmentTelemetryOptions',
  'EpisodeLedger',
  'EpisodeLedgerProps',
  'EpisodeSessionsOptions',
  'Finding',
  'FindingSummary',
  'FlowLogCloudWatchOptions',
  'FlowLogObjectLockOptions',
  'FlowLogPipeline',
  'FlowLogPipelineProps',
  'GateOptions',
  'GateResult',
  'GpuTrainingFleet',
  'GpuTrainingFleetProps',
  'GuardrailScope',
  'ManagementEventTrail',
  'NetworkPerimeter',
  'REPORT_FORMATS',
  'RESERVED_TAG_PREFIX',
  'RUNTIME_ROLE_ARN_PATTERN',
  'RUNTIME_ROLE_PATH',
  'ReportFormat',
  'ReportOptions',
  'RuntimeRoleTarget',
  'RuntimeRolesAspect',
  'SageMakerExecutionRole',
  'SageMakerExecutionRoleProps',
  'SageMakerTrainingLaunchPolicy',
  'SageMakerTrainingLaunchPolicyProps',
  'SageMakerTrainingTarget',
  'SageMakerTrainingTargetProps',
  'Severity',
  'ThreatDetection',
  'ThreatDetectionProps',
  'TrainingData',
  'TrainingDataProps',
  'TrainingGuardrailPolicy',
  'TrainingGuardrailPolicyProps',
  'TrainingJobRequest',
  'VIOLATION_DETAIL_TYPE',
  'VIOLATION_EVENT_SOURCE',
  'ViolationStream',
  'ViolationStreamProps',
  'ViolationStreamTrailOptions',
  'blackHoleTrainingJobRequest',
  'failsGate',
  'isRuntimeRole',
  'markRuntimeRole',
  'markRuntimeRolesOf',
  'renderReport',
  'runGate',
];

const GATE = [
  'ALL_RULES',
  'Acknowledgement',
  'ArrayValue',
  'BlackHoleChecks',
  'BlackHoleChecksProps',
  'ChoiceValue',
  'DesignatedEnvironment',
  'DesignatedResource',
  'Designations',
  'EgressKind',
  'EgressPath',
  'EgressPathAnalysis',
  'EnvironmentIndex',
  'Finding',
  'FindingSummary',
  'GateContext',
  'GateInputError',
  'GateOptions',
  'GateResult',
  'GateRule',
  'GetAttValue',
  'LiteralValue',
  'ModelResource',
  'NestedParent',
  'NoValue',
  'ObjectValue',
  'PossibleLiteral',
  'PossibleValues',
  'PseudoValue',
  'REPORT_FORMATS',
  'Raw',
  'RefValue',
  'ReportFormat',
  'ReportOptions',
  'ReportedSeverity',
  'Resolved',
  'ResourceRef',
  'RuleFinding',
  'Severity',
  'StackModel',
  'SubnetPlacement',
  'TemplateInput',
  'TemplateModel',
  'UnknownValue',
  'UnverifiablePart',
  'UnverifiablePartKind',
  'failsGate',
  'renderReport',
  'reportedSeverity',
  'runGate',
];

const RUNTIME = [
  'AttributeValue',
  'BlackHoleViolation',
  'DatasetScope',
  'DynamoDbSdk',
  'EPISODE_ID_PATTERN',
  'EPISODE_SESSION_TAG',
  'EPISODE_SOURCE_IDENTITY_PREFIX',
  'EpisodeActivity',
  'EpisodeAssumeRoleInput',
  'EpisodeAssumeRoleOutput',
  'EpisodeAttribution',
  'EpisodeSession',
  'EpisodeSessionDeps',
  'EpisodeSessionRecord',
  'EpisodeSessionRequest',
  'EpisodeSessionSts',
  'LEDGER_ATTRIBUTES',
  'LedgerDynamoDb',
  'ROLE_PERMISSIONS_SESSION_POLICY',
  'SESSION_POLICY_MAX_CHARS',
  'SessionPolicyDocument',
  'SignalSource',
  'StsSdk',
  'Subject',
  'SubjectKind',
  'VIOLATION_DETAIL_TYPE',
  'VIOLATION_EVENT_SOURCE',
  'ViolationSeverity',
  'ViolationSignal',
  'datasetSessionPolicy',
  'dynamoDbFromSdkClient',
  'episodeSourceIdentity',
  'findActiveEpisode',
  'recordEpisodeEnd',
  'recordEpisodeStart',
  'startEpisodeSession',
  'stsFromSdkClient',
];

const root = path.resolve(__dirname, '../..');
let api: ApiReport;

beforeAll(() => {
  api = collectApi();
}, 300000);

const namesOf = (specifier: string): string[] =>
  api.symbols
    .filter((s) => s.entry === specifier)
    .map((s) => s.name)
    .sort();

test('the exact names of each entry point', () => {
  expect(namesOf('cdk-black-hole')).toEqual([...ROOT].sort());
  expect(namesOf('cdk-black-hole/gate')).toEqual([...GATE].sort());
  expect(namesOf('cdk-black-hole/runtime')).toEqual([...RUNTIME].sort());
});

test('no Lambda runtime code and no gate internals in the root', () => {
  const files = api.symbols.filter((s) => s.entry === 'cdk-black-hole').map((s) => s.file);
  // Types and event constants of the violation events are public; the handlers' code is not.
  const runtimeValues = api.symbols.filter(
    (s) => s.entry === 'cdk-black-hole' && /\/(runtime|handlers)\//.test(s.file) && !['type', 'interface'].includes(s.kind),
  );
  expect(runtimeValues.map((s) => s.name).sort()).toEqual(['VIOLATION_DETAIL_TYPE', 'VIOLATION_EVENT_SOURCE']);
  expect(files.filter((f) => /lib\/gate\/(model|analysis|rules)\//.test(f))).toEqual([]);
});

test('the runtime values of the root module are exactly the pinned value names', () => {
  const values = Object.keys(require('../../lib')).sort();
  const valueNames = api.symbols
    .filter((s) => s.entry === 'cdk-black-hole' && !['type', 'interface'].includes(s.kind))
    .map((s) => s.name)
    .sort();
  expect(values).toEqual(valueNames);
});

test('every public symbol, interface property and class member has a doc comment; every type a public declaration names is public', () => {
  // Every entry point, ./gate included: no gap is tolerated.
  expect(api.problems).toEqual([]);
});

test('API.md is generated from the doc comments and current (npx tsx scripts/api-doc.ts)', () => {
  const current = fs.existsSync(API_DOC_PATH) ? fs.readFileSync(API_DOC_PATH, 'utf8') : '';
  expect(current === renderApiMarkdown(api.symbols) ? 'current' : 'API.md is not current: run npx tsx scripts/api-doc.ts').toBe('current');
});

test('cdk-black-hole/runtime loads no aws-cdk-lib (training harnesses import it)', () => {
  const script = `require('./lib/runtime'); console.log(JSON.stringify(Object.keys(require.cache).filter((k) => /node_modules[\\\\/](aws-cdk-lib|constructs|@aws-sdk)[\\\\/]/.test(k)).length));`;
  const loaded = execFileSync(process.execPath, ['--require', require.resolve('tsx/cjs'), '-e', script], { cwd: root, encoding: 'utf8' });
  expect(JSON.parse(loaded)).toBe(0);
}, 60000);

test('every entry point of the API reference is in package.json exports', () => {
  const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
  for (const e of ENTRY_POINTS) {
    expect(pkg.exports[e.subpath]).toEqual({
      types: `./dist/${e.file.replace(/\.ts$/, '.d.ts')}`,
      require: `./dist/${e.file.replace(/\.ts$/, '.js')}`,
      default: `./dist/${e.file.replace(/\.ts$/, '.js')}`,
    });
  }
});
