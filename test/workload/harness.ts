/**
 * Evaluates a workload flow (lib/workload/workload-flows.ts) against a synthesized shape with
 * @cloud-copilot/iam-simulate (AGPL, devDependency only), with every policy AWS applies: the
 * principal's identity policies (inline, AWS::IAM::Policy, customer and AWS managed policies), its
 * permissions boundary, the organisation's SCPs, the endpoint policy of the VPC endpoint the call
 * goes through, and the resource policy of the resource. A policy that cannot be resolved throws.
 */
import { getDenialReasons, runSimulation, type Simulation } from '@cloud-copilot/iam-simulate';
import { lookupAwsManagedPolicy } from '../../lib/gate/analysis/aws-managed-policies';
import type { FlowCall, FlowPrincipal, WorkloadFlow } from '../../lib/workload/workload-flows';
import { ACCOUNT, type CfnResource, type CfnTemplate, PARTITION, PhysicalIds, REGION, UnresolvableError } from './physical-ids';
import type { ShapeFeature, SynthesizedShape } from './shapes';

/** ECR's layer-signing account: not the environment's account (the real one is AWS-owned and per region). */
export const ECR_LAYER_SIGNER_ACCOUNT = '999900001111';
const FULL_AWS_ACCESS = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] };

type Doc = { Version?: string; Statement: Array<Record<string, unknown>> | Record<string, unknown> };
export type PolicyKind = 'identity' | 'boundary' | 'scp' | 'endpoint' | 'resource' | 'assumed';
export interface NamedPolicy {
  readonly name: string;
  readonly kind: PolicyKind;
  readonly document: Doc;
}

export interface PreparedCall {
  readonly label: string;
  readonly simulation: Simulation;
  readonly policies: NamedPolicy[];
  readonly scpOrg?: string;
}

/** Everything the harness knows about a shape's template. */
export class ShapeModel {
  public readonly ids: PhysicalIds;
  public readonly resources: Record<string, CfnResource>;
  private readonly scps: NamedPolicy[];
  private readonly scpTargets: string[];

  constructor(public readonly shape: SynthesizedShape) {
    this.ids = new PhysicalIds(shape.template as unknown as CfnTemplate);
    this.resources = (shape.template as unknown as CfnTemplate).Resources;
    this.scps = [];
    this.scpTargets = [];
    if (shape.guardrailTemplate) {
      const org = shape.guardrailTemplate as unknown as CfnTemplate;
      const orgIds = new PhysicalIds(org);
      for (const [id, r] of Object.entries(org.Resources)) {
        if (r.Type !== 'AWS::Organizations::Policy') continue;
        const p = orgIds.resolve(r.Properties) as { Type: string; Content: unknown; TargetIds?: string[] };
        if (p.Type !== 'SERVICE_CONTROL_POLICY' || !p.TargetIds || p.TargetIds.length === 0) continue;
        const content = (typeof p.Content === 'string' ? JSON.parse(p.Content) : p.Content) as Doc;
        this.scps.push({ name: `SCP ${id}`, kind: 'scp', document: content });
        this.scpTargets.push(...p.TargetIds);
      }
    }
  }

  public path(logicalId: string): string {
    return String(this.resources[logicalId]?.Metadata?.['aws:cdk:path'] ?? '');
  }

  /** Logical ids of resources of a type whose construct path contains the fragment (as whole path segments). */
  public find(type: string, fragment: string): string[] {
    const out: string[] = [];
    for (const [id, r] of Object.entries(this.resources)) {
      if (r.Type !== type) continue;
      const p = `/${this.path(id)}/`;
      const f = fragment.replace(/^\/|\/$/g, '');
      if (p.includes(`/${f}/`) || new RegExp(`/${escape(f)}[A-Za-z0-9]*/`).test(p)) out.push(id);
    }
    return out;
  }

  public props(logicalId: string): Record<string, unknown> {
    return this.resources[logicalId].Properties ?? {};
  }

  public has(feature: ShapeFeature): boolean {
    return this.shape.features.has(feature);
  }

  public serviceControlPolicies(): Simulation['serviceControlPolicies'] {
    if (this.scps.length === 0) return [];
    const full = { name: 'FullAWSAccess', policy: FULL_AWS_ACCESS };
    const attached = (target: string) => this.scps.filter((_s, i) => this.scpTargets[i] === target).map((s) => ({ name: s.name, policy: s.document }));
    const targets = [...new Set(this.scpTargets)];
    // The environment's account sits in each target (root, then OU, then the account itself).
    const root = targets.filter((t) => t.startsWith('r-'));
    const ous = targets.filter((t) => t.startsWith('ou-'));
    const accounts = targets.filter((t) => /^\d{12}$/.test(t));
    if (accounts.some((a) => a !== ACCOUNT)) throw new Error(`SCP attached to account(s) ${accounts.join(', ')}, not the environment's ${ACCOUNT}`);
    return [
      { orgIdentifier: root[0] ?? 'r-root', policies: [full, ...root.flatMap(attached)] },
      ...ous.map((ou) => ({ orgIdentifier: ou, policies: [full, ...attached(ou)] })),
      { orgIdentifier: ACCOUNT, policies: [full, ...accounts.flatMap(attached)] },
    ];
  }

