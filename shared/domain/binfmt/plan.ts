import { architecturesOfInstallerName, installerList, primaryNative, type EmulatorArchitecture } from './architectures';
import { hasFlag, type BinfmtEntry } from './entries';
import type { EmulatorTable } from './host-table';
import { isPermissionProblem, type InstallerLog, type InstallerOutcome } from './installer-output';

export type ChangeAction = 'install' | 'uninstall' | 'restore';

export interface ChangePlan {
  action: ChangeAction;
  architectures: EmulatorArchitecture[];
  /** Arguments for the installer image; empty when there is nothing to run. */
  args: string[];
  /** Entry each architecture is about (registered one, or the one the installer would register). */
  entries: Partial<Record<EmulatorArchitecture, string>>;
  skipped: { architecture: EmulatorArchitecture; reason: string }[];
  /** Architectures that must not be touched at all (the host's own), with why. */
  refused: { architecture: EmulatorArchitecture; reason: string }[];
}

/** Why the installer needs --privileged, shown before the user agrees. */
export const PRIVILEGED_REASON =
  'Registering an emulator writes to /proc/sys/fs/binfmt_misc/register on the Docker host: kernel-wide state shared by every process and container there. ' +
  'A normal container can neither mount binfmt_misc nor write to it; only a --privileged container (all capabilities, host devices, no seccomp/AppArmor confinement) can. ' +
  'The container runs only the installer image, without network, exits within seconds and is removed. The registrations last until the Docker host reboots.';

/** Broken entries the installer would answer "already registered" to: replace them instead. */
const needsReplacing = (entry: BinfmtEntry | undefined): entry is BinfmtEntry => !!entry && (!entry.enabled || !hasFlag(entry, 'F'));

/**
 * Turns "install/uninstall these architectures" into installer arguments against the host as it is:
 * - install: the host's own architecture is refused (an emulator for it would hijack native programs);
 *   32-bit companions that already run natively are skipped; a broken entry (disabled or without F) is
 *   uninstalled in the same run so the installer registers a working one;
 * - uninstall: the registered entry is removed (arm/v7 and arm/v6 share qemu-arm); nothing registered → skipped.
 */
export function planChange(action: ChangeAction, requested: readonly EmulatorArchitecture[], table: EmulatorTable, nativeArch: string): ChangePlan {
  const architectures = table.rows.map((r) => r.architecture).filter((a) => requested.includes(a));
  const plan: ChangePlan = { action, architectures, args: [], entries: {}, skipped: [], refused: [] };
  const install: EmulatorArchitecture[] = [];
  const remove: string[] = [];
  for (const architecture of architectures) {
    const row = table.rows.find((r) => r.architecture === architecture);
    if (!row) continue;
    plan.entries[architecture] = row.entryName;
    if (action === 'uninstall') {
      if (row.entry) {
        if (!remove.includes(row.entry.name)) remove.push(row.entry.name);
      } else {
        plan.skipped.push({ architecture, reason: `No emulator is registered for ${architecture}.` });
      }
      continue;
    }
    if (architecture === primaryNative(nativeArch)) {
      plan.refused.push({
        architecture,
        reason: `${architecture} is the Docker host's own architecture: an emulator for it would take over every native program. Nothing to install.`,
      });
      continue;
    }
    if (row.state === 'native' && !row.entry && !row.issues.some((i) => i.code === 'NATIVE_UNCERTAIN')) {
      plan.skipped.push({ architecture, reason: `${architecture} runs natively on this ${nativeArch} host; no emulator is needed.` });
      continue;
    }
    if (needsReplacing(row.entry) && !remove.includes(row.entry.name)) remove.push(row.entry.name);
    install.push(architecture);
  }
  if (remove.length > 0) plan.args.push('--uninstall', remove.join(','));
  const names = installerList(install);
  if (names.length > 0) plan.args.push('--install', names.join(','));
  return plan;
}

export interface JudgedOutcome {
  architecture: EmulatorArchitecture;
  entry: string;
  outcome: InstallerOutcome | 'skipped';
  message: string;
  verified: boolean;
}

/**
 * The verdict per architecture. The installer exits 0 whatever happens, so its stderr lines say what it
 * tried, and the host's binfmt_misc read again afterwards says what is true; both are needed.
 */
export function judgeOutcomes(plan: ChangePlan, log: InstallerLog, after: { table: EmulatorTable; entries: BinfmtEntry[] }): JudgedOutcome[] {
  return plan.architectures.map((architecture): JudgedOutcome => {
    const entry = plan.entries[architecture] ?? '';
    const skipped = plan.skipped.find((s) => s.architecture === architecture) ?? plan.refused.find((s) => s.architecture === architecture);
    if (skipped) {
      return { architecture, entry, outcome: plan.action === 'uninstall' ? 'not-registered' : 'skipped', message: skipped.reason, verified: true };
    }
    if (plan.action === 'uninstall') {
      const present = after.entries.some((e) => e.name === entry);
      const line = log.lines.find((l) => l.action === 'uninstall' && l.name === entry);
      if (!line) return noLine(architecture, entry, log, present, false);
      if (line.outcome === 'ok') {
        return present
          ? { architecture, entry, outcome: 'failed', message: `The installer said "${entry} OK", but ${entry} is still registered.`, verified: false }
          : { architecture, entry, outcome: 'ok', message: `${entry} removed.`, verified: true };
      }
      return { architecture, entry, outcome: line.outcome, message: `${entry} ${line.detail}`, verified: line.outcome === 'not-registered' ? !present : true };
    }
    const row = after.table.rows.find((r) => r.architecture === architecture);
    const registered = row?.entry?.enabled ? row.entry : undefined;
    const entryNow = registered?.name ?? entry;
    const line = log.lines.find((l) => l.action === 'install' && architecturesOfInstallerName(l.name).includes(architecture));
    if (!line) return noLine(architecture, entryNow, log, !!registered, true);
    switch (line.outcome) {
      case 'ok':
        return registered
          ? { architecture, entry: entryNow, outcome: 'ok', message: `${entryNow} registered (flags ${registered.flags || 'none'}).`, verified: true }
          : {
              architecture,
              entry: entryNow,
              outcome: 'failed',
              message: `The installer said "${line.name} OK", but the Docker host's binfmt_misc has no enabled entry for ${architecture} afterwards.`,
              verified: false,
            };
      case 'already-registered':
        return { architecture, entry: entryNow, outcome: 'already-registered', message: line.detail, verified: !!registered };
      default:
        return { architecture, entry: entryNow, outcome: line.outcome, message: line.detail, verified: !registered };
    }
  });
}

function noLine(architecture: EmulatorArchitecture, entry: string, log: InstallerLog, present: boolean, wantPresent: boolean): JudgedOutcome {
  if (log.fatal) {
    return {
      architecture,
      entry,
      outcome: isPermissionProblem(log.fatal) ? 'eperm' : 'failed',
      message: log.fatal.split('\n').join(': '),
      verified: present !== wantPresent,
    };
  }
  return {
    architecture,
    entry,
    outcome: 'failed',
    message: `The installer printed nothing about ${architecture}; binfmt_misc ${present ? 'has' : 'has no'} ${entry} now.`,
    verified: false,
  };
}
