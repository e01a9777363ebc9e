/**
 * Dockerfile advice for multi-architecture builds: `analyzeDockerfile` parses (with dockerfile-ast,
 * see model.ts for why) and reports hard-coded architectures, platform args used where they are
 * empty, pinned `FROM --platform` values, and compile stages that run under QEMU versus the
 * `$BUILDPLATFORM` cross-compile pattern. `planPreflight`/`preflightFindings` check base images
 * against the ticked platforms. Pure and isomorphic: runs in the renderer and in Node.
 */
export { analyzeDockerfile, targetStages, DEFAULT_ADVICE_PLATFORMS, type AnalyzeOptions } from './analyze';
export { applyEdits } from './rewrite';
export { planPreflight, preflightFindings } from './preflight';
export {
  PREDEFINED_ARGS,
  PREDEFINED_ARG_NAMES,
  isPredefinedArg,
  type PredefinedArg,
  type PredefinedArgName,
} from './predefined-args';
export { hoverAt } from './hover';
export { expandDockerfileWord, type Expansion } from './expand';
export * from './types';
export { mergeBuildChecks, type AdviceItem } from './build-checks';
