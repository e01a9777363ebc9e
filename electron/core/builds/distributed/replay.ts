import type { BuildChunk, BuildRecord } from '../../../../shared/contract/builds';
import type { LaneState } from '../../../../shared/domain/distributed/model';
import { combineLanes, retagBatch, type LanePart } from '../../../../shared/domain/distributed/progress';
import { TERMINAL_SCROLLBACK, TerminalBatchBuilder } from '../../../../shared/domain/terminal-batch';
import { replayLog } from '../log-pipeline';
import { drainText } from '../watcher';

/** The log of a lane's latest attempt. */
export const latestLog = (lane: LaneState): string | undefined => lane.attempts[lane.attempts.length - 1]?.logFile;

const exitCodeOf = (lane: LaneState): number | undefined => (lane.status === 'running' || lane.status === 'waiting' ? undefined : lane.status === 'succeeded' ? 0 : 1);

/**
 * A distributed build's output read back from disk: every platform's latest sub-build (each in
 * its platform's view) and the app's own lines, keeping what a terminal can still show. `offsets`
 * stops each log where the live run was when a window joined.
 */
export async function replayDistributed(
  record: BuildRecord,
  options: { signal?: AbortSignal; offsets?: ReadonlyMap<string, number>; mainBytes?: number } = {},
): Promise<{ text: TerminalBatchBuilder; parts: LanePart[] }> {
  const text = new TerminalBatchBuilder({ keep: TERMINAL_SCROLLBACK, views: record.platforms });
  const parts: LanePart[] = [];
  for (const lane of record.distributed?.lanes ?? []) {
    const file = latestLog(lane);
    const part: LanePart = { platform: lane.platform, status: lane.status, ...(lane.durationMs !== undefined ? { durationMs: lane.durationMs } : {}) };
    if (file) {
      const endOffset = options.offsets?.get(lane.platform);
      const pipeline = await replayLog(file, record.id, [lane.platform], async (c) => c.terminal && text.addBatch(retagBatch(c.terminal, lane.platform)), {
        ...(endOffset !== undefined ? { endOffset } : {}),
        ...(options.signal ? { signal: options.signal } : {}),
      });
      const code = exitCodeOf(lane);
      if (code !== undefined && endOffset === undefined) pipeline.end(code);
      const rest = pipeline.take();
      if (rest) text.addBatch(retagBatch(rest, lane.platform));
      part.snapshot = pipeline.progress();
    }
    parts.push(part);
  }
  const own = await replayLog(record.logFile, record.id, [], async (c) => c.terminal && text.addBatch(c.terminal), {
    ...(options.mainBytes !== undefined ? { endOffset: options.mainBytes } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  });
  const rest = own.take();
  if (rest) text.addBatch(rest);
  return { text, parts };
}

/** Sends an ended distributed build to a window: its state, its output, then its lanes. */
export async function sendDistributedReplay(record: BuildRecord, send: (chunk: BuildChunk) => Promise<void>, signal: AbortSignal): Promise<void> {
  const id = record.id;
  await send({ id, status: record.status, replay: true, ...(record.placements ? { placements: record.placements } : {}), ...(record.distributed ? { distributed: record.distributed } : {}) });
  const { text, parts } = await replayDistributed(record, { signal });
  const texts = drainText(text, record.logFile);
  const last = texts.pop();
  for (const terminal of texts) await send({ id, terminal, replay: true });
  await send({ id, ...(last ? { terminal: last } : {}), progress: combineLanes(parts), status: record.status, replay: true });
}
