/** Lenient semantic version: `v0.13.1`, `0.13.1+ds1`, `0.13.1-desktop.2` → [0, 13, 1]. */
export function parseVersion(text: string): [number, number, number] | undefined {
  const m = /v?(\d+)\.(\d+)(?:\.(\d+))?/.exec(text);
  if (!m) return undefined;
  return [Number(m[1]), Number(m[2]), Number(m[3] ?? 0)];
}

export function versionAtLeast(text: string | undefined, min: [number, number, number]): boolean {
  const v = text ? parseVersion(text) : undefined;
  if (!v) return false;
  for (let i = 0; i < 3; i++) {
    if (v[i]! !== min[i]!) return v[i]! > min[i]!;
  }
  return true;
}

/**
 * `docker buildx version` prints `github.com/docker/buildx v0.17.1 257815a` upstream and
 * `github.com/docker/buildx 0.13.1+ds1 0.13.1+ds1-3` from Debian (no `v`): take the second field.
 */
export function parseBuildxVersion(output: string): string | undefined {
  const line = output.split('\n').find((l) => l.includes('buildx'));
  if (!line) return undefined;
  const fields = line.trim().split(/\s+/);
  const version = fields[1];
  return version && parseVersion(version) ? version.replace(/^v/, '') : undefined;
}
