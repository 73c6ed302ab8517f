export * from './common/tags';
export * from './network';
export * from './telemetry';
export * from './identity';
export * from './billing';
export * from './compute';
export * from './environment';
export * from './gate';
