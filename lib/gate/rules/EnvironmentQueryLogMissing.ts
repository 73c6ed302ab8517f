import { EgressKind } from '../analysis/egress-paths';
import { egressRule } from './egress-rule';

/** An environment VPC has no Route 53 Resolver query logging. */
export const EnvironmentQueryLogMissing = egressRule(
  {
    id: 'BlackHole-LOG2',
    name: 'EnvironmentQueryLogMissing',
    severity: 'error',
    core: false,
    info: 'An environment VPC has no Route 53 Resolver query logging.',
    explanation:
      'Flow logs do not record traffic to the VPC resolver: DNS visibility comes only from resolver query logs (ESCAPES.md 9). BlackHoleVpc turns them on.',
  },
  EgressKind.MISSING_QUERY_LOG,
);
