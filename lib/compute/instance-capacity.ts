import { GPU_INSTANCE_FAMILIES, type GpuInstanceFamily } from '../identity/gpu-instance-types';

const EC2_TYPE = /^([a-z0-9-]+)\.([0-9]*)(x?large|metal(?:-[0-9]+xl)?)$/;

/** The allowed GPU family of an EC2 instance type (`g5.xlarge` -> g5), or undefined. */
export function gpuFamilyOf(instanceType: string): GpuInstanceFamily | undefined {
  const m = EC2_TYPE.exec(instanceType);
  return m ? GPU_INSTANCE_FAMILIES.find((f) => f.family === m[1]) : undefined;
}

/**
 * vCPUs of an EC2 instance size, from the size name (`large` 2, `xlarge` 4, `Nxlarge` 4N), which
 * holds for every size of the allowed GPU families; undefined for sizes it cannot read (metal).
 */
export function vcpusOf(instanceType: string): number | undefined {
  const m = EC2_TYPE.exec(instanceType);
  if (!m) return undefined;
  if (m[3] === 'large') return m[2] === '' ? 2 : undefined;
  if (m[3] === 'xlarge') return 4 * (m[2] === '' ? 1 : Number(m[2]));
  return undefined;
}
