/**
 * The AWS/Usage metrics the billing guard's fast path alarms on: data only, one module. Each entry
 * is an EC2 vCPU quota class whose one-minute `ResourceCount` metric is published by AWS and whose
 * dimensions are grounded in a public AWS source (see test/fixtures/billing/SOURCES.md).
 *
 * Instance families map to classes through `usageClass` of lib/identity/gpu-instance-types.ts (the
 * GPU allowlist): class = `<usageClass>/<OnDemand|Spot>`. A family whose class is not listed here
 * (Trainium, `Trn`) has no grounded usage metric yet (the EC2 documentation's Class list has
 * Standard, F, G, Inf, P and X only: test/fixtures/billing/ec2-usage-metrics_doc-excerpt.md), so the
 * guard gives it no one-minute alarm and warns, rather than alarm on a metric that may never be
 * published or fail the synth of a Trainium fleet; the budget and its stop still cover it.
 *
 * SageMaker training instances: SageMaker's quotas (`ml.<type> for training job usage`) are not known
 * to publish an AWS/Usage metric, so there is no fast path for them; the budget and its actions are
 * the guard there. Add an entry here once a real metric is documented.
 */

/** Namespace of the usage metrics. */
export const USAGE_NAMESPACE = 'AWS/Usage';
/** Metric name of resource usage (vCPUs of running instances). */
export const USAGE_METRIC_NAME = 'ResourceCount';
/** Statistic AWS recommends for `ResourceCount` (`MetricStatisticRecommendation`). */
export const USAGE_STATISTIC = 'Maximum';

export type PurchaseOption = 'OnDemand' | 'Spot';

export interface UsageMetricClass {
  /** Value of the `Class` dimension, e.g. `P/OnDemand`. Also the key of declared capacity. */
  readonly usageClass: string;
  /** The instance-type letter(s) the class counts (`usageClass` of the GPU allowlist). */
  readonly familyClass: string;
  readonly purchaseOption: PurchaseOption;
  /** Service Quotas code of the quota whose usage metric this is. */
  readonly quotaCode: string;
  /** Service Quotas name of that quota. */
  readonly quotaName: string;
}

/** EC2 vCPU usage classes of accelerated instances with a grounded AWS/Usage metric. */
export const GPU_USAGE_CLASSES: readonly UsageMetricClass[] = Object.freeze(
  [
    { usageClass: 'P/OnDemand', familyClass: 'P', purchaseOption: 'OnDemand', quotaCode: 'L-417A185B', quotaName: 'Running On-Demand P instances' },
    { usageClass: 'G/OnDemand', familyClass: 'G', purchaseOption: 'OnDemand', quotaCode: 'L-DB2E81BA', quotaName: 'Running On-Demand G and VT instances' },
    { usageClass: 'P/Spot', familyClass: 'P', purchaseOption: 'Spot', quotaCode: 'L-7212CCBC', quotaName: 'All P Spot Instance Requests' },
    { usageClass: 'G/Spot', familyClass: 'G', purchaseOption: 'Spot', quotaCode: 'L-3819A6DF', quotaName: 'All G and VT Spot Instance Requests' },
  ].map((c) => Object.freeze(c as UsageMetricClass)),
);

/** The usage class entry for a `Class` dimension value, or undefined. */
export function gpuUsageClass(usageClass: string): UsageMetricClass | undefined {
  return GPU_USAGE_CLASSES.find((c) => c.usageClass === usageClass);
}

/** The dimensions of the EC2 vCPU `ResourceCount` metric of a class. */
export function ec2VcpuUsageDimensions(usageClass: string): Record<string, string> {
  return { Service: 'EC2', Type: 'Resource', Resource: 'vCPU', Class: usageClass };
}
