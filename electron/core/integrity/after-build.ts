import type { BuildRecord } from '../../../shared/contract/builds';
import type { CheckReport, IntegritySummary } from '../../../shared/contract/integrity';
import { splitReference } from '../../../shared/domain/image-reference';
import { RpcError } from '../../../shared/rpc/errors';
import type { IntegrityService } from './integrity-service';

/** What a finished build made that can be checked: the pushed image pinned by digest, or the loaded one in the engine. */
export function buildCheckTarget(record: BuildRecord): { reference: string; source: 'registry' | 'engine' } | undefined {
  if (record.status !== 'succeeded') return undefined;
  const name = record.imageNames[0] ?? record.request.tags[0];
  if (!name) return undefined;
  if (record.request.output.type === 'push') {
    // The digest buildx pushed, not whatever the tag points at by the time the check runs; it replaces any digest in the name.
    const parts = splitReference(name);
    const bare = parts ? `${parts.name}${parts.tag !== undefined ? `:${parts.tag}` : ''}` : name;
    return { reference: record.digest ? `${bare}@${record.digest}` : name, source: 'registry' };
  }
  if (record.request.output.type === 'load') return { reference: name, source: 'engine' };
  return undefined;
}

export function summarize(report: CheckReport, reference: string): IntegritySummary {
  const mismatchPlatforms = report.platforms.filter((p) => p.status === 'mismatch').map((p) => p.platform);
  const elf = report.platforms.reduce((n, p) => n + p.elfFiles, 0);
  const failed = report.platforms.filter((p) => p.status === 'error');
  const message =
    mismatchPlatforms.length > 0
      ? report.platforms
          .filter((p) => p.status === 'mismatch')
          .map((p) => `${p.platform}: ${p.mismatches[0]?.path ?? ''} is ${p.mismatches[0]?.found ?? 'foreign'}${p.mismatchCount > 1 ? ` (+${p.mismatchCount - 1} more)` : ''}`)
          .join('; ')
      : failed.length > 0
        ? failed.map((p) => `${p.platform}: ${p.error?.message ?? 'not checked'}`).join('; ')
        : `No foreign binaries: ${elf} ELF files on ${report.platforms.length} platform${report.platforms.length === 1 ? '' : 's'}.`;
  return { status: report.status, reference, source: report.source, checkedAt: report.checkedAt, message, mismatchPlatforms };
}

export interface AfterBuildDeps {
  integrity: Pick<IntegrityService, 'check'>;
  /** Writes the summary onto the build's History record. */
  record(buildId: string, summary: IntegritySummary): Promise<void>;
  log(message: string): void;
  /** Aborted when the app closes: the check stops and the record says so. */
  signal?: AbortSignal;
}

/** Checks what a build pushed or loaded and records the verdict on its History entry ("checking" first). */
export async function checkAfterBuild(record: BuildRecord, deps: AfterBuildDeps): Promise<IntegritySummary | undefined> {
  const target = buildCheckTarget(record);
  if (!target) return undefined;
  await deps.record(record.id, { status: 'checking', reference: target.reference, source: target.source, message: 'Checking the binaries of every platform…', mismatchPlatforms: [] });
  let summary: IntegritySummary;
  try {
    summary = summarize(await deps.integrity.check(target, { signal: deps.signal }), target.reference);
  } catch (error) {
    const e = RpcError.from(error);
    const message = e.code === 'CANCELLED' ? 'The app closed before the binary check finished; check the image from the Results page.' : e.message;
    summary = { status: 'error', reference: target.reference, source: target.source, checkedAt: new Date().toISOString(), message, mismatchPlatforms: [] };
  }
  await deps.record(record.id, summary);
  deps.log(`build ${record.id}: binary check ${summary.status}: ${summary.message}`);
  return summary;
}
