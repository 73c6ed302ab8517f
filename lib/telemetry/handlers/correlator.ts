/**
 * Correlator Lambda entry point: reads its configuration from the environment and gives the pure
 * logic (runtime/correlate.ts) AWS SDK v3 clients. The SDK modules are external (Lambda runtime).
 */
import { correlate, CorrelatorApis, CorrelatorConfig, SkippedRecord } from '../runtime/correlate';
import { dynamoDbFromSdkClient } from '../runtime/ledger-client';

let apis: CorrelatorApis | undefined;

function sdkApis(): CorrelatorApis {
  const ddb = require('@aws-sdk/client-dynamodb');
  const eb = require('@aws-sdk/client-eventbridge');
  const s3 = require('@aws-sdk/client-s3');
  const events = new eb.EventBridgeClient({});
  const s3Client = new s3.S3Client({});
  return {
    ledger: dynamoDbFromSdkClient({
      client: new ddb.DynamoDBClient({}),
      PutItemCommand: ddb.PutItemCommand,
      UpdateItemCommand: ddb.UpdateItemCommand,
      QueryCommand: ddb.QueryCommand,
    }),
    events: { putEvents: (input) => events.send(new eb.PutEventsCommand(input)) },
    archive: { putObject: (input) => s3Client.send(new s3.PutObjectCommand(input)) },
  };
}

export function configFromEnv(env: Record<string, string | undefined>): CorrelatorConfig {
  return {
    environment: env.ENVIRONMENT_NAME ?? '',
    eventBusName: env.EVENT_BUS_NAME ?? '',
    ledgerTableName: env.LEDGER_TABLE_NAME ?? '',
    vpcCidrs: (env.VPC_CIDRS ?? '').split(',').filter((c) => c),
    agentRoleArns: env.AGENT_ROLE_ARNS ? env.AGENT_ROLE_ARNS.split(',') : undefined,
    archiveBucket: env.ARCHIVE_BUCKET || undefined,
    archivePrefix: env.ARCHIVE_PREFIX || undefined,
  };
}

export async function handler(event: unknown): Promise<{ violations: number; skipped: number }> {
  apis = apis ?? sdkApis();
  const skipped: SkippedRecord[] = [];
  const out = await correlate(event, configFromEnv(process.env), apis, skipped);
  return { violations: out.length, skipped: skipped.length };
}
