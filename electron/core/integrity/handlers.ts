import type { Handlers } from '../../../shared/contract';
import type { IntegrityService } from './integrity-service';

export function createIntegrityHandlers(integrity: IntegrityService): Handlers['integrity'] {
  return {
    check: (input, { signal, emit }) => integrity.check(input, { signal, onProgress: (p) => void emit(p) }),
    compare: (input, { signal, emit }) => integrity.compare(input, { signal, onProgress: (p) => void emit(p) }),
    attestations: (input, { signal }) => integrity.attestations.read(input.reference, signal),
  };
}
