import type Docker from 'dockerode';
import type { TestResult } from '../../../shared/contract/emulators';
import { platformOf, type EmulatorArchitecture } from '../../../shared/domain/binfmt/architectures';
import { expectedMachines } from '../../../shared/domain/platform';
import { RpcError } from '../../../shared/rpc/errors';
import { engineMessage, pullImage, runContainer, statusCodeOf, uniqueName, type RunResult } from './containers';

/** What a container run shows when no emulator (or a broken one) handles the platform's binaries. */
export const isExecFormatError = (text: string): boolean => /exec format error/i.test(text);

/** The engine has the image, but not for this platform (containerd store or classic store wording). */
const isImageMissingForPlatform = (error: unknown): boolean =>
  statusCodeOf(error) === 404 || /no such image|does not match the specified platform|not found/i.test(engineMessage(error));

/**
 * `docker run --rm --platform <p> <test image> uname -m` through the API: proves emulation end to end
 * (the kernel hands the binary to QEMU via binfmt_misc inside a real container).
 */
export async function testPlatform(
  docker: Docker,
  architecture: EmulatorArchitecture,
  image: string,
  display: (argv: string[]) => string,
  signal?: AbortSignal,
): Promise<TestResult> {
  const started = performance.now();
  const platform = platformOf(architecture);
  const expected = expectedMachines(platform);
  const command = display(['run', '--rm', '--platform', platform, '--entrypoint', 'uname', image, '-m']);
  const base = { architecture, platform, image, command, expected };
  const run = () =>
    runContainer(docker, {
      image,
      name: uniqueName(`mas-emutest-${architecture.replace('/', '')}`),
      role: 'emulator-test',
      platform,
      entrypoint: ['uname'],
      cmd: ['-m'],
      signal,
      timeoutMs: 60_000,
    });

  let pulled = false;
  let result: RunResult;
  try {
    result = await run();
  } catch (error) {
    if (error instanceof RpcError || !isImageMissingForPlatform(error)) throw error;
    try {
      await pullImage(docker, image, { platform, signal });
      pulled = true;
    } catch (pullError) {
      if (pullError instanceof RpcError) throw pullError;
      return {
        ...base,
        ok: false,
        pulled,
        durationMs: performance.now() - started,
        failure: {
          kind: 'image-missing',
          message: `The test image ${image} is not on the engine for ${platform}, and pulling it failed: ${engineMessage(pullError)}`,
          hint: `On a connected machine: docker pull --platform ${platform} ${image} && docker save ${image} -o test.tar; here: docker load -i test.tar. Or choose a test image your registry or mirror has for every platform (settings on this page).`,
        },
      };
    }
    result = await run();
  }
  const output = `${result.stdout}\n${result.stderr}`.trim();
  const machine = result.stdout.trim().split('\n')[0]?.trim() ?? '';
  const durationMs = performance.now() - started;
  if (result.exitCode === 0 && machine && expected.includes(machine)) {
    return { ...base, ok: true, machine, pulled, durationMs };
  }
  if (isExecFormatError(output)) {
    return {
      ...base,
      ok: false,
      pulled,
      durationMs,
      failure: {
        kind: 'exec-format',
        message: output.split('\n').find((l) => isExecFormatError(l))?.trim() ?? output,
        hint: `The Docker host's kernel cannot run ${architecture} binaries: no working emulator is registered for ${platform}. Install it (tick ${architecture}, Install).`,
      },
    };
  }
  if (result.exitCode === 0 && machine) {
    return {
      ...base,
      ok: false,
      machine,
      pulled,
      durationMs,
      failure: {
        kind: 'wrong-machine',
        message: `uname -m printed "${machine}", expected ${expected.join(' or ')}.`,
        hint: `The image may not really be built for ${platform} (check its manifest), or another emulator handles these binaries.`,
      },
    };
  }
  return {
    ...base,
    ok: false,
    ...(machine ? { machine } : {}),
    pulled,
    durationMs,
    failure: {
      kind: 'other',
      message: `The test container exited with ${result.exitCode}: ${output || 'no output'}`,
      hint: `The test image must contain uname (a busybox-based image does). Under emulation, a crash here can also mean the registered QEMU is broken for this platform: try pinning another installer tag.`,
    },
  };
}
