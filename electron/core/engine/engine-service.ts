import Docker from 'dockerode';
import type { BuildxPlugin, EngineInfo, EngineState } from '../../../shared/contract/engine';
import { buildxCapabilities } from '../../../shared/domain/buildx/capabilities';
import { parseBuildxVersion } from '../../../shared/domain/versions';
import { RpcError } from '../../../shared/rpc/errors';
import type { DockerCli } from '../docker-cli';
import { dockerOptionsFor } from './docker-client';
import { engineFacts, type DockerInfo, type DockerVersion } from './engine-facts';
import type { ResolvedEndpoint } from './endpoint';
import { describeConnectionError } from './problems';

export interface EngineServiceOptions {
  endpoint: ResolvedEndpoint;
  cli: DockerCli;
  platform: NodeJS.Platform;
  /** How often the connection is probed; with the event stream, a stopped daemon is seen well within 2 s. */
  probeIntervalMs?: number;
  probeTimeoutMs?: number;
}

/**
 * Owns the connection to the engine: probes it, follows its event stream (which ends at once
 * when the daemon stops), reconnects by itself, and tells listeners whenever the state changes.
 */
export class EngineService {
  readonly endpoint: ResolvedEndpoint;
  private readonly docker: Docker;
  private readonly cli: DockerCli;
  private readonly platform: NodeJS.Platform;
  private readonly probeIntervalMs: number;
  private readonly probeTimeoutMs: number;
  private current: EngineState;
  private readonly listeners = new Set<(state: EngineState) => void>();
  private timer: NodeJS.Timeout | undefined;
  private events: NodeJS.ReadableStream | undefined;
  private probing: Promise<void> | undefined;
  private stopped = false;
  private buildxKnown: { generation: number; plugin: Promise<BuildxPlugin> } | undefined;

  constructor(options: EngineServiceOptions) {
    this.endpoint = options.endpoint;
    this.cli = options.cli;
    this.platform = options.platform;
    this.probeIntervalMs = options.probeIntervalMs ?? 1000;
    this.probeTimeoutMs = options.probeTimeoutMs ?? 900;
    this.docker = new Docker(dockerOptionsFor(options.endpoint));
    this.current = { status: 'connecting', endpoint: publicEndpoint(options.endpoint), since: new Date().toISOString(), generation: 0 };
  }

  get state(): EngineState {
    return this.current;
  }

