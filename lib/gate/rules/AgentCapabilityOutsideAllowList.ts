import { awsActionsOfService } from '../../common/aws-action-catalog';
import { ENDPOINT_SERVICES } from '../../network/endpoint-services';
import { AgentCapabilityAnalysis, type OutsideCapability } from '../analysis/agent-capabilities';
import { describeReachReason } from '../analysis/identity-reachability';
import type { StatementRef } from '../analysis/policy-document';
import type { GateRule, RuleFinding } from '../rule';
import { describeStatement } from './agent-capability-rule';

/** Access levels, most dangerous first: the order in which examples are named. */
const LEVEL_ORDER = ['Permissions management', 'Write', 'Tagging', 'Unknown', 'Read', 'List'];
const NAMED_IN_MESSAGE = 10;

/**
 * The allow-list verdict: an agent-reachable role is granted actions outside the agent allow-list
 * (lib/identity/agent-allow-list.ts). One finding per role, naming every such action that the escape
 * rules (BlackHole-IAM1 to IAM6) do not already report: unclassified capabilities (the escape catalog
 * does not know them; their access level is shown), and catalog actions only the permissions boundary
 * stops. Identity policies are judged on their own, because the boundary is one managed policy that
 * can be edited or detached later: both fences must be allow-lists.
 */
export const AgentCapabilityOutsideAllowList: GateRule = {
  id: 'BlackHole-IAM10',
  name: 'AgentCapabilityOutsideAllowList',
  severity: 'error',
  core: true,
  info: "An agent-reachable role is granted actions outside the agent allow-list (the data plane of the environment's own resources).",
  explanation:
    'An agent may perform only the actions of the agent allow-list (lib/identity/agent-allow-list.ts: image pulls, dataset reads, checkpoint writes, logs, metrics, KMS data keys, and the data plane of enabled endpoint services). Everything else is a capability nobody has proven safe, whether or not the escape catalog (ESCAPES.md) names an escape for it: logs:PutMetricFilter silences alarms, s3:PutBucketNotification sends object keys to another account, ecr:CreatePullThroughCacheRule imports images from the internet. Grant through the AgentRole helpers or TrainingData.grantTrainingAccess, which stay inside the list.',
  check: ({ model }) => {
    const out: RuleFinding[] = [];
    for (const agent of AgentCapabilityAnalysis.of(model).agents) {
      // Effective catalog actions are reported by the escape rules, with their category.
      const caps = agent.outsideAllowList.filter((c) => !(c.effective && c.entry));
      if (caps.length === 0) continue;
      const p = agent.principal;
      const open = caps.filter((c) => c.effective);
      const capped = caps.filter((c) => !c.effective);
      const unclassified = caps.filter((c) => !c.entry);
      const named = examples(caps).map(label).join(', ');
      const grants = new Map<string, StatementRef>();
      for (const c of caps) for (const g of c.grants) grants.set(describeStatement(g), g);
      const byAccessLevel: Record<string, number> = {};
      for (const c of unclassified) byAccessLevel[c.accessLevel] = (byAccessLevel[c.accessLevel] ?? 0) + 1;
      const parts = [
        open.length > 0 ? `${open.length} open (its permissions boundary allows them too)` : '',
        capped.length > 0 ? `${capped.length} stopped only by its permissions boundary` : '',
      ]
        .filter(Boolean)
        .join(', ');
      out.push({
        resource: p.permissions.resource,
        message:
          `Agent-reachable role ${p.logicalId} (${p.reasons.map(describeReachReason).join('; ')}) is granted ${caps.length} action(s) outside the agent allow-list (${parts}; ` +
          `${unclassified.length} unclassified by the escape catalog), e.g. ${named}${caps.length > NAMED_IN_MESSAGE ? ` and ${caps.length - NAMED_IN_MESSAGE} more` : ''}, ` +
          `granted by ${[...grants.keys()].slice(0, 4).join('; ') || 'its policies'}${grants.size > 4 ? ` and ${grants.size - 4} more statements` : ''}.`,
        evidence: {
          principal: p.logicalId,
          environments: p.environments,
          // cdk-nag style finding strings; a service wholly granted is one `service:*` entry.
          findings: compress(caps.map((c) => c.action)).map((a) => `Action::${a}`),
          open: compress(open.map((c) => c.action)),
          actionCount: caps.length,
          openCount: open.length,
          unclassifiedCount: unclassified.length,
          byAccessLevel,
          classified: capped
            .filter((c) => c.entry)
            .slice(0, 40)
            .map((c) => ({ action: c.action, technique: c.entry!.id, category: c.entry!.category, escapes: c.entry!.escapes })),
          grantedBy: [...grants.values()].slice(0, 20),
          ...(p.permissions.unverifiable.length ? { unverifiable: p.permissions.unverifiable } : {}),
        },
      });
    }
    return out;
  },
};

