export * from './toy-attention';
