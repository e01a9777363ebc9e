import type { CheckInput, CheckProgress, CheckReport, CompareInput, CompareReport, ImageSource, PlatformCheck } from '../../../shared/contract/integrity';
import { checkFilesystem, emptyVerdict } from '../../../shared/domain/integrity/check';
import { compareConfig, compareFiles, comparePackages, DEFAULT_SIZE_THRESHOLD } from '../../../shared/domain/integrity/compare';
import { ImageFilesystem } from '../../../shared/domain/integrity/filesystem';
import { APK_INSTALLED, DPKG_STATUS, DPKG_STATUS_DIR, type InstalledPackage } from '../../../shared/domain/integrity/layer';
import { layerSteps } from '../../../shared/domain/integrity/steps';
import { normalizePlatform } from '../../../shared/domain/platform';
import { RpcError } from '../../../shared/rpc/errors';
import type { RegistryClient } from '../images/registry-client';
import { toReference } from '../images/image-inspector';
import { AttestationReader } from './attestation-reader';
import type { EngineSource } from './engine-source';
import type { ImageContent, LoadOptions, PlatformContent } from './image-content';
import { LayerCache } from './layer-cache';
import { RegistrySource } from './registry-source';

export interface IntegrityServiceOptions {
  registry: RegistryClient;
  dataDir: string;
  engine?: EngineSource;
  cacheMaxBytes?: number;
  log?: (message: string) => void;
  now?: () => number;
}

/**
 * Architecture integrity of an image: the binary check of every platform, the comparison of two
 * platforms, and the attestations made readable. Content comes from the registry (through the
 * app's registry client) or from the engine's image store; layers are read once per digest.
 */
export class IntegrityService {
  readonly cache: LayerCache;
  private readonly registrySource: RegistrySource;
  readonly attestations: AttestationReader;
  private readonly now: () => number;

  constructor(private readonly options: IntegrityServiceOptions) {
    this.cache = new LayerCache({ dataDir: options.dataDir, maxBytes: options.cacheMaxBytes, log: options.log });
    this.registrySource = new RegistrySource(options.registry, this.cache);
    this.attestations = new AttestationReader(options.registry);
    this.now = options.now ?? Date.now;
  }

  private async load(reference: string, source: ImageSource, options: LoadOptions): Promise<ImageContent> {
    const ref = toReference(reference);
    if (source === 'engine') {
      if (!this.options.engine) throw new RpcError('ENGINE_UNAVAILABLE', 'Reading images from the engine is not available here.');
      return this.options.engine.load(ref, this.cache, options);
    }
    return this.registrySource.load(ref, options);
  }

  async check(input: CheckInput, options: { signal?: AbortSignal; onProgress?: (p: CheckProgress) => void } = {}): Promise<CheckReport> {
    const started = this.now();
    const source = input.source ?? 'registry';
    const content = await this.load(input.reference, source, { ...options, ...(input.platforms ? { platforms: input.platforms } : {}) });
    const platforms = content.platforms.map(checkPlatform);
    const status = platforms.some((p) => p.status === 'mismatch') ? 'mismatch' : platforms.some((p) => p.status === 'error') ? 'error' : 'clean';
    return {
      reference: content.reference,
      digest: content.digest,
      source,
      status,
      platforms,
      bytesRead: content.bytesRead,
      layersRead: content.layersRead,
      layersReused: content.layersReused,
      checkedAt: new Date(this.now()).toISOString(),
      durationMs: Math.max(0, this.now() - started),
    };
  }

