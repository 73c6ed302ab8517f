// Tests never reach AWS and do not need aws-cdk-lib's built-in CloudFormation schema validation.
process.env.CDK_VALIDATION = process.env.CDK_VALIDATION ?? 'false';
process.env.CDK_DISABLE_CLI_TELEMETRY = 'true';
process.env.AWS_EC2_METADATA_DISABLED = 'true';
