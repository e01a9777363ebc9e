import type { Handlers } from '../../../shared/contract';
import type { CoreContext } from '../context';
import type { ImagesService } from './images-service';

export function createImagesHandlers(context: CoreContext, images: ImagesService): Handlers['images'] {
  return {
    inspect: (input, { signal }) => images.inspector.inspectImage(input.reference, input.requestedPlatforms ?? [], { signal, refresh: input.refresh }),
    smokeRun: (input, { signal }) =>
      images.smoke.run({
        reference: input.reference,
        platform: input.platform,
        command: input.command ?? context.settings.get().results.smokeCommand,
        signal,
      }),
  };
}
