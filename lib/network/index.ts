export * from './black-hole-vpc';
export * from './endpoint-services';
