import type { AttestationEntry, AttestationItem, AttestationsReport } from '../../../shared/contract/integrity';
import { attestationName, readStatement } from '../../../shared/domain/integrity/attestations';
import type { InstalledPackage } from '../../../shared/domain/integrity/layer';
import { attestationKind, classifyIndex } from '../../../shared/domain/manifests/classify';
import { ANNOTATION_PREDICATE_TYPE, IN_TOTO_LAYER } from '../../../shared/domain/manifests/media-types';
import { manifestReference, type ImageReference } from '../../../shared/domain/image-reference';
import { RpcError } from '../../../shared/rpc/errors';
import type { RegistryClient, RegistrySession } from '../images/registry-client';
import { toReference } from '../images/image-inspector';
import { mapLimit } from '../map-limit';

/** An SBOM of a large image runs to tens of MB; past this it is not read. */
const MAX_STATEMENT_BYTES = 64 * 1024 * 1024;

/**
 * The attestation manifests of an index (BuildKit's `unknown/unknown` entries), each named after
 * the platform it describes and read: SBOM packages, provenance builder / arguments / materials.
 */
export class AttestationReader {
  constructor(private readonly registry: RegistryClient) {}

  async read(reference: string, signal?: AbortSignal): Promise<AttestationsReport> {
    const ref = toReference(reference);
    const session = await this.registry.session(ref, signal);
    const top = await session.manifest(manifestReference(ref), signal);
    if (top.document.kind !== 'index') return { reference: ref.familiar, digest: top.digest, entries: [], warnings: [] };
    const classified = classifyIndex(top.document.manifests);
    const platformOf = new Map(classified.platforms.map((p) => [p.descriptor.digest, p.text]));
    const all = [...classified.attestations, ...classified.orphanAttestations];
    const entries = await mapLimit(all, 4, async (a): Promise<AttestationEntry> => {
      const items = await this.itemsOf(session, a.descriptor.digest, a.refersTo, signal);
      const platform = platformOf.get(a.refersTo);
      return { digest: a.descriptor.digest, name: attestationName(items, platform), ...(platform ? { platform } : {}), refersTo: a.refersTo, items };
    });
    const warnings: string[] = [];
    for (const entry of entries) {
      for (const item of entry.items) {
        const what = item.kind === 'sbom' ? 'SBOM' : item.kind === 'provenance' ? 'provenance' : 'attestation';
        if (item.subjectMismatch) {
          warnings.push(`The ${what} attached to ${entry.platform ?? entry.refersTo} is about ${item.subjects.join(', ')}, not that platform's manifest ${entry.refersTo}.`);
        }
        if (item.error) warnings.push(`The ${what} attached to ${entry.platform ?? entry.refersTo} could not be read: ${item.error}`);
      }
      if (!entry.platform) warnings.push(`The attestation manifest ${entry.digest} names ${entry.refersTo}, which this index does not list.`);
    }
    return { reference: ref.familiar, digest: top.digest, entries, warnings };
  }

  /** The SBOM packages of each of these platform manifests, or undefined when any of them has no SBOM. */
  async sbomPackages(ref: ImageReference, manifests: readonly string[], signal?: AbortSignal): Promise<InstalledPackage[][] | undefined> {
    const report = await this.read(ref.canonical, signal).catch(() => undefined);
    if (!report) return undefined;
    const lists = manifests.map((digest) => {
      const sbom = report.entries.find((e) => e.refersTo === digest)?.items.find((i) => i.sbom)?.sbom;
      return sbom?.packages.map((p) => ({ name: p.name, version: p.version }));
    });
    return lists.every((l) => l !== undefined) ? (lists as InstalledPackage[][]) : undefined;
  }

  private async itemsOf(session: RegistrySession, digest: string, refersTo: string, signal?: AbortSignal): Promise<AttestationItem[]> {
    const manifest = await session.manifest(digest, signal);
    if (manifest.document.kind !== 'image') return [];
    const layers = manifest.document.layers.filter((l) => l.mediaType === IN_TOTO_LAYER);
    return mapLimit(layers, 2, async (layer) => {
      const declared = layer.annotations?.[ANNOTATION_PREDICATE_TYPE];
      try {
        return readStatement(await session.blobJson(layer.digest, signal, MAX_STATEMENT_BYTES), refersTo, declared);
      } catch (error) {
        const e = RpcError.from(error);
        if (e.code === 'CANCELLED') throw e;
        const type = declared ?? 'unknown';
        return { predicateType: type, kind: attestationKind(type), subjects: [], subjectMismatch: false, error: e.message };
      }
    });
  }
}
