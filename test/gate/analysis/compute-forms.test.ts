import * as fs from 'fs';
import * as path from 'path';
import * as zlib from 'zlib';
import { COMPUTE_FORMS, LINKED_COMPUTE_FORMS, NOT_COMPUTE_IN_VPC } from '../../../lib/gate/analysis/compute-forms';

/**
 * Walks every L1 resource type aws-cdk-lib ships (each Cfn* class's CFN_RESOURCE_TYPE_NAME) and the
 * properties of its props struct, nested structs included (from aws-cdk-lib's jsii assembly). A type
 * with a role-like and a network-placement property must be analysed or listed with its reason.
 */
const ROLE_LIKE = /(Role|RoleArn|RoleName|InstanceProfile|InstanceProfileArn|InstanceProfileName)$/;
const NETWORK_LIKE =
  /(Subnet|Subnets|SubnetId|SubnetIds|SubnetArns|VpcConfig|VpcConfiguration|NetworkConfiguration|VPCZoneIdentifier|VpcSettings|VpcOptions)$/i;

const CDK_ROOT = path.dirname(require.resolve('aws-cdk-lib/package.json'));

/** CloudFormation type -> `module.CfnClass`, from the L1 classes of every aws-cdk-lib module. */
function cfnTypes(): Map<string, string> {
  const pkg = JSON.parse(fs.readFileSync(path.join(CDK_ROOT, 'package.json'), 'utf8'));
  const out = new Map<string, string>();
  for (const key of Object.keys(pkg.exports)) {
    if (!/^\.\/[a-z0-9-]+$/.test(key) || key.startsWith('./lambda-layer')) continue;
    let mod: Record<string, unknown>;
    try {
      mod = require(`aws-cdk-lib/${key.slice(2)}`);
    } catch {
      continue;
    }
    for (const [name, value] of Object.entries(mod)) {
      const type = typeof value === 'function' ? (value as unknown as { CFN_RESOURCE_TYPE_NAME?: unknown }).CFN_RESOURCE_TYPE_NAME : undefined;
      if (typeof type === 'string') out.set(type, `${key.slice(2).replace(/-/g, '_')}.${name}`);
    }
  }
  return out;
}

/** Dotted property paths of a Cfn class's props (nested structs to depth 5), PascalCase as in templates. */
function propertyPaths(types: Record<string, any>, fqn: string): string[] {
  const out: string[] = [];
  const walk = (struct: any, prefix: string, depth: number) => {
    if (!struct || depth > 5) return;
    for (const p of struct.properties ?? []) {
      const name = p.name[0].toUpperCase() + p.name.slice(1);
      const full = prefix ? `${prefix}.${name}` : name;
      out.push(full);
      for (const m of JSON.stringify(p.type).matchAll(/"fqn":"([^"]+)"/g)) {
        const t = types[m[1]];
        if (t && t.kind === 'interface' && t.datatype) walk(t, full, depth + 1);
      }
    }
  };
  walk(types[`${fqn}Props`], '', 0);
  return out;
}

describe('compute forms: every CloudFormation type with a role and a network placement is accounted for', () => {
  const assembly = JSON.parse(zlib.gunzipSync(fs.readFileSync(path.join(CDK_ROOT, '.jsii.gz'))).toString('utf8'));
  const byType = cfnTypes();

  test('aws-cdk-lib yields the L1 types (sanity: the walk is not empty)', () => {
    expect(byType.size).toBeGreaterThan(1500);
    expect(byType.get('AWS::Lambda::Function')).toBe('aws_lambda.CfnFunction');
  });

  const candidates: { type: string; roles: string[]; network: string[] }[] = [];
  for (const [type, cls] of byType) {
    const paths = propertyPaths(assembly.types, `aws-cdk-lib.${cls}`);
    const roles = paths.filter((p) => ROLE_LIKE.test(p.split('.').pop()!));
    const network = paths.filter((p) => NETWORK_LIKE.test(p.split('.').pop()!));
    if (roles.length > 0 && network.length > 0) candidates.push({ type, roles, network });
  }

  test('the walk finds the known forms (Lambda, EMR, MWAA, SageMaker domain, Scheduler, Events)', () => {
    expect(candidates.length).toBeGreaterThan(80);
    for (const t of [
      'AWS::Lambda::Function',
      'AWS::EMR::Cluster',
      'AWS::MWAA::Environment',
      'AWS::SageMaker::Domain',
      'AWS::Scheduler::Schedule',
      'AWS::Events::Rule',
    ]) {
      expect(candidates.map((c) => c.type)).toContain(t);
    }
  });

  test('each is analysed (COMPUTE_FORMS, LINKED_COMPUTE_FORMS) or listed in NOT_COMPUTE_IN_VPC with a reason', () => {
    const missing = candidates
      .filter((c) => !COMPUTE_FORMS[c.type] && !LINKED_COMPUTE_FORMS[c.type] && !NOT_COMPUTE_IN_VPC[c.type])
      .map((c) => `${c.type} (roles ${c.roles.join(', ')}; network ${c.network.join(', ')})`);
    expect(missing).toEqual([]);
  });

  test('the three tables do not overlap, name real types, and every reason is a sentence', () => {
    const all = [...Object.keys(COMPUTE_FORMS), ...Object.keys(LINKED_COMPUTE_FORMS), ...Object.keys(NOT_COMPUTE_IN_VPC)];
    expect(new Set(all).size).toBe(all.length);
    const unknownTypes = all.filter((t) => !byType.has(t));
    expect(unknownTypes).toEqual([]);
    for (const reason of [...Object.values(LINKED_COMPUTE_FORMS), ...Object.values(NOT_COMPUTE_IN_VPC)]) expect(reason.length).toBeGreaterThan(15);
  });

  test("every analysed role, profile and subnet path exists in the type's properties", () => {
    const wrong: string[] = [];
    for (const [type, form] of Object.entries(COMPUTE_FORMS)) {
      const paths = new Set(propertyPaths(assembly.types, `aws-cdk-lib.${byType.get(type)}`).map((p) => p.toLowerCase()));
      const check = (p: string) => {
        if (!paths.has(p.replace(/\[\]/g, '').toLowerCase())) wrong.push(`${type}: ${p}`);
      };
      [...(form.roles ?? []), ...(form.profiles ?? [])].forEach(check);
      for (const s of form.subnets ?? []) check(typeof s === 'string' ? s : s.via);
    }
    expect(wrong).toEqual([]);
  });
});
