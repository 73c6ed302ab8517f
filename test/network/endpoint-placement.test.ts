import { App, Stack } from 'aws-cdk-lib';
import { BlackHoleEnvironment } from '../../lib/environment';
import { environmentCost } from '../../lib/gate/analysis/environment-cost';
import { TemplateModel } from '../../lib/gate/model';
import { BlackHoleVpc, ENDPOINT_PRESETS, type BlackHoleVpcProps } from '../../lib/network';
import { auditTemplates, synthWithChecks, templateOf } from '../helpers/gate';

function vpcTemplate(props: Partial<BlackHoleVpcProps> = {}): any {
  const app = new App();
  const stack = new Stack(app, 'Env');
  new BlackHoleVpc(stack, 'Net', { environmentName: 'team-a', endpointServices: [...ENDPOINT_PRESETS.EC2_TRAINING], ...props });
  return templateOf(stack);
}

function interfaceEndpoints(t: any): any[] {
  return Object.values(t.Resources).filter((r: any) => r.Type === 'AWS::EC2::VPCEndpoint' && r.Properties.VpcEndpointType === 'Interface');
}

function endpointCost(t: any): number {
  const report = environmentCost(TemplateModel.fromTemplates([{ stackName: 'Env', template: t }]));
  return report.lineItems.filter((i) => i.category === 'interface-endpoints').reduce((s, i) => s + i.monthlyUsd, 0);
}

test('default: every interface endpoint has a network interface in every isolated subnet', () => {
  const t = vpcTemplate();
  const endpoints = interfaceEndpoints(t);
  expect(endpoints).toHaveLength(6);
  for (const e of endpoints) expect(e.Properties.SubnetIds).toHaveLength(2);
});

test('single-az: every interface endpoint sits in the first isolated subnet only; gateway endpoints keep every route table', () => {
  const every = vpcTemplate();
  const single = vpcTemplate({ endpointPlacement: 'single-az' });
  const firstSubnet = interfaceEndpoints(every)[0].Properties.SubnetIds[0];
  for (const e of interfaceEndpoints(single)) expect(e.Properties.SubnetIds).toEqual([firstSubnet]);
  const gateway = (t: any) =>
    Object.values(t.Resources).find((r: any) => r.Type === 'AWS::EC2::VPCEndpoint' && r.Properties.VpcEndpointType === 'Gateway') as any;
  expect(gateway(single).Properties.RouteTableIds).toEqual(gateway(every).Properties.RouteTableIds);
  expect(gateway(single).Properties.RouteTableIds).toHaveLength(2);
});

test('single-az halves the interface endpoint cost at 2 AZs and takes two thirds off at 3', () => {
  const every2 = endpointCost(vpcTemplate());
  const single2 = endpointCost(vpcTemplate({ endpointPlacement: 'single-az' }));
  expect(every2).toBeCloseTo(6 * 2 * 730 * 0.01, 4); // 87.60
  expect(single2).toBeCloseTo(every2 / 2, 4);
  const every3 = endpointCost(vpcTemplate({ maxAzs: 3 }));
  const single3 = endpointCost(vpcTemplate({ maxAzs: 3, endpointPlacement: 'single-az' }));
  expect(single3).toBeCloseTo(every3 / 3, 4);
});

test('an unknown placement is rejected with the allowed values, together with the other problems', () => {
  expect(() => vpcTemplate({ endpointPlacement: 'two-az' as any, cidr: 'nope' })).toThrow(
    /endpointPlacement: "two-az" is not allowed: use 'every-az' or 'single-az'[\s\S]*cidr|cidr[\s\S]*endpointPlacement: "two-az" is not allowed/,
  );
});

test('BlackHoleEnvironment passes the placement through', () => {
  const app = new App();
  const stack = new Stack(app, 'Env');
  new BlackHoleEnvironment(stack, 'E', { environmentName: 'team-a', network: { endpointPlacement: 'single-az' }, billing: { monthlyLimitUsd: 100 } });
  const endpoints = interfaceEndpoints(templateOf(stack));
  expect(endpoints.length).toBeGreaterThan(0);
  for (const e of endpoints) expect(e.Properties.SubnetIds).toHaveLength(1);
});

describe('the gate accepts the single-az layout (same perimeter)', () => {
  test('CLI door', () => {
    const r = auditTemplates({ Env: vpcTemplate({ endpointPlacement: 'single-az' }) });
    expect(r.stderr).toBe('');
    expect(r.ruleIds).toEqual([]);
    expect(r.code).toBe(0);
  });

  test('cdk-nag plugin door', () => {
    const app = new App();
    const stack = new Stack(app, 'Env');
    new BlackHoleVpc(stack, 'Net', { environmentName: 'team-a', endpointServices: [...ENDPOINT_PRESETS.EC2_TRAINING], endpointPlacement: 'single-az' });
    expect(synthWithChecks(app)).toEqual({ failed: false, ruleIds: [] });
  });
});
