/**
 * Liveness proofs (issue #11): every legitimate flow of lib/workload/workload-flows.ts, in every
 * environment shape (EC2 fleet, SageMaker-only, multi-environment under the guardrail SCP; explicit
 * env and environment-agnostic), is Allowed by @cloud-copilot/iam-simulate against every policy AWS
 * applies. A flow that is not Allowed fails with the deciding statements. Each flow is one test.
 *
 * Mutation (a proof that cannot fail proves nothing): for each Allowed call, removing Allow
 * statements one at a time from each involved policy must flip the decision at least once (or,
 * for redundant Allows, removing a policy's Allows together must).
 *
 * Shapes are synthesized once, at collection, to know which flows exist in each; a flow that does
 * not exist in a shape is listed in that shape's `not part of this shape` test with its reason.
 */
import { WORKLOAD_FLOWS, type WorkloadFlow } from '../../lib/workload/workload-flows';
import { evaluate, loadBearingStatements, notApplicable, prepareFlow, ShapeModel } from './harness';
import { ENV_MODES, shape, SHAPE_IDS } from './shapes';

const VERBOSE = process.env.WORKLOAD_VERBOSE !== undefined;

for (const shapeId of SHAPE_IDS) {
  for (const mode of ENV_MODES) {
    const model = new ShapeModel(shape(shapeId, mode));
    const applicable: WorkloadFlow[] = [];
    const skipped: string[] = [];
    for (const f of WORKLOAD_FLOWS) {
      const na = notApplicable(model, f);
      if (na === undefined) applicable.push(f);
      else skipped.push(`${f.id}: ${na}`);
    }

    describe(`${shapeId} (${mode} env)`, () => {
      test('flows not part of this shape', () => {
        if (VERBOSE) console.info(`${shapeId} (${mode}) not applicable:\n  ${skipped.join('\n  ')}`);
        expect(applicable.length).toBeGreaterThan(10);
        for (const s of skipped) expect(s).toMatch(/: (shape has no|function environment encrypted with the AWS managed key)/);
      });

      test.each(applicable.map((f) => [f.id, f] as const))('%s', async (_id, flow) => {
        const calls = prepareFlow(model, flow);
        expect(calls.length).toBeGreaterThan(0);
        const failures: string[] = [];
        const mutationGaps: string[] = [];
        const notes: string[] = [];
        for (const call of calls) {
          const r = await evaluate(call);
          if (r.decision !== 'Allowed') {
            failures.push(
              `${r.label}: ${r.decision}\n      ${r.reasons.join('\n      ')}${r.ignoredContextKeys.length ? `\n      (context keys ignored by the simulator: ${r.ignoredContextKeys.join(', ')})` : ''}`,
            );
            continue;
          }
          const { flips, redundant, tried } = await loadBearingStatements(call);
          if (flips.length === 0 && redundant.length === 0) mutationGaps.push(`${r.label}: none of ${tried} Allow statements is load-bearing`);
          notes.push(`${r.label}: load-bearing ${flips.length ? flips.join('; ') : `(redundant) ${redundant.join('; ')}`}`);
        }
        if (VERBOSE) console.info(`${shapeId} (${mode}) ${flow.id}\n  ${notes.join('\n  ')}`);
        expect({ flow: flow.id, failures, mutationGaps }).toEqual({ flow: flow.id, failures: [], mutationGaps: [] });
      });
    });
  }
}
