/**
 * The gate's template model: CloudFormation templates in, resources by logical ID out, with
 * intrinsic functions resolved as far as a template allows. Everything is synchronous and pure.
 *
 * Building a model
 * - `TemplateModel.load(paths)`: cdk.out directories (manifest.json, stages = nested cloud
 *   assemblies, nested stacks) and template files (.json; .yaml/.yml plug in at loader.ts
 *   parseYaml). Bad input throws `GateInputError { file, reason }` (one line, no stack trace).
 * - `TemplateModel.fromTemplates([{ stackName, template, templatePath? }])`: in memory.
 *
 * Reading it
 * - `model.stacks`, `model.stack(name)`, `stack.resources` (Map logicalId -> ModelResource),
 *   `stack.resourcesOfType(type)`, `model.resourcesOfType(type)`, `model.allResources()`.
 * - `ModelResource`: `type`, raw `properties`, `path` (aws:cdk:path), `tags` (Map key -> value,
 *   value undefined when unresolvable), `acknowledgements` (cdk-nag rules_to_suppress),
 *   `dependsOn`, `condition`, `stack`.
 *
 * Values (values.ts): `model.resolve(stack, raw)` returns a `Resolved`:
 *   literal (string/number/boolean; strings may carry `${...}` placeholders, `refs`, `parameters`),
 *   array, object, ref, getatt, pseudo, choice (Fn::If: both branches), novalue, unknown{reason}.
 *   Unknown is never safe. Helpers: `model.refTarget(stack, v)` / `refTargetResource` (the one
 *   resource a Ref/GetAtt/Join'd ARN names, across stacks through Fn::ImportValue),
 *   `model.stringValue(stack, v)`, `isUnknown(r)`, `possibilities(r)`, `asString(r)`,
 *   `placeholdersToWildcards(s)` (`${X}` -> `*` for coarse ARN matching).
 *
 * Candidates: `model.possibleValues(stack, v)` -> `{ values, unknown }` (every Fn::If branch, a
 *   parameter's AllowedValues; anything unbounded is in `unknown`), with `mayBe`/`mustBe`/`literalEquals`;
 *   compare these, never a raw property. `model.resourcesNamedBy(stack, v, types, nameProps)`: the
 *   resources a value names by Ref/ARN or by name (e.g. LaunchTemplateName), in every alternative.
 * Blind spots: `model.unverifiableParts` (transforms, external nested stacks, StackSets, SDK-call
 *   custom resources, module and third-party types), see visibility.ts.
 *
 * Environments: `model.environments` (EnvironmentIndex): `names()`, `environmentOf(resource)`,
 *   `resourcesOf(env)`, `vpcsOf(env)`, `environmentVpcs()`, `subnetsOfVpc(vpc)`,
 *   `securityGroupsOfVpc(vpc)`, `vpcOf(subnetOrSg)`, `subnetPlacement(stack, subnetIdValue)`.
 */
export { GateInputError } from './errors';
export { EnvironmentIndex, type SubnetPlacement } from './environments';
export { type LoadedTemplate, loadTemplates, MAX_ASSEMBLY_DEPTH, MAX_TEMPLATE_BYTES, type TemplateParser } from './loader';
export { type Acknowledgement, assertTemplate, type ModelResource, StackModel, type TemplateInput } from './stack-model';
export { refOf, TemplateModel } from './template-model';
export * from './values';
export { isReadOnlySdkCall, READ_ONLY_SDK_CALLS, type UnverifiablePart, type UnverifiablePartKind } from './visibility';
