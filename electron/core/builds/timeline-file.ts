import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gunzip, gzip } from 'node:zlib';
import { buildTimelineSchema, type BuildTimeline } from '../../../shared/domain/timeline';
import { RpcError } from '../../../shared/rpc/errors';
import { writeFileAtomic } from '../store/json-file';

/**
 * A build's timeline beside its record: `timeline.json.gz` in the build's folder (a 2,000-step
 * build's is some tens of KB). The History list never reads it; the detail view does.
 */
export const TIMELINE_FILE = 'timeline.json.gz';

/** Log lines kept per step (what hovering a step of a past build shows). */
export const TIMELINE_TAIL_LINES = 5;

export async function writeTimeline(dir: string, timeline: BuildTimeline): Promise<void> {
  await writeFileAtomic(join(dir, TIMELINE_FILE), await promisify(gzip)(JSON.stringify(timeline)));
}

/** The stored timeline, or undefined when the build has none (an older build, or one still running). */
export async function readTimeline(dir: string): Promise<BuildTimeline | undefined> {
  const path = join(dir, TIMELINE_FILE);
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  try {
    return buildTimelineSchema.parse(JSON.parse((await promisify(gunzip)(bytes)).toString('utf8')));
  } catch (error) {
    throw new RpcError('TIMELINE_CORRUPT', `The timeline stored at ${path} could not be read (${(error as Error).message.slice(0, 200)}).`, {
      hint: 'Delete that file: the app makes it again from the build’s log.',
    });
  }
}
