import { RemovalPolicy, Tags } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { ENVIRONMENT_TAG } from '../common/tags';
import { LEDGER_ATTRIBUTES } from './runtime/ledger-client';

/** Properties of an EpisodeLedger. */
export interface EpisodeLedgerProps {
  /** Environment name (tagged). */
  readonly environmentName: string;
  /** Key that encrypts the table. */
  readonly encryptionKey: kms.IKey;
}

/**
 * Which episode/run is active on which instance, ENI, training job or role session, and since when.
 * PAY_PER_REQUEST, point-in-time recovery, customer-managed KMS, TTL on `expiresAt`, retained.
 * Keys: `subject` (`instance#i-...`) + `startedAt` (epoch ms); GSI `byEpisode` (episodeId, subject).
 * Harnesses write it with `recordEpisodeStart`/`recordEpisodeEnd` (runtime/ledger-client.ts) after
 * {@link EpisodeLedger.grantRecord}; agents must never get that grant.
 */
export class EpisodeLedger extends Construct {
  /** The ledger table. */
  public readonly table: dynamodb.Table;
  private readonly key: kms.IKey;

  constructor(scope: Construct, id: string, props: EpisodeLedgerProps) {
    super(scope, id);
    this.key = props.encryptionKey;
    this.table = new dynamodb.Table(this, 'Table', {
      partitionKey: { name: LEDGER_ATTRIBUTES.partitionKey, type: dynamodb.AttributeType.STRING },
      sortKey: { name: LEDGER_ATTRIBUTES.sortKey, type: dynamodb.AttributeType.NUMBER },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED,
      encryptionKey: props.encryptionKey,
      timeToLiveAttribute: LEDGER_ATTRIBUTES.ttl,
      removalPolicy: RemovalPolicy.RETAIN,
      deletionProtection: true,
    });
    this.table.addGlobalSecondaryIndex({
      indexName: LEDGER_ATTRIBUTES.episodeIndex,
      partitionKey: { name: LEDGER_ATTRIBUTES.episodeId, type: dynamodb.AttributeType.STRING },
      sortKey: { name: LEDGER_ATTRIBUTES.partitionKey, type: dynamodb.AttributeType.STRING },
      projectionType: dynamodb.ProjectionType.ALL,
    });
    Tags.of(this).add(ENVIRONMENT_TAG, props.environmentName);
  }

  /**
   * What `recordEpisodeStart`/`recordEpisodeEnd` need: PutItem and UpdateItem on the table (and the
   * key). `startEpisodeSession` records through `recordEpisodeStart`: grant the harness this, and
   * name it in the agent role's `episodeSessions.harnessPrincipals` (the trust policy names it, so
   * in the same account it needs no sts:AssumeRole grant of its own).
   */
  public grantRecord(grantee: iam.IGrantable): iam.Grant {
    this.key.grant(grantee, 'kms:Encrypt', 'kms:Decrypt', 'kms:GenerateDataKey', 'kms:DescribeKey');
    return iam.Grant.addToPrincipal({ grantee, actions: ['dynamodb:PutItem', 'dynamodb:UpdateItem'], resourceArns: [this.table.tableArn] });
  }

  /** What `findActiveEpisode` needs: Query on the table (not its index) and decrypt. */
  public grantLookup(grantee: iam.IGrantable): iam.Grant {
    this.key.grant(grantee, 'kms:Decrypt', 'kms:DescribeKey');
    return iam.Grant.addToPrincipal({ grantee, actions: ['dynamodb:Query'], resourceArns: [this.table.tableArn] });
  }
}
