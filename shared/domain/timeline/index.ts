/**
 * Where a build's time goes: how each step ran (native, emulated, cross, cached), the per-platform
 * timeline, the plain summary, what cross-compiling would save (an estimate with its basis), the
 * comparison of two builds and the trend of one context and Dockerfile. Pure and isomorphic.
 */
export * from './model';
export { dockerfileSteps, locateStep, type DockerfileSteps, type DockerfileStage, type DockerfileStepLine, type StagePlatform } from './dockerfile-steps';
export { stepRun, type NodeFor, type NodeRun, type RunContext } from './step-kind';
export { timelineOf, runsFromTimeline, type TimelineExtras } from './timeline';
export { platformTime, platformTimes, crossEstimates, unionMs, type PlatformTime, type CrossEstimate, type EstimatedStep } from './summary';
export { compareBuilds, type ComparedBuild } from './compare';
export { trendOf, buildInputsKey, type TrendRecord } from './trend';
export { namedStage, stageSteps, stageMs, speedUp, MEASURED_STAGE } from './measure';
