export * from './billing-guard';
export * from './usage-metrics';
export * from './stop-compute';
