import type { Handlers } from '../../../shared/contract';
import type { ChangeChunk } from '../../../shared/contract/emulators';
import type { StreamContext } from '../../../shared/rpc/define';
import type { EmulatorsService } from './emulators-service';

/** Chunks are progress only: one the renderer can no longer take (cancelled, gone) is dropped, never fatal. */
const emitter = (ctx: StreamContext<ChangeChunk>) => (chunk: ChangeChunk) => void ctx.emit(chunk).catch(() => undefined);

export function createEmulatorHandlers(service: EmulatorsService): Handlers['emulators'] {
  return {
    status: (_input, ctx) => service.status(ctx.signal),
    plan: ({ action, architectures }) => service.plan(action, architectures),
    install: ({ architectures, consent }, ctx) => service.change('install', architectures, consent, emitter(ctx), ctx.signal),
    uninstall: ({ architectures, consent }, ctx) => service.change('uninstall', architectures, consent, emitter(ctx), ctx.signal),
    restore: ({ consent }, ctx) => service.change('restore', [], consent, emitter(ctx), ctx.signal),
    forget: ({ architectures }) => service.forget(architectures),
    test: ({ architecture }, ctx) => service.test(architecture, ctx.signal),
  };
}
