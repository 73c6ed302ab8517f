import { Stack } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/**
 * A resource ARN (or any string with tokens) as cdk-nag writes it in a finding id such as
 * `AwsSolutions-IAM5[Resource::<value>]`: literals stay, `Ref` becomes `<Name>`, `Fn::GetAtt`
 * becomes `<LogicalId.Attribute>`, `Fn::Join` is joined. Acknowledgments built from it match the
 * finding whether the stack has an explicit environment (literal account and region) or not
 * (`<AWS::AccountId>`, `<AWS::Region>`), so an env-specific stack is as clean as an agnostic one.
 */
export function nagResourceName(scope: IConstruct, value: string): string {
  return render(Stack.of(scope).resolve(value));
}

function render(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object') {
    const o = value as Record<string, unknown>;
    if (typeof o.Ref === 'string') return `<${o.Ref}>`;
    if (Array.isArray(o['Fn::GetAtt'])) return `<${(o['Fn::GetAtt'] as string[]).join('.')}>`;
    if (Array.isArray(o['Fn::Join'])) {
      const [sep, parts] = o['Fn::Join'] as [string, unknown[]];
      return parts.map(render).join(sep);
    }
  }
  throw new Error(`nagResourceName: cannot render ${JSON.stringify(value)} as cdk-nag does`);
}
