import { FALLBACK_REGION, GLOBAL_PRICES, PRICE_KEYS, PRICED_REGIONS, PRICING_PAGES, priceOf, REGIONAL_PRICES, type UnitPrice } from '../../lib/pricing/prices';

const every: [string, string, UnitPrice][] = [
  ...Object.entries(GLOBAL_PRICES).map(([k, p]) => ['global', k, p!] as [string, string, UnitPrice]),
  ...Object.entries(REGIONAL_PRICES).flatMap(([region, prices]) => Object.entries(prices).map(([k, p]) => [region, k, p!] as [string, string, UnitPrice])),
];

test.each(every)('%s %s names its AWS pricing page, the date it was read and how it was confirmed', (_region, _key, price) => {
  expect(Object.values(PRICING_PAGES)).toContain(price.source.url);
  expect(price.source.url).toMatch(/^https:\/\/aws\.amazon\.com\/.+\/pricing\/$/);
  expect(price.source.read).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  expect(price.source.note?.length).toBeGreaterThan(10);
  expect(Number.isFinite(price.usd) && price.usd >= 0).toBe(true);
  // Confirmed only when read on the AWS page or a verbatim transcription of it.
  expect(price.confirmed).toBe(price.source.evidence === 'aws-page' || price.source.evidence === 'transcription');
});

test('the regions where prices differ have their own figures', () => {
  expect([...PRICED_REGIONS]).toEqual(expect.arrayContaining(['us-east-1', 'us-west-2', 'eu-west-1', 'eu-central-1', 'ap-northeast-1']));
  for (const region of PRICED_REGIONS) expect(REGIONAL_PRICES[region].interfaceEndpointAzHour).toBeDefined();
  expect(priceOf('interfaceEndpointAzHour', 'eu-central-1').usd).toBeGreaterThan(priceOf('interfaceEndpointAzHour', 'us-east-1').usd);
});

test('every price key has a figure in the fallback region or globally', () => {
  for (const key of PRICE_KEYS) expect(() => priceOf(key, FALLBACK_REGION)).not.toThrow();
  expect(PRICE_KEYS).toEqual(
    expect.arrayContaining(['interfaceEndpointAzHour', 'kmsKeyMonth', 'dnsFirewallAdvancedAssociationHour', 'budgetActionEnabledDay']),
  );
});

describe('fallback rule', () => {
  test('a region without its own figure uses us-east-1, marked unconfirmed', () => {
    const p = priceOf('dnsFirewallMillionQueries', 'sa-east-1');
    expect(p.usd).toBe(REGIONAL_PRICES['us-east-1'].dnsFirewallMillionQueries!.usd);
    expect(p.fallbackFrom).toBe('us-east-1');
    expect(p.confirmed).toBe(false);
    expect(p.source.note).toMatch(/us-east-1 figure used for sa-east-1/);
  });

  test('a listed region missing one figure falls back the same way; its own figures do not', () => {
    expect(priceOf('guardDutyFlowAndDnsLogGb', 'eu-west-1').fallbackFrom).toBe('us-east-1');
    expect(priceOf('interfaceEndpointAzHour', 'eu-west-1').fallbackFrom).toBeUndefined();
    expect(priceOf('interfaceEndpointAzHour', 'eu-west-1').usd).toBe(0.011);
  });

  test('us-east-1 keeps its own confirmation state; global prices need no fallback', () => {
    expect(priceOf('dnsFirewallMillionQueries', 'us-east-1').confirmed).toBe(true);
    const kms = priceOf('kmsKeyMonth', 'ap-southeast-2');
    expect(kms).toMatchObject({ usd: 1, confirmed: true });
    expect(kms.fallbackFrom).toBeUndefined();
  });
});
