import { describe, expect, it } from 'vitest';
import { fixture } from './fixtures/load';
import { parseBuildxVersion } from '../versions';
import { BUILDX_FEATURES, buildxCapabilities, buildxHas, builderRunsChecks, type BuildxFeature } from './capabilities';

/** Subcommands listed under "Commands:" / "Management Commands:" / "Available Commands:" of a --help text. */
function commands(help: string): string[] {
  const out: string[] = [];
  let inList = false;
  for (const line of help.split('\n')) {
    if (/^(Management |Available )?Commands:/.test(line)) inList = true;
    else if (/^\S/.test(line)) inList = false;
    else if (inList) {
      const m = /^\s+(\S+?)\*?\s{2,}/.exec(line);
      if (m) out.push(m[1]!);
    }
  }
  return out;
}
const flag = (help: string, name: string) => new RegExp(`^\\s+(-\\w, )?${name}\\b`, 'm').test(help);

const bakePrints = import.meta.glob<string>('../ci-export/fixtures/bake-print-0.*.json', { query: '?raw', import: 'default', eager: true });

/** What the real --help (and, for output formats, the real output) of a buildx version shows for each feature. */
function evidence(v: string): Record<BuildxFeature, boolean> {
  const help = (what: string) => fixture(`help-buildx${what}-${v}.txt`);
  const history = commands(help('')).includes('history');
  const lsJson = fixture(`ls-default-${v}.ndjson`).split('\n').filter(Boolean);
  return {
    'ls-json': flag(help('-ls'), '--format'),
    'ls-json-current': lsJson.every((l) => 'Current' in (JSON.parse(l) as object)),
    'buildkitd-config-flag': flag(help('-create'), '--buildkitd-config'),
    'build-checks': flag(help('-build'), '--call') && flag(help('-build'), '--check'),
    history,
    'history-import': history && commands(help('-history')).includes('import'),
    'history-export': history && commands(help('-history')).includes('export'),
    // the same bake file, printed: its `${NOT_A_VAR}` comes back as HCL would read it again, or raw
    'bake-print-escaped': bakePrints[`../ci-export/fixtures/bake-print-${v}.json`]!.includes('$${NOT_A_VAR}'),
  };
}

describe('buildx capabilities', () => {
  for (const v of ['0.13.1', '0.29.1']) {
    it(`match what buildx ${v} really offers (its --help and its ls JSON)`, () => {
      const seen = evidence(v);
      for (const rule of BUILDX_FEATURES) expect({ [rule.feature]: buildxHas(v, rule.feature) }).toEqual({ [rule.feature]: seen[rule.feature] });
    });
  }

  it('reads the version from `docker buildx version` of both packagings and says why a feature is missing', () => {
    const debian = parseBuildxVersion('github.com/docker/buildx 0.13.1+ds1 0.13.1+ds1-3\n');
    expect(debian).toBe('0.13.1+ds1');
    const caps = buildxCapabilities(debian);
    expect(caps.find((c) => c.feature === 'ls-json')).toMatchObject({ available: true, since: 'buildx 0.13.0' });
    expect(caps.find((c) => c.feature === 'history')).toMatchObject({ available: false, reason: 'needs buildx 0.21.0 or newer; this is 0.13.1' });
    const upstream = parseBuildxVersion('github.com/docker/buildx v0.29.1-desktop.1 abcdef0\n');
    expect(buildxCapabilities(upstream).every((c) => c.available)).toBe(true);
  });

  it('has nothing for an unknown version, and says so', () => {
    const caps = buildxCapabilities(undefined);
    expect(caps.some((c) => c.available)).toBe(false);
    expect(caps[0]!.reason).toBe('the buildx version is unknown; it needs 0.13.0 or newer');
    expect(buildxCapabilities('dev')[0]!.reason).toMatch(/unknown \("dev"\)/);
  });

  it('knows which builders can run build checks (BuildKit 0.14, or Docker 27 for the docker driver)', () => {
    expect(builderRunsChecks({ driver: 'docker', buildkitVersion: 'v0.0.0+unknown', engineVersion: '28.5.2+dfsg4' })).toBe(true);
    expect(builderRunsChecks({ driver: 'docker', buildkitVersion: 'v0.0.0+unknown', engineVersion: '26.1.5+dfsg1' })).toBe(false);
    expect(builderRunsChecks({ driver: 'docker-container', buildkitVersion: 'v0.25.2+debian-src' })).toBe(true);
    expect(builderRunsChecks({ driver: 'remote', buildkitVersion: 'v0.13.2+debian-src' })).toBe(false);
    expect(builderRunsChecks({ driver: 'docker-container' })).toBe(false);
  });
});
