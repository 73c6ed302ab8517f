import { App, Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { BlackHoleVpc } from '../../lib/network/black-hole-vpc';
import { FLOW_LOG_FIELDS, FLOW_LOG_HIVE_PARTITIONS, flowLogColumnName, flowLogFormatString } from '../../lib/telemetry/flow-log-fields';
import { FlowLogPipeline, flowLogSpaceDelimitedPattern, flowsLeavingVpcPattern } from '../../lib/telemetry/flow-log-pipeline';
import { flowLogNamedQueries } from '../../lib/telemetry/named-queries';
import { FLOWS, LEAVING, matchesSpaceDelimited } from './flow-fixtures';

let onNetwork: Template;
let standalone: Template;
let standaloneJson: any;
let onNetworkJson: any;

beforeAll(() => {
  const app = new App();
  const stack = new Stack(app, 'OnNetwork', { env: { account: '111122223333', region: 'eu-west-1' } });
  const network = new BlackHoleVpc(stack, 'Network', { environmentName: 'alpha' });
  new FlowLogPipeline(stack, 'Telemetry', { network, cloudWatchCopy: {} });
  onNetwork = Template.fromStack(stack);
  onNetworkJson = onNetwork.toJSON();

  const stack2 = new Stack(new App(), 'Standalone');
  const vpc = new ec2.Vpc(stack2, 'Vpc', { natGateways: 0, subnetConfiguration: [{ name: 'i', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }] });
  new FlowLogPipeline(stack2, 'Telemetry', {
    vpc,
    environmentName: 'beta',
    objectLock: { mode: 'COMPLIANCE', retention: Duration.days(400) },
  });
  standalone = Template.fromStack(stack2);
  standaloneJson = standalone.toJSON();
});

function resourcesOf(t: any, type: string): [string, any][] {
  return Object.entries<any>(t.Resources).filter(([, r]) => r.Type === type);
}

describe('built on a BlackHoleVpc', () => {
  test('reuses the VPC flow log (no second S3 flow log) and adds only the CloudWatch copy', () => {
    const flowLogs = resourcesOf(onNetworkJson, 'AWS::EC2::FlowLog').map(([, r]) => r.Properties);
    expect(flowLogs).toHaveLength(2);
    const destinations = flowLogs.map((p) => p.LogDestinationType).sort();
    expect(destinations).toEqual(['cloud-watch-logs', 's3']);
    for (const p of flowLogs) {
      expect(p.TrafficType).toBe('ALL');
      expect(p.MaxAggregationInterval).toBe(60);
      expect(p.LogFormat).toBe(flowLogFormatString());
    }
  });

  test('the Glue table columns come from the same field list as the LogFormat', () => {
    const [, table] = resourcesOf(onNetworkJson, 'AWS::Glue::Table').find(([, r]) => r.Properties.TableInput.Name === 'vpc_flow_logs')!;
    const sd = table.Properties.TableInput.StorageDescriptor;
    expect(sd.Columns).toEqual(FLOW_LOG_FIELDS.map((f) => ({ Name: flowLogColumnName(f), Type: f.glueType })));
    const format: string = resourcesOf(onNetworkJson, 'AWS::EC2::FlowLog')
      .map(([, r]) => r.Properties)
      .find((p) => p.LogDestinationType === 's3').LogFormat;
    expect(format.match(/\$\{([a-z-]+)\}/g)!.map((m) => m.slice(2, -1).replace(/-/g, '_'))).toEqual(sd.Columns.map((c: any) => c.Name));
    expect(sd.SerdeInfo.SerializationLibrary).toBe('org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe');
    expect(sd.InputFormat).toBe('org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat');
  });

  test('partition projection covers exactly the documented Hive per-hour layout under the flow log prefix', () => {
    const [, table] = resourcesOf(onNetworkJson, 'AWS::Glue::Table').find(([, r]) => r.Properties.TableInput.Name === 'vpc_flow_logs')!;
    const input = table.Properties.TableInput;
    expect(input.PartitionKeys).toEqual(FLOW_LOG_HIVE_PARTITIONS.map((p) => ({ Name: p.column, Type: p.glueType })));
    const params = input.Parameters;
    expect(params).toMatchObject({
      'projection.enabled': 'true',
      'projection.aws_account_id.type': 'enum',
      'projection.aws_account_id.values': '111122223333',
      'projection.aws_region.values': 'eu-west-1',
      'projection.year.type': 'integer',
      'projection.year.range': '2025,2035',
      'projection.month.range': '1,12',
      'projection.month.digits': '2',
      'projection.day.range': '1,31',
      'projection.day.digits': '2',
      'projection.hour.range': '0,23',
      'projection.hour.digits': '2',
    });
    const template = JSON.stringify(params['storage.location.template']);
    expect(template).toContain(
      '/flow-logs/AWSLogs/aws-account-id=${aws_account_id}/aws-service=vpcflowlogs/aws-region=${aws_region}/year=${year}/month=${month}/day=${day}/hour=${hour}/',
    );
    // The template names the BlackHoleVpc's bucket, and that flow log writes Parquet, Hive, per hour under flow-logs/.
    const bucketId = Object.keys(onNetworkJson.Resources).find(
      (k) => k.startsWith('NetworkFlowLogBucket') && onNetworkJson.Resources[k].Type === 'AWS::S3::Bucket',
    )!;
    expect(template).toContain(bucketId);
    const s3Log = resourcesOf(onNetworkJson, 'AWS::EC2::FlowLog')
      .map(([, r]) => r.Properties)
      .find((p) => p.LogDestinationType === 's3');
    expect(s3Log.DestinationOptions).toEqual({ fileFormat: 'parquet', hiveCompatiblePartitions: true, perHourPartition: true });
    expect(JSON.stringify(s3Log.LogDestination)).toContain('/flow-logs/');
    // Every partition key appears in the template, in the documented order.
    const keys = [...template.matchAll(/([a-z-]+)=\$\{([a-z_]+)\}/g)].map((m) => [m[1], m[2]]);
    expect(keys).toEqual(FLOW_LOG_HIVE_PARTITIONS.map((p) => [p.pathKey, p.column]));
  });

  test('Athena workgroup: encrypted results with the telemetry key, configuration enforced, engine v3', () => {
    onNetwork.hasResourceProperties('AWS::Athena::WorkGroup', {
      Name: 'black-hole-alpha',
      RecursiveDeleteOption: false,
      WorkGroupConfiguration: {
        EnforceWorkGroupConfiguration: true,
        PublishCloudWatchMetricsEnabled: true,
        EngineVersion: { SelectedEngineVersion: 'Athena engine version 3' },
        ResultConfiguration: {
          EncryptionConfiguration: { EncryptionOption: 'SSE_KMS', KmsKey: { 'Fn::GetAtt': [Match.stringLikeRegexp('^NetworkLogKey'), 'Arn'] } },
        },
      },
    });
  });

  test('three named queries, in the pipeline database and workgroup, with the VPC CIDR', () => {
    const queries = resourcesOf(onNetworkJson, 'AWS::Athena::NamedQuery').map(([, r]) => r.Properties);
    expect(queries.map((q) => q.Name).sort()).toEqual([
      'Egress attempts to non-VPC destinations (today)',
      'Flows joined to episodes (violations of the last 7 days)',
      'Rejected flows per ENI and hour (today)',
    ]);
    for (const q of queries) {
      expect(q.Database).toBe('black_hole_alpha');
      expect(q.WorkGroup).toEqual({ Ref: expect.stringMatching(/^TelemetryWorkGroup/) });
    }
    const egress = queries.find((q) => q.Name.startsWith('Egress'));
    expect(JSON.stringify(egress.QueryString)).toContain('CidrBlock');
  });

  test('CloudWatch copy: REJECT and leaving-the-VPC metric filters over the same field list, with alarms', () => {
    const filters = resourcesOf(onNetworkJson, 'AWS::Logs::MetricFilter').map(([, r]) => r.Properties);
    const names = FLOW_LOG_FIELDS.map(flowLogColumnName);
    const reject = filters.find((f) => f.MetricTransformations[0].MetricName === 'RejectedFlows');
    expect(reject.FilterPattern).toBe(`[${names.map((n) => (n === 'action' ? 'action="REJECT"' : n)).join(', ')}]`);
    // Deliberate change: the egress metric counts flows that left the VPC (traffic-path > 1, not
    // S3/DynamoDB), no longer every egress flow without an AWS service (all intra-VPC traffic).
    const egress = filters.find((f) => f.MetricTransformations[0].MetricName === 'FlowsLeavingVpc');
    const conditions: Record<string, string> = {
      flow_direction: 'flow_direction="egress"',
      traffic_path: 'traffic_path>1',
      pkt_dst_aws_service: 'pkt_dst_aws_service!="S3" && pkt_dst_aws_service!="DYNAMODB"',
    };
    expect(egress.FilterPattern).toBe(`[${names.map((n) => conditions[n] ?? n).join(', ')}]`);
    expect(egress.FilterPattern).toBe(flowsLeavingVpcPattern().logPatternString);
    onNetwork.resourceCountIs('AWS::CloudWatch::Alarm', 2);
    onNetwork.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'RejectedFlows', Threshold: 1, Period: 60, Statistic: 'Sum' });
    onNetwork.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'FlowsLeavingVpc',
      Namespace: 'BlackHole/FlowLogs',
      Threshold: 1,
      Period: 60,
      Statistic: 'Sum',
      TreatMissingData: 'notBreaching',
    });
    onNetwork.hasResource('AWS::Logs::LogGroup', { DeletionPolicy: 'Retain', Properties: { KmsKeyId: Match.anyValue(), RetentionInDays: 365 } });
  });

  test('the leaving-the-VPC pattern: intra-VPC flows (interface endpoint, other node), S3/DynamoDB gateway endpoints and ingress do not match; the internet, EC2 addresses and peering do', () => {
    const egress = resourcesOf(onNetworkJson, 'AWS::Logs::MetricFilter')
      .map(([, r]) => r.Properties)
      .find((f) => f.MetricTransformations[0].MetricName === 'FlowsLeavingVpc');
    const matched = Object.entries(FLOWS)
      .filter(([, line]) => matchesSpaceDelimited(egress.FilterPattern, line))
      .map(([name]) => name);
    expect(matched.sort()).toEqual([...LEAVING].sort());
    // The pattern the old alarm used matched the intra-VPC flows: why it was always in ALARM.
    const old = flowLogSpaceDelimitedPattern({ 'flow-direction': 'egress', 'pkt-dst-aws-service': '-' }).logPatternString;
    expect(matchesSpaceDelimited(old, FLOWS.toOtherNode)).toBe(true);
    expect(matchesSpaceDelimited(old, FLOWS.toEc2PublicIp)).toBe(false);
  });

  test('query results bucket: KMS, TLS-only, public access blocked, access logs, retained', () => {
    const [, bucket] = resourcesOf(onNetworkJson, 'AWS::S3::Bucket').find(([k]) => k.startsWith('TelemetryQueryResultsBucket'))!;
    expect(bucket.DeletionPolicy).toBe('Retain');
    expect(bucket.Properties.BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault.SSEAlgorithm).toBe('aws:kms');
    expect(bucket.Properties.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
    expect(bucket.Properties.LoggingConfiguration.DestinationBucketName).toEqual({ Ref: expect.stringMatching(/^NetworkAccessLogBucket/) });
  });
});

