export * from './adaptive';
export * from './evaluate';
export * from './stopping';
