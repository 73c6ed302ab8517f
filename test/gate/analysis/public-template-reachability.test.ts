import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as yaml from 'yaml';
import { TemplateModel } from '../../../lib/gate/model';
import { IdentityReachability } from '../../../lib/gate/analysis/identity-reachability';
import { runCli } from '../../helpers/gate';

/**
 * A real public template: the SageMaker secure MLOps Studio domain (aws-samples, MIT-0), tagged as a
 * black-hole environment. Its execution roles are parameters (ARNs of roles defined elsewhere): the
 * gate cannot see them, so it must fail, naming the domain and the user profile.
 */
const FILE = path.join(__dirname, '../../fixtures/templates/amazon-sagemaker-secure-mlops_env-sagemaker-studio.excerpt.yaml');

function taggedAsEnvironment(): string {
  const doc = yaml.parseDocument(fs.readFileSync(FILE, 'utf8'));
  for (const id of ['SageMakerStudioDomain', 'SageMakerUserProfile']) {
    (doc.getIn(['Resources', id, 'Properties', 'Tags']) as yaml.YAMLSeq).add(doc.createNode({ Key: 'black-hole:environment', Value: 'mlops' }));
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bh-mlops-'));
  const file = path.join(dir, 'studio.yaml');
  fs.writeFileSync(file, doc.toString());
  return file;
}

describe('secure MLOps Studio template tagged as an environment', () => {
  test('the domain and the user profile run with roles the gate cannot identify: BlackHole-GATE2, exit 1', () => {
    const file = taggedAsEnvironment();
    const reach = IdentityReachability.of(TemplateModel.load([file]));
    expect(reach.unresolved.map((u) => `${u.logicalId} ${u.reason}`).sort()).toEqual([
      'SageMakerStudioDomain DefaultUserSettings.ExecutionRole cannot be resolved to a role of the app',
      'SageMakerUserProfile UserSettings.ExecutionRole cannot be resolved to a role of the app',
    ]);
    const { code, stdout } = runCli(['audit', file, '--format', 'json']);
    const gate2 = JSON.parse(stdout).findings.filter((f: any) => f.ruleId === 'BlackHole-GATE2');
    expect(gate2.map((f: any) => [f.resource, f.severity])).toEqual([
      ['SageMakerStudioDomain', 'error'],
      ['SageMakerUserProfile', 'error'],
    ]);
    expect(code).toBe(1);
  });

  test("untagged (not an environment of the app) it is not the gate's business", () => {
    const { stdout } = runCli(['audit', FILE, '--format', 'json']);
    expect(JSON.parse(stdout).findings.filter((f: any) => f.ruleId === 'BlackHole-GATE2')).toEqual([]);
  });
});
