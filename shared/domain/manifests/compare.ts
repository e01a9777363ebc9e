import { normalizePlatform } from '../platform';

export interface PlatformComparison {
  /** Requested (normalised) and present. */
  present: string[];
  /** Requested but not in the image: shown in red. */
  missing: string[];
  /** In the image but not requested (informational). */
  extra: string[];
}

/**
 * Requested vs present, on normalised platforms (`linux/arm64/v8` is `linux/arm64`, `arm64` is
 * `linux/arm64`). An image entry `linux/arm` without a variant serves a `linux/arm/v7` request, as
 * the registry tooling assumes.
 */
export function comparePlatforms(requested: readonly string[], present: readonly string[]): PlatformComparison {
  const have = new Set(present.map(normalizePlatform));
  const served = (p: string) => have.has(p) || (p === 'linux/arm/v7' && have.has('linux/arm'));
  const wanted = [...new Set(requested.map(normalizePlatform))];
  return {
    present: wanted.filter(served),
    missing: wanted.filter((p) => !served(p)),
    extra: [...have].filter((p) => !wanted.includes(p) && !(p === 'linux/arm' && wanted.includes('linux/arm/v7'))),
  };
}
