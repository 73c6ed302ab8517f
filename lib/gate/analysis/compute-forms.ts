/**
 * The CloudFormation compute forms the gate knows, as data (one module): where each form's code
 * gets credentials (role and instance-profile properties) and where it runs (subnet properties).
 * identity-reachability.ts reads it. A test walks every L1 resource type of aws-cdk-lib and fails
 * when a type with both a role-like and a network-placement property is in none of the three
 * tables below: a new compute service is never silently out of the analysis.
 *
 * Paths are dotted CloudFormation property paths; `[]` walks a list (`NetworkInterfaces[].SubnetId`).
 */

/** Subnets read from another resource the compute names (by Ref/ARN, or by name). */
export interface SubnetLink {
  /** The property of the compute resource naming the other resource. */
  readonly via: string;
  /** Types the named resource may have. */
  readonly types: readonly string[];
  /** Name properties (dotted) of those types, for references by name. */
  readonly nameProperties?: readonly string[];
  /** Subnet properties of the named resource. */
  readonly subnets: readonly string[];
}

export type SubnetSource = string | SubnetLink;

export interface ComputeForm {
  /** Properties holding role ARNs or names the code runs with. */
  readonly roles?: readonly string[];
  /** Properties holding instance profile ARNs or names. */
  readonly profiles?: readonly string[];
  /** Where it runs. Unresolvable values count as possibly an environment's subnets. */
  readonly subnets?: readonly SubnetSource[];
  /**
   * Runs in AWS's network unless a subnet property is set (a Lambda without VpcConfig): then its
   * environment tag says who owns it, not where it runs.
   */
  readonly vpcOptional?: boolean;
  /** Public description of the form (how the code gets the role). */
  readonly source: string;
}

const DOC = (path: string) => `https://docs.aws.amazon.com/${path}`;
const CFN = (page: string) => DOC(`AWSCloudFormation/latest/TemplateReference/${page}.html`);

