/**
 * Platforms as Docker spells them (`linux/arm/v7`) and the machine names the kernel reports
 * (`armv7l`). One place for the mapping, used by the engine, emulators, builders, builds and results.
 */
export interface Platform {
  os: string;
  architecture: string;
  variant?: string;
}

const ARCH_ALIASES: Record<string, { architecture: string; variant?: string }> = {
  x86_64: { architecture: 'amd64' },
  x86: { architecture: '386' },
  i386: { architecture: '386' },
  i486: { architecture: '386' },
  i586: { architecture: '386' },
  i686: { architecture: '386' },
  aarch64: { architecture: 'arm64' },
  armv8l: { architecture: 'arm', variant: 'v7' },
  armv7l: { architecture: 'arm', variant: 'v7' },
  armhf: { architecture: 'arm', variant: 'v7' },
  armv6l: { architecture: 'arm', variant: 'v6' },
  armel: { architecture: 'arm', variant: 'v6' },
  armv5tejl: { architecture: 'arm', variant: 'v5' },
  ppc64el: { architecture: 'ppc64le' },
  mips64el: { architecture: 'mips64le' },
  loongarch64: { architecture: 'loong64' },
};

/** Normalises an architecture as reported by `uname -m`, Go or Debian into Docker's spelling. */
export function normalizeArch(raw: string): { architecture: string; variant?: string } {
  const key = raw.trim().toLowerCase();
  return ARCH_ALIASES[key] ?? { architecture: key };
}

/** Parses `linux/arm64`, `linux/arm/v7`, `arm64` (os defaults to linux). Returns undefined when malformed. */
export function parsePlatform(text: string): Platform | undefined {
  const parts = text.trim().toLowerCase().split('/');
  // Each part starts with a letter or digit and is short: a platform lands in argv (`--platform`).
  if (parts.some((p) => !/^[a-z0-9][a-z0-9_.-]{0,31}$/.test(p))) return undefined;
  if (parts.length === 1) {
    const arch = normalizeArch(parts[0] ?? '');
    return { os: 'linux', ...arch };
  }
  if (parts.length > 3) return undefined;
  const [os = '', architecture = '', variant] = parts;
  const arch = normalizeArch(architecture);
  const platform: Platform = { os, architecture: arch.architecture };
  const v = variant ?? arch.variant;
  // arm64's only variant is v8, which Docker omits; keep it out so `linux/arm64/v8` equals `linux/arm64`.
  if (v && !(arch.architecture === 'arm64' && v === 'v8')) platform.variant = v;
  return platform;
}

export function formatPlatform(p: Platform): string {
  return [p.os, p.architecture, p.variant].filter(Boolean).join('/');
}

/** Canonical string form, or the input unchanged when it cannot be parsed. */
export function normalizePlatform(text: string): string {
  const p = parsePlatform(text);
  return p ? formatPlatform(p) : text.trim();
}

/** Platforms a CPU of `native` runs without an emulator (32-bit modes and micro-architecture levels included). */
export function nativelyRuns(native: string): string[] {
  const p = normalizePlatform(native);
  switch (p) {
    case 'linux/amd64':
      return ['linux/amd64', 'linux/amd64/v2', 'linux/amd64/v3', 'linux/amd64/v4', 'linux/386'];
    case 'linux/arm64':
      return ['linux/arm64', 'linux/arm/v7', 'linux/arm/v6'];
    default:
      return [p];
  }
}

/** The native platform of an engine from its `/info` (OSType + Architecture, Go or uname spelling). */
export function nativePlatform(osType: string, architecture: string): string {
  const arch = normalizeArch(architecture);
  return formatPlatform({ os: osType.toLowerCase() || 'linux', ...arch });
}

/**
 * What `uname -m` prints inside a container of that platform. A 386 container on an amd64 host
 * reports x86_64 (32-bit code runs natively, the personality is unchanged), so both are accepted.
 */
export function expectedMachines(platform: string): string[] {
  switch (normalizePlatform(platform)) {
    case 'linux/amd64':
      return ['x86_64'];
    case 'linux/386':
      return ['i686', 'i386', 'x86_64'];
    case 'linux/arm64':
      return ['aarch64'];
    case 'linux/arm/v7':
      return ['armv7l', 'armv8l'];
    case 'linux/arm/v6':
      return ['armv6l', 'armv7l'];
    case 'linux/arm/v5':
      return ['armv5tejl', 'armv5tel'];
    case 'linux/riscv64':
      return ['riscv64'];
    case 'linux/ppc64le':
      return ['ppc64le'];
    case 'linux/s390x':
      return ['s390x'];
    case 'linux/mips64le':
    case 'linux/mips64':
      return ['mips64'];
    case 'linux/loong64':
      return ['loongarch64'];
    default:
      return [];
  }
}
