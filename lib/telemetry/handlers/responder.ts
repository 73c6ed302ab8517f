/**
 * Containment responder Lambda entry point: configuration from the environment, AWS SDK v3 clients
 * for the pure logic in runtime/contain.ts. The SDK modules are external (Lambda runtime).
 */
import { sdkPreserveAndStopClient } from '../../compute/runtime/preserve-and-stop-sdk';
import { contain, ContainmentApis, ContainmentReport, ResponderConfig } from '../runtime/contain';
import type { BlackHoleViolation } from '../runtime/correlate';
import { ViolationSeverity } from '../runtime/signals';

let apis: ContainmentApis | undefined;

function sdkApis(): ContainmentApis {
  const iam = require('@aws-sdk/client-iam');
  const ec2 = require('@aws-sdk/client-ec2');
  const i = new iam.IAMClient({});
  const e = new ec2.EC2Client({});
  return {
    iam: { putRolePolicy: (input) => i.send(new iam.PutRolePolicyCommand(input)) },
    ec2: {
      describeNetworkInterfaces: (input) => e.send(new ec2.DescribeNetworkInterfacesCommand(input)),
      modifyNetworkInterfaceAttribute: (input) => e.send(new ec2.ModifyNetworkInterfaceAttributeCommand(input)),
      createTags: (input) => e.send(new ec2.CreateTagsCommand(input)),
    },
    // Suspend, protect, detach, snapshot, stop: the same module as the billing stop function.
    compute: sdkPreserveAndStopClient(),
  };
}

export function configFromEnv(env: Record<string, string | undefined>): ResponderConfig {
  return {
    mode: env.MODE === 'contain' ? 'contain' : 'alert-only',
    minSeverity: (env.MIN_SEVERITY ?? 'HIGH') as ViolationSeverity,
    quarantineSecurityGroupId: env.QUARANTINE_SECURITY_GROUP_ID ?? '',
    revocationPolicyTemplate: env.REVOCATION_POLICY_TEMPLATE ?? '',
  };
}

/**
 * Contains the violation; throws after attempting every action when any failed, so that the
 * invocation counts as failed and EventBridge retries it (the rule's retryAttempts). A retry
 * repeats the calls: the revocation moves to the retry's time, and evidence snapshots are taken again.
 */
export async function handler(event: { detail: BlackHoleViolation }): Promise<ContainmentReport> {
  apis = apis ?? sdkApis();
  const report = await contain(event.detail, configFromEnv(process.env), apis, new Date());
  console.log(JSON.stringify(report));
  if (report.errors.length > 0) throw new Error(`containment of ${report.violationId} failed in part: ${report.errors.join('; ')}`);
  return report;
}
