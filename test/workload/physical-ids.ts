/**
 * Deterministic physical values for a synthesized template, so that policy documents can be
 * evaluated as AWS would see them after deployment (the workload proofs and the identity tests): Ref, Fn::GetAtt, Fn::Join, Fn::Sub, Fn::Select, Fn::GetAZs, Fn::Split,
 * more resource types. Anything it does not know throws: a policy that cannot be resolved is never
 * dropped or guessed.
 */
export const ACCOUNT = '111122223333';
export const REGION = 'eu-west-1';
export const PARTITION = 'aws';

type Json = unknown;
export interface CfnResource {
  Type: string;
  Properties?: Record<string, unknown>;
  Metadata?: Record<string, unknown>;
  Condition?: string;
}
export interface CfnTemplate {
  Resources: Record<string, CfnResource>;
  Conditions?: Record<string, unknown>;
  Parameters?: Record<string, { Default?: unknown; Type?: string }>;
}

export class UnresolvableError extends Error {}

export class PhysicalIds {
  public readonly resources: Record<string, CfnResource>;
  private readonly parameters: Record<string, { Default?: unknown; Type?: string }>;

  /** A template as JSON, or an aws-cdk-lib/assertions Template. */
  constructor(template: CfnTemplate | { toJSON(): unknown }) {
    const t = ('Resources' in template ? template : template.toJSON()) as CfnTemplate;
    this.resources = t.Resources;
    this.parameters = t.Parameters ?? {};
  }

  public ref(logicalId: string): string {
    switch (logicalId) {
      case 'AWS::AccountId':
        return ACCOUNT;
      case 'AWS::Region':
        return REGION;
      case 'AWS::Partition':
        return PARTITION;
      case 'AWS::URLSuffix':
        return 'amazonaws.com';
      case 'AWS::StackName':
        return 'stack';
      case 'AWS::NoValue':
        throw new UnresolvableError('AWS::NoValue outside Fn::If');
    }
    const p = this.parameters[logicalId];
    if (p) {
      if (p.Default === undefined) throw new UnresolvableError(`parameter ${logicalId} has no default`);
      return String(p.Default);
    }
    const r = this.resources[logicalId];
    if (!r) throw new UnresolvableError(`unknown logical id ${logicalId}`);
    const hex = hex17(logicalId);
    const props = r.Properties ?? {};
    switch (r.Type) {
      case 'AWS::EC2::VPC':
        return `vpc-${hex}`;
      case 'AWS::EC2::Subnet':
        return `subnet-${hex}`;
      case 'AWS::EC2::SecurityGroup':
        return `sg-${hex}`;
      case 'AWS::EC2::VPCEndpoint':
        return `vpce-${hex}`;
      case 'AWS::EC2::RouteTable':
        return `rtb-${hex}`;
      case 'AWS::EC2::LaunchTemplate':
        return `lt-${hex}`;
      case 'AWS::IAM::ManagedPolicy':
        return `arn:${PARTITION}:iam::${ACCOUNT}:policy${this.path(props)}${this.literal(props.ManagedPolicyName) ?? logicalId}`;
      case 'AWS::IAM::Role':
        return this.literal(props.RoleName) ?? logicalId;
      case 'AWS::IAM::InstanceProfile':
        return this.literal(props.InstanceProfileName) ?? logicalId;
      case 'AWS::S3::Bucket':
        return this.literal(props.BucketName) ?? logicalId.toLowerCase();
      case 'AWS::Logs::LogGroup':
        return this.literal(props.LogGroupName) ?? logicalId;
      case 'AWS::ECR::Repository':
        return this.literal(props.RepositoryName) ?? logicalId.toLowerCase();
      case 'AWS::KMS::Key':
        return `${hex.slice(0, 8)}-0000-0000-0000-${hex.slice(8, 17)}000`;
      case 'AWS::SNS::Topic':
        return `arn:${PARTITION}:sns:${REGION}:${ACCOUNT}:${this.literal(props.TopicName) ?? logicalId}`;
      case 'AWS::Lambda::Function':
        return this.literal(props.FunctionName) ?? logicalId;
      case 'AWS::DynamoDB::Table':
        return this.literal(props.TableName) ?? logicalId;
      case 'AWS::Events::EventBus':
        return this.literal(props.Name) ?? logicalId;
      case 'AWS::Events::Rule':
        return this.literal(props.Name) ?? logicalId;
      case 'AWS::Budgets::Budget':
        return this.literal((props.Budget as { BudgetName?: unknown } | undefined)?.BudgetName) ?? logicalId;
      case 'AWS::CloudWatch::Alarm':
        return this.literal(props.AlarmName) ?? logicalId;
      case 'AWS::AutoScaling::AutoScalingGroup':
        return this.literal(props.AutoScalingGroupName) ?? logicalId;
      case 'AWS::SSM::Parameter':
        return this.literal(props.Name) ?? logicalId;
      case 'AWS::CloudTrail::Trail':
        return this.literal(props.TrailName) ?? logicalId;
      case 'AWS::Organizations::Policy':
        return `p-${hex.slice(0, 8)}`;
      case 'AWS::SQS::Queue':
        return `https://sqs.${REGION}.amazonaws.com/${ACCOUNT}/${this.literal(props.QueueName) ?? logicalId}`;
      default:
        return logicalId;
    }
  }

