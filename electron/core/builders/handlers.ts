import type { Handlers } from '../../../shared/contract';
import type { BuildersService } from './builders-service';

export function createBuildersHandlers(builders: BuildersService): Handlers['builders'] {
  return {
    list: (_input, { signal }) => builders.list(signal),
    inspect: ({ name, bootstrap }, { signal }) => builders.inspect(name, bootstrap, signal),
    create: (spec, { signal }) => builders.create(spec, signal),
    appendNode: (spec, { signal }) => builders.appendNode(spec, signal),
    pin: (spec, { signal }) => builders.pin(spec, signal),
    removeNode: ({ builder, node }, { signal }) => builders.removeNode(builder, node, signal),
    use: ({ name }, { signal }) => builders.use(name, signal),
    stop: ({ name }, { signal }) => builders.stop(name, signal),
    restart: ({ name }, { signal }) => builders.restart(name, signal),
    restartRunning: (_input, { signal }) => builders.restartRunning(signal),
    remove: ({ name, keepState }, { signal }) => builders.remove(name, keepState, signal),
    logs: ({ name, node, tail }, { signal }) => builders.logs(name, node, tail, signal),
    multiPlatform: ({ name }, { signal }) => builders.multiPlatform(name, signal),
  };
}
