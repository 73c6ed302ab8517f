import { awsActionAccessLevel, awsServiceExists, expandActionPattern } from '../../lib/common/aws-action-catalog';
import {
  catalogActionPatterns,
  catalogExpandedActions,
  ESCAPE_CATALOG,
  EscapeCategory,
  escapeEntriesForAction,
  escapeEntry,
  expandedEscapeActions,
  findEscapePatterns,
  RUNTIME_ONLY_ESCAPES,
} from '../../lib/identity/escape-catalog';

/**
 * ESCAPES.md entries and how the catalog covers them. 33 and 35 are run-time detection only (nothing
 * to deny). 21 and 28 are mainly condition-based controls in the AgentBoundary (aws:RequestedRegion;
 * aws:SourceVpc / aws:SourceVpce); the catalog still covers the actions that would undo them
 * (re-creating a default VPC, enabling regions; weakening IMDS).
 */
const ESCAPE_NUMBERS = Array.from({ length: 36 }, (_, i) => i + 1);
const RUNTIME_ONLY: Record<number, string> = {
  33: 'mining on the GPUs it was given: GuardDuty and GPU-vs-episode evidence, quarantine',
  35: 'disguise: behavioural detection, not process names',
};

/** Every IAM action ESCAPES.md names, by entry. Each must be forbidden by the catalog. */
const NAMED_ACTIONS: Record<number, string[]> = {
  1: [
    'ec2:CreateInternetGateway',
    'ec2:AttachInternetGateway',
    'ec2:CreateNatGateway',
    'ec2:AllocateAddress',
    'ec2:AssociateAddress',
    'ec2:CreateRoute',
    'ec2:ReplaceRoute',
    'ec2:CreateRouteTable',
    'ec2:AssociateRouteTable',
  ],
  2: ['ec2:AssociateVpcCidrBlock', 'ec2:CreateEgressOnlyInternetGateway'],
  3: ['ec2:ModifyVpcBlockPublicAccessOptions', 'ec2:CreateVpcBlockPublicAccessExclusion'],
  4: ['ec2:CreateVpcEndpoint', 'ec2:ModifyVpcEndpoint'],
  5: [
    'ec2:CreateVpcPeeringConnection',
    'ec2:AcceptVpcPeeringConnection',
    'ec2:CreateTransitGatewayVpcAttachment',
    'ec2:CreateTransitGatewayPeeringAttachment',
    'vpc-lattice:CreateServiceNetworkVpcAssociation',
    'ram:AcceptResourceShareInvitation',
  ],
  6: [
    'ec2:CreateVpnGateway',
    'ec2:AttachVpnGateway',
    'ec2:CreateCustomerGateway',
    'ec2:CreateVpnConnection',
    'ec2:CreateClientVpnEndpoint',
    'ec2:CreateVerifiedAccessEndpoint',
  ],
  7: ['apigateway:POST', 'lambda:CreateFunctionUrlConfig'],
  8: [
    'ec2:AuthorizeSecurityGroupEgress',
    'ec2:AuthorizeSecurityGroupIngress',
    'ec2:ModifyNetworkInterfaceAttribute',
    'ec2:CreateNetworkAclEntry',
    'ec2:ReplaceNetworkAclEntry',
  ],
  10: [
    'route53resolver:DisassociateFirewallRuleGroup',
    'route53resolver:UpdateFirewallConfig',
    'route53resolver:UpdateFirewallDomains',
    'route53resolver:UpdateFirewallRuleGroupAssociation',
  ],
  11: [
    'route53resolver:CreateResolverEndpoint',
    'route53resolver:CreateResolverRule',
    'route53resolver:AssociateResolverRule',
    'route53:AssociateVPCWithHostedZone',
  ],
  12: ['ssm:StartSession', 'ssm:ResumeSession', 'ssmmessages:OpenDataChannel', 'ssmmessages:CreateControlChannel'],
  13: [
    'ec2:CreateInstanceConnectEndpoint',
    'ec2-instance-connect:OpenTunnel',
    'ec2-instance-connect:SendSSHPublicKey',
    'ec2-instance-connect:SendSerialConsoleSSHPublicKey',
  ],
  14: ['iot:OpenTunnel', 'iot:RotateTunnelAccessToken'],
  15: ['ssm:CreateActivation', 'ssm:SendCommand', 'ssm:CreateAssociation', 'ssm:StartAutomationExecution'],
  17: ['sqs:SendMessage', 'sns:Publish', 'kinesis:PutRecord', 'events:PutEvents', 'ecr:PutImage', 'sts:AssumeRole'],
  18: [
    's3:PutBucketPolicy',
    's3:PutObjectAcl',
    's3:PutBucketPublicAccessBlock',
    's3:PutAccountPublicAccessBlock',
    'ec2:ModifySnapshotAttribute',
    'ec2:ModifyImageAttribute',
    'kms:CreateGrant',
    'logs:PutSubscriptionFilter',
    'oam:CreateLink',
    'ram:CreateResourceShare',
  ],
  19: ['events:CreateApiDestination', 'events:CreateConnection', 'sns:Subscribe', 'iot:CreateTopicRule', 'firehose:CreateDeliveryStream'],
  20: [
    'lambda:CreateFunction',
    'lambda:UpdateFunctionConfiguration',
    'codebuild:CreateProject',
    'glue:CreateJob',
    'glue:CreateDevEndpoint',
    'cloudshell:CreateEnvironment',
    'apprunner:CreateService',
    'ecs:RunTask',
    'batch:SubmitJob',
    'bedrock-agentcore:CreateCodeInterpreter',
    'sagemaker:CreateTrainingJob',
    'sagemaker:CreateProcessingJob',
    'sagemaker:CreateNotebookInstance',
  ],
  21: ['ec2:CreateDefaultVpc', 'account:EnableRegion'],
  22: [
    'iam:PutRolePolicy',
    'iam:AttachRolePolicy',
    'iam:DetachRolePolicy',
    'iam:DeleteRolePolicy',
    'iam:CreatePolicyVersion',
    'iam:SetDefaultPolicyVersion',
    'iam:UpdateAssumeRolePolicy',
    'iam:DeleteRolePermissionsBoundary',
    'iam:PutRolePermissionsBoundary',
    'iam:TagRole',
    'iam:UntagRole',
  ],
  23: [
    'iam:CreateAccessKey',
    'iam:CreateLoginProfile',
    'iam:UpdateLoginProfile',
    'iam:AddUserToGroup',
    'iam:CreateUser',
    'iam:CreateRole',
    'iam:CreateServiceLinkedRole',
  ],
  24: [
    'iam:PassRole',
    'ec2:RunInstances',
    'ec2:RequestSpotInstances',
    'lambda:CreateFunction',
    'cloudformation:CreateStack',
    'cloudformation:CreateStackSet',
    'ecs:RunTask',
  ],
  25: [
    'lambda:UpdateFunctionCode',
    'ec2:ModifyInstanceAttribute',
    'ec2:CreateLaunchTemplateVersion',
    'ecs:ExecuteCommand',
    'sagemaker:CreatePresignedNotebookInstanceUrl',
    'cloudformation:ExecuteChangeSet',
    'cloudformation:UpdateStack',
  ],
  26: ['sts:AssumeRole', 'sts:AssumeRoleWithWebIdentity', 'sts:AssumeRoleWithSAML'],
  27: ['organizations:LeaveOrganization', 'account:CloseAccount', 'account:PutAlternateContact', 'iam:CreateAccountAlias'],
  28: ['ec2:ModifyInstanceMetadataOptions'],
  29: [
    'servicequotas:RequestServiceQuotaIncrease',
    'servicequotas:PutServiceQuotaIncreaseRequestIntoTemplate',
    'servicequotas:AssociateServiceQuotaTemplate',
    'support:CreateCase',
  ],
  // budgets:DeleteBudget is not an IAM action: the DeleteBudget API is authorised by budgets:ModifyBudget.
  30: [
    'budgets:ModifyBudget',
    'budgets:CreateBudgetAction',
    'budgets:UpdateBudgetAction',
    'budgets:DeleteBudgetAction',
    'budgets:ExecuteBudgetAction',
    'ce:UpdateAnomalyMonitor',
    'ce:DeleteAnomalyMonitor',
    'ce:UpdateAnomalySubscription',
    'ce:DeleteAnomalySubscription',
    'ce:UpdateCostAllocationTagsStatus',
    'aws-portal:ModifyBilling',
    'billing:UpdateBillingPreferences',
    'payments:MakePayment',
    'iam:DetachRolePolicy',
  ],
  31: ['ec2:DeleteTags', 'tag:UntagResources'],
  32: [
    'ec2:RunInstances',
    'ec2:RequestSpotFleet',
    'ec2:CreateFleet',
    'ec2:PurchaseReservedInstancesOffering',
    'ec2:PurchaseCapacityBlock',
    'savingsplans:CreateSavingsPlan',
    'aws-marketplace:Subscribe',
    'autoscaling:UpdateAutoScalingGroup',
    'autoscaling:SetDesiredCapacity',
  ],
  34: [
    'ec2:DeleteFlowLogs',
    'logs:DeleteLogGroup',
    'logs:DeleteSubscriptionFilter',
    'logs:PutRetentionPolicy',
    'cloudtrail:StopLogging',
    'cloudtrail:DeleteTrail',
    'cloudtrail:UpdateTrail',
    'cloudtrail:PutEventSelectors',
    'guardduty:UpdateDetector',
    'guardduty:DeleteDetector',
    'guardduty:CreateFilter',
    'guardduty:CreateIPSet',
    'events:DisableRule',
    'events:RemoveTargets',
    'events:DeleteRule',
    'route53resolver:DisassociateResolverQueryLogConfig',
    's3:DeleteObject',
    's3:PutLifecycleConfiguration',
    'lambda:UpdateFunctionCode',
  ],
  36: ['ec2:StartInstances', 'iam:DeleteRolePolicy'],
};

