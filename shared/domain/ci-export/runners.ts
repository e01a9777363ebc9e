import { nativelyRuns, normalizePlatform } from '../platform';

/**
 * GitHub-hosted runners an exported workflow can use, by CPU: what each runs without QEMU.
 * x86-64 runners run 386 code natively (the kernel executes 32-bit x86). On 64-bit Arm runners
 * only arm64 is counted native: not every 64-bit Arm server CPU executes 32-bit Arm code, so
 * arm/v7 and arm/v6 get an emulator there, which is correct either way.
 */
export type RunnerArch = 'amd64' | 'arm64';

export const RUNNER_NATIVE: Record<RunnerArch, readonly string[]> = {
  amd64: nativelyRuns('linux/amd64'),
  arm64: ['linux/arm64'],
};

/** Runner labels by CPU; `arm64` unset means no Arm runner is available (everything on amd64, QEMU for the rest). */
export interface RunnerLabels {
  amd64: string;
  arm64?: string;
}

/** GitHub's hosted runner labels, the defaults of the export dialog. */
export const DEFAULT_RUNNERS: Required<RunnerLabels> = { amd64: 'ubuntu-24.04', arm64: 'ubuntu-24.04-arm' };

/** A runner label as GitHub accepts it in `runs-on` (one word of letters, digits, ".", "_", "-"). */
export const RUNNER_LABEL = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

export const runsNatively = (arch: RunnerArch, platform: string): boolean => RUNNER_NATIVE[arch].includes(normalizePlatform(platform));

/** The runner a platform's own job runs on: a native one where there is one, else the amd64 one. */
export function runnerFor(platform: string, labels: RunnerLabels): { arch: RunnerArch; label: string } {
  if (labels.arm64 && runsNatively('arm64', platform)) return { arch: 'arm64', label: labels.arm64 };
  return { arch: 'amd64', label: labels.amd64 };
}

/** The platforms a runner of `arch` needs QEMU for, in the given order. */
export function emulatedOn(arch: RunnerArch, platforms: readonly string[]): string[] {
  return platforms.filter((p) => !runsNatively(arch, p));
}

/** `linux/arm/v7` → `linux-arm-v7`: job ids, cache scopes and artifact names. */
export const platformSlug = (platform: string): string => normalizePlatform(platform).replace(/[^A-Za-z0-9]+/g, '-');
