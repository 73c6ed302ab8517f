export * from './engine';
export * from './findings';
export * from './rule';
export * from './nag/black-hole-checks';
export { ALL_RULES } from './rules';
export { EgressKind, EgressPathAnalysis, type EgressPath } from './analysis/egress-paths';
export { GateInputError, TemplateModel } from './model';
