/** Which platforms a builder node can build, and how: one classification, computed in the core and served. */
export * from './model';
export * from './classify';
