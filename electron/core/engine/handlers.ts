import type { Handlers } from '../../../shared/contract';
import type { CoreContext } from '../context';

export function createEngineHandlers({ engine }: CoreContext): Handlers['engine'] {
  return {
    state: () => engine.state,
    info: () => engine.info(),
    reconnect: () => engine.reconnect(),
  };
}
