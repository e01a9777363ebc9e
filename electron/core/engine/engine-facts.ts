import type { EngineInfo } from '../../../shared/contract/engine';
import { nativePlatform } from '../../../shared/domain/platform';

/** The parts of the Engine API's `GET /info` the app reads (every field may be missing on some engine). */
export interface DockerInfo {
  ServerVersion?: string;
  OSType?: string;
  Architecture?: string;
  OperatingSystem?: string;
  KernelVersion?: string;
  Name?: string;
  Driver?: string;
  DriverStatus?: [string, string][];
  NCPU?: number;
  MemTotal?: number;
}

/** The parts of `GET /version` the app reads. */
export interface DockerVersion {
  Version?: string;
  ApiVersion?: string;
  MinAPIVersion?: string;
}

type EngineFacts = Omit<EngineInfo, 'endpoint' | 'buildx' | 'cliVersion'>;

/**
 * What the Engine page shows from `/info` and `/version`. The containerd image store is told by
 * `DriverStatus: [["driver-type", "io.containerd.snapshotter.v1"]]` (so on Docker 26.1 and 28.5 alike);
 * the `Containerd` object of API 1.46+ only says where containerd is, not which image store is used.
 */
export function engineFacts(info: DockerInfo, version: DockerVersion): EngineFacts {
  const driverStatus = info.DriverStatus ?? [];
  const facts: EngineFacts = {
    serverVersion: info.ServerVersion ?? version.Version ?? 'unknown',
    apiVersion: version.ApiVersion ?? 'unknown',
    platform: nativePlatform(info.OSType ?? 'linux', info.Architecture ?? 'unknown'),
    architecture: info.Architecture ?? 'unknown',
    osType: info.OSType ?? 'unknown',
    operatingSystem: info.OperatingSystem ?? 'unknown',
    kernelVersion: info.KernelVersion ?? 'unknown',
    hostname: info.Name ?? 'unknown',
    storageDriver: info.Driver ?? 'unknown',
    containerdImageStore: driverStatus.some(([k, v]) => k === 'driver-type' && v === 'io.containerd.snapshotter.v1'),
    cpus: info.NCPU ?? 0,
    memoryBytes: info.MemTotal ?? 0,
  };
  if (version.MinAPIVersion !== undefined) facts.minApiVersion = version.MinAPIVersion;
  return facts;
}
