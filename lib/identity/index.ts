export * from './escape-catalog';
export * from './escape-check';
export * from './agent-boundary';
export * from './agent-role';
export * from './gpu-instance-types';
export * from './sagemaker-launch-policy';
export * from './training-guardrail-policy';
export { MANAGED_POLICY_MAX_CHARS, SCP_MAX_CHARS, policyDocumentSize } from './policy-size';
export * from './sagemaker-execution-role';
