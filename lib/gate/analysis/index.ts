/**
 * The gate's analyses over a TemplateModel (see ../model/index.ts). Synchronous, pure, cached per model.
 *
 * - `PermissionAnalysis.of(model)`: effective permissions ("may allow", ARCHITECTURE.md) of every
 *   IAM role: `principal(stack, logicalId)` / `principalOf(resource)` / `roles()` give a
 *   `PrincipalPermissions` with `mayAllow(action, target?)`, `allowedActions(actions, target?)`,
 *   `trust`, `boundary`, `roleName`, `tags`, `grantedActionPatterns`, `unverifiable`, `asTarget()`.
 * - `IdentityReachability.of(model)`: the principals analysed as agents (`principals`, each with
 *   `reasons` explaining the chain; `describeReachReason(r)` renders one), and `unresolved`
 *   compute whose role cannot be identified.
 * - Egress paths live in ./egress-paths (separate owner).
 */
export * from './effective-permissions';
export * from './identity-reachability';
export { type PolicySource, type ResourceTarget, type StatementRef, CompiledStatement } from './policy-document';
export { isAwsManagedPolicyArn, lookupAwsManagedPolicy, type AwsManagedLookup } from './aws-managed-policies';
export { resourcePatternsMayIntersect } from './arn-match';
