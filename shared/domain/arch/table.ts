/**
 * The architecture table: one row per architecture Docker builds for, with every way the
 * ecosystem spells it and the facts the app checks against (QEMU, binfmt_misc, ELF headers,
 * `uname -m` inside a container). Every other architecture list of the app derives from it.
 *
 * Sources: Docker / containerd platform names and their normalisation (containerd's
 * `platforms.Normalize`: armhf → arm/v7, armel → arm/v6, arm64/v8 → arm64); Go's GOARCH/GOARM;
 * `dpkg --print-architecture`; `apk --print-arch`; GNU triplets as Debian's cross compilers use
 * them; Rust target triples; QEMU's linux-user targets and tonistiigi/binfmt's `--install` names
 * (cmd/binfmt/config.go); ELF e_machine values (elf.h); what the Linux kernel prints for `uname -m`.
 */

/** Docker's `architecture[/variant]` after `linux/`: the key of a row. */
export type ArchId =
  | 'amd64'
  | 'arm64'
  | 'arm/v7'
  | 'arm/v6'
  | '386'
  | 'riscv64'
  | 'ppc64le'
  | 's390x'
  | 'mips64le'
  | 'mips64'
  | 'loong64'
  | 'arm/v5'
  | 'ppc64'
  | 'mipsle'
  | 'mips';

export interface ElfFacts {
  /** EI_CLASS: 32- or 64-bit. */
  bits: 32 | 64;
  /** EI_DATA: byte order. */
  endian: 'little' | 'big';
  /** e_machine (EM_*). */
  machine: number;
  /**
   * ARM only: the float ABI the usual userland of this platform is built for, as e_flags says it
   * (EF_ARM_ABI_FLOAT_HARD 0x400 / _SOFT 0x200). arm/v5, v6 and v7 share e_machine 40.
   */
  armFloat?: 'hard' | 'soft';
}

export interface ArchRow {
  id: ArchId;
  /** Docker's architecture (`GOARCH`, `TARGETARCH`). */
  architecture: string;
  /** Docker's variant (`TARGETVARIANT`), when the row is one. */
  variant?: string;
  /** Micro-architecture levels Docker names as variants of this row (`linux/amd64/v3`); same facts otherwise. */
  levels?: readonly string[];
  /** `uname -m` on a Linux kernel of this architecture; the first is the usual one. */
  uname: readonly string[];
  go: { goarch: string; goarm?: string };
  /** `dpkg --print-architecture`. */
  debian?: string;
  /** `apk --print-arch`. */
  alpine?: string;
  /** GNU triplet, as Debian's cross compilers are prefixed (`aarch64-linux-gnu-gcc`). */
  gnu: string;
  /** Rust target triple. */
  rust: string;
  /** Node.js release archive name (`node-v22-linux-x64`), where Node.js publishes one. */
  node?: string;
  /** Further words seen in download file names for this row. */
  other?: readonly string[];
  /** The Docker Official Images' per-architecture namespaces on Docker Hub (docker-library's arch organisations: `arm64v8/alpine`). */
  officialNamespaces?: readonly string[];
  qemu: {
    /** QEMU linux-user target (`qemu-<target>`); the binfmt_misc entry the installer registers is `qemu-<target>`. */
    target: string;
    /** Older or alternative target names meaning the same emulator (`qemu-i486`). */
    aliases?: readonly string[];
    /** `tonistiigi/binfmt --install` name, where the installer has one. */
    installer?: string;
  };
  elf: ElfFacts;
  /**
   * What `uname -m` may print inside a container of this platform: a 386 container on an amd64
   * host reports x86_64 (32-bit code runs natively, the personality is unchanged), QEMU's default
   * ARM CPU reports armv7l whatever variant, a 32-bit ARM process on an arm64 kernel armv8l.
   */
  containerMachines: readonly string[];
  /** Other rows a CPU of this architecture runs without an emulator (its 32-bit modes). */
  runs: readonly ArchId[];
  /** Of `runs`, those that depend on the CPU model (many arm64 CPUs have no 32-bit ARM mode). */
  runsIfCpuAllows?: readonly ArchId[];
  /** Listed on the Emulators page and offered by the Build form even when no builder lists it. */
  common: boolean;
}