/**
 * Patterns whose expansion reaches List/Read actions, on purpose. Anything else must target writes,
 * so that harmless reads (`ec2:Describe*`) do not look like escapes to the gate.
 */
const READ_LEVEL_BY_DESIGN: Record<string, string> = {
  'ec2messages:*': 'the Run Command channel: GetMessages is how commands reach an instance (15)',
  'account:*': 'named by ESCAPES.md 27',
  'billing:*': 'named by ESCAPES.md 30',
  'payments:*': 'named by ESCAPES.md 30',
};

describe('escape catalog data', () => {
  test('every pattern matches at least one real action of the AWS action catalog (typo protection)', () => {
    const unmatched = ESCAPE_CATALOG.flatMap((e) => e.actions.filter((p) => expandActionPattern(p).length === 0).map((p) => `${e.id}: ${p}`));
    expect(unmatched).toEqual([]);
  });

  test('patterns name an existing service and use no service wildcard (they go verbatim into policies)', () => {
    for (const p of catalogActionPatterns()) {
      const [service] = p.split(':');
      expect(/[*?]/.test(service)).toBe(false);
      expect(awsServiceExists(service)).toBe(true);
    }
  });

  test('every ESCAPES.md entry with a prevent or gate control is covered by a catalog entry', () => {
    const covered = new Set(ESCAPE_CATALOG.flatMap((e) => e.escapes));
    const missing = ESCAPE_NUMBERS.filter((n) => !covered.has(n) && !(n in RUNTIME_ONLY));
    expect(missing).toEqual([]);
    expect([...RUNTIME_ONLY_ESCAPES].sort()).toEqual(Object.keys(RUNTIME_ONLY).map(Number).sort());
    // Run-time-only entries have nothing to deny: no catalog entry claims them.
    expect(ESCAPE_CATALOG.filter((e) => e.escapes.some((n) => n in RUNTIME_ONLY))).toEqual([]);
  });

  test.each(Object.entries(NAMED_ACTIONS))('every action ESCAPES.md #%s names is forbidden', (n, actions) => {
    for (const action of actions) {
      expect(awsActionAccessLevel(action)).toBeDefined(); // the table itself names real actions
      const entries = escapeEntriesForAction(action);
      expect(entries.map((e) => e.id)).not.toEqual([]);
    }
    // and at least one of them by an entry that claims the ESCAPES.md number
    expect(actions.some((a) => escapeEntriesForAction(a).some((e) => e.escapes.includes(Number(n))))).toBe(true);
  });

  test('ids are unique and stable in form; every category is used; no two entries are identical', () => {
    const ids = ESCAPE_CATALOG.map((e) => e.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(/^[a-z]+\.[a-z0-9-]+$/);
    expect(new Set(ESCAPE_CATALOG.map((e) => e.category))).toEqual(new Set(Object.values(EscapeCategory)));
    const signatures = ESCAPE_CATALOG.map((e) => expandedEscapeActions(e).join(','));
    expect(new Set(signatures).size).toBe(signatures.length);
    for (const e of ESCAPE_CATALOG) {
      expect(e.technique.length).toBeGreaterThan(10);
      expect(e.escapes.length).toBeGreaterThan(0);
      expect(new Set(e.actions.map((a) => a.toLowerCase())).size).toBe(e.actions.length);
    }
  });

  test('patterns reach only write-level actions, except the documented read-level ones', () => {
    const offenders: string[] = [];
    for (const p of catalogActionPatterns()) {
      const reads = expandActionPattern(p).filter((a) => /^(List|Read)$/.test(awsActionAccessLevel(a) ?? ''));
      if (reads.length > 0 && !(p in READ_LEVEL_BY_DESIGN)) offenders.push(`${p}: ${reads.join(', ')}`);
    }
    expect(offenders).toEqual([]);
    for (const p of Object.keys(READ_LEVEL_BY_DESIGN)) expect(catalogActionPatterns()).toContain(p);
  });
});

describe('escape catalog queries', () => {
  test('expandedEscapeActions lists the real actions of an entry, sorted; unknown ids throw', () => {
    const actions = expandedEscapeActions('egress.internet-path');
    expect(actions).toEqual(
      expect.arrayContaining(['ec2:CreateRoute', 'ec2:CreateRouteTable', 'ec2:ReplaceRouteTableAssociation', 'ec2:CreateInternetGateway']),
    );
    expect(actions).not.toContain('ec2:DescribeRouteTables');
    expect([...actions]).toEqual([...actions].sort());
    expect(expandedEscapeActions(escapeEntry('egress.internet-path')!)).toBe(actions); // cached
    expect(() => expandedEscapeActions('no.such-entry')).toThrow(/Unknown escape catalog entry 'no.such-entry'/);
  });

  test('catalogActionPatterns returns every pattern once; catalogExpandedActions every real action once', () => {
    const patterns = catalogActionPatterns();
    expect(new Set(patterns.map((p) => p.toLowerCase())).size).toBe(patterns.length);
    for (const e of ESCAPE_CATALOG) for (const p of e.actions) expect(patterns).toContain(p);
    const expanded = catalogExpandedActions();
    expect(new Set(expanded).size).toBe(expanded.length);
    expect(expanded.length).toBeGreaterThan(patterns.length);
  });

  test('escapeEntriesForAction is case-insensitive and names the entries and categories', () => {
    expect(escapeEntriesForAction('EC2:createroute').map((e) => [e.id, e.category])).toEqual([['egress.internet-path', EscapeCategory.NETWORK_EGRESS]]);
    expect(escapeEntriesForAction('iam:DetachRolePolicy').map((e) => e.id)).toEqual(
      expect.arrayContaining(['identity.self-modification', 'spend.budget-fences', 'monitors.survive-containment']),
    );
    expect(escapeEntriesForAction('s3:GetObject')).toEqual([]);
    expect(escapeEntriesForAction('ec2:DescribeInstances')).toEqual([]);
  });

  test('escapeEntriesForAction recognises actions newer than the installed action catalog through wildcards', () => {
    expect(escapeEntriesForAction('ec2:CreateRouteSomethingNew').map((e) => e.id)).toEqual(['egress.internet-path']);
    expect(escapeEntriesForAction('ssmmessages:OpenBrandNewChannel').map((e) => e.id)).toEqual(['tunnels.session-manager']);
  });

  test('findEscapePatterns checks a granted pattern against every expanded catalog action', () => {
    const ec2All = findEscapePatterns('ec2:*').map((c) => c.entry.id);
    expect(ec2All).toEqual(expect.arrayContaining(['egress.internet-path', 'egress.loosen-filters', 'identity.pass-role', 'spend.unbounded-capacity']));
    expect(findEscapePatterns('ec2:Describe*')).toEqual([]);
    expect(findEscapePatterns('s3:GetObject')).toEqual([]);
    expect(findEscapePatterns('logs:PutLogEvents')).toEqual([]);
    const putStar = findEscapePatterns('S3:put*');
    expect(putStar.map((c) => c.entry.id)).toEqual(expect.arrayContaining(['exfiltration.share-out', 'monitors.blind-logs-and-trails']));
    expect(putStar.find((c) => c.entry.id === 'exfiltration.share-out')!.actions).toContain('s3:PutBucketPolicy');
    expect(findEscapePatterns('iam:PassRole').map((c) => c.entry.id)).toEqual(['identity.pass-role']);
    expect(findEscapePatterns('sts:AssumeRole').map((c) => c.entry.id)).toEqual(['identity.role-chaining']);
    expect(findEscapePatterns('*').length).toBe(ESCAPE_CATALOG.length);
    expect(findEscapePatterns('iam:?assRole').map((c) => c.entry.id)).toEqual(['identity.pass-role']);
  });

  test('queries are fast once cached (the gate calls them per statement)', () => {
    const patterns = ['ec2:*', 's3:*', 'iam:*', 'logs:*', '*', 'ecr:BatchGetImage', 'kms:Decrypt', 'sagemaker:Create*'];
    findEscapePatterns('warm:up');
    const start = Date.now();
    for (let i = 0; i < 1000; i++) for (const p of patterns) findEscapePatterns(p);
    for (let i = 0; i < 1000; i++) escapeEntriesForAction('ec2:CreateRoute');
    expect(Date.now() - start).toBeLessThan(500);
  });
});