  public getAtt(logicalId: string, attr: string): string {
    const r = this.resources[logicalId];
    if (!r) throw new UnresolvableError(`unknown logical id ${logicalId}`);
    const id = this.ref(logicalId);
    const props = r.Properties ?? {};
    switch (`${r.Type}.${attr}`) {
      case 'AWS::IAM::Role.Arn':
        return `arn:${PARTITION}:iam::${ACCOUNT}:role${this.path(props)}${id}`;
      case 'AWS::IAM::Role.RoleId':
        return `AROA${hex17(logicalId).toUpperCase()}`;
      case 'AWS::IAM::InstanceProfile.Arn':
        return `arn:${PARTITION}:iam::${ACCOUNT}:instance-profile${this.path(props)}${id}`;
      case 'AWS::IAM::ManagedPolicy.PolicyArn':
        return id;
      case 'AWS::S3::Bucket.Arn':
        return `arn:${PARTITION}:s3:::${id}`;
      case 'AWS::S3::Bucket.DomainName':
        return `${id}.s3.amazonaws.com`;
      case 'AWS::S3::Bucket.RegionalDomainName':
        return `${id}.s3.${REGION}.amazonaws.com`;
      case 'AWS::Logs::LogGroup.Arn':
        return `arn:${PARTITION}:logs:${REGION}:${ACCOUNT}:log-group:${id}:*`;
      case 'AWS::ECR::Repository.Arn':
        return `arn:${PARTITION}:ecr:${REGION}:${ACCOUNT}:repository/${id}`;
      case 'AWS::KMS::Key.Arn':
        return `arn:${PARTITION}:kms:${REGION}:${ACCOUNT}:key/${id}`;
      case 'AWS::KMS::Key.KeyId':
        return id;
      case 'AWS::EC2::SecurityGroup.GroupId':
        return id;
      case 'AWS::EC2::VPC.CidrBlock':
        return this.literal(props.CidrBlock) ?? '10.0.0.0/16';
      case 'AWS::EC2::VPC.DefaultSecurityGroup':
        return `sg-d${hex17(logicalId).slice(1)}`;
      case 'AWS::EC2::VPCEndpoint.Id':
        return id;
      case 'AWS::EC2::Subnet.AvailabilityZone':
        return this.literal(props.AvailabilityZone) ?? `${REGION}a`;
      case 'AWS::EC2::LaunchTemplate.LatestVersionNumber':
      case 'AWS::EC2::LaunchTemplate.DefaultVersionNumber':
        return '1';
      case 'AWS::Lambda::Function.Arn':
        return `arn:${PARTITION}:lambda:${REGION}:${ACCOUNT}:function:${id}`;
      case 'AWS::DynamoDB::Table.Arn':
        return `arn:${PARTITION}:dynamodb:${REGION}:${ACCOUNT}:table/${id}`;
      case 'AWS::DynamoDB::Table.StreamArn':
        return `arn:${PARTITION}:dynamodb:${REGION}:${ACCOUNT}:table/${id}/stream/2026-01-01T00:00:00.000`;
      case 'AWS::Events::EventBus.Arn':
        return `arn:${PARTITION}:events:${REGION}:${ACCOUNT}:event-bus/${id}`;
      case 'AWS::Events::EventBus.Name':
        return id;
      case 'AWS::Events::Rule.Arn': {
        const bus = props.EventBusName === undefined ? 'default' : String(this.resolve(props.EventBusName));
        return `arn:${PARTITION}:events:${REGION}:${ACCOUNT}:rule/${bus === 'default' ? '' : `${bus}/`}${id}`;
      }
      case 'AWS::Events::Archive.Arn':
        return `arn:${PARTITION}:events:${REGION}:${ACCOUNT}:archive/${id}`;
      case 'AWS::SNS::Topic.TopicArn':
        return id;
      case 'AWS::SNS::Topic.TopicName':
        return id.slice(id.lastIndexOf(':') + 1);
      case 'AWS::CloudWatch::Alarm.Arn':
        return `arn:${PARTITION}:cloudwatch:${REGION}:${ACCOUNT}:alarm:${id}`;
      case 'AWS::SQS::Queue.Arn':
        return `arn:${PARTITION}:sqs:${REGION}:${ACCOUNT}:${id.slice(id.lastIndexOf('/') + 1)}`;
      case 'AWS::CloudTrail::Trail.Arn':
        return `arn:${PARTITION}:cloudtrail:${REGION}:${ACCOUNT}:trail/${id}`;
      case 'AWS::Glue::Database.Arn':
        return `arn:${PARTITION}:glue:${REGION}:${ACCOUNT}:database/${id}`;
      case 'AWS::Route53Resolver::ResolverQueryLoggingConfig.Id':
        return `rqlc-${hex17(logicalId)}`;
      case 'AWS::Route53Resolver::FirewallRuleGroup.Id':
        return `rslvr-frg-${hex17(logicalId)}`;
      case 'AWS::Route53Resolver::FirewallDomainList.Id':
        return `rslvr-fdl-${hex17(logicalId)}`;
      default:
        throw new UnresolvableError(`no physical value for ${logicalId}.${attr} (${r.Type})`);
    }
  }

