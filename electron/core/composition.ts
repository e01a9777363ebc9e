import { homedir } from 'node:os';
import { contract, type Handlers } from '../../shared/contract';
import { errorBreach } from '../../shared/contract/endpoint-errors';
import type { SettingsPatch } from '../../shared/contract/settings';
import { createServer, type RpcServer } from '../../shared/rpc/server';
import type { CoreContext } from './context';
import { DockerCli, type DockerCliLimits } from './docker-cli';
import { EngineService } from './engine/engine-service';
import { resolveEndpoint } from './engine/endpoint';
import { createEngineHandlers } from './engine/handlers';
import { EmulatorsService, type EmulatorsServiceOptions } from './emulators/emulators-service';
import { createEmulatorHandlers } from './emulators/handlers';
import { SettingsStore } from './store/settings-store';
import { DataFolder } from './store/data-folder';
import { PickedPaths } from './picked-paths';
import { createAppHandlers, type PathPicker } from './app-handlers';
import { BuildersService } from './builders/builders-service';
import { createBuildersHandlers } from './builders/handlers';
import { BuildService, type BuildServiceOptions } from './builds/build-service';
import { DistributedBuilds } from './builds/distributed/distributed-builds';
import { createBuildsHandlers } from './builds/handlers';
import { createRecordsHandlers } from './build-records/handlers';
import { RecordsService } from './build-records/records-service';
import { createImagesHandlers, createImagesService, type ImagesService } from './images';
import { createDockerfileHandlers, DockerfileService, type DockerfileServiceOptions } from './dockerfile';
import { createCiExportHandlers } from './ci-export/handlers';
import { checkAfterBuild } from './integrity/after-build';
import { createIntegrityHandlers } from './integrity/handlers';
import { EngineSource } from './integrity/engine-source';
import { IntegrityService } from './integrity/integrity-service';
import { createTimelineHandlers } from './timeline/handlers';
import { MeasureService } from './timeline/measure-service';
import { TimelineService } from './timeline/timeline-service';

export interface CoreOptions {
  mode: 'desktop' | 'headless';
  /** Where settings, history and logs live. */
  dataDir: string;
  version: string;
  env?: Record<string, string | undefined>;
  homeDir?: string;
  platform?: NodeJS.Platform;
  dockerCliPath?: string;
  /** Applied on top of the settings file (tests, command-line flags); not written back. */
  settingsOverrides?: SettingsPatch;
  /** Validate handler outputs against the contract (tests). */
  validateOutputs?: boolean;
  probeIntervalMs?: number;
  /**
   * Build batching and backlog limits (benchmarks, tests), and `onEnded`: the desktop shell's hook
   * to notify when a long build ends while its window is not focused (page notifications are
   * denied there).
   */
  builds?: Omit<BuildServiceOptions, 'sources'>;
  /** How the emulators service reads binfmt_misc (tests force the engine path). */
  emulators?: EmulatorsServiceOptions;
  /** Bounds on the docker/buildx processes the core runs at once. */
  processes?: DockerCliLimits;
  /** The Dockerfile advice's bounds (tests: BuildKit's checks past their time limit). */
  dockerfile?: Pick<DockerfileServiceOptions, 'checkTimeoutMs'>;
  /** The desktop shell's native open dialog (app.pickPath); headless mode has none. */
  pickPath?: PathPicker;
  /**
   * Files the user chose in that dialog, granted by the shell from the dialog's own answer (see
   * electron/main/main.ts); main may read such a file as a Dockerfile outside the build context.
   * Headless mode has no dialog: an empty set.
   */
  picked?: PickedPaths;
  log?: (message: string) => void;
}

export interface Core {
  readonly server: RpcServer<typeof contract>;
  readonly context: CoreContext;
  /** Registry inspection and smoke runs, for other domains (e.g. a base image's platforms, cached per digest). */
  readonly images: ImagesService;
  readonly integrity: IntegrityService;
  dispose(): Promise<void>;
}