/** Compute read straight from this table: its roles are reachable when its placement is an environment's. */
export const COMPUTE_FORMS: Readonly<Record<string, ComputeForm>> = {
  'AWS::EC2::Instance': {
    profiles: ['IamInstanceProfile'],
    subnets: [
      'SubnetId',
      'NetworkInterfaces[].SubnetId',
      { via: 'NetworkInterfaces[].NetworkInterfaceId', types: ['AWS::EC2::NetworkInterface'], subnets: ['SubnetId'] },
    ],
    source: CFN('aws-resource-ec2-instance'),
  },
  // Placement also comes from the instances, groups and fleets that launch it (identity-reachability).
  'AWS::EC2::LaunchTemplate': {
    profiles: ['LaunchTemplateData.IamInstanceProfile.Arn', 'LaunchTemplateData.IamInstanceProfile.Name'],
    subnets: ['LaunchTemplateData.NetworkInterfaces[].SubnetId'],
    source: CFN('aws-resource-ec2-launchtemplate'),
  },
  'AWS::AutoScaling::LaunchConfiguration': { profiles: ['IamInstanceProfile'], source: CFN('aws-resource-autoscaling-launchconfiguration') },
  'AWS::EC2::SpotFleet': {
    profiles: ['SpotFleetRequestConfigData.LaunchSpecifications[].IamInstanceProfile.Arn'],
    subnets: [
      'SpotFleetRequestConfigData.LaunchSpecifications[].SubnetId',
      'SpotFleetRequestConfigData.LaunchSpecifications[].NetworkInterfaces[].SubnetId',
      'SpotFleetRequestConfigData.LaunchTemplateConfigs[].Overrides[].SubnetId',
    ],
    source: CFN('aws-resource-ec2-spotfleet'),
  },
  'AWS::EC2::EC2Fleet': {
    profiles: ['LaunchTemplateConfigs[].Overrides[].IamInstanceProfile.Arn'],
    subnets: ['LaunchTemplateConfigs[].Overrides[].SubnetId', 'LaunchTemplateConfigs[].Overrides[].NetworkInterfaces[].SubnetId'],
    source: CFN('aws-resource-ec2-ec2fleet'),
  },
  'AWS::Lambda::Function': {
    roles: ['Role'],
    subnets: [
      'VpcConfig.SubnetIds',
      // Lambda Managed Instances: the function runs on its capacity provider's instances.
      {
        via: 'CapacityProviderConfig.LambdaManagedInstancesCapacityProviderConfig.CapacityProviderArn',
        types: ['AWS::Lambda::CapacityProvider'],
        nameProperties: ['CapacityProviderName'],
        subnets: ['VpcConfig.SubnetIds'],
      },
    ],
    vpcOptional: true,
    source: DOC('lambda/latest/dg/lambda-intro-execution-role.html'),
  },
  'AWS::SageMaker::NotebookInstance': { roles: ['RoleArn'], subnets: ['SubnetId'], source: CFN('aws-resource-sagemaker-notebookinstance') },
  'AWS::SageMaker::Model': { roles: ['ExecutionRoleArn'], subnets: ['VpcConfig.Subnets'], source: CFN('aws-resource-sagemaker-model') },
  'AWS::SageMaker::EndpointConfig': { roles: ['ExecutionRoleArn'], subnets: ['VpcConfig.Subnets'], source: CFN('aws-resource-sagemaker-endpointconfig') },
  'AWS::SageMaker::Domain': {
    roles: ['DefaultUserSettings.ExecutionRole', 'DefaultSpaceSettings.ExecutionRole', 'DomainSettings.RStudioServerProDomainSettings.DomainExecutionRoleArn'],
    subnets: ['SubnetIds'],
    source: DOC('sagemaker/latest/dg/studio-updated-vpc.html'),
  },
  // A user profile's apps run in its domain's subnets with the profile's execution role.
  'AWS::SageMaker::UserProfile': {
    roles: ['UserSettings.ExecutionRole'],
    subnets: [{ via: 'DomainId', types: ['AWS::SageMaker::Domain'], nameProperties: ['DomainName'], subnets: ['SubnetIds'] }],
    source: CFN('aws-resource-sagemaker-userprofile'),
  },
  'AWS::SageMaker::Pipeline': { roles: ['RoleArn'], source: CFN('aws-resource-sagemaker-pipeline') },
  'AWS::SageMaker::ProcessingJob': { roles: ['RoleArn'], subnets: ['NetworkConfig.VpcConfig.Subnets'], source: CFN('aws-resource-sagemaker-processingjob') },
  'AWS::SageMaker::DataQualityJobDefinition': {
    roles: ['RoleArn'],
    subnets: ['NetworkConfig.VpcConfig.Subnets'],
    source: CFN('aws-resource-sagemaker-dataqualityjobdefinition'),
  },
  'AWS::SageMaker::ModelBiasJobDefinition': {
    roles: ['RoleArn'],
    subnets: ['NetworkConfig.VpcConfig.Subnets'],
    source: CFN('aws-resource-sagemaker-modelbiasjobdefinition'),
  },
  'AWS::SageMaker::ModelExplainabilityJobDefinition': {
    roles: ['RoleArn'],
    subnets: ['NetworkConfig.VpcConfig.Subnets'],
    source: CFN('aws-resource-sagemaker-modelexplainabilityjobdefinition'),
  },
  'AWS::SageMaker::ModelQualityJobDefinition': {
    roles: ['RoleArn'],
    subnets: ['NetworkConfig.VpcConfig.Subnets'],
    source: CFN('aws-resource-sagemaker-modelqualityjobdefinition'),
  },
  'AWS::SageMaker::MonitoringSchedule': {
    roles: ['MonitoringScheduleConfig.MonitoringJobDefinition.RoleArn'],
    subnets: ['MonitoringScheduleConfig.MonitoringJobDefinition.NetworkConfig.VpcConfig.Subnets'],
    source: CFN('aws-resource-sagemaker-monitoringschedule'),
  },
  // SageMaker HyperPod: every instance group runs with its execution role.
  'AWS::SageMaker::Cluster': {
    roles: ['InstanceGroups[].ExecutionRole', 'RestrictedInstanceGroups[].ExecutionRole'],
    subnets: ['VpcConfig.Subnets', 'InstanceGroups[].OverrideVpcConfig.Subnets', 'RestrictedInstanceGroups[].OverrideVpcConfig.Subnets'],
    source: CFN('aws-resource-sagemaker-cluster'),
  },
  'AWS::CodeBuild::Project': {
    roles: ['ServiceRole', 'BuildBatchConfig.ServiceRole'],
    subnets: ['VpcConfig.Subnets'],
    vpcOptional: true,
    source: CFN('aws-resource-codebuild-project'),
  },
  'AWS::CodeBuild::Fleet': { roles: ['FleetServiceRole'], subnets: ['FleetVpcConfig.Subnets'], vpcOptional: true, source: CFN('aws-resource-codebuild-fleet') },
  // Placement comes from what launches the task (services, task sets, rules, schedules, pipes).
  'AWS::ECS::TaskDefinition': { roles: ['TaskRoleArn'], source: DOC('AmazonECS/latest/developerguide/task-iam-roles.html') },
  'AWS::ECS::ExpressGatewayService': {
    roles: ['TaskRoleArn'],
    subnets: ['NetworkConfiguration.Subnets'],
    source: CFN('aws-resource-ecs-expressgatewayservice'),
  },
  'AWS::ECS::CapacityProvider': {
    profiles: ['ManagedInstancesProvider.InstanceLaunchTemplate.Ec2InstanceProfileArn'],
    subnets: ['ManagedInstancesProvider.InstanceLaunchTemplate.NetworkConfiguration.Subnets'],
    source: CFN('aws-resource-ecs-capacityprovider'),
  },
  // Multi-node parallel jobs: every node range's container runs with its job role.
  'AWS::Batch::JobDefinition': {
    roles: [
      'ContainerProperties.JobRoleArn',
      'EcsProperties.TaskProperties[].TaskRoleArn',
      'NodeProperties.NodeRangeProperties[].Container.JobRoleArn',
      'NodeProperties.NodeRangeProperties[].EcsProperties.TaskProperties[].TaskRoleArn',
    ],
    source: DOC('batch/latest/userguide/multi-node-parallel-jobs.html'),
  },
  'AWS::Batch::ComputeEnvironment': {
    profiles: ['ComputeResources.InstanceRole', 'ComputeResources.ManagedInstancesProvider.InstanceLaunchTemplate.Ec2InstanceProfileArn'],
    subnets: ['ComputeResources.Subnets', 'ComputeResources.ManagedInstancesProvider.InstanceLaunchTemplate.NetworkConfiguration.Subnets'],
    source: CFN('aws-resource-batch-computeenvironment'),
  },
  // Pods on the nodes reach the node role through the instance metadata service.
  'AWS::EKS::Nodegroup': { roles: ['NodeRole'], subnets: ['Subnets'], source: CFN('aws-resource-eks-nodegroup') },
  // EKS Auto Mode nodes run with ComputeConfig.NodeRoleArn in the cluster's subnets.
  'AWS::EKS::Cluster': { roles: ['ComputeConfig.NodeRoleArn'], subnets: ['ResourcesVpcConfig.SubnetIds'], source: DOC('eks/latest/userguide/automode.html') },
  'AWS::EKS::FargateProfile': { roles: ['PodExecutionRoleArn'], subnets: ['Subnets'], source: CFN('aws-resource-eks-fargateprofile') },
  // A Glue job runs in a VPC through its connections (PhysicalConnectionRequirements.SubnetId).
  'AWS::Glue::Job': {
    roles: ['Role'],
    subnets: [
      {
        via: 'Connections.Connections[]',
        types: ['AWS::Glue::Connection'],
        nameProperties: ['ConnectionInput.Name'],
        subnets: ['ConnectionInput.PhysicalConnectionRequirements.SubnetId'],
      },
    ],
    vpcOptional: true,
    source: DOC('glue/latest/dg/glue-connections.html'),
  },
  'AWS::Glue::DevEndpoint': { roles: ['RoleArn'], subnets: ['SubnetId'], vpcOptional: true, source: CFN('aws-resource-glue-devendpoint') },
  // The cluster's EC2 instances run with the JobFlowRole instance profile; EMR uses the ServiceRole.
  'AWS::EMR::Cluster': {
    roles: ['ServiceRole'],
    profiles: ['JobFlowRole'],
    subnets: ['Instances.Ec2SubnetId', 'Instances.Ec2SubnetIds'],
    source: DOC('emr/latest/ManagementGuide/emr-iam-role-for-ec2.html'),
  },
  'AWS::EMR::Studio': { roles: ['ServiceRole', 'UserRole'], subnets: ['SubnetIds'], source: CFN('aws-resource-emr-studio') },
  'AWS::MWAA::Environment': {
    roles: ['ExecutionRoleArn'],
    subnets: ['NetworkConfiguration.SubnetIds'],
    source: DOC('mwaa/latest/userguide/mwaa-create-role.html'),
  },
  'AWS::MWAAServerless::Workflow': {
    roles: ['RoleArn'],
    subnets: ['NetworkConfiguration.SubnetIds'],
    vpcOptional: true,
    source: CFN('aws-resource-mwaaserverless-workflow'),
  },
  'AWS::AppStream::Fleet': {
    roles: ['IamRoleArn'],
    subnets: ['VpcConfig.SubnetIds'],
    vpcOptional: true,
    source: DOC('appstream2/latest/developerguide/using-iam-roles-to-grant-permissions-to-applications-scripts-streaming-instances.html'),
  },
  'AWS::AppStream::ImageBuilder': {
    roles: ['IamRoleArn'],
    subnets: ['VpcConfig.SubnetIds'],
    vpcOptional: true,
    source: CFN('aws-resource-appstream-imagebuilder'),
  },
  'AWS::AppStream::AppBlockBuilder': {
    roles: ['IamRoleArn'],
    subnets: ['VpcConfig.SubnetIds'],
    vpcOptional: true,
    source: CFN('aws-resource-appstream-appblockbuilder'),
  },
  'AWS::AppRunner::Service': {
    roles: ['InstanceConfiguration.InstanceRoleArn'],
    subnets: [
      {
        via: 'NetworkConfiguration.EgressConfiguration.VpcConnectorArn',
        types: ['AWS::AppRunner::VpcConnector'],
        nameProperties: ['VpcConnectorName'],
        subnets: ['Subnets'],
      },
    ],
    vpcOptional: true,
    source: DOC('apprunner/latest/dg/network-vpc.html'),
  },
  'AWS::BedrockAgentCore::CodeInterpreterCustom': {
    roles: ['ExecutionRoleArn'],
    subnets: ['NetworkConfiguration.VpcConfig.Subnets'],
    vpcOptional: true,
    source: CFN('aws-resource-bedrockagentcore-codeinterpretercustom'),
  },
  'AWS::BedrockAgentCore::BrowserCustom': {
    roles: ['ExecutionRoleArn'],
    subnets: ['NetworkConfiguration.VpcConfig.Subnets'],
    vpcOptional: true,
    source: CFN('aws-resource-bedrockagentcore-browsercustom'),
  },
  'AWS::BedrockAgentCore::Runtime': {
    roles: ['RoleArn'],
    subnets: ['NetworkConfiguration.NetworkModeConfig.Subnets'],
    vpcOptional: true,
    source: CFN('aws-resource-bedrockagentcore-runtime'),
  },
  'AWS::BedrockAgentCore::Harness': {
    roles: ['ExecutionRoleArn'],
    subnets: ['Environment.AgentCoreRuntimeEnvironment.NetworkConfiguration.NetworkModeConfig.Subnets'],
    vpcOptional: true,
    source: CFN('aws-resource-bedrockagentcore-harness'),
  },
  'AWS::BedrockAgentCore::CapacityProvider': {
    profiles: ['ComputeConfiguration.Ec2Configuration.LaunchTemplateSource.LaunchParameters.InstanceProfileArn'],
    subnets: ['ComputeConfiguration.Ec2Configuration.VpcConfiguration.Subnets'],
    source: CFN('aws-resource-bedrockagentcore-capacityprovider'),
  },
  'AWS::Deadline::Fleet': { roles: ['RoleArn'], source: CFN('aws-resource-deadline-fleet') },
  'AWS::DeviceFarm::Project': {
    roles: ['ExecutionRoleArn'],
    subnets: ['VpcConfig.SubnetIds'],
    vpcOptional: true,
    source: CFN('aws-resource-devicefarm-project'),
  },
  'AWS::ImageBuilder::InfrastructureConfiguration': {
    profiles: ['InstanceProfileName'],
    subnets: ['SubnetId'],
    source: CFN('aws-resource-imagebuilder-infrastructureconfiguration'),
  },
  'AWS::KafkaConnect::Connector': {
    roles: ['ServiceExecutionRoleArn'],
    subnets: ['KafkaCluster.ApacheKafkaCluster.Vpc.Subnets'],
    source: CFN('aws-resource-kafkaconnect-connector'),
  },
  'AWS::KinesisAnalyticsV2::Application': {
    roles: ['ServiceExecutionRole'],
    subnets: ['ApplicationConfiguration.VpcConfigurations[].SubnetIds'],
    vpcOptional: true,
    source: CFN('aws-resource-kinesisanalyticsv2-application'),
  },
  'AWS::OpsWorks::Stack': { profiles: ['DefaultInstanceProfileArn'], subnets: ['DefaultSubnetId'], source: CFN('aws-resource-opsworks-stack') },
  'AWS::OpsWorksCM::Server': { profiles: ['InstanceProfileArn'], subnets: ['SubnetIds'], source: CFN('aws-resource-opsworkscm-server') },
  'AWS::PCS::ComputeNodeGroup': { profiles: ['IamInstanceProfileArn'], subnets: ['SubnetIds'], source: CFN('aws-resource-pcs-computenodegroup') },
  'AWS::Synthetics::Canary': {
    roles: ['ExecutionRoleArn'],
    subnets: ['VpcConfig.SubnetIds'],
    vpcOptional: true,
    source: CFN('aws-resource-synthetics-canary'),
  },
  'AWS::WorkSpaces::Directory': {
    roles: ['WorkspaceCreationProperties.InstanceIamRoleArn'],
    subnets: ['SubnetIds'],
    source: CFN('aws-resource-workspaces-directory'),
  },
  'AWS::WorkspacesInstances::WorkspaceInstance': {
    profiles: ['ManagedInstance.IamInstanceProfile.Arn', 'ManagedInstance.IamInstanceProfile.Name'],
    subnets: ['ManagedInstance.SubnetId', 'ManagedInstance.NetworkInterfaces[].SubnetId'],
    source: CFN('aws-resource-workspacesinstances-workspaceinstance'),
  },
};

