/**
 * Containment responder Lambda entry point: configuration from the environment, AWS SDK v3 clients
 * for the pure logic in runtime/contain.ts. The SDK modules are external (Lambda runtime).
 */
import { contain, ContainmentApis, ContainmentReport, ResponderConfig } from '../runtime/contain';
import type { BlackHoleViolation } from '../runtime/correlate';
import { ViolationSeverity } from '../runtime/signals';

let apis: ContainmentApis | undefined;

function sdkApis(): ContainmentApis {
  /* eslint-disable @typescript-eslint/no-require-imports */
  const iam = require('@aws-sdk/client-iam');
  const ec2 = require('@aws-sdk/client-ec2');
  const sm = require('@aws-sdk/client-sagemaker');
  const i = new iam.IAMClient({});
  const e = new ec2.EC2Client({});
  const s = new sm.SageMakerClient({});
  return {
    iam: { putRolePolicy: (input) => i.send(new iam.PutRolePolicyCommand(input)) },
    ec2: {
      describeNetworkInterfaces: (input) => e.send(new ec2.DescribeNetworkInterfacesCommand(input)),
      modifyNetworkInterfaceAttribute: (input) => e.send(new ec2.ModifyNetworkInterfaceAttributeCommand(input)),
      createTags: (input) => e.send(new ec2.CreateTagsCommand(input)),
      stopInstances: (input) => e.send(new ec2.StopInstancesCommand(input)),
    },
    sagemaker: { stopTrainingJob: (input) => s.send(new sm.StopTrainingJobCommand(input)) },
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

export async function handler(event: { detail: BlackHoleViolation }): Promise<ContainmentReport> {
  apis = apis ?? sdkApis();
  const report = await contain(event.detail, configFromEnv(process.env), apis, new Date());
  console.log(JSON.stringify(report));
  return report;
}
