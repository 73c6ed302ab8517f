import { EscapeCategory } from '../../identity/escape-catalog';
import { agentCapabilityRule } from './agent-capability-rule';

/** An agent-reachable role may change its quotas, budgets, billing or capacity fences. */
export const AgentMayChangeQuotasOrBudgets = agentCapabilityRule(
  {
    id: 'BlackHole-IAM3',
    name: 'AgentMayChangeQuotasOrBudgets',
    severity: 'error',
    core: true,
    info: 'An agent-reachable role may change its quotas, budgets, billing or capacity fences.',
    explanation:
      'An agent that can raise its quotas, move or execute budget actions, untag itself out of a budget or buy capacity can mine on more GPUs than it was given (ESCAPES.md 29-32). Remove the grant.',
  },
  [EscapeCategory.QUOTAS_BUDGETS_SPEND],
);
