import { expandActionPattern } from '../common/aws-action-catalog';
import { isAgentAllowedAction } from './agent-allow-list';
import { findEscapePatterns, EscapeConflict } from './escape-catalog';

/** One action of a policy that the escape catalog forbids. */
export interface PolicyEscapeViolation {
  /** The action pattern as written in the policy (or `NotAction [...]`). */
  readonly action: string;
  readonly conflicts: readonly EscapeConflict[];
}

/**
 * The Allow statements' actions that reach the escape catalog, from statements in IAM JSON form
 * (`{ Effect, Action, NotAction, ... }`). An Allow with NotAction grants everything it does not
 * name, so it is always a violation. Actions that are unresolved tokens cannot be checked and are
 * skipped here; the gate treats them as `*`.
 */
export function escapeViolationsOfStatements(statements: readonly unknown[]): PolicyEscapeViolation[] {
  const out: PolicyEscapeViolation[] = [];
  for (const raw of statements) {
    if (!raw || typeof raw !== 'object') continue;
    const s = raw as Record<string, unknown>;
    if (s.Effect !== 'Allow') continue;
    if (s.NotAction !== undefined) {
      const conflicts = findEscapePatterns('*');
      out.push({ action: `NotAction ${JSON.stringify(s.NotAction)}`, conflicts });
      continue;
    }
    const actions = typeof s.Action === 'string' ? [s.Action] : Array.isArray(s.Action) ? s.Action : [];
    for (const a of actions) {
      if (typeof a !== 'string' || a.includes('${Token[')) continue;
      const conflicts = findEscapePatterns(a);
      if (conflicts.length > 0) out.push({ action: a, conflicts });
    }
  }
  return out;
}

/** A readable, bounded explanation of violations for an error message. */
export function describeViolations(violations: readonly PolicyEscapeViolation[]): string {
  const lines = violations.slice(0, 10).map((v) => {
    const entries = v.conflicts.slice(0, 3).map((c) => {
      const sample = c.actions.slice(0, 3).join(', ') + (c.actions.length > 3 ? `, ... (${c.actions.length} actions)` : '');
      return `'${c.entry.id}' (${c.entry.category}, ESCAPES.md ${c.entry.escapes.map((n) => `#${n}`).join(', ')}: ${c.entry.technique}; reaches ${sample})`;
    });
    const more = v.conflicts.length > 3 ? ` and ${v.conflicts.length - 3} more catalog entries` : '';
    return `  - ${v.action} is in the escape catalog: ${entries.join('; ')}${more}`;
  });
  if (violations.length > 10) lines.push(`  - ... and ${violations.length - 10} more actions`);
  return lines.join('\n');
}

/** One action pattern of a policy that reaches actions outside the agent allow-list. */
export interface AllowListViolation {
  /** The action pattern as written in the policy (or `NotAction [...]`). */
  readonly action: string;
  /** The real actions it reaches that agents may not perform (the pattern itself when the AWS catalog does not know it). */
  readonly outside: readonly string[];
}

/**
 * The Allow statements' actions that reach beyond the agent allow-list (lib/identity/agent-allow-list.ts),
 * from statements in IAM JSON form. An Allow with NotAction reaches everything it does not name.
 * Unresolved token actions are skipped here; the gate treats them as `*`.
 */
export function allowListViolationsOfStatements(statements: readonly unknown[]): AllowListViolation[] {
  const out: AllowListViolation[] = [];
  for (const raw of statements) {
    if (!raw || typeof raw !== 'object') continue;
    const s = raw as Record<string, unknown>;
    if (s.Effect !== 'Allow') continue;
    if (s.NotAction !== undefined) {
      out.push({ action: `NotAction ${JSON.stringify(s.NotAction)}`, outside: ['*'] });
      continue;
    }
    const actions = typeof s.Action === 'string' ? [s.Action] : Array.isArray(s.Action) ? s.Action : [];
    for (const a of actions) {
      if (typeof a !== 'string' || a.includes('${Token[')) continue;
      const expanded = expandActionPattern(a);
      const outside = expanded.length > 0 ? expanded.filter((x) => !isAgentAllowedAction(x)) : isAgentAllowedAction(a) ? [] : [a];
      if (outside.length > 0) out.push({ action: a, outside });
    }
  }
  return out;
}

/** A readable, bounded explanation of allow-list violations for an error message. */
export function describeAllowListViolations(violations: readonly AllowListViolation[]): string {
  const lines = violations.slice(0, 10).map((v) => {
    const sample = v.outside.slice(0, 5).join(', ') + (v.outside.length > 5 ? `, ... (${v.outside.length} actions)` : '');
    return `  - ${v.action} reaches actions outside the agent allow-list: ${sample}`;
  });
  if (violations.length > 10) lines.push(`  - ... and ${violations.length - 10} more actions`);
  return lines.join('\n');
}
