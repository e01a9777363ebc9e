import type { FailureClassification, FailureKind } from './model';
import { normalizePlatform } from '../platform';

/**
 * Recognises why a build failed from buildx/BuildKit output (final `ERROR:` lines, the failed
 * step's error and last log lines) and says what to do in the app's terms. Rules are ordered
 * most specific first: a RUN that hits `exec format error` also ends with a generic
 * `did not complete successfully`, and the former is the cause.
 */

export interface ClassifyContext {
  /** Platforms whose steps failed, when known; used when the text itself names none. */
  platforms?: readonly string[];
  /**
   * What the app found when BuildKit's connection broke: the engine it no longer reaches, or the
   * builder whose BuildKit went away. The text alone says only "Unavailable … EOF".
   */
  lost?: { engine: string } | { builder: string; driver?: string; container?: string };
}

interface Rule {
  kind: FailureKind;
  test: RegExp;
  describe(m: RegExpExecArray, platforms: string[], context: ClassifyContext): { explanation: string; fix: string; kind?: FailureKind };
}

const listOf = (platforms: string[], none: string): string => (platforms.length ? platforms.join(', ') : none);

/**
 * The message of buildx's final error line: `ERROR: failed to solve: …` (buildx 0.13), or `ERROR: failed to build:
 * failed to solve: …` (newer buildx wraps BuildKit's error once more). Both give `failed to solve: …`.
 */
export function errorMessage(line: string): string {
  return line.replace(/^(?:ERROR|error):? /, '').replace(/^failed to build: /, '');
}

