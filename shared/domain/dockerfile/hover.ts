import { PREDEFINED_ARGS, type PredefinedArg } from './predefined-args';
import type { ArgReference, DockerfileAnalysis } from './types';

/** The predefined platform arg under a 1-based line/column, with its explanation, for a hover card. */
export function hoverAt(
  analysis: DockerfileAnalysis,
  line: number,
  column: number,
): { ref: ArgReference; arg: PredefinedArg } | undefined {
  const ref = analysis.platformArgRefs.find((r) => r.line === line && column >= r.column && column < r.endColumn);
  if (!ref) return undefined;
  const arg = PREDEFINED_ARGS[ref.name as keyof typeof PREDEFINED_ARGS];
  return arg ? { ref, arg } : undefined;
}
