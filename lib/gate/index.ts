/**
 * `cdk-black-hole/gate`: the compliance gate for tools. Load templates into a `TemplateModel`, run
 * the rules with `runGate`, render the findings with `renderReport` (text, JSON, SARIF, Markdown),
 * or read the egress-path analysis the network rules use. The `black-hole audit` CLI is this API.
 *
 * @packageDocumentation
 */
export * from './engine';
export * from './findings';
export * from './rule';
export * from './nag/black-hole-checks';
export { ALL_RULES } from './rules';
export { EgressKind, EgressPathAnalysis, type EgressPath } from './analysis/egress-paths';
export { EnvironmentIndex, GateInputError, type ModelResource, type Resolved, StackModel, type TemplateInput, TemplateModel } from './model';
export { type DesignatedEnvironment, type DesignatedResource, type Designations, type SubnetPlacement } from './model/environments';
export type { Acknowledgement, NestedParent, Raw } from './model/stack-model';
export type { UnverifiablePart, UnverifiablePartKind } from './model/visibility';
export type {
  ArrayValue,
  ChoiceValue,
  GetAttValue,
  LiteralValue,
  NoValue,
  ObjectValue,
  PossibleLiteral,
  PossibleValues,
  PseudoValue,
  RefValue,
  ResourceRef,
  UnknownValue,
} from './model/values';
export { renderReport, REPORT_FORMATS, type ReportFormat, type ReportOptions } from './report/reporters';
