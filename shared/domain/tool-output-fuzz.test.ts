/// <reference types="vite/client" />
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseBinfmtDump, parseBinfmtEntry } from './binfmt/entries';
import { parseInstallerLog, parseInstallerStatus } from './binfmt/installer-output';
import { parseBuildProgress } from './build-progress/tracker';
import { checkBuilderName, parseCheckOutput } from './buildx/check-output';
import { parseHistoryInspect, parseHistoryLs } from './buildx/history';
import { parseInspect } from './buildx/inspect-text';
import { parseLsJson } from './buildx/ls-json';
import { parseLsText } from './buildx/ls-text';
import { parsePlatformList } from './buildx/platform-list';
import { statusLogToRawjson } from './buildx/status-log';
import { parseImageReference, parseReference } from './image-reference';
import { ManifestFormatError, parseImageConfig, parseManifestDocument } from './manifests/classify';

/**
 * Every parser of a tool's output, fed the real captures mutated the ways output breaks in practice
 * (cut short, lines lost, bytes of another format or encoding inserted): each returns an answer, or
 * refuses with its own error, and never fails inside (a TypeError, a RangeError, a stack overflow)
 * on output it has not seen.
 */

const captures = import.meta.glob<string>(['./buildx/fixtures/*', './build-progress/fixtures/*', './binfmt/fixtures/*', './manifests/fixtures/*', '!**/*.ts', '!**/*.md'], {
  query: '?raw',
  import: 'default',
  eager: true,
});
const seeds = Object.values(captures).filter((t) => t.length > 0);

const JUNK = ['\n', '\r\n', '\r', '\t', ' ', '\u0000', '\uFEFF', '\uFFFD', '😀', '{', '}', '[', ']', '"', ':', ',', '\\', 'null', '{}', '[]', '"x"', '-1', '1e309', 'NaN', '{"vertexes":[{}]}', '{"statuses":null}', '{"logs":[{"data":"!!"}]}', 'Name:', 'Nodes:', 'Platforms:', 'Status:', 'Endpoint:', '*', '<none>', 'linux/', 'linux/arm/v', '/', '@sha256:', 'enabled', 'interpreter', 'magic', 'offset', '#1 ', '#999 ', 'ERROR: ', 'DONE ', '0.0s', '\u001b[31m', '\u001b[', 'x'.repeat(300)];

type Mutation = { kind: 'truncate'; at: number } | { kind: 'insert'; at: number; junk: string } | { kind: 'delete'; at: number; length: number } | { kind: 'drop-line'; line: number } | { kind: 'repeat-line'; line: number };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), junk: fc.constantFrom(...JUNK) }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 16 }) }),
  fc.record({ kind: fc.constant('drop-line' as const), line: fc.nat() }),
  fc.record({ kind: fc.constant('repeat-line' as const), line: fc.nat() }),
);

function mutate(text: string, steps: readonly Mutation[]): string {
  let out = text;
  for (const m of steps) {
    if (m.kind === 'drop-line' || m.kind === 'repeat-line') {
      const lines = out.split('\n');
      const i = m.line % lines.length;
      if (m.kind === 'drop-line') lines.splice(i, 1);
      else lines.splice(i, 0, lines[i]!);
      out = lines.join('\n');
      continue;
    }
    const at = out.length === 0 ? 0 : m.at % (out.length + 1);
    if (m.kind === 'truncate') out = out.slice(0, at);
    else if (m.kind === 'insert') out = out.slice(0, at) + m.junk + out.slice(at);
    else out = out.slice(0, at) + out.slice(at + m.length);
  }
  return out;
}

const output = fc.record({ seed: fc.constantFrom(...seeds), steps: fc.array(mutation, { maxLength: 10 }) }).map(({ seed, steps }) => mutate(seed, steps));

/** Runs `parse`; a refusal must be one of `refusals` (their own errors, with a message), never an internal failure. */
function answersOrRefuses(parse: () => unknown, refusals: ReadonlyArray<new (...args: never[]) => Error> = []): void {
  try {
    parse();
  } catch (error) {
    const own = refusals.some((r) => error instanceof r && error.constructor === r);
    if (!own) throw error;
    expect((error as Error).message.length).toBeGreaterThan(0);
  }
}

const RUNS = { numRuns: 400 };

/** `check` on every mutated capture fast-check makes (a failure is shrunk to the smallest input). */
const onOutputs = (check: (text: string) => void) => fc.assert(fc.property(output, check), RUNS);

