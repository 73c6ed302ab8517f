/**
 * {@link PreserveAndStopClient} over the AWS SDK v3 EC2, Auto Scaling and SageMaker clients. The
 * Lambda functions that use it (billing stop, containment responder) leave `@aws-sdk/*` to the
 * Lambda runtime, so the modules are loaded with require() when the client is first built.
 */
import type { GroupMembership, PreserveAndStopClient, TaggedGroup } from './preserve-and-stop';

interface SdkClient {
  send(command: unknown): Promise<any>;
}

/** DescribeAutoScalingInstances takes at most 50 instance ids. */
const DESCRIBE_ASG_INSTANCES_BATCH = 50;

export function sdkPreserveAndStopClient(): PreserveAndStopClient {
  const ec2Sdk = require('@aws-sdk/client-ec2');
  const asgSdk = require('@aws-sdk/client-auto-scaling');
  const smSdk = require('@aws-sdk/client-sagemaker');
  const ec2: SdkClient = new ec2Sdk.EC2Client({});
  const autoscaling: SdkClient = new asgSdk.AutoScalingClient({});
  const sagemaker: SdkClient = new smSdk.SageMakerClient({});

  return {
    async describeAutoScalingInstances(instanceIds) {
      const out: GroupMembership[] = [];
      for (let i = 0; i < instanceIds.length; i += DESCRIBE_ASG_INSTANCES_BATCH) {
        let token: string | undefined;
        do {
          const page = await autoscaling.send(
            new asgSdk.DescribeAutoScalingInstancesCommand({
              InstanceIds: instanceIds.slice(i, i + DESCRIBE_ASG_INSTANCES_BATCH),
              NextToken: token,
            }),
          );
          for (const a of page.AutoScalingInstances ?? []) {
            if (a.InstanceId && a.AutoScalingGroupName)
              out.push({ instanceId: a.InstanceId, autoScalingGroupName: a.AutoScalingGroupName, lifecycleState: a.LifecycleState });
          }
          token = page.NextToken;
        } while (token);
      }
      return out;
    },
    async describeTaggedAutoScalingGroups(tagKey, tagValue) {
      const groups: TaggedGroup[] = [];
      let token: string | undefined;
      do {
        const page = await autoscaling.send(
          new asgSdk.DescribeAutoScalingGroupsCommand({
            Filters: [{ Name: `tag:${tagKey}`, Values: [tagValue] }],
            NextToken: token,
          }),
        );
        for (const g of page.AutoScalingGroups ?? []) {
          if (!g.AutoScalingGroupName) continue;
          groups.push({
            name: g.AutoScalingGroupName,
            instances: (g.Instances ?? []).filter((i: any) => i.InstanceId).map((i: any) => ({ instanceId: i.InstanceId, lifecycleState: i.LifecycleState })),
          });
        }
        token = page.NextToken;
      } while (token);
      return groups;
    },
    async suspendProcesses(name, processes) {
      await autoscaling.send(new asgSdk.SuspendProcessesCommand({ AutoScalingGroupName: name, ScalingProcesses: [...processes] }));
    },
    async protectFromScaleIn(name, ids) {
      await autoscaling.send(new asgSdk.SetInstanceProtectionCommand({ AutoScalingGroupName: name, InstanceIds: [...ids], ProtectedFromScaleIn: true }));
    },
    async detachInstances(name, ids) {
      await autoscaling.send(new asgSdk.DetachInstancesCommand({ AutoScalingGroupName: name, InstanceIds: [...ids], ShouldDecrementDesiredCapacity: true }));
    },
    async describeTaggedInstances(tagKey, tagValue, states) {
      const ids: string[] = [];
      let token: string | undefined;
      do {
        const page = await ec2.send(
          new ec2Sdk.DescribeInstancesCommand({
            Filters: [
              { Name: `tag:${tagKey}`, Values: [tagValue] },
              { Name: 'instance-state-name', Values: [...states] },
            ],
            NextToken: token,
          }),
        );
        for (const r of page.Reservations ?? []) for (const i of r.Instances ?? []) if (i.InstanceId) ids.push(i.InstanceId);
        token = page.NextToken;
      } while (token);
      return ids;
    },
    async createSnapshots(instanceId, description, tags) {
      const out = await ec2.send(
        new ec2Sdk.CreateSnapshotsCommand({
          InstanceSpecification: { InstanceId: instanceId, ExcludeBootVolume: false },
          Description: description,
          TagSpecifications: [{ ResourceType: 'snapshot', Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })) }],
        }),
      );
      return (out.Snapshots ?? []).map((s: any) => s.SnapshotId).filter((s: unknown): s is string => typeof s === 'string');
    },
    async stopInstances(ids) {
      await ec2.send(new ec2Sdk.StopInstancesCommand({ InstanceIds: [...ids], Force: false }));
    },
    async searchTaggedTrainingJobs(tagKey, tagValue) {
      // ListTrainingJobs cannot filter by tag; Search can (`Tags.<key>` filters):
      // https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_Filter.html
      const names: string[] = [];
      let token: string | undefined;
      do {
        const page = await sagemaker.send(
          new smSdk.SearchCommand({
            Resource: 'TrainingJob',
            SearchExpression: {
              Filters: [
                { Name: `Tags.${tagKey}`, Operator: 'Equals', Value: tagValue },
                { Name: 'TrainingJobStatus', Operator: 'Equals', Value: 'InProgress' },
              ],
              Operator: 'And',
            },
            MaxResults: 100,
            NextToken: token,
          }),
        );
        for (const r of page.Results ?? []) if (r.TrainingJob?.TrainingJobName) names.push(r.TrainingJob.TrainingJobName);
        token = page.NextToken;
      } while (token);
      return names;
    },
    async stopTrainingJob(name) {
      await sagemaker.send(new smSdk.StopTrainingJobCommand({ TrainingJobName: name }));
    },
  };
}
