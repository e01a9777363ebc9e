/**
 * Parsers for the kernel's binfmt_misc files (`/proc/sys/fs/binfmt_misc/<name>`), whose format is
 * fixed by fs/binfmt_misc.c:
 *
 *   enabled | disabled
 *   interpreter /usr/bin/qemu-aarch64
 *   flags: POCF            (may be empty: "flags: ")
 *   offset 0               (magic entries)
 *   magic 7f454c46...      (hex)
 *   mask ffffffff...       (hex, optional)
 *   extension .jar         (extension entries instead of offset/magic/mask)
 */
export interface BinfmtEntry {
  name: string;
  enabled: boolean;
  interpreter: string;
  /** Flag letters as the kernel prints them (P, O, C, F), possibly empty. */
  flags: string;
  offset?: number;
  magic?: string;
  mask?: string;
  extension?: string;
}

export interface BinfmtDump {
  /** The global switch (`status` file); undefined when it was not part of the dump. */
  enabled?: boolean;
  entries: BinfmtEntry[];
}

export function parseBinfmtEntry(name: string, text: string): BinfmtEntry {
  const entry: BinfmtEntry = { name, enabled: false, interpreter: '', flags: '' };
  const lines = text.split('\n');
  entry.enabled = (lines[0] ?? '').trim() === 'enabled';
  for (const raw of lines.slice(1)) {
    const line = raw.replace(/\r$/, '');
    const m = /^(interpreter|flags:|offset|magic|mask|extension)(?: (.*))?$/.exec(line);
    if (!m) continue;
    const value = (m[2] ?? '').trim();
    switch (m[1]) {
      case 'interpreter':
        entry.interpreter = value;
        break;
      case 'flags:':
        entry.flags = value;
        break;
      case 'offset':
        entry.offset = Number.parseInt(value, 10);
        break;
      case 'magic':
        entry.magic = value;
        break;
      case 'mask':
        entry.mask = value;
        break;
      case 'extension':
        entry.extension = value;
        break;
    }
  }
  return entry;
}

/**
 * Parses a dump of the mount where each file is introduced by `== <name or path>` (what the app's
 * reader container prints, and the format of the reference captures). `register` is skipped; `status`
 * gives the global switch.
 */
export function parseBinfmtDump(text: string): BinfmtDump {
  const dump: BinfmtDump = { entries: [] };
  const sections = text.split(/^== /m).slice(1);
  for (const section of sections) {
    const newline = section.indexOf('\n');
    const header = (newline < 0 ? section : section.slice(0, newline)).trim();
    const body = newline < 0 ? '' : section.slice(newline + 1);
    const name = header.split('/').pop() ?? header;
    if (!name || name === 'register') continue;
    if (name === 'status') {
      dump.enabled = (body.split('\n')[0] ?? '').trim() === 'enabled';
      continue;
    }
    dump.entries.push(parseBinfmtEntry(name, body));
  }
  dump.entries.sort((a, b) => a.name.localeCompare(b.name));
  return dump;
}

export const hasFlag = (entry: Pick<BinfmtEntry, 'flags'>, flag: 'P' | 'O' | 'C' | 'F'): boolean => entry.flags.includes(flag);

/** An entry run by QEMU: named `qemu-*`, or its interpreter is a QEMU binary. */
export function isQemuEntry(entry: Pick<BinfmtEntry, 'name' | 'interpreter'>): boolean {
  // Debian's interpreters are wrappers such as /usr/libexec/qemu-binfmt/aarch64-binfmt-P.
  return entry.name.startsWith('qemu-') || /qemu/i.test(entry.interpreter);
}

export const FLAG_MEANINGS: Record<string, string> = {
  P: 'preserve-argv0',
  O: 'open-binary',
  C: 'credentials',
  F: 'fix-binary',
};
