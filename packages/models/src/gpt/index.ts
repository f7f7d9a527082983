export * from './config';
export * from './init';
export * from './layer-norm';
export * from './mlp';
export * from './attention';
export * from './block';
export * from './looped-gpt';
