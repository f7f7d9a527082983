// The runtime (backend choice, kernels, gradient fixes) lives in @loop/runtime; it is re-exported so
// that every name @loop/models has exported stays importable from here.
export * from '@loop/runtime';
export * from './gpt';
export * from './loss';
export * from './inference';
export * from './toy';
export * from './checkpoint';
export * from './memory';