  public scpPolicies(): NamedPolicy[] {
    return this.scps;
  }
}

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Why a flow does not exist in a shape, or undefined when it does. */
export function notApplicable(model: ShapeModel, flow: WorkloadFlow): string | undefined {
  for (const r of flow.requires ?? []) {
    if (r === 'lambda-kms-key') {
      if (flow.principal.kind !== 'lambda') throw new Error(`${flow.id}: lambda-kms-key on a non-Lambda flow`);
      const fns = model.find('AWS::Lambda::Function', flow.principal.function);
      if (fns.length > 0 && fns.every((f) => model.props(f).KmsKeyArn === undefined))
        return 'function environment encrypted with the AWS managed key aws/lambda (no customer key, no permission needed)';
      continue;
    }
    if (!model.has(r as ShapeFeature)) return `shape has no ${r}`;
  }
  return undefined;
}

interface Principal {
  readonly roleLogicalId?: string;
  readonly arn: string;
  readonly principalArnKey?: string;
  readonly account: string;
  readonly service?: string;
  readonly label: string;
}

function principalsOf(model: ShapeModel, p: FlowPrincipal): Principal[] {
  const role = (logicalId: string, session: string, label: string): Principal => {
    const roleArn = model.ids.getAtt(logicalId, 'Arn');
    const name = model.ids.ref(logicalId);
    return {
      roleLogicalId: logicalId,
      arn: `arn:${PARTITION}:sts::${ACCOUNT}:assumed-role/${name}/${session}`,
      principalArnKey: roleArn,
      account: ACCOUNT,
      label: `${label} (${logicalId})`,
    };
  };
  switch (p.kind) {
    case 'fleet-instance': {
      const lts = Object.keys(model.resources).filter((id) => model.resources[id].Type === 'AWS::EC2::LaunchTemplate');
      if (lts.length === 0) throw new Error('no launch template: the shape has no fleet');
      return lts.map((lt) => {
        const profileRef = (model.props(lt).LaunchTemplateData as { IamInstanceProfile?: { Arn?: unknown; Name?: unknown } }).IamInstanceProfile;
        if (!profileRef) throw new Error(`launch template ${lt} has no instance profile`);
        const profileArn = String(model.ids.resolve(profileRef.Arn ?? profileRef.Name));
        const profile = Object.keys(model.resources).find(
          (id) => model.resources[id].Type === 'AWS::IAM::InstanceProfile' && (model.ids.getAtt(id, 'Arn') === profileArn || model.ids.ref(id) === profileArn),
        );
        if (!profile) throw new Error(`instance profile ${profileArn} of ${lt} is not in the template`);
        const roles = model.ids.resolve(model.props(profile).Roles) as string[];
        const roleId = Object.keys(model.resources).find((id) => model.resources[id].Type === 'AWS::IAM::Role' && model.ids.ref(id) === roles[0]);
        if (!roleId) throw new Error(`role ${roles[0]} of ${profile} is not in the template`);
        return role(roleId, 'i-0123456789abcdef0', 'fleet instance');
      });
    }
    case 'sagemaker-execution-role':
      return executionRoles(model).map((id) => role(id, 'SageMaker', 'SageMaker execution role'));
    case 'launcher': {
      const ids = model.find('AWS::IAM::Role', 'Launcher');
      if (ids.length !== 1) throw new Error(`expected one launcher role, found ${ids.length}`);
      return [role(ids[0], 'harness', 'launcher')];
    }
    case 'lambda': {
      const fns = model.find('AWS::Lambda::Function', p.function);
      if (fns.length === 0) throw new Error(`no Lambda function at ${p.function}`);
      return fns.map((fn) => {
        const props = model.props(fn);
        if (props.VpcConfig !== undefined) throw new Error(`${fn} runs in a VPC: its flows must name the endpoint they go through`);
        const roleArn = String(model.ids.resolve(props.Role));
        const roleId = roleByArn(model, roleArn);
        return role(roleId, model.ids.ref(fn), `Lambda ${p.function}`);
      });
    }
    case 'budget-execution-role':
      return budgetExecutionRoles(model).map((id) => role(id, 'BudgetsActions', 'budget action execution role'));
    case 'custom-resource': {
      const ids = Object.keys(model.resources).filter((id) => model.resources[id].Type === 'AWS::IAM::Role' && id.startsWith(p.rolePrefix));
      if (ids.length === 0) throw new Error(`no custom resource role ${p.rolePrefix}*`);
      return ids.map((id) => role(id, 'custom-resource', p.label));
    }
    case 'service':
      return [{ arn: p.service, account: '', service: p.service, label: p.service }];
    case 'ecr-layer-signer':
      return [{ arn: `arn:${PARTITION}:iam::${ECR_LAYER_SIGNER_ACCOUNT}:user/ecr-layer-signer`, account: ECR_LAYER_SIGNER_ACCOUNT, label: 'ECR layer signer' }];
  }
}

function roleByArn(model: ShapeModel, arn: string): string {
  const id = Object.keys(model.resources).find((r) => model.resources[r].Type === 'AWS::IAM::Role' && model.ids.getAtt(r, 'Arn') === arn);
  if (!id) throw new Error(`role ${arn} is not in the template`);
  return id;
}

