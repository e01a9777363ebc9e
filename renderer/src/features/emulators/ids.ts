import type { EmulatorArchitecture } from '../../../../shared/domain/binfmt/architectures';

/** `arm/v7` → `arm-v7`: architectures as test ids and element ids. */
export const archId = (arch: EmulatorArchitecture): string => arch.replace('/', '-');
