import type { Handlers } from '../../../shared/contract';
import type { DockerfileService } from './dockerfile-service';

export function createDockerfileHandlers(service: DockerfileService): Handlers['dockerfile'] {
  return {
    analyze: (input) => service.analyze(input),
    apply: (input) => service.apply(input),
    preflight: (input, { signal, emit }) => service.preflight(input, { signal, onImage: emit }),
    checks: (input, { signal }) => service.checks(input, signal),
  };
}
