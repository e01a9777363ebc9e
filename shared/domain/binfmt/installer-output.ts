/**
 * Parsers for the output of the tonistiigi/binfmt installer (cmd/binfmt/main.go), whose contract is:
 * - stderr, one line per item, from Go's `log.Printf` without timestamps:
 *     installing: arm64 OK
 *     installing: arm64 qemu-aarch64 already registered
 *     installing: arm64 EPERM opening /proc/sys/fs/binfmt_misc/register check permissions?
 *     installing: foo unsupported architecture: foo
 *     uninstalling: qemu-aarch64 OK
 *     uninstalling: qemu-aarch64 not found
 *   and a fatal `error: %+v` (pkg/errors: cause, message, then a Go stack trace) when it cannot even
 *   mount binfmt_misc;
 * - stdout: the status JSON (`json.MarshalIndent`): `{"supported": [...], "emulators": [...]}`, where an
 *   empty list is `null`.
 * The process exits 0 whatever happened, so these lines are the only verdict it gives.
 */
export type InstallerOutcome = 'ok' | 'already-registered' | 'not-registered' | 'eperm' | 'not-supported' | 'failed';

export interface InstallerLine {
  action: 'install' | 'uninstall';
  /** What the line is about: the installer's architecture name, or the entry name for uninstall. */
  name: string;
  outcome: InstallerOutcome;
  /** The installer's words after the name (`OK`, `qemu-aarch64 already registered`, ...). */
  detail: string;
}

export interface InstallerLog {
  lines: InstallerLine[];
  /** A fatal error (stack trace removed), e.g. when binfmt_misc could not be mounted. */
  fatal?: string;
  /** Anything else it printed, kept for the user to read. */
  other: string[];
}

export interface InstallerStatus {
  supported: string[];
  emulators: string[];
}

const PERMISSION = /\bEPERM\b|permission denied|operation not permitted|read-only file system/i;

function classify(action: InstallerLine['action'], detail: string): InstallerOutcome {
  if (detail === 'OK') return 'ok';
  if (/\balready registered$/.test(detail)) return 'already-registered';
  if (/^unsupported architecture:/.test(detail)) return 'not-supported';
  if (action === 'uninstall' && detail === 'not found') return 'not-registered';
  if (PERMISSION.test(detail)) return 'eperm';
  return 'failed';
}

/** A Go stack frame line of `%+v` output: `main.run` / `\t/src/cmd/binfmt/main.go:173`. */
const isStackFrame = (line: string): boolean =>
  /^\s/.test(line) || /^(?:[\w.-]+\/)*[\w-]+\.(?:\(\*?[\w]+\)\.)?[\w.]+(?:\([^)]*\))?$/.test(line);

export function parseInstallerLog(stderr: string): InstallerLog {
  const log: InstallerLog = { lines: [], other: [] };
  let fatal: string[] | undefined;
  for (const raw of stderr.split('\n')) {
    const line = raw.replace(/\r$/, '');
    if (line.trim() === '') continue;
    const m = /^(installing|uninstalling): (\S+) (.+)$/.exec(line);
    if (m) {
      fatal = undefined;
      const action = m[1] === 'installing' ? 'install' : 'uninstall';
      const detail = (m[3] ?? '').trim();
      log.lines.push({ action, name: m[2] ?? '', outcome: classify(action, detail), detail });
      continue;
    }
    const e = /^error: (.*)$/.exec(line);
    if (e) {
      fatal = [e[1] ?? ''];
      log.fatal = fatal.join('\n');
      continue;
    }
    if (fatal) {
      if (!isStackFrame(line)) {
        fatal.push(line);
        log.fatal = fatal.join('\n');
      }
      continue;
    }
    log.other.push(line);
  }
  return log;
}

/** The status JSON, or undefined when stdout holds none (e.g. after a fatal error). */
export function parseInstallerStatus(stdout: string): InstallerStatus | undefined {
  const start = stdout.indexOf('{');
  const end = stdout.lastIndexOf('}');
  if (start < 0 || end < start) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(stdout.slice(start, end + 1));
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const record = value as Record<string, unknown>;
  const list = (v: unknown): string[] | undefined =>
    v === null || v === undefined ? [] : Array.isArray(v) && v.every((x) => typeof x === 'string') ? v : undefined;
  const supported = list(record.supported);
  const emulators = list(record.emulators);
  if (!supported || !emulators || !('supported' in record || 'emulators' in record)) return undefined;
  return { supported, emulators };
}

/** True when a fatal error says the installer could not reach binfmt_misc for lack of privileges. */
export const isPermissionProblem = (text: string): boolean => PERMISSION.test(text);
