import type { CheckProgress } from '../../../shared/contract/integrity';
import type { Descriptor } from '../../../shared/domain/manifests/classify';
import type { HistoryEntry } from '../../../shared/domain/integrity/steps';
import type { RuntimeConfig } from '../../../shared/domain/integrity/compare';
import type { LayerSummary } from '../../../shared/domain/integrity/layer';
import { RpcError } from '../../../shared/rpc/errors';

/** The parts of an image config blob the check and the comparison read. */
export interface ImageConfigDocument {
  architecture?: string;
  os?: string;
  variant?: string;
  config?: RuntimeConfig;
  history?: HistoryEntry[];
}

export interface PlatformContent {
  platform: string;
  manifestDigest: string;
  layers: Descriptor[];
  config: ImageConfigDocument;
  /** One per layer, in order, once read (or taken from the cache). */
  summaries: Array<LayerSummary | undefined>;
  cached: boolean[];
  /** Why this platform's content could not be read in full. */
  error?: RpcError;
}

/** An image as a check sees it: each platform's manifest, config and layer summaries. */
export interface ImageContent {
  /** What the user typed, normalised: `127.0.0.1:5000/app:1`. */
  reference: string;
  digest: string;
  platforms: PlatformContent[];
  bytesRead: number;
  layersRead: number;
  layersReused: number;
}

export interface LoadOptions {
  /** Only these (normalised) platforms; all when absent. */
  platforms?: readonly string[];
  signal?: AbortSignal;
  onProgress?: (progress: CheckProgress) => void;
}

export const asConfig = (json: unknown): ImageConfigDocument => (typeof json === 'object' && json !== null ? (json as ImageConfigDocument) : {});

/** Counts read bytes and layers, and reports at most every `everyMs` (a 500 MB image must not flood the window). */
export class ProgressMeter {
  layersDone = 0;
  bytesDone = 0;
  private last = 0;
  constructor(
    readonly layersTotal: number,
    readonly bytesTotal: number,
    private readonly emit: ((p: CheckProgress) => void) | undefined,
    private readonly now: () => number = Date.now,
    private readonly everyMs = 100,
  ) {}

  bytes(n: number, layer: string): void {
    this.bytesDone += n;
    const t = this.now();
    if (t - this.last >= this.everyMs) {
      this.last = t;
      this.send(layer);
    }
  }

  layerDone(): void {
    this.layersDone++;
    this.send();
  }

  send(layer?: string): void {
    this.emit?.({
      phase: 'layers',
      layersDone: this.layersDone,
      layersTotal: this.layersTotal,
      bytesDone: this.bytesDone,
      bytesTotal: this.bytesTotal,
      ...(layer ? { layer } : {}),
    });
  }
}

export function cancelled(signal?: AbortSignal): void {
  if (signal?.aborted) throw new RpcError('CANCELLED', 'Cancelled.');
}