/** The roles a launcher may pass to SageMaker (iam:PassRole with iam:PassedToService sagemaker.amazonaws.com). */
export function executionRoles(model: ShapeModel): string[] {
  const launcher = model.find('AWS::IAM::Role', 'Launcher');
  if (launcher.length === 0) throw new Error('no launcher: no SageMaker execution role can be found');
  const out = new Set<string>();
  for (const policy of identityPolicies(model, launcher[0])) {
    for (const s of statements(policy.document)) {
      if (s.Effect !== 'Allow' || !asList(s.Action).some((a) => /^iam:(PassRole|\*)$/i.test(String(a)))) continue;
      const cond = JSON.stringify(s.Condition ?? {});
      if (!cond.includes('sagemaker.amazonaws.com')) continue;
      for (const r of asList(s.Resource)) out.add(roleByArn(model, String(r)));
    }
  }
  if (out.size === 0) throw new Error('the launcher may pass no role to SageMaker');
  return [...out];
}

function budgetExecutionRoles(model: ShapeModel): string[] {
  const actions = Object.keys(model.resources).filter((id) => model.resources[id].Type === 'AWS::Budgets::BudgetsAction');
  if (actions.length === 0) throw new Error('no budget action');
  return [...new Set(actions.map((a) => roleByArn(model, String(model.ids.resolve(model.props(a).ExecutionRoleArn)))))];
}

function asList(v: unknown): unknown[] {
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}

export function statements(doc: Doc): Array<Record<string, unknown>> {
  return asList(doc.Statement) as Array<Record<string, unknown>>;
}

function managedPolicyDocument(model: ShapeModel, arn: string, what: string): NamedPolicy {
  const local = Object.keys(model.resources).find((id) => model.resources[id].Type === 'AWS::IAM::ManagedPolicy' && model.ids.ref(id) === arn);
  if (local) return { name: local, kind: 'identity', document: model.ids.resolve(model.props(local).PolicyDocument) as Doc };
  const aws = lookupAwsManagedPolicy(arn);
  if (aws.found) return { name: aws.arn, kind: 'identity', document: aws.document as Doc };
  throw new Error(`${what}: managed policy ${arn} cannot be resolved (${aws.reason})`);
}

/** Every identity policy of a role: inline, AWS::IAM::Policy / RolePolicy / ManagedPolicy attached by Ref or name, managed ARNs. */
export function identityPolicies(model: ShapeModel, roleId: string): NamedPolicy[] {
  const props = model.props(roleId);
  const name = model.ids.ref(roleId);
  const out: NamedPolicy[] = [];
  for (const [i, p] of asList(props.Policies).entries()) {
    const pp = p as { PolicyName: unknown; PolicyDocument: unknown };
    out.push({
      name: `${roleId} inline ${String(model.ids.resolve(pp.PolicyName) ?? i)}`,
      kind: 'identity',
      document: model.ids.resolve(pp.PolicyDocument) as Doc,
    });
  }
  for (const arn of asList(props.ManagedPolicyArns)) out.push(managedPolicyDocument(model, String(model.ids.resolve(arn)), roleId));
  for (const [id, r] of Object.entries(model.resources)) {
    if (r.Type === 'AWS::IAM::Policy' || r.Type === 'AWS::IAM::ManagedPolicy') {
      const roles = asList(r.Properties?.Roles).map((x) => String(model.ids.resolve(x)));
      if (roles.includes(name)) out.push({ name: id, kind: 'identity', document: model.ids.resolve(r.Properties!.PolicyDocument) as Doc });
    } else if (r.Type === 'AWS::IAM::RolePolicy') {
      if (String(model.ids.resolve(r.Properties?.RoleName)) === name)
        out.push({ name: id, kind: 'identity', document: model.ids.resolve(r.Properties!.PolicyDocument) as Doc });
    }
  }
  return out;
}

function boundaryOf(model: ShapeModel, roleId: string): NamedPolicy | undefined {
  const b = model.props(roleId).PermissionsBoundary;
  if (b === undefined) return undefined;
  const p = managedPolicyDocument(model, String(model.ids.resolve(b)), `${roleId} boundary`);
  return { ...p, kind: 'boundary' };
}

function tagsOf(r: CfnResource | undefined, model: ShapeModel): Record<string, string> {
  const tags = r?.Properties?.Tags;
  if (!Array.isArray(tags)) return {};
  return Object.fromEntries(tags.map((t: { Key: unknown; Value: unknown }) => [String(model.ids.resolve(t.Key)), String(model.ids.resolve(t.Value))]));
}

/** Placeholder resolution (lib/workload/workload-flows.ts lists the kinds). Multiple matches expand. */
function expand(model: ShapeModel, text: string, fixed: Record<string, string>): string[] {
  const m = /\{([a-z-]+)(?::([^}]+))?\}/.exec(text);
  if (!m) return [text];
  const [whole, kind, fragment] = m;
  const values = placeholderValues(model, kind, fragment, fixed);
  return values.flatMap((v) => expand(model, text.replace(whole, v), fixed));
}

const TYPE_OF: Record<string, string> = {
  bucket: 'AWS::S3::Bucket',
  'bucket-key': 'AWS::S3::Bucket',
  key: 'AWS::KMS::Key',
  'log-group': 'AWS::Logs::LogGroup',
  'log-group-arn': 'AWS::Logs::LogGroup',
  repository: 'AWS::ECR::Repository',
  table: 'AWS::DynamoDB::Table',
  bus: 'AWS::Events::EventBus',
  topic: 'AWS::SNS::Topic',
  'topic-key': 'AWS::SNS::Topic',
  function: 'AWS::Lambda::Function',
  'function-arn': 'AWS::Lambda::Function',
  'function-key': 'AWS::Lambda::Function',
  'role-arn': 'AWS::IAM::Role',
  'alarm-arn': 'AWS::CloudWatch::Alarm',
  'rule-arn': 'AWS::Events::Rule',
  'trail-arn': 'AWS::CloudTrail::Trail',
  asg: 'AWS::AutoScaling::AutoScalingGroup',
  'managed-policy': 'AWS::IAM::ManagedPolicy',
  budget: 'AWS::Budgets::Budget',
  sg: 'AWS::EC2::SecurityGroup',
};

