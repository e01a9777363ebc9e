export { analyzeDockerfile, targetStages } from './analyze';
export { planPreflight, preflightFindings } from './preflight';
export { PREDEFINED_ARGS, PREDEFINED_ARG_NAMES, isPredefinedArg, type PredefinedArg, type PredefinedArgName } from './predefined-args';
export { hoverAt } from './hover';
export { expandDockerfileWord } from './expand';
export * from './types';
