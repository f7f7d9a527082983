export * from './adaptive';
export * from './evaluate';
