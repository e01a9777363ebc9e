/**
 * A build as the Build form describes it: validated request, the `docker buildx build` argv and
 * the command shown to the user, the platform ticks, and the combinations that cannot work.
 * Pure and isomorphic: the form checks live in the renderer, the core checks again before it runs.
 */
export * from './request';
export * from './argv';
export * from './checks';
export { checkTagReference, isTagReference, registryOf, type ReferenceCheck } from './reference';