const ROWS = [
  {
    id: 'amd64',
    architecture: 'amd64',
    levels: ['v2', 'v3', 'v4'],
    uname: ['x86_64'],
    go: { goarch: 'amd64' },
    debian: 'amd64',
    alpine: 'x86_64',
    gnu: 'x86_64-linux-gnu',
    rust: 'x86_64-unknown-linux-gnu',
    node: 'x64',
    // windows-amd64 holds the Windows images of the same architecture.
    officialNamespaces: ['amd64', 'windows-amd64'],
    qemu: { target: 'x86_64', installer: 'amd64' },
    elf: { bits: 64, endian: 'little', machine: 62 },
    containerMachines: ['x86_64'],
    runs: ['386'],
    common: true,
  },
  {
    id: 'arm64',
    architecture: 'arm64',
    uname: ['aarch64'],
    go: { goarch: 'arm64' },
    debian: 'arm64',
    alpine: 'aarch64',
    gnu: 'aarch64-linux-gnu',
    rust: 'aarch64-unknown-linux-gnu',
    node: 'arm64',
    officialNamespaces: ['arm64v8'],
    qemu: { target: 'aarch64', installer: 'arm64' },
    elf: { bits: 64, endian: 'little', machine: 183 },
    containerMachines: ['aarch64'],
    runs: ['arm/v7', 'arm/v6'],
    runsIfCpuAllows: ['arm/v7', 'arm/v6'],
    common: true,
  },
  {
    id: 'arm/v7',
    architecture: 'arm',
    variant: 'v7',
    uname: ['armv7l', 'armv8l'],
    go: { goarch: 'arm', goarm: '7' },
    debian: 'armhf',
    alpine: 'armv7',
    gnu: 'arm-linux-gnueabihf',
    rust: 'armv7-unknown-linux-gnueabihf',
    node: 'armv7l',
    officialNamespaces: ['arm32v7'],
    qemu: { target: 'arm', installer: 'arm' },
    elf: { bits: 32, endian: 'little', machine: 40, armFloat: 'hard' },
    containerMachines: ['armv7l', 'armv8l'],
    runs: ['arm/v6', 'arm/v5'],
    common: true,
  },
  {
    id: 'arm/v6',
    architecture: 'arm',
    variant: 'v6',
    uname: ['armv6l'],
    go: { goarch: 'arm', goarm: '6' },
    // containerd normalises Debian's armel to arm/v6 (armel's baseline is ARMv5TE, so it runs there too).
    debian: 'armel',
    alpine: 'armhf',
    gnu: 'arm-linux-gnueabi',
    rust: 'arm-unknown-linux-gnueabihf',
    other: ['armv6'],
    officialNamespaces: ['arm32v6'],
    qemu: { target: 'arm', installer: 'arm' },
    // No usual float ABI: Alpine's armhf is hard-float, Debian's armel soft-float.
    elf: { bits: 32, endian: 'little', machine: 40 },
    containerMachines: ['armv6l', 'armv7l'],
    runs: ['arm/v5'],
    common: true,
  },
  {
    id: '386',
    architecture: '386',
    uname: ['i686', 'i586', 'i486', 'i386'],
    go: { goarch: '386' },
    debian: 'i386',
    alpine: 'x86',
    gnu: 'i686-linux-gnu',
    rust: 'i686-unknown-linux-gnu',
    officialNamespaces: ['i386'],
    qemu: { target: 'i386', aliases: ['i486'], installer: '386' },
    elf: { bits: 32, endian: 'little', machine: 3 },
    containerMachines: ['i686', 'i386', 'x86_64'],
    runs: [],
    common: true,
  },
  {
    id: 'riscv64',
    architecture: 'riscv64',
    uname: ['riscv64'],
    go: { goarch: 'riscv64' },
    debian: 'riscv64',
    alpine: 'riscv64',
    gnu: 'riscv64-linux-gnu',
    rust: 'riscv64gc-unknown-linux-gnu',
    officialNamespaces: ['riscv64'],
    qemu: { target: 'riscv64', installer: 'riscv64' },
    elf: { bits: 64, endian: 'little', machine: 243 },
    containerMachines: ['riscv64'],
    runs: [],
    common: true,
  },
  {
    id: 'ppc64le',
    architecture: 'ppc64le',
    uname: ['ppc64le'],
    go: { goarch: 'ppc64le' },
    debian: 'ppc64el',
    alpine: 'ppc64le',
    gnu: 'powerpc64le-linux-gnu',
    rust: 'powerpc64le-unknown-linux-gnu',
    node: 'ppc64le',
    officialNamespaces: ['ppc64le'],
    qemu: { target: 'ppc64le', installer: 'ppc64le' },
    elf: { bits: 64, endian: 'little', machine: 21 },
    containerMachines: ['ppc64le'],
    runs: [],
    common: true,
  },
  {
    id: 's390x',
    architecture: 's390x',
    uname: ['s390x'],
    go: { goarch: 's390x' },
    debian: 's390x',
    alpine: 's390x',
    gnu: 's390x-linux-gnu',
    rust: 's390x-unknown-linux-gnu',
    node: 's390x',
    officialNamespaces: ['s390x'],
    qemu: { target: 's390x', installer: 's390x' },
    elf: { bits: 64, endian: 'big', machine: 22 },
    containerMachines: ['s390x'],
    runs: [],
    common: true,
  },
  {
    id: 'mips64le',
    architecture: 'mips64le',
    // The kernel says mips64 whatever the byte order.
    uname: ['mips64'],
    go: { goarch: 'mips64le' },
    debian: 'mips64el',
    gnu: 'mips64el-linux-gnuabi64',
    rust: 'mips64el-unknown-linux-gnuabi64',
    officialNamespaces: ['mips64le'],
    qemu: { target: 'mips64el', installer: 'mips64le' },
    elf: { bits: 64, endian: 'little', machine: 8 },
    containerMachines: ['mips64'],
    runs: [],
    common: true,
  },
  {
    id: 'mips64',
    architecture: 'mips64',
    uname: ['mips64'],
    go: { goarch: 'mips64' },
    gnu: 'mips64-linux-gnuabi64',
    rust: 'mips64-unknown-linux-gnuabi64',
    qemu: { target: 'mips64', installer: 'mips64' },
    elf: { bits: 64, endian: 'big', machine: 8 },
    containerMachines: ['mips64'],
    runs: [],
    common: true,
  },
  {
    id: 'loong64',
    architecture: 'loong64',
    uname: ['loongarch64'],
    go: { goarch: 'loong64' },
    debian: 'loong64',
    alpine: 'loongarch64',
    gnu: 'loongarch64-linux-gnu',
    rust: 'loongarch64-unknown-linux-gnu',
    qemu: { target: 'loongarch64', installer: 'loong64' },
    elf: { bits: 64, endian: 'little', machine: 258 },
    containerMachines: ['loongarch64'],
    runs: [],
    common: true,
  },
  {
    id: 'arm/v5',
    architecture: 'arm',
    variant: 'v5',
    uname: ['armv5tejl', 'armv5tel'],
    go: { goarch: 'arm', goarm: '5' },
    debian: 'armel',
    gnu: 'arm-linux-gnueabi',
    rust: 'armv5te-unknown-linux-gnueabi',
    officialNamespaces: ['arm32v5'],
    qemu: { target: 'arm', installer: 'arm' },
    elf: { bits: 32, endian: 'little', machine: 40, armFloat: 'soft' },
    containerMachines: ['armv5tejl', 'armv5tel'],
    runs: [],
    common: false,
  },
  {
    id: 'ppc64',
    architecture: 'ppc64',
    uname: ['ppc64'],
    go: { goarch: 'ppc64' },
    debian: 'ppc64',
    gnu: 'powerpc64-linux-gnu',
    rust: 'powerpc64-unknown-linux-gnu',
    qemu: { target: 'ppc64' },
    elf: { bits: 64, endian: 'big', machine: 21 },
    containerMachines: ['ppc64'],
    runs: [],
    common: false,
  },
  {
    id: 'mipsle',
    architecture: 'mipsle',
    uname: ['mips'],
    go: { goarch: 'mipsle' },
    debian: 'mipsel',
    gnu: 'mipsel-linux-gnu',
    rust: 'mipsel-unknown-linux-gnu',
    qemu: { target: 'mipsel' },
    elf: { bits: 32, endian: 'little', machine: 8 },
    containerMachines: ['mips'],
    runs: [],
    common: false,
  },
  {
    id: 'mips',
    architecture: 'mips',
    uname: ['mips'],
    go: { goarch: 'mips' },
    debian: 'mips',
    gnu: 'mips-linux-gnu',
    rust: 'mips-unknown-linux-gnu',
    qemu: { target: 'mips' },
    elf: { bits: 32, endian: 'big', machine: 8 },
    containerMachines: ['mips'],
    runs: [],
    common: false,
  },
] as const satisfies readonly ArchRow[];

/** Rows in the order the app lists them: common platforms first. */
export const ARCH_ROWS: readonly ArchRow[] = ROWS;

/** The rows the Emulators page lists and the Build form always offers. */
export type CommonArchId = Extract<(typeof ROWS)[number], { common: true }>['id'];
