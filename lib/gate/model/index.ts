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
