export * from './black-hole-vpc';
export * from './endpoint-services';
export * from './dns-firewall-match';