function placeholderValues(model: ShapeModel, kind: string, fragment: string | undefined, fixed: Record<string, string>): string[] {
  if (fragment === undefined) {
    if (fixed[kind] !== undefined) return [fixed[kind]];
    switch (kind) {
      case 'account':
        return [ACCOUNT];
      case 'region':
        return [REGION];
      case 'partition':
        return [PARTITION];
      case 'vpc':
        return [model.ids.ref(only(model.find('AWS::EC2::VPC', 'Network'), 'environment VPC'))];
      case 'subnet':
        return model.find('AWS::EC2::Subnet', 'Network').map((s) => model.ids.ref(s));
      case 'training-sg':
        return [model.ids.ref(only(model.find('AWS::EC2::SecurityGroup', 'Network/TrainingSecurityGroup'), 'training security group'))];
      case 'default-sg':
        return [model.ids.getAtt(only(model.find('AWS::EC2::VPC', 'Network'), 'environment VPC'), 'DefaultSecurityGroup')];
      case 'execution-role-arn':
        return executionRoles(model).map((r) => model.ids.getAtt(r, 'Arn'));
      case 'budget-execution-role-arn':
        return budgetExecutionRoles(model).map((r) => model.ids.getAtt(r, 'Arn'));
      case 'environment': {
        const vpc = only(model.find('AWS::EC2::VPC', 'Network'), 'environment VPC');
        const env = tagsOf(model.resources[vpc], model)['black-hole:environment'];
        if (!env) throw new Error('the environment VPC has no black-hole:environment tag');
        return [env];
      }
      default:
        throw new Error(`unknown placeholder {${kind}}`);
    }
  }
  const type = TYPE_OF[kind];
  if (!type) throw new Error(`unknown placeholder kind {${kind}:${fragment}}`);
  const ids = model.find(type, fragment);
  if (ids.length === 0) throw new Error(`{${kind}:${fragment}}: no ${type} at a construct path with '${fragment}'`);
  return ids.map((id) => {
    const p = model.props(id);
    switch (kind) {
      case 'bucket':
      case 'log-group':
      case 'repository':
      case 'table':
      case 'bus':
      case 'function':
      case 'asg':
      case 'budget':
      case 'topic':
      case 'managed-policy':
      case 'sg':
        return model.ids.ref(id);
      case 'key':
        return model.ids.getAtt(id, 'Arn');
      case 'log-group-arn':
        return model.ids.getAtt(id, 'Arn').replace(/:\*$/, '');
      case 'function-arn':
      case 'role-arn':
      case 'alarm-arn':
      case 'rule-arn':
      case 'trail-arn':
        return model.ids.getAtt(id, 'Arn');
      case 'bucket-key': {
        const rules =
          (
            p.BucketEncryption as
              { ServerSideEncryptionConfiguration?: Array<{ ServerSideEncryptionByDefault?: { SSEAlgorithm?: string; KMSMasterKeyID?: unknown } }> } | undefined
          )?.ServerSideEncryptionConfiguration ?? [];
        const kms = rules.map((r) => r.ServerSideEncryptionByDefault).find((d) => d?.SSEAlgorithm?.startsWith('aws:kms'));
        if (!kms?.KMSMasterKeyID) throw new Error(`{bucket-key:${fragment}}: bucket ${id} is not encrypted with a customer managed KMS key`);
        return keyArn(model, String(model.ids.resolve(kms.KMSMasterKeyID)));
      }
      case 'topic-key': {
        if (p.KmsMasterKeyId === undefined) throw new Error(`{topic-key:${fragment}}: topic ${id} is not encrypted`);
        return keyArn(model, String(model.ids.resolve(p.KmsMasterKeyId)));
      }
      case 'function-key': {
        if (p.KmsKeyArn === undefined) throw new Error(`{function-key:${fragment}}: function ${id} has no customer key`);
        return keyArn(model, String(model.ids.resolve(p.KmsKeyArn)));
      }
      default:
        throw new Error(`unhandled placeholder kind ${kind}`);
    }
  });
}

function keyArn(_model: ShapeModel, v: string): string {
  if (v.startsWith('arn:')) return v;
  return `arn:${PARTITION}:kms:${REGION}:${ACCOUNT}:key/${v}`;
}

function only(ids: string[], what: string): string {
  if (ids.length !== 1) throw new Error(`expected one ${what}, found ${ids.length}`);
  return ids[0];
}

