/**
 * Lambda entry of the billing guard's "stop compute" action (bundled by NodejsFunction with the
 * local esbuild). The AWS SDK v3 clients come from the Lambda runtime (`@aws-sdk/*` is external to
 * the bundle), so they are loaded with require() and typed here only as far as the adapter uses them.
 */
import { AlarmEvent, ComputeStopper, handleUsageAlarm } from './stop-compute';

interface SdkClient {
  send(command: unknown): Promise<any>;
}

/** ComputeStopper over AWS SDK v3 EC2 and Auto Scaling clients. */
export function sdkComputeStopper(): ComputeStopper {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const ec2Sdk = require('@aws-sdk/client-ec2');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const asgSdk = require('@aws-sdk/client-auto-scaling');
  const ec2: SdkClient = new ec2Sdk.EC2Client({});
  const autoscaling: SdkClient = new asgSdk.AutoScalingClient({});
  return {
    async describeTaggedInstances(tagKey, tagValue, states) {
      const ids: string[] = [];
      let token: string | undefined;
      do {
        const out = await ec2.send(new ec2Sdk.DescribeInstancesCommand({
          Filters: [{ Name: `tag:${tagKey}`, Values: [tagValue] }, { Name: 'instance-state-name', Values: [...states] }],
          NextToken: token,
        }));
        for (const r of out.Reservations ?? []) for (const i of r.Instances ?? []) if (i.InstanceId) ids.push(i.InstanceId);
        token = out.NextToken;
      } while (token);
      return ids;
    },
    async describeTaggedAutoScalingGroups(tagKey, tagValue) {
      const names: string[] = [];
      let token: string | undefined;
      do {
        const out = await autoscaling.send(new asgSdk.DescribeAutoScalingGroupsCommand({
          Filters: [{ Name: `tag:${tagKey}`, Values: [tagValue] }],
          NextToken: token,
        }));
        for (const g of out.AutoScalingGroups ?? []) if (g.AutoScalingGroupName) names.push(g.AutoScalingGroupName);
        token = out.NextToken;
      } while (token);
      return names;
    },
    async setCapacity(name, capacity) {
      await autoscaling.send(new asgSdk.UpdateAutoScalingGroupCommand({
        AutoScalingGroupName: name, MinSize: capacity, MaxSize: capacity, DesiredCapacity: capacity,
      }));
    },
    async stopInstances(ids) {
      await ec2.send(new ec2Sdk.StopInstancesCommand({ InstanceIds: [...ids] }));
    },
  };
}

export async function handler(event: AlarmEvent): Promise<unknown> {
  const environmentName = process.env.ENVIRONMENT_NAME;
  const tagKey = process.env.ENVIRONMENT_TAG_KEY;
  if (!environmentName || !tagKey) throw new Error('ENVIRONMENT_NAME and ENVIRONMENT_TAG_KEY must be set');
  const result = await handleUsageAlarm(event, sdkComputeStopper(), tagKey, environmentName);
  console.log(JSON.stringify({ alarm: event.alarmArn, environmentName, result }));
  return result;
}