/**
 * Types analysed by dedicated code in identity-reachability.ts, because their code runs through
 * another resource: what launches what.
 */
export const LINKED_COMPUTE_FORMS: Readonly<Record<string, string>> = {
  'AWS::AutoScaling::AutoScalingGroup': 'its instances run its launch template or configuration (also per-instance-type overrides) in VPCZoneIdentifier',
  'AWS::GameLift::GameServerGroup': 'its instances run its launch template in VpcSubnets',
  'AWS::ECS::Service': 'runs its task definition (by Ref, ARN or family name) in NetworkConfiguration.AwsvpcConfiguration.Subnets',
  'AWS::ECS::TaskSet': 'runs its task definition in NetworkConfiguration.AwsVpcConfiguration.Subnets',
  'AWS::Events::Rule': "Targets[].EcsParameters run a task definition in the target's subnets (the target RoleArn only launches it)",
  'AWS::Scheduler::Schedule': "Target.EcsParameters run a task definition in the target's subnets (Target.RoleArn only launches it)",
  'AWS::Pipes::Pipe': "TargetParameters.EcsTaskParameters run a task definition (or Overrides.TaskRoleArn) in the target's subnets",
  'AWS::Lambda::CapacityProvider': 'functions that name it run in its VpcConfig subnets (read through AWS::Lambda::Function)',
  'AWS::Lambda::NetworkConnector':
    'it gives functions egress into its subnets with no per-function link in the template: with environment (or unresolvable) subnets, every function counts as placed there',
  'AWS::SageMaker::Space': "runs with its domain's DefaultSpaceSettings.ExecutionRole in the domain's subnets (read through AWS::SageMaker::Domain)",
};

