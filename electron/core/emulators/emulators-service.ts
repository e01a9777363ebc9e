import type Docker from 'dockerode';
import type { ChangeChunk, ChangeResult, EmulatorPlan, EmulatorStatus, TestResult } from '../../../shared/contract/emulators';
import type { EngineState } from '../../../shared/contract/engine';
import {
  EMULATOR_ARCHITECTURES,
  isEmulatorArchitecture,
  sharingEmulator,
  type EmulatorArchitecture,
} from '../../../shared/domain/binfmt/architectures';
import { buildEmulatorTable, type EmulatorTable } from '../../../shared/domain/binfmt/host-table';
import { parseInstallerLog } from '../../../shared/domain/binfmt/installer-output';
import { PRIVILEGED_REASON, judgeOutcomes, planChange, type ChangeAction, type ChangePlan } from '../../../shared/domain/binfmt/plan';
import { nativePlatform } from '../../../shared/domain/platform';
import { emulatorFactsFromRows, type EmulatorFacts } from '../../../shared/domain/platform-support';
import { RpcError } from '../../../shared/rpc/errors';
import type { CoreContext } from '../context';
import { engineMessage, imageExists, pullImage, runContainer, uniqueName } from './containers';
import { engineIsLocal, readBinfmtThroughEngine, readLocalBinfmt, type HostDump, type HostFacts } from './host-reader';
import { testPlatform } from './platform-test';

export interface EmulatorsServiceOptions {
  /**
   * Where the host's binfmt_misc is read: `auto` reads this machine's /proc when the engine runs on this
   * very kernel and goes through the engine otherwise; `engine` always goes through the engine.
   */
  reader?: 'auto' | 'engine';
  installerTimeoutMs?: number;
}

type Emit = (chunk: ChangeChunk) => void;

interface HostRead {
  facts: HostFacts;
  nativeArch: string;
  host: HostDump;
  table: EmulatorTable;
  readMs: number;
}

const OFFLINE = /dial tcp|no such host|i\/o timeout|connection refused|network is unreachable|TLS handshake timeout|temporary failure in name resolution|server misbehaving|EAI_AGAIN/i;

/**
 * The Docker host's QEMU emulators: read its binfmt_misc, change it through a privileged installer
 * container (only with the user's consent for that exact image), test each platform with a real
 * container, and put back what the user installed when the host lost it (reboot).
 */
export class EmulatorsService {
  private queue: Promise<unknown> = Promise.resolve();
  private seenGeneration = 0;
  private facts: { generation: number; value: HostFacts } | undefined;
  private noticedMissing = '';
  private lastAutoRestore: EmulatorStatus['lastAutoRestore'];
  private factsRead: Promise<EmulatorFacts> | undefined;
  /** Settles when the check after the latest (re)connect has finished (tests, diagnostics). */
  connectCheck: Promise<void> = Promise.resolve();

  constructor(
    private readonly ctx: CoreContext,
    private readonly options: EmulatorsServiceOptions = {},
  ) {}

  /** A (re)connected engine may be another host, or the same one after a reboot: compare with what the user installed. */
  onEngineState(state: EngineState): void {
    if (state.status !== 'connected' || state.generation === this.seenGeneration) return;
    this.seenGeneration = state.generation;
    this.facts = undefined;
    this.connectCheck = this.checkRemembered().catch((error: unknown) => this.ctx.log(`emulators: check after connect failed: ${(error as Error).message}`));
  }

  async status(signal?: AbortSignal): Promise<EmulatorStatus> {
    const read = await this.readHost(signal);
    return this.publish(read);
  }

  /**
   * What the engine host runs, per platform, for the builders and builds domains: read like
   * `status`, without announcing it; callers asking at the same time share one read (which is
   * why no caller's signal cancels it: it takes milliseconds, a fraction of a second through a container).
   */
  platformFacts(): Promise<EmulatorFacts> {
    this.factsRead ??= this.readHost()
      .then((read) => emulatorFactsFromRows(read.table.rows))
      .finally(() => (this.factsRead = undefined));
    return this.factsRead;
  }

