export * from './config';
export * from './init';
export * from './mlp';
export * from './attention';
export * from './block';
export * from './looped-gpt';
