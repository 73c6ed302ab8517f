import * as path from 'path';
import type { ModelResource, StackModel } from './stack-model';
import type { TemplateModel } from './template-model';
import { asString } from './values';

/**
 * What the gate cannot see: parts of a template whose deployed effect is decided by something the
 * gate never reads. Each is a finding (fail closed), never a pass:
 * - a `Transform` (SAM, AWS::Include, AWS::LanguageExtensions, any macro): CloudFormation deploys the
 *   macro's output, not this template; `Fn::Transform` inside a resource likewise;
 * - a nested stack (AWS::CloudFormation::Stack) whose template is not among the templates read;
 * - a StackSet (AWS::CloudFormation::StackSet): its template (TemplateBody or TemplateURL) is
 *   deployed to other stacks, accounts or regions;
 * - an SDK-call custom resource (aws-cdk-lib's AwsCustomResource, `Custom::AWS`): any AWS API call at
 *   deploy time, unless the exact service and action are on READ_ONLY_SDK_CALLS; a custom resource
 *   whose provider (ServiceToken) is not a function or topic of the app;
 * - module and third-party resource types (`Org::Service::Thing::MODULE`, private registry types):
 *   their expansion or handler is outside the template.
 */

/** The kinds of template part the gate cannot see into (see the list above). */
export type UnverifiablePartKind = 'transform' | 'nested-stack' | 'stack-set' | 'custom-resource' | 'resource-type';

/** A part of a template the gate cannot verify: reported by BlackHole-GATE1, never passed. */
export interface UnverifiablePart {
  /** What kind of part it is. */
  readonly kind: UnverifiablePartKind;
  /** The resource the part is (for a template-level Transform: the template's first resource). */
  readonly resource: ModelResource;
  /** True for a template-level part (a Transform section). */
  readonly templateLevel: boolean;
  /** What could not be seen, one sentence fragment. */
  readonly detail: string;
}

/**
 * SDK calls an AwsCustomResource may make at deploy time without a finding: read-only, exact service
 * and action (SDK v2 or v3 spelling), each with the reason it is in the library.
 */
export const READ_ONLY_SDK_CALLS: readonly { readonly service: string; readonly action: string; readonly reason: string }[] = [
  {
    service: 'ec2',
    action: 'describeManagedPrefixLists',
    reason: "BlackHoleVpc looks up the region's S3/DynamoDB managed prefix list at deploy time (read-only)",
  },
];

/** aws-cdk-lib's AwsCustomResource singleton provider function (its logical ID starts with this). */
const AWS_CUSTOM_RESOURCE_PROVIDER = 'AWS679f53fac002430cb0da5b7982bd2287';

const SDK_CALL_PROPERTIES = ['Create', 'Update', 'Delete'];

function normaliseService(s: string): string {
  return s
    .toLowerCase()
    .replace(/^@aws-sdk\/client-/, '')
    .replace(/[^a-z0-9]/g, '');
}

function normaliseAction(a: string): string {
  return a.toLowerCase().replace(/command$/, '');
}

