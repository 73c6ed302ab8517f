import * as fs from 'fs';
import * as path from 'path';
import { ec2VcpuUsageDimensions, GPU_USAGE_CLASSES, gpuUsageClass, USAGE_METRIC_NAME, USAGE_NAMESPACE, USAGE_STATISTIC } from '../../lib/billing/usage-metrics';
import { GPU_INSTANCE_FAMILIES } from '../../lib/identity/gpu-instance-types';

const FIXTURES = path.join(__dirname, '..', 'fixtures', 'billing');
const quota = JSON.parse(fs.readFileSync(path.join(FIXTURES, 'service-quotas_get-service-quota_ec2-L-1216C47A_aws-cli-example.json'), 'utf8')).Quota;
const ec2Doc = fs.readFileSync(path.join(FIXTURES, 'ec2-usage-metrics_doc-excerpt.md'), 'utf8');

test('namespace, metric and statistic are those of a real EC2 vCPU quota usage metric', () => {
  expect(quota.UsageMetric.MetricNamespace).toBe(USAGE_NAMESPACE);
  expect(quota.UsageMetric.MetricName).toBe(USAGE_METRIC_NAME);
  expect(quota.UsageMetric.MetricStatisticRecommendation).toBe(USAGE_STATISTIC);
});

test('the dimensions have the real names and fixed values; only Class varies', () => {
  const real = quota.UsageMetric.MetricDimensions;
  expect(ec2VcpuUsageDimensions(real.Class)).toEqual(real);
  for (const c of GPU_USAGE_CLASSES) {
    expect(ec2VcpuUsageDimensions(c.usageClass)).toEqual({ ...real, Class: c.usageClass });
  }
});

test('every On-Demand class is one the EC2 documentation lists; Spot classes have the same <letter>/<option> form', () => {
  const documented = [...ec2Doc.matchAll(/`([A-Za-z]+\/OnDemand)`/g)].map((m) => m[1]);
  expect(documented).toEqual(expect.arrayContaining(['P/OnDemand', 'G/OnDemand']));
  for (const c of GPU_USAGE_CLASSES) {
    expect(c.usageClass).toBe(`${c.familyClass}/${c.purchaseOption}`);
    if (c.purchaseOption === 'OnDemand') expect(documented).toContain(c.usageClass);
  }
});

test('the one-minute period and MAXIMUM statistic come from the documentation', () => {
  expect(ec2Doc).toMatch(
    /most useful statistic for this metric is `MAXIMUM`, which represents the maximum number of resources used during the 1\\-minute period/,
  );
});

test('classes cover the P and G families of the GPU allowlist, both purchase options; Trn has none (documented gap)', () => {
  const letters = [...new Set(GPU_INSTANCE_FAMILIES.map((f) => f.usageClass))].sort();
  expect(letters).toEqual(['G', 'P', 'Trn']);
  for (const letter of ['P', 'G']) {
    for (const option of ['OnDemand', 'Spot']) expect(gpuUsageClass(`${letter}/${option}`)).toBeDefined();
  }
  expect(gpuUsageClass('Trn/OnDemand')).toBeUndefined();
  expect(new Set(GPU_USAGE_CLASSES.map((c) => c.quotaCode)).size).toBe(GPU_USAGE_CLASSES.length);
});
