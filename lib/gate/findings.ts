import type { Severity } from './rule';

/** A finding as reported by both doors (the JSON report's `findings[]` items). */
export interface Finding {
  /** Rule id, e.g. `BlackHole-NET1` (RULES.md). */
  readonly ruleId: string;
  /**
   * `error` fails the gate unless acknowledged (core rules: even then, in the CLI); `warning` never fails it.
   */
  readonly severity: Severity;
  /** Stack name (the CloudFormation stack or the cdk.out artifact's stack name). */
  readonly stack: string;
  /** Logical ID of the resource. */
  readonly resource: string;
  /**
   * The template file the resource was read from, when it came from a file (cdk.out or a path
   * given to the CLI). Stack names may repeat across Stages; the template path never does, so the
   * cdk-nag pack places findings by template path and logical ID.
   */
  readonly templatePath?: string;
  /** Construct path, when the template records it (aws:cdk:path). */
  readonly path?: string;
  /** What is wrong and how to fix it, in one or two sentences. */
  readonly message: string;
  /** The facts the rule found (actions, paths, statements), for reports and tools. */
  readonly evidence: Readonly<Record<string, unknown>>;
  /** Set when the resource acknowledges the rule (cdk-nag `rules_to_suppress` metadata). */
  readonly acknowledged?: { readonly reason?: string };
  /** True for core rules, whose acknowledgment the CLI refuses unless --allow-acknowledged. */
  readonly core: boolean;
}

/** Counts of a gate run. */
export interface FindingSummary {
  /** Unacknowledged errors. */
  readonly errors: number;
  /** Unacknowledged warnings. */
  readonly warnings: number;
  /** Acknowledged findings of any severity. */
  readonly acknowledged: number;
  /** Stacks analysed. */
  readonly stacks: number;
  /** Black hole environments found (values of the black-hole:environment tag). */
  readonly environments: number;
  /** Resources analysed. */
  readonly resources: number;
  /** Rules run. */
  readonly rules: number;
  /** Findings per rule id. */
  readonly byRule: Readonly<Record<string, number>>;
}
