export * from './backend';
export {
  webgpuAdapter,
  describeAdapter,
  formatAdapter,
  setWebGpuModules,
  type WebGpuAdapter,
  type WebGpuModules,
} from './webgpu-backend';
export * from './matmul-gradient';
export * from './arithmetic-gradients';
export { installFastGradients, fastGradientsInstalled, passesGradientThrough } from './tape-gradients';
export * from './wasm-threads';
export * from './wasm-kernels';
export * from './native-matmul';
export * from './detach';
export * from './gelu-kernel';
export * from './native-gelu';
export * from './native-sum';
export * from './normalize-kernel';
export * from './native-normalize';
export * from './softmax-kernel';
export * from './native-softmax';
export * from './adam-kernel';
export * from './native-adam';
export { relaxedSimdSupported } from './relaxed-simd';
export * from './ops';
export * from './second-order-gradients';
export * from './install';