  async plan(action: ChangeAction, architectures: EmulatorArchitecture[]): Promise<EmulatorPlan> {
    const image = this.settings().installerImage;
    const read = await this.readHost();
    const plan = planChange(action, action === 'restore' ? this.missing(read) : architectures, read.table, read.nativeArch);
    return {
      action,
      architectures: plan.architectures,
      image,
      args: plan.args,
      command: this.command(image, plan.args),
      why: PRIVILEGED_REASON,
      consented: this.settings().consentedImage === image,
      skipped: [...plan.refused, ...plan.skipped],
    };
  }

  change(
    action: ChangeAction,
    architectures: EmulatorArchitecture[],
    consent: { image: string } | undefined,
    emit: Emit,
    signal?: AbortSignal,
  ): Promise<ChangeResult> {
    // Consent first, before anything touches the engine: without it nothing runs, not even a pull.
    const image = this.settings().installerImage;
    this.requireConsent(image, consent);
    return this.exclusive(() => this.runChange(action, architectures, image, consent, emit, signal));
  }

  async forget(architectures: EmulatorArchitecture[]): Promise<EmulatorStatus> {
    const drop = new Set(architectures);
    await this.ctx.settings.update({ emulators: { remembered: this.remembered().filter((a) => !drop.has(a)) } });
    return this.status();
  }

  async test(architecture: EmulatorArchitecture, signal?: AbortSignal): Promise<TestResult> {
    const docker = this.ctx.engine.client();
    return testPlatform(docker, architecture, this.settings().testImage, (argv) => this.ctx.cli.display(argv), signal);
  }

  // ---- internals -------------------------------------------------------------------------------

  private settings() {
    return this.ctx.settings.get().emulators;
  }

  private remembered(): EmulatorArchitecture[] {
    return this.settings().remembered.filter(isEmulatorArchitecture);
  }

  private command(image: string, args: string[]): string {
    return this.ctx.cli.display(['run', '--rm', '--privileged', '--network', 'none', image, ...args]);
  }

  /** Remembered architectures without an enabled entry now. Unknown when binfmt_misc cannot be read. */
  private missing(read: HostRead): EmulatorArchitecture[] {
    if (!read.host.mounted) return [];
    return this.remembered().filter((a) => {
      const row = read.table.rows.find((r) => r.architecture === a);
      return !(row?.entry?.enabled && read.table.binfmtEnabled);
    });
  }

  private requireConsent(image: string, consent: { image: string } | undefined): void {
    if (consent?.image === image || this.settings().consentedImage === image) return;
    const why = consent ? `consent was given for ${consent.image}, but the installer image is now ${image}` : 'the user has not agreed yet';
    throw new RpcError('CONSENT_REQUIRED', `Not running the privileged installer ${image}: ${why}.`, {
      hint: 'Confirm in the dialog that shows exactly what will run.',
      data: { image, why: PRIVILEGED_REASON },
    });
  }