/** The template resource an ARN names, and its resource policy (throws when a policy cannot be resolved). */
function resourceOf(model: ShapeModel, action: string, arn: string): { logicalId?: string; policy?: Doc; name?: string } {
  const find = (type: string, match: (id: string) => boolean) => Object.keys(model.resources).find((id) => model.resources[id].Type === type && match(id));
  let m: RegExpExecArray | null;
  if ((m = /^arn:[^:]+:s3:::([^/]+)/.exec(arn))) {
    const bucket = find('AWS::S3::Bucket', (id) => model.ids.ref(id) === m![1]);
    if (!bucket) return {};
    const bp = find('AWS::S3::BucketPolicy', (id) => String(model.ids.resolve(model.props(id).Bucket)) === m![1]);
    return { logicalId: bucket, ...(bp ? { policy: model.ids.resolve(model.props(bp).PolicyDocument) as Doc, name: bp } : {}) };
  }
  if (/^arn:[^:]+:kms:/.test(arn)) {
    const key = find('AWS::KMS::Key', (id) => model.ids.getAtt(id, 'Arn') === arn);
    if (!key) throw new Error(`KMS key ${arn} is not in the template: its key policy is unknown`);
    return { logicalId: key, policy: model.ids.resolve(model.props(key).KeyPolicy) as Doc, name: `${key} key policy` };
  }
  if (/^arn:[^:]+:sns:/.test(arn)) {
    const topic = find('AWS::SNS::Topic', (id) => model.ids.ref(id) === arn);
    const tp = find('AWS::SNS::TopicPolicy', (id) => asList(model.ids.resolve(model.props(id).Topics)).includes(arn));
    return { logicalId: topic, ...(tp ? { policy: model.ids.resolve(model.props(tp).PolicyDocument) as Doc, name: tp } : {}) };
  }
  if ((m = /^arn:[^:]+:ecr:[^:]+:[^:]+:repository\/(.+)$/.exec(arn))) {
    const repo = find('AWS::ECR::Repository', (id) => model.ids.ref(id) === m![1]);
    const text = repo ? model.props(repo).RepositoryPolicyText : undefined;
    return { logicalId: repo, ...(text ? { policy: model.ids.resolve(text) as Doc, name: `${repo} repository policy` } : {}) };
  }
  if (/^arn:[^:]+:lambda:/.test(arn)) {
    const fn = find('AWS::Lambda::Function', (id) => model.ids.getAtt(id, 'Arn') === arn);
    if (!fn) return {};
    const perms = Object.keys(model.resources).filter(
      (id) =>
        model.resources[id].Type === 'AWS::Lambda::Permission' && [arn, model.ids.ref(fn)].includes(String(model.ids.resolve(model.props(id).FunctionName))),
    );
    const stmts = perms.map((id) => {
      const p = model.ids.resolve(model.props(id)) as { Action: string; Principal: string; SourceArn?: string; SourceAccount?: string };
      const principal = /^\d{12}$/.test(p.Principal) || p.Principal.startsWith('arn:') ? { AWS: p.Principal } : { Service: p.Principal };
      const cond: Record<string, Record<string, string>> = {};
      if (p.SourceArn) cond.ArnLike = { 'aws:SourceArn': p.SourceArn };
      if (p.SourceAccount) cond.StringEquals = { 'aws:SourceAccount': p.SourceAccount };
      return { Sid: id, Effect: 'Allow', Principal: principal, Action: p.Action, Resource: arn, ...(Object.keys(cond).length ? { Condition: cond } : {}) };
    });
    return {
      logicalId: fn,
      ...(stmts.length ? { policy: { Version: '2012-10-17', Statement: stmts }, name: `${fn} function policy (AWS::Lambda::Permission)` } : {}),
    };
  }
  if (/^arn:[^:]+:iam::[^:]+:role\//.test(arn)) {
    const role = find('AWS::IAM::Role', (id) => model.ids.getAtt(id, 'Arn') === arn);
    if (!role) return {};
    if (/^sts:AssumeRole/i.test(action))
      return { logicalId: role, policy: model.ids.resolve(model.props(role).AssumeRolePolicyDocument) as Doc, name: `${role} trust policy` };
    return { logicalId: role };
  }
  if ((m = /^arn:[^:]+:events:[^:]+:[^:]+:event-bus\/(.+)$/.exec(arn))) {
    const bus = find('AWS::Events::EventBus', (id) => model.ids.ref(id) === m![1]);
    const stmts = Object.keys(model.resources)
      .filter(
        (id) => model.resources[id].Type === 'AWS::Events::EventBusPolicy' && String(model.ids.resolve(model.props(id).EventBusName ?? 'default')) === m![1],
      )
      .map((id) => model.ids.resolve(model.props(id).Statement));
    const own = bus ? model.props(bus).Policy : undefined;
    if (own !== undefined) stmts.push(...statements(model.ids.resolve(own) as Doc));
    return {
      logicalId: bus,
      ...(stmts.length ? { policy: { Version: '2012-10-17', Statement: stmts as Array<Record<string, unknown>> }, name: `${bus} bus policy` } : {}),
    };
  }
  if ((m = /^arn:[^:]+:dynamodb:[^:]+:[^:]+:table\/([^/]+)/.exec(arn))) {
    const table = find('AWS::DynamoDB::Table', (id) => model.ids.ref(id) === m![1]);
    const rp = table ? (model.props(table).ResourcePolicy as { PolicyDocument?: unknown } | undefined) : undefined;
    return { logicalId: table, ...(rp?.PolicyDocument ? { policy: model.ids.resolve(rp.PolicyDocument) as Doc, name: `${table} table policy` } : {}) };
  }
  if ((m = /^arn:[^:]+:logs:[^:]+:[^:]+:log-group:([^:]+)/.exec(arn))) {
    return { logicalId: find('AWS::Logs::LogGroup', (id) => model.ids.ref(id) === m![1]) };
  }
  if ((m = /^arn:[^:]+:cloudwatch:[^:]+:[^:]+:alarm:(.+)$/.exec(arn))) {
    return { logicalId: find('AWS::CloudWatch::Alarm', (id) => model.ids.ref(id) === m![1]) };
  }
  return {};
}

