export * from './common/tags';
export * from './network';
export * from './telemetry/flow-log-fields';
export * from './identity';
export * from './billing';
export * from './compute';
export * from './gate';
