export * from './runtime/backend';
export * from './runtime/matmul-gradient';
export * from './gpt';
export * from './loss';
export * from './inference';
export * from './toy';
export * from './checkpoint';
export * from './memory';