  private exclusive<T>(work: () => Promise<T>): Promise<T> {
    const run = this.queue.then(work, work);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async hostFacts(docker: Docker): Promise<HostFacts> {
    const generation = this.ctx.engine.state.generation;
    if (this.facts?.generation === generation) return this.facts.value;
    const info = (await docker.info()) as { KernelVersion?: string; Name?: string; Architecture?: string; OSType?: string };
    const value: HostFacts = {
      kernel: info.KernelVersion ?? '',
      name: info.Name ?? '',
      architecture: info.Architecture ?? '',
      osType: info.OSType ?? 'linux',
    };
    this.facts = { generation, value };
    return value;
  }

  private async readHost(signal?: AbortSignal): Promise<HostRead> {
    const docker = this.ctx.engine.client();
    const facts = await this.hostFacts(docker);
    if (facts.osType !== 'linux') {
      throw new RpcError('EMULATORS_UNSUPPORTED', `The engine runs ${facts.osType} containers; QEMU emulators through binfmt_misc exist only for Linux engines.`, {
        hint: 'Switch Docker Desktop to Linux containers, or connect to a Linux engine.',
      });
    }
    const started = performance.now();
    const local = this.options.reader !== 'engine' && engineIsLocal(facts, this.ctx.engine.endpoint.host, this.ctx.hostPlatform);
    const host = local ? await readLocalBinfmt() : await readBinfmtThroughEngine(docker, this.settings().testImage, { signal });
    const nativeArch = nativePlatform(facts.osType, facts.architecture).replace(/^linux\//, '');
    return { facts, nativeArch, host, table: buildEmulatorTable(nativeArch, host.dump), readMs: performance.now() - started };
  }

  /** Builds the status from a read, tells the renderer, and raises the restore notice when it newly applies. */
  private publish(read: HostRead): EmulatorStatus {
    const settings = this.settings();
    const missing = this.missing(read);
    const status: EmulatorStatus = {
      host: {
        platform: `linux/${read.nativeArch}`,
        kernel: read.facts.kernel,
        name: read.facts.name,
        source: read.host.source,
        sourceDetail: read.host.sourceDetail,
      },
      mounted: read.host.mounted,
      binfmtEnabled: read.table.binfmtEnabled,
      rows: read.table.rows,
      otherQemu: read.table.otherQemu,
      nonQemu: read.table.nonQemu,
      remembered: this.remembered(),
      missing,
      installerImage: settings.installerImage,
      testImage: settings.testImage,
      consented: settings.consentedImage === settings.installerImage,
      autoRestore: settings.autoRestore,
      ...(this.lastAutoRestore ? { lastAutoRestore: this.lastAutoRestore } : {}),
      readAt: new Date().toISOString(),
      readMs: Math.round(read.readMs * 10) / 10,
    };
    this.ctx.emit('emulators.onStatusChanged', status);
    const key = missing.join(',');
    if (key && key !== this.noticedMissing) {
      this.ctx.emit('emulators.onRestoreNeeded', { missing, image: status.installerImage, consented: status.consented, autoRestore: status.autoRestore });
    }
    this.noticedMissing = key;
    return status;
  }

  private async checkRemembered(): Promise<void> {
    const read = await this.readHost();
    const missing = this.missing(read);
    const settings = this.settings();
    // Restoring on its own runs a privileged container: only with consent already given for this image.
    if (missing.length > 0 && settings.autoRestore && settings.consentedImage === settings.installerImage) {
      const at = new Date().toISOString();
      try {
        const result = await this.exclusive(() => this.runChange('restore', missing, settings.installerImage, undefined, () => undefined));
        const failed = result.outcomes.filter((o) => o.outcome !== 'ok' && o.outcome !== 'already-registered');
        this.lastAutoRestore = {
          at,
          architectures: missing,
          ok: failed.length === 0,
          message: failed.length === 0 ? `Restored ${missing.join(', ')}.` : failed.map((o) => `${o.architecture}: ${o.message}`).join('; '),
        };
        this.publish(await this.readHost());
      } catch (error) {
        this.lastAutoRestore = { at, architectures: missing, ok: false, message: engineMessage(error) };
        this.publish(read);
      }
      return;
    }
    this.publish(read);
  }

  private async runChange(
    action: ChangeAction,
    requested: EmulatorArchitecture[],
    image: string,
    consent: { image: string } | undefined,
    emit: Emit,
    signal?: AbortSignal,
  ): Promise<ChangeResult> {
    const started = performance.now();
    const docker = this.ctx.engine.client();
    const before = await this.readHost(signal);
    const architectures = action === 'restore' ? this.missing(before) : requested;
    const plan = planChange(action, architectures, before.table, before.nativeArch);
    if (plan.refused.length > 0) {
      throw new RpcError('NATIVE_ARCHITECTURE', plan.refused.map((r) => r.reason).join(' '), {
        hint: 'Untick it; only foreign architectures need an emulator.',
      });
    }
    const command = this.command(image, plan.args);
    if (consent && this.settings().consentedImage !== image) {
      await this.ctx.settings.update({ emulators: { consentedImage: image } });
    }

    let exitCode: number | undefined;
    let stdout = '';
    let stderr = '';
    if (plan.args.length > 0) {
      await this.ensureInstaller(docker, image, `linux/${before.nativeArch}`, emit, signal);
      emit({ kind: 'phase', phase: 'run', message: command });
      const run = await runContainer(docker, {
        image,
        name: uniqueName('mas-binfmt-install'),
        role: 'binfmt-installer',
        cmd: plan.args,
        privileged: true,
        signal,
        timeoutMs: this.options.installerTimeoutMs ?? 120_000,
        onStdoutLine: (line) => emit({ kind: 'output', stream: 'stdout', line }),
        onStderrLine: (line) => emit({ kind: 'output', stream: 'stderr', line }),
      });
      ({ exitCode, stdout, stderr } = run);
    }

    emit({ kind: 'phase', phase: 'verify', message: "Reading the Docker host's binfmt_misc again" });
    const after = await this.readHost(signal);
    const log = parseInstallerLog(stderr);
    if (plan.args.length > 0 && log.lines.length === 0 && !log.fatal) {
      // No per-architecture line at all: whatever it did say (e.g. the engine refusing --privileged) is the reason.
      const said = log.other.join('\n').trim();
      log.fatal = said
        ? `${said} (exit ${exitCode})`
        : `The installer ${image} printed nothing about the architectures (exit ${exitCode}${stdout.trim() ? ', status JSON only' : ''}). Is it really a binfmt installer image?`;
    }
    const outcomes = judgeOutcomes(plan, log, { table: after.table, entries: after.host.dump.entries });
    await this.remember(plan, outcomes);
    const status = this.publish(after);
    const changed = outcomes.some((o) => o.outcome === 'ok');
    this.ctx.emit('emulators.onChanged', { action, architectures: plan.architectures, restartBuildersAdvised: changed });
    return {
      action,
      image,
      command,
      outcomes,
      ...(log.fatal ? { fatal: log.fatal } : {}),
      ...(exitCode !== undefined ? { exitCode } : {}),
      status,
      restartBuildersAdvised: changed,
      durationMs: Math.round(performance.now() - started),
    };
  }

  /** Installed → remembered (to restore after a reboot); uninstalled → forgotten, with its shared twin. */
  private async remember(plan: ChangePlan, outcomes: ReturnType<typeof judgeOutcomes>): Promise<void> {
    const current = new Set(this.remembered());
    for (const o of outcomes) {
      if (plan.action === 'uninstall' && (o.outcome === 'ok' || o.outcome === 'not-registered')) {
        current.delete(o.architecture);
        for (const twin of sharingEmulator(o.architecture)) current.delete(twin);
      } else if (plan.action !== 'uninstall' && o.verified && (o.outcome === 'ok' || o.outcome === 'already-registered')) {
        current.add(o.architecture);
      }
    }
    const next = EMULATOR_ARCHITECTURES.filter((a) => current.has(a));
    if (next.join(',') !== this.remembered().join(',')) await this.ctx.settings.update({ emulators: { remembered: next } });
  }

  private async ensureInstaller(docker: Docker, image: string, platform: string, emit: Emit, signal?: AbortSignal): Promise<void> {
    emit({ kind: 'phase', phase: 'image', message: `Looking for ${image} on the engine` });
    if (await imageExists(docker, image)) return;
    emit({ kind: 'phase', phase: 'pull', message: `Pulling ${image} for ${platform}` });
    try {
      await pullImage(docker, image, { platform, signal, onProgress: (p) => emit({ kind: 'pull', ...p }) });
    } catch (error) {
      if (error instanceof RpcError) throw error;
      const reason = engineMessage(error);
      const offline = OFFLINE.test(reason);
      throw new RpcError(
        'INSTALLER_IMAGE_UNAVAILABLE',
        `The installer image ${image} is not on the engine, and pulling it failed${offline ? ' because the registry cannot be reached (offline?)' : ''}: ${reason}`,
        {
          hint: `Load it by hand: on a machine with access, docker pull ${image} && docker save ${image} -o binfmt.tar; copy binfmt.tar here and run docker load -i binfmt.tar. Or set the installer image to a mirror or a pinned tag you can reach (settings on this page).`,
          data: { image, offline },
        },
      );
    }
  }
}
