import { describe, expect, it } from 'vitest';
import { fixture } from '../../../shared/domain/buildx/fixtures/load';
import { checkArgs, describeCheckFailure } from './build-checks';

describe('BuildKit check failures in words', () => {
  it('names a current builder that does not exist (real buildx 0.29.1 output)', () => {
    expect(describeCheckFailure(fixture('check-no-builder-0.29.1.stderr'))).toMatchObject({
      code: 'BUILDER_NOT_FOUND',
      message: 'The current builder "no-such-builder" does not exist, so BuildKit could not check the Dockerfile.',
    });
  });

  it("explains a BuildKit too old for checks (Docker 26.1's answer) and passes any other error on with its own words", () => {
    const old = describeCheckFailure('#0 building with "default" instance using docker driver\nERROR: unsupported request frontend.lint\n');
    expect(old.code).toBe('BUILDKIT_TOO_OLD');
    expect(old.message).toMatch(/needs? BuildKit 0\.14 or newer, which Docker Engine 27 and later embed/);
    expect(describeCheckFailure('ERROR: failed to dial gRPC: cannot connect to the Docker daemon at unix:///x.sock')).toMatchObject({ code: 'ENGINE_UNAVAILABLE' });
    expect(describeCheckFailure(fixture('check-base-missing-0.29.1.stderr'))).toMatchObject({
      code: 'BUILD_CHECKS_FAILED',
      message: expect.stringMatching(/^BuildKit's checks did not run: 127\.0\.0\.1:5000\/stack\/nope:404: failed to resolve source metadata/),
    });
  });

  it('runs the check as an argv with the file and context as single arguments, whatever they hold', () => {
    expect(checkArgs({ path: '/tmp/a b/$(x)/Dockerfile', contextDir: '/tmp/a b/$(x)' })).toEqual([
      'buildx', 'build', '--call=check,format=json', '--progress=plain', '--file', '/tmp/a b/$(x)/Dockerfile', '/tmp/a b/$(x)',
    ]);
  });
});