/** Types with a role-like and a network property that run no customer code with that role in a VPC. */
export const NOT_COMPUTE_IN_VPC: Readonly<Record<string, string>> = {
  'AWS::AmazonMQ::Broker': 'a message broker; LdapServerMetadata role names are LDAP groups, not IAM roles',
  'AWS::APS::Scraper': 'an AWS-run Prometheus scraper: its roles collect and write metrics, no customer code runs',
  'AWS::BedrockAgentCore::Gateway': 'an AWS-run MCP gateway: its role calls the configured targets; the subnets are a private authorizer endpoint',
  'AWS::Comprehend::DocumentClassifier': 'AWS-run model training with the data-access role; no customer code',
  'AWS::Comprehend::EntityRecognizer': 'AWS-run model training with the data-access role; no customer code',
  'AWS::Comprehend::Flywheel': 'AWS-run model training with the data-access role; no customer code',
  'AWS::DataZone::Connection': 'a connection definition; the Glue or EMR compute that uses it is analysed as that resource',
  'AWS::ECS::Gateway': 'an AWS-managed shared load balancer',
  'AWS::Elasticsearch::Domain': 'a search domain; its roles serve Cognito sign-in; no customer code',
  'AWS::OpenSearchService::Domain': 'a search domain; its roles serve Cognito/SAML sign-in; no customer code',
  'AWS::Glue::TableOptimizer': 'AWS-run table compaction and retention',
  'AWS::Grafana::Workspace': 'AWS-run Grafana; the role reads data sources',
  'AWS::GroundStation::DataflowEndpointGroup': 'Ground Station places its own network interfaces with the role; no customer code',
  'AWS::InspectorV2::Filter': 'a findings filter: the role and subnet are filter criteria',
  'AWS::IoT::TopicRuleDestination': 'AWS delivers IoT rule messages into the VPC with the role; no customer code',
  'AWS::Kendra::DataSource': 'an AWS-run crawler; enrichment Lambdas are AWS::Lambda::Function resources analysed on their own',
  'AWS::KinesisFirehose::DeliveryStream': 'AWS-run delivery; transformation Lambdas are analysed on their own',
  'AWS::LookoutMetrics::AnomalyDetector': 'AWS-run anomaly detection reading its data sources',
  'AWS::MediaConnect::Flow': 'media transport; no customer code',
  'AWS::MediaConnect::FlowVpcInterface': 'media transport interface; no customer code',
  'AWS::MediaLive::Channel': 'media encoding; no customer code',
  'AWS::MediaLive::Input': 'media input; no customer code',
  'AWS::MSK::Replicator': 'AWS-run replication between Kafka clusters',
  'AWS::OSIS::Pipeline': 'AWS-run OpenSearch Ingestion (a Data Prepper configuration, no customer code)',
  'AWS::QBusiness::DataSource': 'an AWS-run connector',
  'AWS::QuickSight::VPCConnection': "QuickSight's network interfaces for data sources; no customer code",
  'AWS::RDS::DBProxy': 'a database proxy; the role reads database secrets',
  'AWS::RDS::DBProxyEndpoint': 'a database proxy endpoint',
  'AWS::RTBFabric::ResponderGateway': 'an AWS-run gateway for bidding traffic',
  'AWS::Serverless::Function': 'exists only under the AWS::Serverless transform, which BlackHole-GATE1 reports as unverifiable',
  'AWS::SecretsManager::RotationSchedule': "a hosted rotation Lambda runs AWS's rotation code under the AWS::SecretsManager transform (BlackHole-GATE1)",
  'AWS::SecurityAgent::Pentest': 'an AWS-run penetration test',
  'AWS::SecurityHub::Insight': 'a findings filter: the role and subnet are filter criteria',
  'AWS::Transfer::Server': 'an AWS-run file transfer endpoint; workflow and identity-provider Lambdas are analysed on their own',
  'AWS::Transfer::WebApp': 'an AWS-run web app for file transfer',
};

/** Every role-holding property path of the compute table (for "is this role used by compute?"). */
export function computeRolePaths(type: string): readonly string[] {
  return COMPUTE_FORMS[type]?.roles ?? [];
}
