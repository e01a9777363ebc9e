/** Image references with Docker's rules (distribution/reference): one parser for every field that takes one. */
export * from './reference';
export * from './schema';
export { isDomain, isIdentifier, splitHostPort, splitName, splitReference } from './grammar';