/** Whether an SDK call is on the read-only allow-list. */
export function isReadOnlySdkCall(service: string, action: string): boolean {
  return READ_ONLY_SDK_CALLS.some((c) => normaliseService(c.service) === normaliseService(service) && normaliseAction(c.action) === normaliseAction(action));
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function containsKey(v: unknown, key: string, depth = 0): boolean {
  if (depth > 64 || typeof v !== 'object' || v === null) return false;
  if (Array.isArray(v)) return v.some((x) => containsKey(x, key, depth + 1));
  return Object.entries(v).some(([k, x]) => k === key || containsKey(x, key, depth + 1));
}

/** Every unverifiable part of the model's templates, in stack and resource order. */
export function unverifiableParts(model: TemplateModel): UnverifiablePart[] {
  const out: UnverifiablePart[] = [];
  const loadedFiles = new Set(model.stacks.map((s) => s.templatePath && path.basename(s.templatePath)).filter((x): x is string => !!x));
  for (const stack of model.stacks) {
    const first = stack.resources.values().next().value as ModelResource | undefined;
    const transform = stack.template.Transform;
    if (transform !== undefined && first) {
      const names = (Array.isArray(transform) ? transform : [transform]).map((t) =>
        typeof t === 'string' ? t : isObject(t) && typeof t.Name === 'string' ? t.Name : JSON.stringify(t),
      );
      out.push({
        kind: 'transform',
        resource: first,
        templateLevel: true,
        detail: `template ${stack.name} declares Transform ${names.join(', ')}: CloudFormation deploys what the macro returns, which the gate does not see`,
      });
    }
    for (const r of stack.resources.values()) {
      const part = partOf(model, stack, r, loadedFiles);
      if (part) out.push({ kind: part.kind, resource: r, templateLevel: false, detail: part.detail });
      if (containsKey(r.properties, 'Fn::Transform')) {
        out.push({
          kind: 'transform',
          resource: r,
          templateLevel: false,
          detail: `${r.type} ${r.logicalId} uses Fn::Transform: its properties come from a macro the gate does not run`,
        });
      }
    }
  }
  return out;
}

function partOf(
  model: TemplateModel,
  stack: StackModel,
  r: ModelResource,
  loadedFiles: ReadonlySet<string>,
): { kind: UnverifiablePartKind; detail: string } | undefined {
  const t = r.type;
  if (t === 'AWS::CloudFormation::Stack') {
    if (nestedStackLoaded(model, stack, r, loadedFiles)) return undefined;
    const url = asString(stack.resolve(r.properties.TemplateURL)) ?? 'an unresolvable TemplateURL';
    return { kind: 'nested-stack', detail: `nested stack ${r.logicalId} deploys ${url}, a template the gate was not given` };
  }
  if (t === 'AWS::CloudFormation::StackSet') {
    const what =
      r.properties.TemplateBody !== undefined
        ? 'an inline TemplateBody'
        : `TemplateURL ${asString(stack.resolve(r.properties.TemplateURL)) ?? '(unresolvable)'}`;
    return { kind: 'stack-set', detail: `StackSet ${r.logicalId} deploys ${what} to other stacks, accounts or regions, outside the gate's model` };
  }
  if (t.startsWith('Custom::') || t === 'AWS::CloudFormation::CustomResource') return customResourcePart(model, stack, r);
  if (/::MODULE$/.test(t)) return { kind: 'resource-type', detail: `${t} is a CloudFormation module: the resources it expands to are not in the template` };
  if (!/^(AWS|Alexa)::/.test(t))
    return { kind: 'resource-type', detail: `${t} is a third-party or private resource type: its handler runs code the gate does not see` };
  return undefined;
}

function nestedStackLoaded(model: TemplateModel, stack: StackModel, r: ModelResource, loadedFiles: ReadonlySet<string>): boolean {
  if (model.stacks.some((s) => s.nestedParent?.stack === stack && s.nestedParent.logicalId === r.logicalId)) return true;
  // The cdk-nag door hands each stack's template without nesting links: match the asset file.
  const asset = r.metadata['aws:asset:path'];
  if (typeof asset === 'string' && loadedFiles.has(path.basename(asset))) return true;
  const key = /([0-9a-f]{64}\.json)/.exec(JSON.stringify(r.properties.TemplateURL ?? ''))?.[1];
  return key !== undefined && [...loadedFiles].some((f) => f === key);
}

function customResourcePart(model: TemplateModel, stack: StackModel, r: ModelResource): { kind: UnverifiablePartKind; detail: string } | undefined {
  const provider = model.refTargetResource(stack, r.properties.ServiceToken);
  const sdkCall =
    r.type === 'Custom::AWS' || provider?.logicalId.startsWith(AWS_CUSTOM_RESOURCE_PROVIDER) || SDK_CALL_PROPERTIES.some((p) => r.properties[p] !== undefined);
  if (sdkCall) {
    const calls: string[] = [];
    for (const p of SDK_CALL_PROPERTIES) {
      const raw = r.properties[p];
      if (raw === undefined) continue;
      const text = asString(stack.resolve(raw));
      let call: unknown;
      try {
        call = text === undefined ? undefined : JSON.parse(text);
      } catch {
        call = undefined;
      }
      if (!isObject(call) || typeof call.service !== 'string' || typeof call.action !== 'string') {
        return { kind: 'custom-resource', detail: `custom resource ${r.logicalId} makes an AWS SDK call on ${p} that the gate cannot read` };
      }
      if (call.assumedRoleArn !== undefined) {
        return {
          kind: 'custom-resource',
          detail: `custom resource ${r.logicalId} calls ${call.service}.${call.action} on ${p} as another role (assumedRoleArn)`,
        };
      }
      if (!isReadOnlySdkCall(call.service, call.action)) {
        return {
          kind: 'custom-resource',
          detail: `custom resource ${r.logicalId} calls ${call.service}.${call.action} on ${p}, which is not on the gate's list of read-only deploy-time calls`,
        };
      }
      calls.push(`${call.service}.${call.action}`);
    }
    if (calls.length === 0) return { kind: 'custom-resource', detail: `custom resource ${r.logicalId} is an SDK-call custom resource without a readable call` };
    return undefined;
  }
  if (provider && (provider.type === 'AWS::Lambda::Function' || provider.type === 'AWS::SNS::Topic')) return undefined;
  const token = asString(stack.resolve(r.properties.ServiceToken)) ?? 'an unresolvable ServiceToken';
  return { kind: 'custom-resource', detail: `custom resource ${r.logicalId} is handled by ${token}, a provider outside the app` };
}
