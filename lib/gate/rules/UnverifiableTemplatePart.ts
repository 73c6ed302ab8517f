import type { GateRule } from '../rule';

/**
 * A part of a template the gate cannot see: a Transform (SAM, AWS::Include, any macro), a nested
 * stack whose template was not given, a StackSet, an AWS SDK call made by a custom resource at deploy
 * time (other than the exact read-only calls the library makes), a custom resource whose provider is
 * outside the app, a module or third-party resource type. The proof covers only what the gate reads.
 */
export const UnverifiableTemplatePart: GateRule = {
  id: 'BlackHole-GATE1',
  name: 'UnverifiableTemplatePart',
  severity: 'error',
  core: false,
  info: 'A template part the gate cannot see: a Transform, an external nested stack, a StackSet, a custom resource making AWS calls, or a module or third-party resource type.',
  explanation:
    "What CloudFormation deploys from these parts is decided outside the template (a macro's output, another template, an AWS call with any service and action), so no finding of the gate can vouch for it: a leaky network or an agent role could hide there (ESCAPES.md 20, 24). Give the gate the expanded template (`aws cloudformation get-template --template-stage Processed`, or synthesize nested stacks into the cdk.out), deploy StackSet templates as stacks the gate audits, and keep deploy-time SDK calls to read-only lookups. Acknowledge a part only after reviewing what it deploys.",
  check: ({ model }) =>
    model.unverifiableParts.map((p) => ({
      resource: p.resource,
      message: `${p.detail}.`,
      evidence: { kind: p.kind, templateLevel: p.templateLevel, resourceType: p.resource.type },
    })),
};
