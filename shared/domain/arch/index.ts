/** The architecture table and its lookups: the one home of architecture facts. */
export * from './table';
export * from './lookup';