function endpointPolicy(model: ShapeModel, service: string): NamedPolicy {
  const name = `com.amazonaws.${REGION}.${service}`;
  const ids = Object.keys(model.resources).filter(
    (id) => model.resources[id].Type === 'AWS::EC2::VPCEndpoint' && model.ids.resolve(model.props(id).ServiceName) === name,
  );
  if (ids.length === 0) throw new Error(`no VPC endpoint for ${name}: the call cannot leave the VPC`);
  if (ids.length > 1) throw new Error(`several VPC endpoints for ${name}: ${ids.join(', ')}`);
  const doc = model.props(ids[0]).PolicyDocument;
  // iam-simulate accepts only Principal "*" in endpoint policies; {"AWS": "*"} means the same in AWS.
  const document = doc === undefined ? FULL_AWS_ACCESS_ENDPOINT : normalizeEndpointPrincipals(model.ids.resolve(doc) as Doc);
  return { name: ids[0], kind: 'endpoint', document };
}

function normalizeEndpointPrincipals(doc: Doc): Doc {
  return {
    ...doc,
    Statement: statements(doc).map((s) => {
      const p = s.Principal as { AWS?: unknown } | string | undefined;
      if (p === '*' || p === undefined) return s;
      if (typeof p === 'object' && Object.keys(p).length === 1 && p.AWS === '*') return { ...s, Principal: '*' };
      throw new Error(`endpoint policy statement ${String(s.Sid ?? '')} names principals ${JSON.stringify(p)}: only "*" can be evaluated`);
    }),
  };
}

const FULL_AWS_ACCESS_ENDPOINT = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: '*', Action: '*', Resource: '*' }] };

/** Builds the simulations of a flow (one per call and per expansion of its placeholders). */
export function prepareFlow(model: ShapeModel, flow: WorkloadFlow): PreparedCall[] {
  const out: PreparedCall[] = [];
  for (const principal of principalsOf(model, flow.principal)) {
    const fixed: Record<string, string> = principal.principalArnKey ? { 'principal-arn': principal.principalArnKey } : {};
    for (const call of flow.calls) {
      for (const resource of expand(model, call.resource, fixed)) {
        const contexts = expandContext(model, call, fixed);
        for (const extra of contexts) out.push(prepareCall(model, flow, principal, call, resource, extra));
      }
    }
  }
  return out;
}

function expandContext(model: ShapeModel, call: FlowCall, fixed: Record<string, string>): Array<Record<string, string | string[]>> {
  let results: Array<Record<string, string | string[]>> = [{}];
  for (const [k, v] of Object.entries(call.context ?? {})) {
    if (Array.isArray(v)) {
      const values = (v as string[]).flatMap((x) => expand(model, x, fixed));
      results = results.map((r) => ({ ...r, [k]: values }));
    } else {
      const values = expand(model, v as string, fixed);
      results = results.flatMap((r) => values.map((x) => ({ ...r, [k]: x })));
    }
  }
  return results;
}