function label(c: OutsideCapability): string {
  const status = c.effective ? 'open' : 'boundary-stopped';
  return c.entry
    ? `${c.action} (${status}; ESCAPES.md ${c.entry.escapes.map((n) => `#${n}`).join(', ')}, ${c.entry.category})`
    : `${c.action} (${status}; unclassified, ${c.accessLevel})`;
}

/** Rank of an access level (several, comma-separated, take the most dangerous). */
function levelRank(level: string): number {
  const ranks = level
    .split(',')
    .map((l) => LEVEL_ORDER.indexOf(l.trim()))
    .filter((r) => r >= 0);
  return ranks.length > 0 ? Math.min(...ranks) : LEVEL_ORDER.indexOf('Unknown');
}

function byDanger(x: OutsideCapability, y: OutsideCapability): number {
  return (
    Number(y.effective) - Number(x.effective) ||
    Number(reachable(y.action)) - Number(reachable(x.action)) ||
    levelRank(x.accessLevel) - levelRank(y.accessLevel) ||
    x.action.localeCompare(y.action)
  );
}

let endpointPrefixes: Set<string> | undefined;

/** The action's service is reachable through an endpoint of the allowlist: where an agent can really call it. */
function reachable(action: string): boolean {
  endpointPrefixes ??= new Set(Object.values(ENDPOINT_SERVICES).flatMap((d) => d.iamPrefixes));
  return endpointPrefixes.has(action.slice(0, action.indexOf(':')).toLowerCase());
}

/** The examples a message names: the most dangerous first, one service at a time. */
function examples(caps: readonly OutsideCapability[]): OutsideCapability[] {
  const queues = new Map<string, OutsideCapability[]>();
  for (const c of [...caps].sort(byDanger)) {
    const s = c.action.slice(0, c.action.indexOf(':')).toLowerCase();
    queues.set(s, [...(queues.get(s) ?? []), c]);
  }
  const out: OutsideCapability[] = [];
  while (out.length < NAMED_IN_MESSAGE && queues.size > 0) {
    for (const [s, q] of queues) {
      if (out.length >= NAMED_IN_MESSAGE) break;
      out.push(q.shift()!);
      if (q.length === 0) queues.delete(s);
    }
  }
  return out;
}

/** Sorted actions, with every service whose actions are all present written as `service:*`. */
function compress(actions: readonly string[]): string[] {
  const byService = new Map<string, string[]>();
  for (const a of actions) {
    const s = a.slice(0, a.indexOf(':')).toLowerCase();
    byService.set(s, [...(byService.get(s) ?? []), a]);
  }
  const out: string[] = [];
  for (const [service, list] of [...byService].sort(([a], [b]) => a.localeCompare(b))) {
    const all = awsActionsOfService(service);
    if (all.length > 0 && new Set(list.map((a) => a.toLowerCase())).size >= all.length) out.push(`${service}:*`);
    else out.push(...[...list].sort());
  }
  return out;
}