const RULES: Rule[] = [
  {
    kind: 'docker-driver-multiplatform',
    test: /Multi-platform build is not supported for the docker driver|multiple platforms feature is currently not supported for docker driver/i,
    describe: () => ({
      explanation:
        'The selected builder uses the "docker" driver on an engine with the classic image store, which cannot build several platforms at once.',
      fix: 'Select or create a builder with the docker-container driver on the Builders page, or turn on the containerd image store in the engine settings, then build again.',
    }),
  },
  {
    kind: 'load-manifest-list',
    test: /docker exporter does not currently support exporting manifest lists/i,
    describe: () => ({
      explanation:
        'A multi-platform image was sent to the local image store ("--load"), but this engine\'s image store cannot hold a manifest list.',
      fix: 'Push the image to a registry (--push) instead, build one platform at a time to load it, or turn on the containerd image store.',
    }),
  },
  {
    kind: 'emulator-missing',
    test: /exec format error/i,
    describe: (_m, platforms) => ({
      explanation: `A ${listOf(platforms, 'foreign-architecture')} program could not start: the kernel has no emulator (binfmt_misc entry) for that architecture, so it does not know how to run it.`,
      fix: `Install the emulator for ${listOf(platforms, 'that platform')} on the Emulators page, then build again.`,
    }),
  },
  {
    kind: 'emulator-crash',
    test: /qemu: uncaught target signal|qemu: unhandled CPU exception|qemu-[\w-]+: (?:Unable to reserve|unable to|.*unsupported)|Illegal instruction \(core dumped\)/i,
    describe: (_m, platforms) => ({
      explanation: `A program crashed while running under QEMU emulation for ${listOf(platforms, 'a foreign platform')}. Emulation does not support every instruction or system call.`,
      fix: 'Update the emulators on the Emulators page, build that platform on a native builder node, or cross-compile in a stage that uses FROM --platform=$BUILDPLATFORM.',
    }),
  },
  {
    kind: 'base-image-platform-missing',
    test: /(?:(\S+?): )?(?:failed to resolve source metadata for (\S+?): )?no match for platform in manifest|no matching manifest for (\S+) in the manifest list entries/i,
    describe: (m, platforms) => {
      const image = [m[2], m[1], m[3]].find((c) => c !== undefined && /[:/@]/.test(c));
      const subject = image ? `The base image ${image}` : 'A base image';
      return {
        explanation: `${subject} is not published for ${listOf(platforms, 'one of the requested platforms')}.`,
        fix: `Remove ${listOf(platforms, 'that platform')} from the build, or use a base image (or tag) that provides it; check its platforms with "docker buildx imagetools inspect".`,
      };
    },
  },
  {
    kind: 'file-not-found',
    test: /failed to (?:calculate checksum of ref|compute cache key)[^"\n]*"([^"\n]+)": not found/i,
    describe: (m) => ({
      explanation: `A COPY or ADD source, "${m[1] ?? '?'}", is not in the build context (or was excluded by .dockerignore).`,
      fix: 'Check the path in the Dockerfile against the build context folder and its .dockerignore.',
    }),
  },
  {
    kind: 'dockerfile-missing',
    test: /failed to read dockerfile: open (\S+): no such file or directory|unable to evaluate symlinks in Dockerfile path|failed to read dockerfile/i,
    describe: (m) => ({
      explanation: `The Dockerfile${m[1] ? ` (${m[1]})` : ''} was not found in the build context.`,
      fix: 'Pick the right Dockerfile and context folder for the build.',
    }),
  },
  {
    kind: 'dockerfile-syntax',
    test: /dockerfile parse error[^\n]*|unknown instruction: \S+|failed to parse dockerfile/i,
    describe: () => ({
      explanation: 'The Dockerfile has a syntax error.',
      fix: 'Fix the line the error points to in the Dockerfile.',
    }),
  },
  {
    kind: 'image-not-found',
    test: /failed to resolve source metadata for (\S+?): [^\n]*not found|pull access denied[^\n]*|(\S+): not found: manifest unknown/i,
    describe: (m) => ({
      explanation: `The image ${m[1] ?? m[2] ?? 'named in FROM'} does not exist, or the registry refuses to show it without logging in.`,
      fix: 'Check the image name and tag in FROM; for a private image, log in to its registry first.',
    }),
  },
  {
    kind: 'registry-insecure',
    test: /http: server gave HTTP response to HTTPS client/i,
    describe: () => ({
      explanation: 'The registry speaks plain HTTP but was contacted over HTTPS.',
      fix: 'Mark the registry as insecure for the builder (e.g. a buildkitd.toml "[registry] http = true" entry for docker-container builders, or the engine\'s insecure-registries), or serve it over TLS.',
    }),
  },
  {
    kind: 'registry-auth',
    test: /unauthorized: [^\n]*|authentication required|denied: requested access to the resource is denied|insufficient_scope|401 Unauthorized|403 Forbidden/i,
    describe: () => ({
      explanation: 'The registry refused the credentials (or there were none).',
      fix: 'Log in to the registry (docker login) with an account that may push to that repository, then build again.',
    }),
  },
  {
    kind: 'registry-unreachable',
    test: /dial tcp [^\n]*: (?:connect: connection refused|i\/o timeout)|no such host|TLS handshake timeout|connection reset by peer/i,
    describe: () => ({
      explanation: 'A registry could not be reached (connection refused, unknown host or timeout).',
      fix: 'Check that the registry is running and reachable from the builder, and the network or proxy settings.',
    }),
  },
  {
    kind: 'registry-server-error',
    test: /unexpected status from (?:HEAD|GET|PUT|POST|PATCH) request to (\S+): 5\d\d[^\n]*/i,
    describe: (m) => ({
      explanation: `The registry failed with a server error while the image was pushed${m[1] ? ` (${m[1].replace(/^https?:\/\//, '').split('/')[0]})` : ''}. Some registries fail when several platforms' manifests reach the same tag at once, which is how a multi-platform push arrives.`,
      fix: 'Build again: layers already pushed are reused. If it keeps failing, read the registry\'s log.',
    }),
  },
  {
    kind: 'out-of-space',
    test: /no space left on device/i,
    describe: () => ({
      explanation: 'The builder ran out of disk space.',
      fix: 'Free space: prune the build cache (docker buildx prune) and unused images.',
    }),
  },
  {
    kind: 'daemon-unreachable',
    test: /Cannot connect to the Docker daemon|error during connect|docker daemon is not running|dial unix [^\n]*docker\.sock[^\n]*/i,
    describe: () => ({
      explanation: 'The Docker engine could not be reached.',
      fix: 'Start the Docker engine (or check the selected context) and try again.',
    }),
  },
  {
    // gRPC's words when BuildKit's end of the connection vanished: the engine stopped (docker
    // driver), or the builder's container or daemon went away.
    kind: 'builder-lost',
    test: /code = Unavailable[^\n]*|error reading from server: EOF|transport is closing|connection closed before server preface/i,
    describe: (_m, _platforms, { lost }) => {
      if (lost && 'engine' in lost) {
        return {
          kind: 'engine-lost',
          explanation: `The Docker engine (${lost.engine}) stopped answering during the build, so BuildKit's connection broke and the build could not finish.`,
          fix: 'Start the Docker engine again (the Engine page shows when it is back), then build again: finished steps are cached. Processes the build left behind are listed on the Engine page.',
        };
      }
      if (lost && 'builder' in lost) {
        return {
          explanation: `The BuildKit of builder "${lost.builder}"${lost.container ? ` (container ${lost.container})` : ''} went away during the build (${lost.container ? 'the container was removed or stopped' : 'its daemon stopped'}), so the build could not finish.`,
          fix: `Start "${lost.builder}" again on the Builders page (Inspect / Bootstrap), or create it again if it was removed, then build again.`,
        };
      }
      return {
        explanation: "The connection to the builder's BuildKit broke during the build: its daemon, container or the Docker engine stopped.",
        fix: 'Check the Engine and Builders pages, start what stopped, then build again.',
      };
    },
  },
  {
    kind: 'builder-missing',
    test: /no builder "?([^"\s]+)"? found|failed to find instance|no valid drivers found/i,
    describe: (m) => ({
      explanation: `The builder${m[1] ? ` "${m[1]}"` : ''} does not exist or cannot start.`,
      fix: 'Select an existing builder or create one on the Builders page.',
    }),
  },
  {
    kind: 'command-failed',
    test: /process "((?:[^"\\]|\\.)*)" did not complete successfully: exit code: (\d+)/,
    describe: (m, platforms) => {
      const code = Number(m[2]);
      const where = platforms.length ? ` on ${platforms.join(', ')}` : '';
      const hint = EXIT_HINTS[code];
      return {
        explanation: `A RUN command failed${where} with exit code ${code}${hint ? ` (${hint})` : ''}.`,
        fix: platforms.length
          ? `Read the step's last log lines; if it passes on other platforms, the command or a package it needs may not support ${platforms.join(', ')}.`
          : "Read the step's last log lines to see why the command failed.",
      };
    },
  },
  {
    kind: 'canceled',
    test: /context canceled|operation was canceled/i,
    describe: () => ({
      explanation: 'The build was canceled before it finished.',
      fix: 'Start the build again.',
    }),
  },
];

const EXIT_HINTS: Record<number, string> = {
  126: 'the command could not be executed',
  127: 'command not found',
  132: 'illegal instruction, common under emulation',
  137: 'killed, often out of memory',
  139: 'segmentation fault',
};

const PLATFORM_IN_BRACKETS = /\[([a-z][a-z0-9_.]*\/[a-z0-9_.-]+(?:\/[a-z0-9_.-]+)?)[ \]]/gi;

export function classifyFailure(text: string, context: ClassifyContext = {}): FailureClassification {
  const platforms = context.platforms?.length
    ? [...context.platforms]
    : [...new Set([...text.matchAll(PLATFORM_IN_BRACKETS)].map((m) => normalizePlatform(m[1]!)))];
  for (const rule of RULES) {
    const m = rule.test.exec(text);
    if (!m) continue;
    const { explanation, fix, kind } = rule.describe(m, platforms, context);
    const result: FailureClassification = { kind: kind ?? rule.kind, explanation, fix, evidence: lineAround(text, m.index) };
    if (platforms.length) result.platforms = platforms;
    return result;
  }
  const firstError = /^ERROR: (.*)$/im.exec(text);
  const result: FailureClassification = {
    kind: 'unknown',
    explanation: firstError ? `The build failed: ${errorMessage(firstError[0])}` : 'The build failed.',
    fix: 'Read the log of the failed step and the error above.',
  };
  if (firstError) result.evidence = firstError[0];
  if (platforms.length) result.platforms = platforms;
  return result;
}

function lineAround(text: string, at: number): string {
  const start = text.lastIndexOf('\n', at) + 1;
  let end = text.indexOf('\n', at);
  if (end < 0) end = text.length;
  const line = text.slice(start, end).trim();
  return line.length > 400 ? `${line.slice(0, 397)}...` : line;
}
