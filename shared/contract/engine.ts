import { z } from 'zod';
import { buildxCapability } from '../domain/buildx/capabilities';
import { event, request } from '../rpc/define';

export const endpointSource = z.enum(['DOCKER_HOST', 'DOCKER_CONTEXT', 'config', 'default']);

export const engineEndpoint = z.object({
  /** `unix:///var/run/docker.sock`, `tcp://host:2376`, `ssh://user@host`, `npipe:////./pipe/docker_engine`. */
  host: z.string(),
  source: endpointSource,
  /** Human wording of where it came from, e.g. `context "colima" in ~/.docker/config.json`. */
  detail: z.string(),
  /** The Docker context in use, when the endpoint came from one. */
  context: z.string().optional(),
  tls: z.boolean(),
});

export const engineProblem = z.object({
  message: z.string(),
  hint: z.string(),
});

export const engineState = z.object({
  status: z.enum(['connecting', 'connected', 'disconnected']),
  endpoint: engineEndpoint,
  /** Set while disconnected: what failed and what to do. */
  problem: engineProblem.optional(),
  /** ISO time of the last status change. */
  since: z.string(),
  /** Bumped each time the engine comes (back) up, so pages know to refresh. */
  generation: z.number().int(),
});

export const buildxPlugin = z.object({
  installed: z.boolean(),
  version: z.string().optional(),
  /** Why it is not usable, and what to do. */
  problem: engineProblem.optional(),
  /** What this buildx can do, and for each missing feature why (empty without buildx). */
  features: z.array(buildxCapability),
});

export const engineInfo = z.object({
  endpoint: engineEndpoint,
  serverVersion: z.string(),
  apiVersion: z.string(),
  minApiVersion: z.string().optional(),
  /** Native platform, normalised: `linux/amd64`, `linux/arm64`, ... */
  platform: z.string(),
  architecture: z.string(),
  osType: z.string(),
  operatingSystem: z.string(),
  kernelVersion: z.string(),
  hostname: z.string(),
  storageDriver: z.string(),
  /** True when the engine stores images in containerd (multi-platform images, docker driver multi-platform builds). */
  containerdImageStore: z.boolean(),
  cpus: z.number().int(),
  memoryBytes: z.number(),
  buildx: buildxPlugin,
  cliVersion: z.string().optional(),
});

export type EngineEndpoint = z.infer<typeof engineEndpoint>;
export type EngineState = z.infer<typeof engineState>;
export type EngineInfo = z.infer<typeof engineInfo>;
export type EngineProblem = z.infer<typeof engineProblem>;
export type BuildxPlugin = z.infer<typeof buildxPlugin>;

export const engineContract = {
  /** The connection as it is now. */
  state: request(z.object({}), engineState),
  /** Facts about the engine; fails with ENGINE_UNAVAILABLE while disconnected. */
  info: request(z.object({}), engineInfo),
  /** Check the connection now instead of waiting for the next probe. */
  reconnect: request(z.object({}), engineState),
  onStateChanged: event(engineState),
};
