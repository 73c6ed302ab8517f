import { literalEquals, mayBe, mustBe, TemplateModel } from '../../../lib/gate/model';

const template = {
  Parameters: {
    Free: { Type: 'String', Default: 'DISABLED' },
    Bounded: { Type: 'String', Default: 'DISABLED', AllowedValues: ['DISABLED'] },
    Either: { Type: 'String', Default: 'DISABLED', AllowedValues: ['DISABLED', 'ENABLED'] },
    NoDefault: { Type: 'String', AllowedValues: ['ALL'] },
    FromSsm: { Type: 'AWS::SSM::Parameter::Value<String>', Default: '/black-hole/bh1/sagemaker/subnet-ids' },
  },
  Conditions: { C: { 'Fn::Equals': ['a', 'b'] } },
  Resources: {
    Lt: { Type: 'AWS::EC2::LaunchTemplate', Properties: { LaunchTemplateName: 'gpu', LaunchTemplateData: {} } },
    Other: { Type: 'AWS::EC2::LaunchTemplate', Properties: { LaunchTemplateName: { 'Fn::If': ['C', 'x', 'y'] }, LaunchTemplateData: {} } },
  },
};
const m = TemplateModel.fromTemplates([{ stackName: 'S', template }]);
const pv = (v: unknown) => m.possibleValues('S', v);

describe('possibleValues: what a property may be at deploy time', () => {
  test('a literal is itself; Fn::If gives every branch; AWS::NoValue is an absent property', () => {
    expect(pv('ENABLED')).toEqual({ values: ['ENABLED'], unknown: [] });
    expect(pv({ 'Fn::If': ['C', 'ENABLED', { Ref: 'AWS::NoValue' }] })).toEqual({ values: ['ENABLED', undefined], unknown: [] });
  });

  test('a parameter counts with its AllowedValues, never its Default', () => {
    expect(pv({ Ref: 'Free' }).values).toEqual([]);
    expect(pv({ Ref: 'Free' }).unknown[0]).toMatch(/parameter Free may be given any value/);
    expect(pv({ Ref: 'Bounded' })).toEqual({ values: ['DISABLED'], unknown: [] });
    expect(pv({ Ref: 'Either' })).toEqual({ values: ['DISABLED', 'ENABLED'], unknown: [] });
    expect(pv({ Ref: 'NoDefault' })).toEqual({ values: ['ALL'], unknown: [] });
    // Built into a longer string, AllowedValues no longer bound the result.
    expect(pv({ 'Fn::Sub': 'x-${Bounded}' }).unknown.length).toBe(1);
    expect(pv({ Ref: 'FromSsm' }).unknown.length).toBe(1);
  });

  test('mayBe fails closed, mustBe needs every candidate', () => {
    const enabled = (v: unknown) => literalEquals(v as string, 'enabled');
    expect(mayBe(pv({ Ref: 'Bounded' }), enabled)).toBe(false);
    expect(mayBe(pv({ Ref: 'Either' }), enabled)).toBe(true);
    expect(mayBe(pv({ Ref: 'Free' }), enabled)).toBe(true);
    expect(mustBe(pv({ Ref: 'NoDefault' }), (v) => literalEquals(v, 'ALL'))).toBe(true);
    expect(mustBe(pv({ 'Fn::If': ['C', 'ALL', 'REJECT'] }), (v) => literalEquals(v, 'ALL'))).toBe(false);
    expect(literalEquals(true, 'TRUE')).toBe(true);
  });

  test('an SSM-typed parameter keeps the name of the SSM parameter it reads', () => {
    expect(m.resolve('S', { Ref: 'FromSsm' })).toMatchObject({ kind: 'unknown', ssmParameter: '/black-hole/bh1/sagemaker/subnet-ids' });
  });
});

describe('resourcesNamedBy: Ref, ARN or name, in every alternative', () => {
  const types = ['AWS::EC2::LaunchTemplate'];
  test('by Ref and by LaunchTemplateName (also a name in an Fn::If branch)', () => {
    expect(m.resourcesNamedBy('S', { Ref: 'Lt' }, types, ['LaunchTemplateName']).resources.map((r) => r.logicalId)).toEqual(['Lt']);
    expect(m.resourcesNamedBy('S', 'gpu', types, ['LaunchTemplateName']).resources.map((r) => r.logicalId)).toEqual(['Lt']);
    expect(m.resourcesNamedBy('S', 'y', types, ['LaunchTemplateName']).resources.map((r) => r.logicalId)).toEqual(['Other']);
    const both = m.resourcesNamedBy('S', { 'Fn::If': ['C', 'gpu', 'foreign'] }, types, ['LaunchTemplateName']);
    expect(both.resources.map((r) => r.logicalId)).toEqual(['Lt']);
    expect(both.unresolved).toEqual(['foreign names no AWS::EC2::LaunchTemplate of the app']);
  });
});
