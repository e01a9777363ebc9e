import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { mergeBuildChecks } from '../../../shared/domain/dockerfile';
import { versionAtLeast } from '../../../shared/domain/versions';
import { stackEnv } from '../testing/stack';
import { startTestCore, waitForEngine, type TestCore } from '../testing/test-core';

// Runs in both engine projects: buildx 0.29.1 (BuildKit's checks merged with the advice) and 0.13.1 (the advice
// alone, with the reason the checks are missing).
const buildx = inject('buildxVersion');
const hasChecks = versionAtLeast(buildx, [0, 15, 0]);

describe(`BuildKit's build checks beside the advice (buildx ${buildx})`, () => {
  const stack = stackEnv();
  let t: TestCore;
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mas-test-checks-'));
    await writeFile(
      join(dir, 'Dockerfile'),
      `FROM --platform=linux/amd64 ${stack.baseImage} AS tools\nRUN echo tools > /t\nFROM ${stack.baseImage}\nCOPY --from=tools /t /t\nCMD ["cat", "/t"]\n`,
    );
    t = await startTestCore({ env: { ...process.env, DOCKER_HOST: stack.dockerHost } });
    await waitForEngine(t.api, 'connected');
  }, 60_000);

  afterAll(async () => {
    await t?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it(hasChecks ? 'a constant FROM --platform is one item naming the app’s rule and BuildKit’s check' : 'the app’s finding alone, and the reason BuildKit’s checks are missing', async () => {
    const report = await t.api.dockerfile.analyze({ contextDir: dir });
    const checks = await t.api.dockerfile.checks({ contextDir: dir }).result;
    expect(checks.buildxVersion).toBe(buildx);
    const items = mergeBuildChecks(report.analysis.findings, checks.state === 'done' ? checks.checks : []);
    const constant = items.filter((i) => i.line === 1);
    expect(constant).toHaveLength(1);
    expect(constant[0]?.finding?.rule).toBe('constant-from-platform');

    if (hasChecks) {
      expect(checks.state).toBe('done');
      expect(checks.builder).toBe('default');
      expect(checks.contentDigest).toBe(report.contentDigest);
      expect(checks.command).toBe(`docker buildx build --call=check,format=json --progress=plain --file ${join(dir, 'Dockerfile')} ${dir}`);
      expect(constant[0]?.checks.map((c) => [c.ruleName, c.line, c.url])).toEqual([
        ['FromPlatformFlagConstDisallowed', 1, 'https://docs.docker.com/go/dockerfile/rule/from-platform-flag-const-disallowed/'],
      ]);
      expect(checks.sourceLines[0]).toEqual({ line: 1, text: `FROM --platform=linux/amd64 ${stack.baseImage} AS tools` });
    } else {
      expect(checks.state).toBe('unavailable');
      expect(checks.checks).toEqual([]);
      expect(checks.problem?.code).toBe('BUILDX_TOO_OLD');
      expect(checks.problem?.message).toBe(`No BuildKit checks: \`docker buildx build --call=check\` needs buildx 0.15.0 or newer; this is ${buildx.replace(/\+.*/, '')}.`);
      expect(constant[0]?.checks).toEqual([]);
    }
  });

  it('a failing check says why in words and leaves the analysis whole', async () => {
    const other = await startTestCore({ env: { ...process.env, DOCKER_HOST: stack.dockerHost, BUILDX_BUILDER: 'no-such-builder-for-checks' } });
    try {
      await waitForEngine(other.api, 'connected');
      const checks = await other.api.dockerfile.checks({ contextDir: dir }).result;
      const report = await other.api.dockerfile.analyze({ contextDir: dir });
      expect(report.analysis.findings.map((f) => f.rule)).toContain('constant-from-platform');
      if (hasChecks) {
        expect(checks.state).toBe('failed');
        expect(checks.problem).toMatchObject({ code: 'BUILDER_NOT_FOUND', message: 'The current builder "no-such-builder-for-checks" does not exist, so BuildKit could not check the Dockerfile.' });
      } else {
        expect(checks.state).toBe('unavailable');
      }
    } finally {
      await other.close();
    }
  });

  it('is bounded in time: past the limit the check is stopped and says so', async () => {
    const slow = await startTestCore({ env: { ...process.env, DOCKER_HOST: stack.dockerHost }, dockerfile: { checkTimeoutMs: 1 } });
    try {
      await waitForEngine(slow.api, 'connected');
      const checks = await slow.api.dockerfile.checks({ contextDir: dir }).result;
      if (hasChecks) expect(checks).toMatchObject({ state: 'failed', problem: { code: 'CLI_TIMEOUT', message: 'BuildKit did not finish its checks within 1 s.' } });
      else expect(checks.state).toBe('unavailable');
    } finally {
      await slow.close();
    }
  });
});
