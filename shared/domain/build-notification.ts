import type { BuildRecord } from '../contract/builds';

/** Builds shorter than this end while the user is still looking: no notification. */
export const LONG_BUILD_MS = 15_000;

/**
 * What to tell the user when a long build ends, or nothing for a short one. One wording for the
 * browser (headless mode) and the desktop shell's native notification.
 */
export function buildEndedNotification(record: BuildRecord): { title: string; body: string; tag: string } | undefined {
  if ((record.durationMs ?? 0) < LONG_BUILD_MS) return undefined;
  const what = record.request.tags[0] ?? record.request.context;
  const body =
    record.status === 'succeeded'
      ? `${what}: ${record.platforms.length} platform(s) built`
      : record.status === 'failed'
        ? `${what}: failed${record.failure?.platforms.length ? ` on ${record.failure.platforms.join(', ')}` : ''}`
        : `${what}: ${record.status}`;
  return { title: `Build ${record.status}`, body, tag: record.id };
}
