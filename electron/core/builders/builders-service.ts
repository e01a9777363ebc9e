import type {
  ActionResult,
  AppendNodeSpec,
  BuilderList,
  BuilderLogs,
  CreateBuilderSpec,
  InspectResult,
  MultiPlatformCheck,
  PinPlatformsSpec,
  RestartAllResult,
} from '../../../shared/contract/builders';
import type { EmulatorFacts } from '../../../shared/domain/platform-support';
import type { CoreContext } from '../context';
import { BuilderActions } from './builder-actions';
import { BuilderListing } from './builder-listing';
import { builderLogs } from './builder-logs';
import { BuilderProblems } from './builder-problems';
import { BuildxRunner } from './buildx-runner';

/**
 * Builders through the real buildx CLI (argv arrays, never a shell): listing and inspecting
 * (builder-listing), what the user does to them (builder-actions), and the BuildKit container's
 * log through the engine (builder-logs). Remembers why a builder failed to start, since buildx
 * itself forgets (builder-problems).
 */
export interface BuildersServiceOptions {
  /** The engine host's emulators (the Emulators domain's rows), read alongside each listing. */
  emulators?: () => Promise<EmulatorFacts>;
}

export class BuildersService {
  private readonly listing: BuilderListing;
  private readonly actions: BuilderActions;

  constructor(
    private readonly ctx: CoreContext,
    options: BuildersServiceOptions = {},
  ) {
    const buildx = new BuildxRunner(ctx.cli);
    const problems = new BuilderProblems();
    this.listing = new BuilderListing(ctx, buildx, problems, options.emulators);
    this.actions = new BuilderActions(ctx, buildx, this.listing, problems);
  }

  list(signal?: AbortSignal): Promise<BuilderList> {
    return this.listing.list(signal);
  }

  inspect(name: string, bootstrap: boolean, signal?: AbortSignal): Promise<InspectResult> {
    return this.listing.inspect(name, bootstrap, signal);
  }

  logs(name: string, node: string | undefined, tail: number, signal?: AbortSignal): Promise<BuilderLogs> {
    return builderLogs(this.ctx, this.listing, name, node, tail, signal);
  }

  multiPlatform(name: string | undefined, signal?: AbortSignal): Promise<MultiPlatformCheck> {
    return this.actions.multiPlatform(name, signal);
  }

  create(spec: CreateBuilderSpec, signal?: AbortSignal): Promise<ActionResult> {
    return this.actions.create(spec, signal);
  }

  appendNode(spec: AppendNodeSpec, signal?: AbortSignal): Promise<ActionResult> {
    return this.actions.appendNode(spec, signal);
  }

  pin(spec: PinPlatformsSpec, signal?: AbortSignal): Promise<ActionResult> {
    return this.actions.pin(spec, signal);
  }

  removeNode(builder: string, node: string, signal?: AbortSignal): Promise<ActionResult> {
    return this.actions.removeNode(builder, node, signal);
  }

  use(name: string, signal?: AbortSignal): Promise<ActionResult> {
    return this.actions.use(name, signal);
  }

  stop(name: string, signal?: AbortSignal): Promise<ActionResult> {
    return this.actions.stop(name, signal);
  }

  restart(name: string, signal?: AbortSignal): Promise<ActionResult> {
    return this.actions.restart(name, signal);
  }

  restartRunning(signal?: AbortSignal): Promise<RestartAllResult> {
    return this.actions.restartRunning(signal);
  }

  remove(name: string, keepState: boolean, signal?: AbortSignal): Promise<ActionResult> {
    return this.actions.remove(name, keepState, signal);
  }
}
