import type { BuildChunk, BuildRecord } from '../../../shared/contract/builds';
import { runsFromTimeline } from '../../../shared/domain/timeline';
import { replayTail } from './log-pipeline';
import { readTimeline } from './timeline-file';
import { drainText } from './watcher';

/**
 * Sends an ended build (one buildx process's log) to a window as it was: its status, the terminal
 * text a terminal can still show, and its lanes, ended the way the build ended.
 */
export async function replayEnded(record: BuildRecord, dir: string, send: (chunk: BuildChunk) => Promise<void>, signal: AbortSignal): Promise<void> {
  const { id } = record;
  await send({ id, status: record.status, replay: true, ...(record.placements ? { placements: record.placements } : {}) });
  // The lanes say how each step ran, as the build's stored timeline has it.
  const stored = await readTimeline(dir).catch(() => undefined);
  const { pipeline, text } = await replayTail(record, { signal, ...(stored ? { describe: runsFromTimeline(stored) } : {}) }, (p) => {
    // A replay of an ended build ends its lanes the way the build ended.
    if (record.status !== 'running') p.end(record.exitCode ?? (record.status === 'succeeded' ? 0 : 1));
    if (record.note && record.status !== 'succeeded' && record.status !== 'failed') p.note(record.note);
  });
  const texts = drainText(text, record.logFile);
  const last = texts.pop();
  for (const terminal of texts) await send({ id, terminal, replay: true });
  await send({ id, ...(last ? { terminal: last } : {}), progress: pipeline.progress(), status: record.status, replay: true });
}
