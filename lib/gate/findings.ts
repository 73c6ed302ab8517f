import type { Severity } from './rule';

/** A finding as reported by both doors (the JSON report's `findings[]` items). */
export interface Finding {
  readonly ruleId: string;
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
  readonly message: string;
  readonly evidence: Readonly<Record<string, unknown>>;
  /** Set when the resource acknowledges the rule (cdk-nag `rules_to_suppress` metadata). */
  readonly acknowledged?: { readonly reason?: string };
  /** True for core rules, whose acknowledgment the CLI refuses unless --allow-acknowledged. */
  readonly core: boolean;
}

export interface FindingSummary {
  readonly errors: number;
  readonly warnings: number;
  readonly acknowledged: number;
  readonly stacks: number;
  /** Black hole environments found (values of the black-hole:environment tag). */
  readonly environments: number;
  readonly resources: number;
  readonly rules: number;
  readonly byRule: Readonly<Record<string, number>>;
}
