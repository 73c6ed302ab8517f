/**
 * What the independent evaluator cannot do, proven, so that the harness's workarounds stay honest:
 * when an iam-simulate upgrade fixes one, its test here fails and the workaround can go.
 */
import { runSimulation } from '@cloud-copilot/iam-simulate';
import { decide } from './harness';

const KEY = 'kms:EncryptionContext:aws:lambda:FunctionArn';
const FN = 'arn:aws:lambda:eu-west-1:111122223333:function:black-hole-a-responder';

function simulation(expected: string) {
  return {
    request: {
      principal: 'arn:aws:sts::111122223333:assumed-role/R/s',
      action: 'kms:Decrypt',
      resource: { resource: 'arn:aws:kms:eu-west-1:111122223333:key/abc', accountId: '111122223333' },
      contextVariables: { [KEY]: FN },
    },
    identityPolicies: [
      {
        name: 'i',
        policy: {
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Action: 'kms:Decrypt', Resource: '*', Condition: { StringEquals: { [KEY]: expected } } }],
        },
      },
    ],
    serviceControlPolicies: [],
    resourceControlPolicies: [],
    // KMS authorises only what the key policy lets IAM policies decide (CDK's default key policy).
    resourcePolicy: {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111122223333:root' }, Action: 'kms:*', Resource: '*' }],
    },
  };
}

test('iam-simulate ignores kms:EncryptionContext:* context keys: a matching condition does not match', async () => {
  const r = await runSimulation(simulation(FN), {});
  expect(r.resultType).toBe('single');
  expect((r as any).overallResult).toBe('ImplicitlyDenied');
  expect((r as any).result.ignoredContextKeys).toEqual([KEY]);
});

test('the harness decides encryption-context conditions itself: allowed when the context matches, not when it differs', async () => {
  expect((await decide(simulation(FN) as any)).decision).toBe('Allowed');
  expect((await decide(simulation(`${FN}-other`) as any)).decision).toBe('ImplicitlyDenied');
});
