import { TemplateModel, Resolved, isUnknown, possibilities, placeholdersToWildcards } from '../../../lib/gate/model';

function model(extra: Record<string, unknown> = {}, resources: Record<string, unknown> = {}): TemplateModel {
  return TemplateModel.fromTemplates([
    {
      stackName: 'S',
      template: {
        Parameters: {
          Env: { Type: 'String', Default: 'prod' },
          NoDefault: { Type: 'String' },
          Subnets: { Type: 'List<AWS::EC2::Subnet::Id>', Default: 'subnet-1,subnet-2' },
          BootstrapVersion: { Type: 'AWS::SSM::Parameter::Value<String>', Default: '/cdk-bootstrap/hnb659fds/version' },
        },
        Mappings: { Types: { 'us-east-1': { Gpu: 'p5.48xlarge' }, 'eu-west-1': { Gpu: 'g6.xlarge' } } },
        Resources: {
          Role: { Type: 'AWS::IAM::Role', Properties: {} },
          Bucket: { Type: 'AWS::S3::Bucket' },
          ...resources,
        },
        ...extra,
      },
    },
  ]);
}

const m = model();
const r = (v: unknown): Resolved => m.resolve('S', v);

describe('value resolution', () => {
  test('literals', () => {
    expect(r('x')).toEqual({ kind: 'literal', value: 'x' });
    expect(r(3)).toEqual({ kind: 'literal', value: 3 });
    expect(r(true)).toEqual({ kind: 'literal', value: true });
    expect(r(['a', 1])).toEqual({
      kind: 'array',
      items: [
        { kind: 'literal', value: 'a' },
        { kind: 'literal', value: 1 },
      ],
    });
    expect(r({ A: 'b' })).toEqual({ kind: 'object', entries: { A: { kind: 'literal', value: 'b' } } });
  });

  test('Ref to a resource, GetAtt in both forms', () => {
    expect(r({ Ref: 'Role' })).toEqual({ kind: 'ref', stack: 'S', logicalId: 'Role', resourceType: 'AWS::IAM::Role' });
    expect(r({ 'Fn::GetAtt': ['Role', 'Arn'] })).toMatchObject({ kind: 'getatt', logicalId: 'Role', attribute: 'Arn' });
    expect(r({ 'Fn::GetAtt': 'Role.Arn' })).toMatchObject({ kind: 'getatt', logicalId: 'Role', attribute: 'Arn' });
    expect(r({ 'Fn::GetAtt': ['Nope', 'Arn'] }).kind).toBe('unknown');
    expect(r({ Ref: 'Nope' }).kind).toBe('unknown');
  });

  test('pseudo parameters and AWS::NoValue', () => {
    expect(r({ Ref: 'AWS::AccountId' })).toEqual({ kind: 'pseudo', name: 'AWS::AccountId' });
    expect(r({ Ref: 'AWS::Partition' })).toEqual({ kind: 'pseudo', name: 'AWS::Partition' });
    expect(r({ Ref: 'AWS::NoValue' })).toEqual({ kind: 'novalue' });
    expect(r(['a', { Ref: 'AWS::NoValue' }])).toEqual({ kind: 'array', items: [{ kind: 'literal', value: 'a' }] });
  });

  test('parameters: default resolved and flagged; no default, SSM are unknown; lists split', () => {
    expect(r({ Ref: 'Env' })).toEqual({ kind: 'literal', value: 'prod', parameters: ['Env'] });
    expect(r({ Ref: 'NoDefault' })).toMatchObject({ kind: 'unknown', reason: expect.stringContaining('no Default') });
    expect(r({ Ref: 'BootstrapVersion' }).kind).toBe('unknown');
    const list = r({ Ref: 'Subnets' });
    expect(list.kind).toBe('array');
    expect(list.kind === 'array' && list.items.map((i) => i.kind === 'literal' && i.value)).toEqual(['subnet-1', 'subnet-2']);
  });

  test('Fn::Join of literals, pseudo parameters and a GetAtt keeps placeholders and refs', () => {
    const v = r({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::', { Ref: 'AWS::AccountId' }, ':role/', { Ref: 'Role' }]] });
    expect(v).toEqual({
      kind: 'literal',
      value: 'arn:${AWS::Partition}:iam::${AWS::AccountId}:role/${Role}',
      placeholders: true,
      refs: [{ stack: 'S', logicalId: 'Role' }],
    });
    expect(placeholdersToWildcards((v as { value: string }).value)).toBe('arn:*:iam::*:role/*');
    expect(m.refTarget('S', { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':s3:::', { Ref: 'Bucket' }, '/*']] })).toBe('Bucket');
    expect(m.refTarget('S', { 'Fn::Join': [',', [{ Ref: 'Bucket' }, { Ref: 'Role' }]] })).toBeUndefined();
  });

  test('Fn::Join with an unresolvable part is unknown', () => {
    expect(r({ 'Fn::Join': ['', ['a', { 'Fn::ImportValue': 'Missing' }]] })).toMatchObject({ kind: 'unknown' });
    expect(r({ 'Fn::Join': ['', ['a', { Ref: 'NoDefault' }]] })).toMatchObject({ kind: 'unknown', reason: expect.stringContaining('NoDefault') });
  });

  test('Fn::Sub: pseudo, Ref, GetAtt, variables map, escaped ${!Literal}, parameter default', () => {
    expect(r({ 'Fn::Sub': 'arn:${AWS::Partition}:s3:::${Bucket}/*' })).toMatchObject({
      kind: 'literal',
      value: 'arn:${AWS::Partition}:s3:::${Bucket}/*',
      placeholders: true,
      refs: [{ stack: 'S', logicalId: 'Bucket' }],
    });
    expect(r({ 'Fn::Sub': '${Role.Arn}' })).toMatchObject({ value: '${Role.Arn}', refs: [{ logicalId: 'Role', attribute: 'Arn' }] });
    expect(r({ 'Fn::Sub': ['x-${V}-${Env}', { V: 'lit' }] })).toEqual({ kind: 'literal', value: 'x-lit-prod', parameters: ['Env'] });
    expect(r({ 'Fn::Sub': 'keep ${!Literal}' })).toEqual({ kind: 'literal', value: 'keep ${Literal}' });
    expect(r({ 'Fn::Sub': '${NoDefault}' }).kind).toBe('unknown');
  });

  test('Fn::Select and Fn::Split', () => {
    expect(r({ 'Fn::Select': [1, ['a', 'b']] })).toEqual({ kind: 'literal', value: 'b' });
    expect(r({ 'Fn::Select': ['0', { 'Fn::Split': [',', 'x,y'] }] })).toEqual({ kind: 'literal', value: 'x' });
    expect(r({ 'Fn::Select': [5, ['a']] }).kind).toBe('unknown');
    expect(r({ 'Fn::Select': [0, { 'Fn::GetAZs': '' }] }).kind).toBe('unknown');
    expect(r({ 'Fn::Split': [':', { 'Fn::GetAtt': ['Role', 'Arn'] }] }).kind).toBe('unknown');
  });

  test('Fn::If gives both branches; inside Join it multiplies', () => {
    const v = r({ 'Fn::If': ['IsProd', 'a', { Ref: 'AWS::NoValue' }] });
    expect(v).toEqual({ kind: 'choice', options: [{ kind: 'literal', value: 'a' }, { kind: 'novalue' }], reason: 'Fn::If IsProd' });
    const j = r({ 'Fn::Join': ['-', ['x', { 'Fn::If': ['C', 'a', 'b'] }]] });
    expect(possibilities(j).map((p) => p.kind === 'literal' && p.value)).toEqual(['x-a', 'x-b']);
    expect(isUnknown(r({ 'Fn::If': ['C', 'a', { Ref: 'NoDefault' }] }))).toBe(true);
  });

  test('Fn::FindInMap: literal keys, deploy-time key gives every candidate, DefaultValue', () => {
    expect(r({ 'Fn::FindInMap': ['Types', 'us-east-1', 'Gpu'] })).toEqual({ kind: 'literal', value: 'p5.48xlarge' });
    const any = r({ 'Fn::FindInMap': ['Types', { Ref: 'AWS::Region' }, 'Gpu'] });
    expect(possibilities(any).map((p) => p.kind === 'literal' && p.value)).toEqual(['p5.48xlarge', 'g6.xlarge']);
    expect(r({ 'Fn::FindInMap': ['Types', 'ap-south-1', 'Gpu', { DefaultValue: 'none' }] })).toEqual({ kind: 'literal', value: 'none' });
    expect(r({ 'Fn::FindInMap': ['Types', 'ap-south-1', 'Gpu'] }).kind).toBe('unknown');
  });

  test('Fn::ImportValue: unknown unless another stack of the model exports it', () => {
    expect(r({ 'Fn::ImportValue': 'SomethingElse' })).toMatchObject({ kind: 'unknown' });
    const two = TemplateModel.fromTemplates([
      {
        stackName: 'Net',
        template: {
          Resources: { Vpc: { Type: 'AWS::EC2::VPC' } },
          Outputs: { V: { Value: { Ref: 'Vpc' }, Export: { Name: 'Net:VpcId' } } },
        },
      },
      { stackName: 'App', template: { Resources: { Sg: { Type: 'AWS::EC2::SecurityGroup', Properties: { VpcId: { 'Fn::ImportValue': 'Net:VpcId' } } } } } },
    ]);
    expect(two.resolve('App', { 'Fn::ImportValue': 'Net:VpcId' })).toEqual({ kind: 'ref', stack: 'Net', logicalId: 'Vpc', resourceType: 'AWS::EC2::VPC' });
    expect(two.refTargetResource('App', { 'Fn::ImportValue': 'Net:VpcId' })?.stack.name).toBe('Net');
  });

  test('unsupported intrinsics are unknown, never a literal', () => {
    expect(r({ 'Fn::Cidr': ['10.0.0.0/16', 2, 8] }).kind).toBe('unknown');
    expect(r({ 'Fn::Transform': {} }).kind).toBe('unknown');
  });

  test('deep and self-referencing structures end as unknown, not a stack overflow', () => {
    let deep: unknown = 'x';
    for (let i = 0; i < 10000; i++) deep = { 'Fn::Base64': deep };
    expect(r(deep).kind).toBe('unknown');
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(() => r(cyclic)).not.toThrow();
    // Two stacks importing each other's exports.
    const loop = TemplateModel.fromTemplates([
      {
        stackName: 'A',
        template: { Resources: { X: { Type: 'AWS::SNS::Topic' } }, Outputs: { O: { Value: { 'Fn::ImportValue': 'b' }, Export: { Name: 'a' } } } },
      },
      {
        stackName: 'B',
        template: { Resources: { X: { Type: 'AWS::SNS::Topic' } }, Outputs: { O: { Value: { 'Fn::ImportValue': 'a' }, Export: { Name: 'b' } } } },
      },
    ]);
    expect(loop.resolve('A', { 'Fn::ImportValue': 'a' }).kind).toBe('unknown');
  });

  test('stringValue', () => {
    expect(m.stringValue('S', { 'Fn::Sub': 'a-${AWS::Region}' })).toBe('a-${AWS::Region}');
    expect(m.stringValue('S', { Ref: 'Role' })).toBe('${Role}');
    expect(m.stringValue('S', { Ref: 'NoDefault' })).toBeUndefined();
  });
});
