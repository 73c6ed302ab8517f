export * from './training-data';