describe('standalone on any VPC', () => {
  test('creates one S3 flow log of ALL traffic, 1 minute, Parquet with Hive per-hour partitions', () => {
    standalone.resourceCountIs('AWS::EC2::FlowLog', 1);
    standalone.hasResourceProperties('AWS::EC2::FlowLog', {
      TrafficType: 'ALL',
      MaxAggregationInterval: 60,
      LogFormat: flowLogFormatString(),
      LogDestinationType: 's3',
      DestinationOptions: { fileFormat: 'parquet', hiveCompatiblePartitions: true, perHourPartition: true },
    });
  });

  test('the bucket: KMS, versioned, TLS-only, public access blocked, access logs elsewhere, lifecycle, retained, Object Lock', () => {
    const [id, bucket] = resourcesOf(standaloneJson, 'AWS::S3::Bucket').find(([k]) => /^TelemetryBucket/.test(k))!;
    expect(bucket.DeletionPolicy).toBe('Retain');
    expect(bucket.UpdateReplacePolicy).toBe('Retain');
    const p = bucket.Properties;
    expect(p.BucketEncryption.ServerSideEncryptionConfiguration[0]).toEqual({
      BucketKeyEnabled: true,
      ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: { 'Fn::GetAtt': [expect.stringMatching(/^TelemetryKey/), 'Arn'] } },
    });
    expect(p.VersioningConfiguration).toEqual({ Status: 'Enabled' });
    expect(p.PublicAccessBlockConfiguration).toEqual({ BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true });
    expect(p.LoggingConfiguration.DestinationBucketName).toEqual({ Ref: expect.stringMatching(/^TelemetryAccessLogBucket/) });
    expect(p.LifecycleConfiguration.Rules[0].Transitions).toEqual([{ StorageClass: 'GLACIER_IR', TransitionInDays: 90 }]);
    expect(p.ObjectLockEnabled).toBe(true);
    expect(p.ObjectLockConfiguration).toEqual({ ObjectLockEnabled: 'Enabled', Rule: { DefaultRetention: { Mode: 'COMPLIANCE', Days: 400 } } });
    const policy = resourcesOf(standaloneJson, 'AWS::S3::BucketPolicy').find(([, r]) => r.Properties.Bucket.Ref === id)![1];
    expect(policy.Properties.PolicyDocument.Statement).toContainEqual(
      expect.objectContaining({
        Effect: 'Deny',
        Action: 's3:*',
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      }),
    );
  });

  test('the flow log key admits log delivery only from this account', () => {
    standalone.hasResourceProperties('AWS::KMS::Key', {
      EnableKeyRotation: true,
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Sid: 'AllowLogDeliveryToEncrypt',
            Principal: { Service: 'delivery.logs.amazonaws.com' },
            Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
          }),
        ]),
      },
    });
  });
});

