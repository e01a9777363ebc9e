export * from './classify';
export * from './compare';
export * from './media-types';
