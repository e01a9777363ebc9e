import { readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { BuildFactsData } from '../../../shared/contract/builds';
import { parseInspect } from '../../../shared/domain/buildx/inspect-text';
import { classify, classifyHost, type EmulatorFacts } from '../../../shared/domain/platform-support';
import { stepRun, timelineOf, type BuildTimeline } from '../../../shared/domain/timeline';
import { LogPipeline } from '../builds/log-pipeline';
import { planTimeline } from '../builds/run-context';
import { TIMELINE_TAIL_LINES } from '../builds/timeline-file';

/**
 * A real build for timeline tests: buildx 0.13.1's rawjson of a 3-platform build on the stack's
 * default (docker driver) builder, judged with the facts of that builder's captured `inspect`.
 */
export const CAPTURED_LOG = resolve(__dirname, '../../../shared/domain/build-progress/fixtures/rawjson-3platforms-cross-ok.stderr');
export const CAPTURED_PLATFORMS = ['linux/amd64', 'linux/arm64', 'linux/arm/v7'];

/** The capture's Dockerfile.ok, as its step names show it (`[tools 2/2] RUN …`, `[linux/arm64 tools 1/2] COPY rootfs-amd64/ /`). */
export const CAPTURED_DOCKERFILE = `FROM --platform=$BUILDPLATFORM scratch AS tools
ARG TARGETARCH
COPY rootfs-amd64/ /
RUN ["/bin/busybox","sh","-c","/bin/busybox --install -s /bin && echo cross-building for $TARGETARCH on $(uname -m) > /note"]

FROM scratch
ARG TARGETARCH TARGETVARIANT
COPY rootfs-\${TARGETARCH}\${TARGETVARIANT}/ /
COPY --from=tools /note /note
RUN ["/bin/busybox","sh","-c","/bin/busybox --install -s /bin && seq 1 5 && uname -m > /arch"]
`;

/** The default builder's facts from its captured inspect, with the stack's QEMU for arm64 and arm. */
export async function capturedFacts(): Promise<BuildFactsData> {
  const builder = parseInspect(await readFile(resolve(__dirname, '../../../shared/domain/buildx/fixtures/inspect-default-0.13.1.txt'), 'utf8'));
  if (!builder?.nodes[0]) throw new Error('the captured inspect has no node');
  const node = builder.nodes[0];
  // The stack registers QEMU for arm64 and arm (binfmt-misc-entries.txt).
  const emulators: EmulatorFacts = { 'linux/amd64': 'native', 'linux/arm64': 'emulated', 'linux/arm': 'emulated' };
  const classified = classify({ name: node.name, driver: builder.driver, reported: node.platforms, local: true, enginePlatform: 'linux/amd64', running: true }, emulators);
  return {
    nativePlatform: 'linux/amd64',
    containerdImageStore: true,
    builders: [{ name: builder.name, driver: builder.driver, status: 'running', current: true, nodes: [classified] }],
    host: classifyHost('linux/amd64', emulators),
    currentBuilder: builder.name,
    notes: [],
  };
}

/** The captured build's final timeline, as the core stores it; `dockerfile` null: the build's Dockerfile is unreadable. */
export async function capturedTimeline(contextDir: string, dockerfile: string | null = CAPTURED_DOCKERFILE): Promise<BuildTimeline> {
  if (dockerfile !== null) await writeFile(join(contextDir, 'Dockerfile.ok'), dockerfile);
  const plan = await planTimeline({ context: contextDir, dockerfile: 'Dockerfile.ok', platforms: CAPTURED_PLATFORMS, builder: 'default' }, await capturedFacts());
  const describe = (s: Parameters<typeof stepRun>[0]) => stepRun(s, plan.run);
  const pipeline = new LogPipeline(CAPTURED_PLATFORMS, describe);
  pipeline.push(await readFile(CAPTURED_LOG));
  pipeline.end(0);
  return timelineOf(pipeline.tracker.snapshot(), { run: describe, tailLines: TIMELINE_TAIL_LINES, ...plan.extras });
}
