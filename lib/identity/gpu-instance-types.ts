/**
 * The accelerated instance families a black hole may train on: the instance-type allowlist that
 * the SageMaker launch policy (`sagemaker:InstanceTypes`) and, later, the EC2 GPU fleet
 * (`ec2:InstanceType`) and the usage alarms read. Data only; one module.
 *
 * It lives in lib/identity for now because the launch policy is its only reader; it moves to a
 * shared place when lib/compute or lib/billing read it too.
 */

export interface GpuInstanceFamily {
  /** EC2 family name, e.g. `p5`. SageMaker types are `ml.<family>.<size>`. */
  readonly family: string;
  /** Accelerator, for documentation and reports. */
  readonly accelerator: string;
  /**
   * The AWS/Usage vCPU quota class the family counts against (`P`, `G`, `Trn`, `Inf`...), the
   * one-minute signal for capacity alarms.
   */
  readonly usageClass: string;
}

/**
 * Families that exist as SageMaker training instance types. Every one is Nitro-based and supports
 * encryption in transit between instances; the GPU fleet's Control Tower acknowledgments rely on
 * it, so a family added here must be too.
 */
export const GPU_INSTANCE_FAMILIES: readonly GpuInstanceFamily[] = Object.freeze(
  [
    { family: 'p4d', accelerator: 'NVIDIA A100 40 GB', usageClass: 'P' },
    { family: 'p4de', accelerator: 'NVIDIA A100 80 GB', usageClass: 'P' },
    { family: 'p5', accelerator: 'NVIDIA H100', usageClass: 'P' },
    { family: 'p5e', accelerator: 'NVIDIA H200', usageClass: 'P' },
    { family: 'p5en', accelerator: 'NVIDIA H200', usageClass: 'P' },
    { family: 'p6-b200', accelerator: 'NVIDIA B200', usageClass: 'P' },
    { family: 'g5', accelerator: 'NVIDIA A10G', usageClass: 'G' },
    { family: 'g6', accelerator: 'NVIDIA L4', usageClass: 'G' },
    { family: 'g6e', accelerator: 'NVIDIA L40S', usageClass: 'G' },
    { family: 'trn1', accelerator: 'AWS Trainium', usageClass: 'Trn' },
    { family: 'trn1n', accelerator: 'AWS Trainium', usageClass: 'Trn' },
    { family: 'trn2', accelerator: 'AWS Trainium2', usageClass: 'Trn' },
  ].map((f) => Object.freeze(f)),
);

const SAGEMAKER_TYPE = /^ml\.([a-z0-9-]+)\.(\*|[a-z0-9]+)$/;

/**
 * The `sagemaker:InstanceTypes` patterns of every allowed family (`ml.p5.*`, ...): the launch
 * policy's default allowlist.
 */
export function sagemakerGpuInstanceTypePatterns(): string[] {
  return GPU_INSTANCE_FAMILIES.map((f) => `ml.${f.family}.*`);
}

/**
 * True when `type` is a SageMaker instance type (`ml.p5.48xlarge`) or family pattern (`ml.p5.*`)
 * of an allowed family.
 */
export function isAllowedSageMakerGpuInstanceType(type: string): boolean {
  const m = SAGEMAKER_TYPE.exec(type);
  return m !== null && GPU_INSTANCE_FAMILIES.some((f) => f.family === m[1]);
}
