export { createImagesHandlers } from './handlers';
export { createImagesService, type ImagesService, type ImagesServiceOptions } from './images-service';
export type { ImagePlatforms, InspectOptions } from './image-inspector';