function prepareCall(
  model: ShapeModel,
  flow: WorkloadFlow,
  principal: Principal,
  call: FlowCall,
  resource: string,
  extra: Record<string, string | string[]>,
): PreparedCall {
  const policies: NamedPolicy[] = [];
  const res = resourceOf(model, call.action, resource);
  const resourceAccount = /^arn:[^:]+:s3:::prod-[^/]+-starport-layer-bucket/.test(resource)
    ? ECR_LAYER_SIGNER_ACCOUNT
    : /^arn:[^:]+:[^:]*:[^:]*:(\d{12})?:/.exec(resource)?.[1] || (resource.startsWith('arn:') && /^arn:[^:]+:s3:::/.test(resource) ? ACCOUNT : ACCOUNT);
  const context: Record<string, string | string[]> = {
    'aws:RequestedRegion': call.requestedRegion ?? REGION,
    'aws:SecureTransport': 'true',
    'aws:ResourceAccount': resourceAccount,
  };
  const resourceTags = res.logicalId ? tagsOf(model.resources[res.logicalId], model) : {};
  for (const [k, v] of Object.entries(resourceTags)) {
    context[`aws:ResourceTag/${k}`] = v;
    // IAM sends its own resource-tag key for roles as well.
    if (/^arn:[^:]+:iam::/.test(resource)) context[`iam:ResourceTag/${k}`] = v;
  }

  let identity: NamedPolicy[] = [];
  let boundary: NamedPolicy | undefined;
  let scps: Simulation['serviceControlPolicies'] = [];
  if (principal.roleLogicalId) {
    const roleProps = model.resources[principal.roleLogicalId];
    identity = identityPolicies(model, principal.roleLogicalId);
    boundary = boundaryOf(model, principal.roleLogicalId);
    scps = model.serviceControlPolicies();
    Object.assign(context, {
      'aws:PrincipalArn': principal.principalArnKey!,
      'aws:PrincipalAccount': ACCOUNT,
      'aws:PrincipalIsAWSService': 'false',
      'aws:PrincipalType': 'AssumedRole',
      'aws:ViaAWSService': 'false',
    });
    for (const [k, v] of Object.entries(tagsOf(roleProps, model))) context[`aws:PrincipalTag/${k}`] = v;
    if (flow.principal.kind === 'fleet-instance') {
      context['ec2:SourceInstanceARN'] = `arn:${PARTITION}:ec2:${REGION}:${ACCOUNT}:instance/i-0123456789abcdef0`;
      context['aws:EC2InstanceSourceVPC'] = placeholderValues(model, 'vpc', undefined, {})[0];
    }
  } else if (principal.service) {
    context['aws:PrincipalIsAWSService'] = 'true';
    context['aws:PrincipalServiceName'] = principal.service;
    // SCPs do not apply to AWS service principals, only to principals of member accounts.
  } else {
    // ECR's layer signer: a principal of another (AWS-owned) account; its own permission is assumed.
    Object.assign(context, {
      'aws:PrincipalArn': principal.arn,
      'aws:PrincipalAccount': principal.account,
      'aws:PrincipalIsAWSService': 'false',
      'aws:PrincipalType': 'User',
    });
    identity = [
      {
        name: 'ECR layer signer (assumed: AWS-owned)',
        kind: 'assumed',
        document: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::prod-*-starport-layer-bucket/*' }] },
      },
    ];
  }

  const endpoints: NamedPolicy[] = [];
  if (flow.network.kind === 'vpc-endpoint') {
    const ep = endpointPolicy(model, flow.network.endpoint);
    endpoints.push(ep);
    context['aws:SourceVpc'] = placeholderValues(model, 'vpc', undefined, {})[0];
    context['aws:SourceVpce'] = model.ids.ref(ep.name);
  } else if (flow.network.kind === 'forward-access') {
    context['aws:ViaAWSService'] = 'true';
  }
  Object.assign(context, extra);

  policies.push(...identity);
  if (boundary) policies.push(boundary);
  policies.push(...endpoints);
  if (res.policy) policies.push({ name: res.name!, kind: 'resource', document: res.policy });
  if (principal.roleLogicalId) policies.push(...model.scpPolicies());

  const simulation: Simulation = {
    request: {
      principal: principal.arn,
      action: call.action,
      resource: { resource, accountId: resourceAccount },
      contextVariables: context,
    },
    identityPolicies: identity.map((p) => ({ name: p.name, policy: p.document })),
    permissionBoundaryPolicies: boundary ? [{ name: boundary.name, policy: boundary.document }] : undefined,
    serviceControlPolicies: scps,
    resourceControlPolicies: [],
    resourcePolicy: res.policy,
    vpcEndpointPolicies: endpoints.length ? endpoints.map((e) => ({ name: e.name, policy: e.document })) : undefined,
  };
  return { label: `${principal.label} ${call.action} on ${resource}`, simulation, policies };
}

export interface CallResult {
  readonly label: string;
  readonly decision: string;
  readonly reasons: string[];
  readonly ignoredContextKeys: string[];
}

/**
 * iam-simulate (0.1.x) ignores `kms:EncryptionContext:<key>` context keys: a condition on them never
 * matches (test/workload/simulator-limits.test.ts proves it, so an upgrade that fixes it is noticed).
 * The harness evaluates those conditions itself, with IAM's operator semantics, against the
 * context the flow says AWS sends, and hands the simulator the policies with the decided
 * conditions removed: a statement whose encryption-context condition does not match is dropped
 * (it cannot apply), one whose condition matches keeps its other conditions.
 */
export function decideEncryptionContextConditions(simulation: Simulation): Simulation {
  const ctx = simulation.request.contextVariables;
  const isEc = (k: string) => /^kms:encryptioncontext:/i.test(k);
  const valueOf = (k: string): string[] | undefined => {
    const hit = Object.keys(ctx).find((c) => c.toLowerCase() === k.toLowerCase());
    return hit === undefined ? undefined : ([] as string[]).concat(ctx[hit] as string | string[]);
  };
  const like = (pattern: string, v: string) =>
    new RegExp(
      `^${pattern
        .replace(/[.+^${}()|[\]\\]/g, '\\$&')
        .replace(/\*/g, '.*')
        .replace(/\?/g, '.')}$`,
    ).test(v);
  const holds = (op: string, key: string, expected: unknown): boolean => {
    const base = op.replace(/IfExists$/, '');
    const actual = valueOf(key);
    const wanted = ([] as unknown[]).concat(expected).map(String);
    if (actual === undefined) return op.endsWith('IfExists');
    const anyMatch = (fn: (w: string, a: string) => boolean) => actual.some((a) => wanted.some((w) => fn(w, a)));
    switch (base) {
      case 'StringEquals':
      case 'ArnEquals':
        return anyMatch((w, a) => w === a);
      case 'StringLike':
      case 'ArnLike':
        return anyMatch(like);
      case 'StringNotEquals':
      case 'ArnNotEquals':
        return !anyMatch((w, a) => w === a);
      case 'StringNotLike':
      case 'ArnNotLike':
        return !anyMatch(like);
      default:
        throw new Error(`harness: operator ${op} on ${key} is not evaluated; extend decideEncryptionContextConditions`);
    }
  };
  const rewrite = (doc: unknown): unknown => {
    if (!doc || typeof doc !== 'object') return doc;
    const d = doc as { Statement?: unknown };
    const list = ([] as Record<string, unknown>[]).concat((d.Statement ?? []) as Record<string, unknown>[]);
    const out: Record<string, unknown>[] = [];
    for (const st of list) {
      const cond = st.Condition as Record<string, Record<string, unknown>> | undefined;
      if (!cond) {
        out.push(st);
        continue;
      }
      let applies = true;
      const kept: Record<string, Record<string, unknown>> = {};
      for (const [op, block] of Object.entries(cond)) {
        for (const [key, expected] of Object.entries(block)) {
          if (isEc(key)) applies = applies && holds(op, key, expected);
          else (kept[op] ??= {})[key] = expected;
        }
      }
      if (!applies) continue;
      const { Condition: _c, ...rest } = st;
      out.push(Object.keys(kept).length ? { ...rest, Condition: kept } : rest);
    }
    return { ...d, Statement: out };
  };
  const swap = <T extends { policy: unknown }>(l: T[] | undefined) => l?.map((p) => ({ ...p, policy: rewrite(p.policy) }));
  return {
    ...simulation,
    request: { ...simulation.request, contextVariables: Object.fromEntries(Object.entries(ctx).filter(([k]) => !isEc(k))) },
    identityPolicies: swap(simulation.identityPolicies)!,
    permissionBoundaryPolicies: swap(simulation.permissionBoundaryPolicies),
    vpcEndpointPolicies: swap(simulation.vpcEndpointPolicies),
    serviceControlPolicies: simulation.serviceControlPolicies.map((o) => ({ ...o, policies: swap(o.policies)! })),
    resourcePolicy: simulation.resourcePolicy === undefined ? undefined : rewrite(simulation.resourcePolicy),
  };
}

/** Runs one prepared call; errors of the simulator throw. */
export async function decide(prepared: Simulation): Promise<{ decision: string; reasons: string[]; ignored: string[] }> {
  const simulation = decideEncryptionContextConditions(prepared);
  const result = await runSimulation(simulation, {});
  if (result.resultType === 'error') throw new Error(`iam-simulate: ${JSON.stringify(result.errors)}`);
  if (result.resultType !== 'single') return { decision: result.overallResult, reasons: [], ignored: [] };
  const reasons =
    result.overallResult === 'Allowed'
      ? []
      : getDenialReasons(result.result.analysis).map((d) =>
          d.denialType === 'Explicit'
            ? `explicit Deny in ${d.policyType} ${d.policyIdentifier ?? ''} statement ${d.statementId ?? `#${d.statementIndex}`}`
            : `no Allow in ${d.policyType}${d.identifier ? ` ${d.identifier}` : ''}`,
        );
  return { decision: result.overallResult, reasons, ignored: result.result.ignoredContextKeys ?? [] };
}

export async function evaluate(call: PreparedCall): Promise<CallResult> {
  const { decision, reasons, ignored } = await decide(call.simulation);
  return { label: call.label, decision, reasons, ignoredContextKeys: ignored };
}

/**
 * Mutation: the Allow statements whose single removal flips an Allowed call to not Allowed. When
 * no single statement is load-bearing (redundant Allows), the Allow statements of each policy are
 * removed together; a policy whose Allows together flip the call is reported as `redundant`.
 */
export async function loadBearingStatements(call: PreparedCall): Promise<{ flips: string[]; redundant: string[]; tried: number }> {
  const flips: string[] = [];
  const redundant: string[] = [];
  let tried = 0;
  for (const policy of call.policies) {
    if (policy.kind === 'assumed') continue;
    const list = statements(policy.document);
    for (const [i, s] of list.entries()) {
      if (s.Effect !== 'Allow') continue;
      tried++;
      const mutated: Doc = { ...policy.document, Statement: list.filter((_x, j) => j !== i) };
      const sim = replacePolicy(call.simulation, policy, mutated);
      const { decision } = await decide(sim);
      if (decision !== 'Allowed') flips.push(`${policy.kind} ${policy.name} ${String(s.Sid ?? `#${i}`)}`);
    }
  }
  if (flips.length === 0) {
    for (const policy of call.policies) {
      if (policy.kind === 'assumed') continue;
      const list = statements(policy.document);
      if (!list.some((s) => s.Effect === 'Allow')) continue;
      const { decision } = await decide(replacePolicy(call.simulation, policy, { ...policy.document, Statement: list.filter((s) => s.Effect !== 'Allow') }));
      if (decision !== 'Allowed') redundant.push(`${policy.kind} ${policy.name} (its Allows together; no single one is load-bearing)`);
    }
  }
  return { flips, redundant, tried };
}

function replacePolicy(sim: Simulation, policy: NamedPolicy, doc: Doc): Simulation {
  const swap = <T extends { name: string; policy: unknown }>(list: T[] | undefined) => list?.map((p) => (p.name === policy.name ? { ...p, policy: doc } : p));
  switch (policy.kind) {
    case 'identity':
      return { ...sim, identityPolicies: swap(sim.identityPolicies)! };
    case 'boundary':
      return { ...sim, permissionBoundaryPolicies: swap(sim.permissionBoundaryPolicies) };
    case 'endpoint':
      return { ...sim, vpcEndpointPolicies: swap(sim.vpcEndpointPolicies) };
    case 'resource':
      return { ...sim, resourcePolicy: doc };
    case 'scp':
      return { ...sim, serviceControlPolicies: sim.serviceControlPolicies.map((o) => ({ ...o, policies: swap(o.policies)! })) };
    default:
      throw new Error(`cannot mutate ${policy.kind}`);
  }
}

export { UnresolvableError };
