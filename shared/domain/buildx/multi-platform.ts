/** Can this builder build several platforms in one `docker buildx build --platform a,b`? */
export interface MultiPlatformVerdict {
  /** yes: it can; no: it cannot as configured; limited: it can, but lists fewer than two platforms. */
  verdict: 'yes' | 'no' | 'limited' | 'unknown';
  /** One plain sentence. */
  summary: string;
  /** What to do, or what to know, when it is not a plain yes. */
  details: string[];
  /** The one-click fix: create and use a docker-container builder. */
  suggestContainerBuilder: boolean;
}

export interface MultiPlatformInput {
  name: string;
  driver: string;
  /** Platforms the builder's nodes can build (empty when not started). */
  platforms: readonly string[];
  running: boolean;
  /** The engine keeps images in containerd (`driver-type io.containerd.snapshotter.v1`). */
  containerdImageStore: boolean;
}

export const CONTAINERD_STORE_HOWTO =
  'Or switch the engine to the containerd image store: add {"features": {"containerd-snapshotter": true}} to /etc/docker/daemon.json and restart the Docker daemon (Docker Desktop: Settings → General → "Use containerd for pulling and storing images"). Images stored before the switch are not visible afterwards until you switch back.';

export function multiPlatformVerdict(input: MultiPlatformInput): MultiPlatformVerdict {
  if (input.driver === 'docker') {
    if (!input.containerdImageStore) {
      return {
        verdict: 'no',
        summary: `No: "${input.name}" uses the docker driver and this engine does not use the containerd image store, so it builds one platform at a time ("Multi-platform build is not supported for the docker driver").`,
        details: [
          'Fix it in one click: create a docker-container builder and make it the current one; it builds every platform it lists in one go and can push the multi-platform image.',
          CONTAINERD_STORE_HOWTO,
        ],
        suggestContainerBuilder: true,
      };
    }
  }
  if (!input.running && input.platforms.length === 0) {
    return {
      verdict: 'unknown',
      summary: `"${input.name}" has not started yet, so it has not said which platforms it can build. Start it (Inspect / Bootstrap) to find out.`,
      details: [],
      suggestContainerBuilder: false,
    };
  }
  if (input.platforms.length < 2) {
    return {
      verdict: 'limited',
      summary: `"${input.name}" could build several platforms in one go, but it lists only ${input.platforms[0] ?? 'no platform'}.`,
      details: [
        'Register emulators (Emulators page) and restart the builder, or append a node on a machine of the other architecture.',
      ],
      suggestContainerBuilder: false,
    };
  }
  const details: string[] = [];
  if (input.driver !== 'docker' && !input.containerdImageStore) {
    details.push('Push the result to a registry: loading a multi-platform image into this engine (--load) needs the containerd image store.');
  }
  return {
    verdict: 'yes',
    summary:
      input.driver === 'docker'
        ? `Yes: "${input.name}" uses the docker driver and this engine keeps images in containerd, so one build can produce several platforms.`
        : `Yes: "${input.name}" (${input.driver} driver) builds all of its ${input.platforms.length} platforms in one go.`,
    details,
    suggestContainerBuilder: false,
  };
}
