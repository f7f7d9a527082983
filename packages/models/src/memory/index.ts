export * from './micro-batch';
