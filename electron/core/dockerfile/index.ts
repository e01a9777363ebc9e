export { createDockerfileHandlers } from './handlers';
export { DockerfileService, type DockerfileServiceOptions, type PlatformLister } from './dockerfile-service';
export { readDockerfile, type DockerfileText } from './dockerfile-file';
