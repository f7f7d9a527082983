export * from './runtime/backend';
export * from './runtime/matmul-gradient';
export * from './runtime/arithmetic-gradients';
export {
  installFastGradients,
  fastGradientsInstalled,
  passesGradientThrough,
} from './runtime/tape-gradients';
export * from './runtime/wasm-threads';
export * from './runtime/wasm-kernels';
export * from './runtime/native-matmul';
export * from './runtime/detach';
export * from './gpt';
export * from './loss';
export * from './inference';
export * from './toy';
export * from './checkpoint';
export * from './memory';
export * from './runtime/gelu-kernel';
export * from './runtime/native-gelu';
export * from './runtime/native-sum';
export * from './runtime/normalize-kernel';
export * from './runtime/native-normalize';
export * from './runtime/softmax-kernel';
export * from './runtime/native-softmax';
export * from './runtime/adam-kernel';
export * from './runtime/native-adam';
export { relaxedSimdSupported } from './runtime/relaxed-simd';
