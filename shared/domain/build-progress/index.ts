/**
 * Build progress from `docker buildx build --progress=rawjson`: per-platform lanes, tagged log
 * lines, the failure and its likely cause, and a buildx-style terminal rendering.
 * Isomorphic: runs in the main process and in the renderer.
 */
export { BuildProgressTracker, parseBuildProgress, type BuildProgressOptions } from './tracker';
export { TerminalFormatter, humanSize, stripAnsi, type TerminalChunk, type TerminalFormatOptions } from './format';
export { classifyFailure, type ClassifyContext } from './classify';
export { parseBuildMetadata, type BuildMetadata } from './metadata';
export { JsonObjectStream, type JsonStreamSink } from './json-stream';
export { parseVertexName, type VertexName } from './vertex-name';
export { PlatformGraph } from './platform-graph';
export { decodeBase64 } from './base64';
export { parseTimestamp } from './time';
export * from './model';
