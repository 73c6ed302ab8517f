import { EgressKind, EgressPathAnalysis } from '../analysis/egress-paths';
import type { GateRule, RuleFinding } from '../rule';

type EgressRuleMeta = Omit<GateRule, 'check'>;

/** A rule that reports every egress path of the given kinds, one finding per path. */
export function egressRule(meta: EgressRuleMeta, ...kinds: EgressKind[]): GateRule {
  return {
    ...meta,
    check: ({ model }) =>
      EgressPathAnalysis.of(model)
        .ofKind(...kinds)
        .map((p): RuleFinding => ({
          resource: p.resource,
          message: `${p.environment ? `Environment '${p.environment}'` : 'An environment'}: ${p.detail} (${p.resource.type} ${p.resource.logicalId}).`,
          evidence: {
            kind: p.kind,
            environment: p.environment ?? null,
            vpc: p.vpc?.logicalId ?? null,
            resourceType: p.resource.type,
            ...(p.unresolved ? { unresolved: true } : {}),
          },
        })),
  };
}