test('invalid props are reported together, naming each property', () => {
  const stack = new Stack(new App(), 'Bad');
  const network = new BlackHoleVpc(stack, 'Network', { environmentName: 'gamma' });
  const vpc = new ec2.Vpc(stack, 'Vpc');
  expect(
    () =>
      new FlowLogPipeline(stack, 'P', {
        network,
        vpc,
        objectLock: {},
        projectionYears: [2030, 2020],
        databaseName: 'Bad-Name',
      }),
  ).toThrow(/network: give exactly one[\s\S]*objectLock: Object Lock can only[\s\S]*databaseName[\s\S]*projectionYears/);
  expect(() => new FlowLogPipeline(stack, 'Q', { vpc })).toThrow(/environmentName: '' is not allowed/);
});

test('the named queries are data over the table names and the VPC CIDR', () => {
  const qs = flowLogNamedQueries({ database: 'db', vpcCidr: '10.80.0.0/16' });
  expect(qs.map((q) => q.id)).toEqual(['egressToNonVpc', 'rejectedPerEniHour', 'flowsOfViolatingEpisodes']);
  expect(qs[0].sql).toContain(`NOT contains('10.80.0.0/16', CAST(pkt_dstaddr AS IPADDRESS))`);
  expect(qs[0].sql).toContain(`FROM "db"."vpc_flow_logs"`);
  // Only the gateway-endpoint services are exempt, not every address pkt_dst_aws_service names.
  expect(qs[0].sql).toContain("(pkt_dst_aws_service IS NULL OR pkt_dst_aws_service NOT IN ('S3', 'DYNAMODB'))");
  expect(qs[1].sql).toContain("action = 'REJECT'");
  expect(qs[1].sql).toContain('GROUP BY interface_id, instance_id, year, month, day, hour');
  expect(qs[2].sql).toContain(`JOIN "db"."vpc_flow_logs" f`);
  expect(qs[2].sql).toContain(`FROM "db"."violations" v`);
});
