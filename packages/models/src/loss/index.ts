export * from './step-loss';
export * from './accuracy';
