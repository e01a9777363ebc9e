import type { EngineEndpoint, EngineProblem } from '../../../shared/contract/engine';

/** Turns a failed connection into what happened and what the user can do, by error code. */
export function describeConnectionError(error: unknown, endpoint: EngineEndpoint, platform: NodeJS.Platform): EngineProblem {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const where = `${endpoint.host} (${endpoint.detail})`;
  const start =
    platform === 'darwin' || platform === 'win32'
      ? 'Start Docker Desktop (or your Docker VM) and wait until it says it is running.'
      : 'Start the Docker daemon, e.g. `sudo systemctl start docker`, or run `dockerd`.';
  switch (code) {
    case 'ENOENT':
      return { message: `No Docker engine socket at ${where}.`, hint: `${start} If Docker runs elsewhere, set DOCKER_HOST or pick a context with \`docker context use\`.` };
    case 'ECONNREFUSED':
      return { message: `The Docker engine at ${where} refused the connection: it is not running.`, hint: start };
    case 'EACCES':
    case 'EPERM':
      return {
        message: `Permission denied on ${where}.`,
        hint: 'Add your user to the docker group (`sudo usermod -aG docker $USER`, then log in again), or use rootless Docker.',
      };
    case 'ETIMEDOUT':
    case 'ABORT_ERR':
      return { message: `The Docker engine at ${where} did not answer in time.`, hint: 'Check that the daemon is healthy (`docker info`) and the host is reachable.' };
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return { message: `Cannot resolve the Docker host in ${where}.`, hint: 'Check the host name in DOCKER_HOST or in the context.' };
    default: {
      const text = error instanceof Error ? error.message : String(error);
      return { message: `Cannot reach the Docker engine at ${where}: ${text}`, hint: start };
    }
  }
}