/** The composition root: builds every service and the handler table from one options object. */
export async function createCore(options: CoreOptions): Promise<Core> {
  const env = options.env ?? process.env;
  const platform = options.platform ?? process.platform;
  const log = options.log ?? ((m: string) => console.log(`[core] ${m}`));
  // The app starts whatever the folder's state; a read-only one makes it read-only, and says so.
  const dataFolder = await DataFolder.open(options.dataDir);
  if (dataFolder.readOnlyProblem) log(dataFolder.readOnlyProblem.message);

  const endpoint = resolveEndpoint({ env, homeDir: options.homeDir ?? homedir(), platform });
  const cli = new DockerCli(endpoint, env, options.dockerCliPath ?? 'docker', options.processes);
  const engine = new EngineService({ endpoint, cli, platform, probeIntervalMs: options.probeIntervalMs });
  const settings = await SettingsStore.open(options.dataDir, options.settingsOverrides);
  if (settings.notice) {
    log(settings.notice);
    dataFolder.notices.push(settings.notice);
  }

  const context: CoreContext = {
    engine,
    cli,
    settings,
    dataDir: options.dataDir,
    dataFolder,
    picked: options.picked ?? new PickedPaths(),
    hostPlatform: platform,
    // Events are only emitted once the engine starts, after the server below exists.
    emit: (name, payload) => server.emit(name, payload),
    log,
  };

  const emulators = new EmulatorsService(context, options.emulators);
  const platformFacts = () => emulators.platformFacts();
  const buildersService = new BuildersService(context, { emulators: platformFacts });
  const images = createImagesService(context, { env, homeDir: options.homeDir ?? homedir() });
  const integrity = new IntegrityService({ registry: images.registry, dataDir: options.dataDir, engine: new EngineSource(() => engine.client()), log });
  const followUps = new AbortController();
  const builds: BuildService = new BuildService(context, {
    ...options.builds,
    sources: { builders: (signal) => buildersService.list(signal), emulators: platformFacts },
    // What a build pushed or loaded is checked for foreign binaries; the verdict goes on its History record.
    afterSuccess: (record) =>
      checkAfterBuild(record, {
        integrity,
        signal: followUps.signal,
        record: async (buildId, summary) => {
          await builds.annotate(buildId, { integrity: summary });
          context.emit('integrity.onBuildChecked', { buildId, integrity: summary });
        },
        log,
      }),
  });
  await builds.recover().catch((error: unknown) => log(`builds: the history could not be checked at start: ${(error as Error).message}`));
  const distributed = new DistributedBuilds(context, {
    builds,
    builders: (signal) => buildersService.list(signal),
    inspector: images.inspector,
    ...(options.builds?.batchMs !== undefined ? { batchMs: options.builds.batchMs } : {}),
    ...(options.builds?.progressMs !== undefined ? { progressMs: options.builds.progressMs } : {}),
  });
  const dockerfile = new DockerfileService(context, images.inspector, { ...options.dockerfile, picked: context.picked });
  const records = new RecordsService({
    cli,
    dataDir: options.dataDir,
    // The builder's records of the app's own builds are marked with their History id.
    appBuilds: () => builds.store.buildxRefs(),
  });
  const measure = new MeasureService(context, builds);
  void measure.sweep();
  const handlers: Handlers = {
    app: createAppHandlers(context, { mode: options.mode, version: options.version, pickPath: options.pickPath }),
    engine: createEngineHandlers(context),
    emulators: createEmulatorHandlers(emulators),
    builders: createBuildersHandlers(buildersService),
    builds: createBuildsHandlers(builds, distributed, context),
    images: createImagesHandlers(context, images),
    dockerfile: createDockerfileHandlers(dockerfile),
    ciExport: createCiExportHandlers(context),
    integrity: createIntegrityHandlers(integrity),
    timeline: createTimelineHandlers(new TimelineService(context, builds), measure),
    records: createRecordsHandlers(records),
  };
  const server = createServer(contract, handlers, {
    validateOutputs: options.validateOutputs,
    ...(options.validateOutputs ? { checkError: errorBreach } : {}),
    onInternalError: (channel, error) => log(`${channel} failed: ${(error as Error).stack ?? String(error)}`),
  });

  engine.onStateChanged((state) => context.emit('engine.onStateChanged', state));
  engine.onStateChanged((state) => emulators.onEngineState(state));
  // Builds the app started earlier may have left processes behind (the app was killed, or the
  // engine stopped mid-build): look at start, and each time the engine is back.
  const lookForLeftovers = () => void builds.announceLeftovers().catch((error: unknown) => log(`builds: leftovers not checked: ${(error as Error).message}`));
  engine.onStateChanged((state) => {
    if (state.status === 'connected') lookForLeftovers();
  });
  lookForLeftovers();
  // Single-node builders of distributed builds the app was stopped in the middle of are removed once the engine answers.
  let swept = false;
  engine.onStateChanged((state) => {
    if (swept || state.status !== 'connected') return;
    swept = true;
    void distributed.sweep();
  });
  engine.start();

  return {
    server,
    context,
    images,
    integrity,
    async dispose() {
      measure.dispose();
      await builds.dispose();
      followUps.abort();
      await builds.settled();
      engine.stop();
    },
  };
}
