/**
 * The verdict on one platform's final filesystem: every executable or shared object whose ELF
 * class, byte order or machine is not the platform's, and every executable script whose `#!`
 * interpreter is not in the image.
 */
import { MAX_LISTED, type BinaryMismatch, type MissingInterpreter } from '../../contract/integrity';
import { describeElf, isLoadable, sameElf } from './elf';
import { expectedElf, platformsOfElf } from './elf-arch';
import type { ImageFilesystem } from './filesystem';

export interface LayerFacts {
  digest: string;
  step?: string;
}

export interface PlatformVerdict {
  status: 'clean' | 'mismatch' | 'unchecked' | 'error';
  expected?: string;
  elfFiles: number;
  regularFiles: number;
  mismatches: BinaryMismatch[];
  mismatchCount: number;
  missingInterpreters: MissingInterpreter[];
  missingInterpreterCount: number;
}

const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** PATH from the image config's `Env` (what `env` searches in the container), or the usual default. */
export function searchPath(env: readonly string[] | undefined): string[] {
  const entry = env?.find((e) => e.startsWith('PATH='));
  return (entry ? entry.slice(5) : DEFAULT_PATH).split(':').filter((d) => d.startsWith('/'));
}

/** Nothing found (yet): the start of a verdict, and what a platform that could not be read reports. */
export function emptyVerdict(status: PlatformVerdict['status']): PlatformVerdict {
  return { status, elfFiles: 0, regularFiles: 0, mismatches: [], mismatchCount: 0, missingInterpreters: [], missingInterpreterCount: 0 };
}

export function checkFilesystem(fs: ImageFilesystem, platform: string, layers: readonly LayerFacts[], env?: readonly string[]): PlatformVerdict {
  const expected = expectedElf(platform);
  const path = searchPath(env);
  const verdict: PlatformVerdict = { ...emptyVerdict(expected ? 'clean' : 'unchecked'), ...(expected ? { expected: describeElf(expected) } : {}) };
  const layerRef = (index: number) => {
    const facts = layers[index];
    return { index: Math.max(0, index), digest: facts?.digest ?? '', ...(facts?.step ? { step: facts.step } : {}) };
  };
  for (const placed of fs.walk()) {
    const { file } = placed;
    if (file.kind !== 'file') continue;
    verdict.regularFiles++;
    if (file.elf && isLoadable(file.elf)) {
      verdict.elfFiles++;
      if (expected && !sameElf(file.elf, expected)) {
        verdict.mismatchCount++;
        if (verdict.mismatches.length < MAX_LISTED) {
          verdict.mismatches.push({ path: placed.path, found: describeElf(file.elf), foundPlatforms: platformsOfElf(file.elf), layer: layerRef(placed.layer) });
        }
      }
    }
    // Only a script the kernel would run itself (an execute bit) needs its interpreter.
    if (file.shebang && (file.mode & 0o111) !== 0 && !interpreterPresent(fs, file.shebang, path)) {
      verdict.missingInterpreterCount++;
      if (verdict.missingInterpreters.length < MAX_LISTED) {
        verdict.missingInterpreters.push({
          path: placed.path,
          interpreter: file.shebang.interpreter,
          ...(file.shebang.envProgram ? { envProgram: file.shebang.envProgram } : {}),
          layer: layerRef(placed.layer),
        });
      }
    }
  }
  if (verdict.mismatchCount > 0) verdict.status = 'mismatch';
  return verdict;
}

function isRunnable(fs: ImageFilesystem, path: string): boolean {
  const target = fs.resolve(path);
  return target !== undefined && target.file.kind !== 'dir';
}

function interpreterPresent(fs: ImageFilesystem, shebang: { interpreter: string; envProgram?: string }, path: readonly string[]): boolean {
  // A relative interpreter is looked up from the caller's working folder: nothing to say about it here.
  if (!shebang.interpreter.startsWith('/')) return true;
  if (!isRunnable(fs, shebang.interpreter)) return false;
  const program = shebang.envProgram;
  if (!program) return true;
  if (program.includes('/')) return !program.startsWith('/') || isRunnable(fs, program);
  return path.some((dir) => isRunnable(fs, `${dir}/${program}`));
}
