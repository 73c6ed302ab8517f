export * from './black-hole-environment';