describe('tool output parsers on mutated real captures', () => {
  it('has captures of every kind to start from', () => {
    const files = Object.keys(captures);
    for (const kind of ['buildx/fixtures/inspect-', 'buildx/fixtures/history-ls', 'build-progress/fixtures/rawjson-', 'binfmt/fixtures/proc-binfmt', 'manifests/fixtures/oci-index']) {
      expect(files.some((f) => f.includes(kind)), kind).toBe(true);
    }
  });

  it('buildx inspect, ls (text and JSON) and the platform lists answer', () => {
    onOutputs((text) => {
      answersOrRefuses(() => parseInspect(text));
      answersOrRefuses(() => parseLsText(text));
      answersOrRefuses(() => parseLsJson(text));
      answersOrRefuses(() => parsePlatformList(text));
    });
  });

  it('buildx history ls and inspect answer', () => {
    onOutputs((text) => {
      answersOrRefuses(() => parseHistoryLs(text));
      answersOrRefuses(() => parseHistoryInspect(text));
    });
  });

  it('buildx build --check output answers or is refused with what was wrong', () => {
    onOutputs((text) => {
      answersOrRefuses(() => parseCheckOutput(text), [Error]);
      answersOrRefuses(() => checkBuilderName(text));
    });
  });

  it('a build progress stream (rawjson) always makes a snapshot whose lanes are the platforms it names', () => {
    fc.assert(
      fc.property(output, fc.integer({ min: 0, max: 2 }), (text, exitCode) => {
        const snapshot = parseBuildProgress(text, { exitCode });
        const platforms = snapshot.lanes.map((l) => l.platform);
        expect(new Set(platforms).size).toBe(platforms.length);
      }),
      RUNS,
    );
  });

  it('a progress stream whose objects have the right keys but any values still makes a snapshot', () => {
    const anything = fc.jsonValue({ maxDepth: 3 });
    const item = fc.dictionary(fc.constantFrom('digest', 'name', 'inputs', 'started', 'completed', 'cached', 'error', 'vertex', 'id', 'current', 'total', 'timestamp', 'stream', 'data', 'level', 'short', 'detail', 'url', 'sourceInfo', 'range'), anything);
    const message = fc.dictionary(fc.constantFrom('vertexes', 'statuses', 'logs', 'warnings'), fc.oneof(fc.array(item, { maxLength: 4 }), anything));
    fc.assert(
      fc.property(fc.array(message, { maxLength: 12 }), fc.constantFrom(...seeds), (messages, seed) => {
        const text = `${seed.split('\n').slice(0, 20).join('\n')}\n${messages.map((m) => JSON.stringify(m)).join('\n')}\n`;
        expect(Array.isArray(parseBuildProgress(text, { exitCode: 1 }).lanes)).toBe(true);
      }),
      RUNS,
    );
  });

  it('a BuildKit status log is converted or refused as not one', () => {
    onOutputs((text) => answersOrRefuses(() => statusLogToRawjson(new TextEncoder().encode(text)), [Error]));
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 512 }), (bytes) => answersOrRefuses(() => statusLogToRawjson(bytes), [Error])),
      RUNS,
    );
  });

  it('binfmt_misc entries and the emulator installer\'s output answer', () => {
    onOutputs((text) => {
      answersOrRefuses(() => parseBinfmtEntry('qemu-aarch64', text));
      answersOrRefuses(() => parseBinfmtDump(text));
      answersOrRefuses(() => parseInstallerLog(text));
      answersOrRefuses(() => parseInstallerStatus(text));
    });
  });

  it('registry documents are read or refused as malformed', () => {
    // Mutated text is seldom JSON: the documents themselves are mutated too, a field at a time given any value.
    const documents = Object.entries(captures)
      .filter(([file]) => file.startsWith('./manifests/fixtures/') || file.endsWith('.json'))
      .flatMap(([, text]) => {
        try {
          const json: unknown = JSON.parse(text);
          return typeof json === 'object' && json !== null && !Array.isArray(json) ? [json as Record<string, unknown>] : [];
        } catch {
          return [];
        }
      });
    expect(documents.length).toBeGreaterThan(4);
    const field = fc.constantFrom('schemaVersion', 'mediaType', 'manifests', 'layers', 'config', 'platform', 'annotations', 'architecture', 'os', 'variant', 'rootfs', 'history', 'digest', 'size', 'subject');
    const changed = fc.record({ document: fc.constantFrom(...documents), fields: fc.dictionary(field, fc.jsonValue({ maxDepth: 3 }), { maxKeys: 4 }) }).map(({ document, fields }) => ({ ...document, ...fields }));
    const refusedOrRead = (json: unknown) => {
      answersOrRefuses(() => parseManifestDocument(json), [ManifestFormatError]);
      answersOrRefuses(() => parseImageConfig(json), [ManifestFormatError]);
    };
    fc.assert(fc.property(fc.oneof(changed, fc.jsonValue({ maxDepth: 4 })), refusedOrRead), RUNS);
    onOutputs((text) => {
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        return;
      }
      refusedOrRead(json);
    });
  });

  it('image references from any text are parsed or refused with a reason', () => {
    const text = fc.oneof(output.map((t) => t.slice(0, 300)), fc.string({ maxLength: 300 }), fc.stringMatching(/^[a-z0-9.:/@_-]{0,300}$/));
    fc.assert(
      fc.property(text, (t) => {
        for (const parsed of [parseReference(t), parseImageReference(t)]) {
          if (!parsed.ok) expect(parsed.error.length).toBeGreaterThan(0);
        }
      }),
      { numRuns: 500 },
    );
  });
});
