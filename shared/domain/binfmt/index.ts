export * from './architectures';
export * from './entries';
export * from './host-table';
export * from './installer-output';
export * from './plan';