  /** Replaces every intrinsic by its deployed value; throws on anything it cannot resolve. */
  public resolve(value: Json): Json {
    if (Array.isArray(value)) return value.map((v) => this.resolve(v));
    if (value && typeof value === 'object') {
      const o = value as Record<string, Json>;
      const keys = Object.keys(o);
      if (keys.length === 1 && (keys[0] === 'Ref' || keys[0].startsWith('Fn::'))) return this.intrinsic(keys[0], o[keys[0]]);
      return Object.fromEntries(keys.map((k) => [k, this.resolve(o[k])]));
    }
    return value;
  }

  private intrinsic(name: string, arg: Json): Json {
    switch (name) {
      case 'Ref':
        return this.ref(String(arg));
      case 'Fn::GetAtt': {
        const [id, attr] = typeof arg === 'string' ? arg.split('.', 2) : (arg as [string, string]);
        return this.getAtt(id, attr);
      }
      case 'Fn::Join': {
        const [sep, parts] = arg as [string, Json];
        const resolved = this.resolve(parts);
        if (!Array.isArray(resolved)) throw new UnresolvableError('Fn::Join of a non-list');
        return resolved.map((p) => this.str(p)).join(sep);
      }
      case 'Fn::Sub': {
        const [text, vars] = typeof arg === 'string' ? [arg, {}] : (arg as [string, Record<string, Json>]);
        return text
          .replace(/\$\{([^}!][^}]*)\}/g, (_m, ref: string) => {
            if (Object.prototype.hasOwnProperty.call(vars, ref)) return this.str(this.resolve(vars[ref]));
            if (ref.includes('.')) {
              const [id, attr] = ref.split('.', 2);
              return this.getAtt(id, attr);
            }
            return this.ref(ref);
          })
          .replace(/\$\{!/g, '${');
      }
      case 'Fn::Select': {
        const [index, list] = arg as [Json, Json];
        const l = this.resolve(list);
        const i = Number(this.resolve(index));
        if (!Array.isArray(l) || !Number.isInteger(i) || i < 0 || i >= l.length) throw new UnresolvableError(`Fn::Select ${i} out of range`);
        return l[i];
      }
      case 'Fn::GetAZs':
        return ['a', 'b', 'c'].map((z) => `${REGION}${z}`);
      case 'Fn::Split': {
        const [sep, text] = arg as [string, Json];
        return this.str(this.resolve(text)).split(sep);
      }
      default:
        throw new UnresolvableError(`unsupported intrinsic ${name}`);
    }
  }

  private str(v: Json): string {
    if (typeof v === 'string' || typeof v === 'number') return String(v);
    throw new UnresolvableError(`expected a string, got ${JSON.stringify(v)}`);
  }

  private literal(v: unknown): string | undefined {
    if (v === undefined) return undefined;
    return this.str(this.resolve(v));
  }

  private path(props: Record<string, unknown>): string {
    return this.literal(props.Path) ?? '/';
  }
}

/** Deterministic 17 hex digits from a string (FNV-1a). */
export function hex17(s: string): string {
  let h = 2166136261;
  let out = '';
  for (let i = 0; out.length < 17; i++) {
    h = Math.imul(h ^ s.charCodeAt(i % s.length) ^ i, 16777619) >>> 0;
    out += (h % 16).toString(16);
  }
  return out;
}