  async compare(input: CompareInput, options: { signal?: AbortSignal; onProgress?: (p: CheckProgress) => void } = {}): Promise<CompareReport> {
    const a = normalizePlatform(input.a);
    const b = normalizePlatform(input.b);
    if (a === b) throw new RpcError('BAD_INPUT', `Pick two different platforms to compare (both are ${a}).`);
    const content = await this.load(input.reference, input.source ?? 'registry', { ...options, platforms: [a, b] });
    const side = (platform: string) => {
      const p = content.platforms.find((x) => x.platform === platform);
      if (!p) throw new RpcError('PLATFORM_NOT_IN_IMAGE', `${content.reference} has no ${platform} image.`, { hint: 'Inspect the image on the Results page to see its platforms.' });
      if (p.error) throw new RpcError(p.error.code, `${platform}: ${p.error.message}`, { hint: p.error.hint, data: p.error.data });
      return { content: p, fs: filesystemOf(p) };
    };
    const pa = side(a);
    const pb = side(b);
    const threshold = { percent: input.sizePercent ?? DEFAULT_SIZE_THRESHOLD.percent, bytes: input.sizeBytes ?? DEFAULT_SIZE_THRESHOLD.bytes };
    let packages: PackageList = packagesOf(pa.content, pa.fs);
    let otherPackages: PackageList = packagesOf(pb.content, pb.fs);
    if (packages.source === 'none' && otherPackages.source === 'none' && input.source !== 'engine') {
      // No package database in the image: an SBOM attestation, when there is one, still lists packages.
      const sboms = await this.attestations.sbomPackages(toReference(input.reference), [pa.content.manifestDigest, pb.content.manifestDigest], options.signal);
      if (sboms) {
        packages = { source: 'sbom', list: sboms[0] ?? [] };
        otherPackages = { source: 'sbom', list: sboms[1] ?? [] };
      }
    }
    const pkgSource = packages.source !== 'none' ? packages.source : otherPackages.source;
    return {
      reference: content.reference,
      digest: content.digest,
      a: { platform: a, manifestDigest: pa.content.manifestDigest },
      b: { platform: b, manifestDigest: pb.content.manifestDigest },
      ...compareFiles(pa.fs, pb.fs, threshold),
      packages: comparePackages(pkgSource, packages.list, otherPackages.list),
      config: compareConfig(pa.content.config.config, pb.content.config.config),
    };
  }
}

type PackageList = { source: CompareReport['packages']['source']; list: InstalledPackage[] };

function filesystemOf(platform: PlatformContent): ImageFilesystem {
  const fs = new ImageFilesystem();
  platform.summaries.forEach((summary, i) => {
    if (summary) fs.apply(i, summary);
  });
  return fs;
}

function checkPlatform(platform: PlatformContent): PlatformCheck {
  const steps = layerSteps(platform.config.history, platform.layers.length);
  const layers = platform.layers.map((l, i) => ({
    index: i,
    digest: l.digest,
    mediaType: l.mediaType ?? '',
    size: l.size,
    ...(steps[i] ? { step: steps[i] } : {}),
    cached: platform.cached[i] ?? false,
  }));
  if (platform.error) {
    return {
      platform: platform.platform,
      manifestDigest: platform.manifestDigest,
      ...emptyVerdict('error'),
      layers,
      error: { code: platform.error.code, message: platform.error.message, ...(platform.error.hint ? { hint: platform.error.hint } : {}) },
    };
  }
  const verdict = checkFilesystem(
    filesystemOf(platform),
    platform.platform,
    layers.map((l) => ({ digest: l.digest, ...(l.step ? { step: l.step } : {}) })),
    platform.config.config?.Env ?? undefined,
  );
  return { platform: platform.platform, manifestDigest: platform.manifestDigest, ...verdict, layers };
}

/** Installed packages from the image's own database (dpkg, distroless status.d, apk): from the layer that left each file in place. */
function packagesOf(platform: PlatformContent, fs: ImageFilesystem): { source: 'dpkg' | 'apk' | 'none'; list: InstalledPackage[] } {
  const dbOf = (path: string) => {
    const placed = fs.get(path);
    if (!placed || placed.file.kind !== 'file') return undefined;
    return platform.summaries[placed.layer]?.packageDbs[path];
  };
  const dpkg = dbOf(DPKG_STATUS) ?? [];
  const distroless: InstalledPackage[] = [];
  for (const placed of fs.walk()) {
    const path = placed.path.slice(1);
    if (path.startsWith(DPKG_STATUS_DIR)) distroless.push(...(dbOf(path) ?? []));
  }
  if (dpkg.length > 0 || distroless.length > 0) return { source: 'dpkg', list: [...dpkg, ...distroless] };
  const apk = dbOf(APK_INSTALLED);
  if (apk) return { source: 'apk', list: apk };
  return { source: 'none', list: [] };
}
