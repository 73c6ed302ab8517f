import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';

export const ACCOUNT = '111122223333';
export const REGION = 'eu-west-1';

/** A stack with a concrete environment and an isolated VPC, as an environment would have. */
export function environmentStack(id = 'Env'): { app: App; stack: Stack; vpc: ec2.Vpc } {
  const app = new App();
  const stack = new Stack(app, id, { env: { account: ACCOUNT, region: REGION } });
  const vpc = new ec2.Vpc(stack, 'Vpc', {
    maxAzs: 2,
    natGateways: 0,
    subnetConfiguration: [{ name: 'isolated', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }],
  });
  return { app, stack, vpc };
}

type Json = unknown;

/**
 * Deterministic physical values for a template's logical IDs, so that policy documents can be
 * evaluated as AWS would see them after deployment.
 */
export class PhysicalIds {
  private readonly resources: Record<string, { Type: string; Properties?: Record<string, unknown> }>;

  constructor(template: Template) {
    this.resources = (template.toJSON() as { Resources: PhysicalIds['resources'] }).Resources;
  }

  public ref(logicalId: string): string {
    switch (logicalId) {
      case 'AWS::AccountId':
        return ACCOUNT;
      case 'AWS::Region':
        return REGION;
      case 'AWS::Partition':
        return 'aws';
      case 'AWS::URLSuffix':
        return 'amazonaws.com';
    }
    const r = this.resources[logicalId];
    if (!r) throw new Error(`unknown logical id ${logicalId}`);
    const hex = hex17(logicalId);
    switch (r.Type) {
      case 'AWS::EC2::VPC':
        return `vpc-${hex}`;
      case 'AWS::EC2::Subnet':
        return `subnet-${hex}`;
      case 'AWS::EC2::SecurityGroup':
        return `sg-${hex}`;
      case 'AWS::EC2::VPCEndpoint':
        return `vpce-${hex}`;
      case 'AWS::IAM::ManagedPolicy':
        return `arn:aws:iam::${ACCOUNT}:policy/${logicalId}`;
      case 'AWS::S3::Bucket':
        return logicalId.toLowerCase();
      case 'AWS::Logs::LogGroup':
        return logicalId;
      case 'AWS::ECR::Repository':
        return logicalId.toLowerCase();
      case 'AWS::KMS::Key':
        return `${hex}-0000-0000-0000-000000000000`;
      default:
        return logicalId;
    }
  }

  public getAtt(logicalId: string, attr: string): string {
    const r = this.resources[logicalId];
    if (!r) throw new Error(`unknown logical id ${logicalId}`);
    const id = this.ref(logicalId);
    const key = `${r.Type}.${attr}`;
    switch (key) {
      case 'AWS::IAM::Role.Arn':
        return `arn:aws:iam::${ACCOUNT}:role${typeof r.Properties?.Path === 'string' ? r.Properties.Path : '/'}${logicalId}`;
      case 'AWS::S3::Bucket.Arn':
        return `arn:aws:s3:::${id}`;
      case 'AWS::Logs::LogGroup.Arn':
        return `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:${id}:*`;
      case 'AWS::ECR::Repository.Arn':
        return `arn:aws:ecr:${REGION}:${ACCOUNT}:repository/${id}`;
      case 'AWS::KMS::Key.Arn':
        return `arn:aws:kms:${REGION}:${ACCOUNT}:key/${id}`;
      case 'AWS::EC2::SecurityGroup.GroupId':
        return id;
      default:
        throw new Error(`no physical value for ${logicalId}.${attr} (${r.Type})`);
    }
  }

  /** Replaces Ref, Fn::GetAtt and Fn::Join by their deployed values. */
  public resolve(value: Json): Json {
    if (Array.isArray(value)) return value.map((v) => this.resolve(v));
    if (value && typeof value === 'object') {
      const o = value as Record<string, Json>;
      const keys = Object.keys(o);
      if (keys.length === 1 && keys[0] === 'Ref') return this.ref(String(o.Ref));
      if (keys.length === 1 && keys[0] === 'Fn::GetAtt') {
        const [id, attr] = o['Fn::GetAtt'] as [string, string];
        return this.getAtt(id, attr);
      }
      if (keys.length === 1 && keys[0] === 'Fn::Join') {
        const [sep, parts] = o['Fn::Join'] as [string, Json[]];
        return parts.map((p) => this.resolve(p)).join(sep);
      }
      if (keys.length === 1 && keys[0].startsWith('Fn::')) throw new Error(`unsupported intrinsic ${keys[0]}`);
      return Object.fromEntries(keys.map((k) => [k, this.resolve(o[k])]));
    }
    return value;
  }
}

function hex17(s: string): string {
  let h = 2166136261;
  let out = '';
  for (let i = 0; out.length < 17; i++) {
    h = Math.imul(h ^ s.charCodeAt(i % s.length) ^ i, 16777619) >>> 0;
    out += (h % 16).toString(16);
  }
  return out;
}

/** The single resource of a type in a template (fails when there is not exactly one). */
export function onlyResource(template: Template, type: string): { logicalId: string; properties: Record<string, unknown> } {
  const found = template.findResources(type);
  const ids = Object.keys(found);
  if (ids.length !== 1) throw new Error(`expected one ${type}, found ${ids.length}`);
  return { logicalId: ids[0], properties: found[ids[0]].Properties };
}

/** Minified JSON length: what IAM and Organizations count. */
export function compactLength(document: unknown): number {
  return JSON.stringify(document).length;
}
