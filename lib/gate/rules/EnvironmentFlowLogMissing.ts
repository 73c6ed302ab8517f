import { EgressKind } from '../analysis/egress-paths';
import { egressRule } from './egress-rule';

/** An environment VPC has no flow log of ALL traffic. */
export const EnvironmentFlowLogMissing = egressRule(
  {
    id: 'BlackHole-LOG1',
    name: 'EnvironmentFlowLogMissing',
    severity: 'error',
    core: false,
    info: 'An environment VPC has no flow log of ALL traffic.',
    explanation:
      'Without flow logs of accepted and rejected traffic, egress attempts cannot be seen or attributed to an episode (ESCAPES.md 34). BlackHoleVpc logs ALL traffic to a retained, encrypted bucket.',
  },
  EgressKind.MISSING_FLOW_LOG,
);