  onStateChanged(listener: (state: EngineState) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  start(): void {
    this.stopped = false;
    void this.probe();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.closeEvents();
  }

  /** Probes now and resolves with the resulting state. */
  async reconnect(): Promise<EngineState> {
    await this.probe();
    return this.current;
  }

  /** The API client, or ENGINE_UNAVAILABLE with what to do while disconnected. */
  client(): Docker {
    if (this.current.status !== 'connected') {
      const problem = this.current.problem;
      throw new RpcError('ENGINE_UNAVAILABLE', problem?.message ?? 'The Docker engine is not connected yet.', {
        hint: problem?.hint ?? 'Wait a moment; the app reconnects by itself.',
      });
    }
    return this.docker;
  }

  async info(): Promise<EngineInfo> {
    const docker = this.client();
    const [info, version, buildx, cliVersion] = await Promise.all([
      docker.info() as Promise<DockerInfo>,
      docker.version() as Promise<DockerVersion>,
      this.askBuildx(),
      this.cli.run(['version', '--format', '{{.Client.Version}}'], { timeoutMs: 10_000 }).then(
        (r) => (r.code === 0 ? r.stdout.trim() : undefined),
        () => undefined,
      ),
    ]);
    return {
      endpoint: publicEndpoint(this.endpoint),
      ...engineFacts(info, version),
      buildx,
      ...(cliVersion ? { cliVersion } : {}),
    };
  }

  /**
   * The buildx plugin and what it can do (capabilities.ts), asked once per engine connection; info() asks again,
   * so the Engine page's Refresh sees a buildx replaced meanwhile.
   */
  buildx(): Promise<BuildxPlugin> {
    const generation = this.current.generation;
    if (this.buildxKnown?.generation === generation) return this.buildxKnown.plugin;
    return this.askBuildx();
  }

  private askBuildx(): Promise<BuildxPlugin> {
    const plugin = this.buildxPlugin();
    this.buildxKnown = { generation: this.current.generation, plugin };
    return plugin;
  }

  private async buildxPlugin(): Promise<BuildxPlugin> {
    try {
      const result = await this.cli.run(['buildx', 'version'], { timeoutMs: 10_000 });
      const version = result.code === 0 ? parseBuildxVersion(result.stdout) : undefined;
      if (version) return { installed: true, version, features: buildxCapabilities(version) };
      return {
        installed: false,
        features: [],
        problem: {
          message: `The buildx plugin is not available: ${(result.stderr || result.stdout).trim().split('\n')[0] ?? 'no output'}`,
          hint: 'Install it: Debian/Ubuntu `apt install docker-buildx` (or docker-buildx-plugin from Docker\'s repository); Docker Desktop ships it.',
        },
      };
    } catch (error) {
      return { installed: false, features: [], problem: { message: (error as Error).message, hint: (error as RpcError).hint ?? 'Install the docker CLI.' } };
    }
  }

  private probe(): Promise<void> {
    // One probe at a time: a manual reconnect joins the one in flight.
    this.probing ??= this.probeOnce().finally(() => {
      this.probing = undefined;
      this.schedule();
    });
    return this.probing;
  }

  private async probeOnce(): Promise<void> {
    const abort = new AbortController();
    const timeout = setTimeout(() => abort.abort(), this.probeTimeoutMs);
    try {
      // dockerode accepts an abort signal here; its type declarations do not say so.
      const ping = this.docker.ping.bind(this.docker) as unknown as (o: { abortSignal: AbortSignal }) => Promise<unknown>;
      await ping({ abortSignal: abort.signal });
      if (this.current.status !== 'connected') {
        this.set({ status: 'connected', generation: this.current.generation + 1 });
        this.followEvents();
      }
    } catch (error) {
      const code = abort.signal.aborted ? 'ETIMEDOUT' : undefined;
      const problem = describeConnectionError(code ? Object.assign(new Error('timeout'), { code }) : error, this.endpoint, this.platform);
      this.closeEvents();
      if (this.current.status !== 'disconnected' || this.current.problem?.message !== problem.message) {
        this.set({ status: 'disconnected', problem });
      }
    } finally {
      clearTimeout(timeout);
    }
  }

  private schedule(): void {
    clearTimeout(this.timer);
    if (!this.stopped) this.timer = setTimeout(() => void this.probe(), this.probeIntervalMs);
  }

  /** The event stream ends the moment the daemon goes away: probe at once instead of waiting. */
  private followEvents(): void {
    this.closeEvents();
    this.docker.getEvents({}, (error, stream) => {
      if (error || !stream) return;
      if (this.stopped || this.current.status !== 'connected') {
        (stream as NodeJS.ReadableStream & { destroy?: () => void }).destroy?.();
        return;
      }
      this.events = stream;
      stream.on('data', () => undefined);
      const lost = () => {
        if (this.events === stream) {
          this.events = undefined;
          if (!this.stopped) void this.probe();
        }
      };
      stream.on('end', lost);
      stream.on('close', lost);
      stream.on('error', lost);
    });
  }

  private closeEvents(): void {
    const stream = this.events as (NodeJS.ReadableStream & { destroy?: () => void }) | undefined;
    this.events = undefined;
    stream?.destroy?.();
  }

  private set(patch: Partial<EngineState> & Pick<EngineState, 'status'>): void {
    const next: EngineState = { ...this.current, ...patch, since: new Date().toISOString() };
    if (patch.status === 'connected') delete next.problem;
    this.current = next;
    for (const listener of this.listeners) listener(next);
  }
}

function publicEndpoint(endpoint: ResolvedEndpoint): EngineState['endpoint'] {
  const { tlsFiles: _tlsFiles, ...rest } = endpoint;
  return rest;
}
