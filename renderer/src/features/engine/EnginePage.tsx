import { api } from '../../api';
import { Facts, type Fact } from '../../components/Facts';
import { ProblemBox } from '../../components/ProblemBox';
import { useEngineStore } from '../../stores/engine-store';
import { formatBytes } from '../../components/format';
import { BuildxFeatures } from './BuildxFeatures';
import { EngineHelp } from './EngineHelp';
import { Leftovers } from './Leftovers';

const SOURCE_LABEL = {
  DOCKER_HOST: 'DOCKER_HOST',
  DOCKER_CONTEXT: 'DOCKER_CONTEXT',
  config: 'Docker CLI config',
  default: 'platform default',
} as const;

export function EnginePage() {
  const { state, info, infoProblem, loadingInfo, refreshInfo, reconnect } = useEngineStore();

  if (!state) return <p className="muted">Connecting to the app core…</p>;

  const endpointFacts: Fact[] = [
    { label: 'Endpoint', value: state.endpoint.host, testId: 'engine-endpoint' },
    { label: 'Found through', value: state.endpoint.detail, testId: 'engine-endpoint-source', hint: `Source: ${SOURCE_LABEL[state.endpoint.source]}` },
  ];
  if (state.endpoint.context) endpointFacts.push({ label: 'Context', value: state.endpoint.context });

  return (
    <section className="page" data-testid="engine-page" data-state={state.status}>
      <header className="page-header">
        <h1>Engine</h1>
        <div className="actions">
          <button type="button" onClick={() => void (state.status === 'connected' ? refreshInfo(api()) : reconnect(api()))} disabled={loadingInfo}>
            {state.status === 'connected' ? 'Refresh' : 'Retry now'}
          </button>
        </div>
      </header>

      {state.status !== 'connected' && state.problem && (
        <ProblemBox problem={{ code: 'ENGINE_UNAVAILABLE', ...state.problem }}>
          <p className="muted">The app keeps trying every second and reconnects by itself.</p>
          <EngineHelp />
        </ProblemBox>
      )}

      <div className="card">
        <h2>Connection</h2>
        <Facts facts={endpointFacts} />
      </div>

      <Leftovers />

      {state.status === 'connected' && infoProblem && <ProblemBox problem={infoProblem} />}

      {state.status === 'connected' && info && (
        <>
          <div className="card">
            <h2>Server</h2>
            <Facts
              facts={[
                { label: 'Server version', value: info.serverVersion, testId: 'engine-server-version' },
                { label: 'API version', value: info.minApiVersion ? `${info.apiVersion} (min ${info.minApiVersion})` : info.apiVersion, testId: 'engine-api-version' },
                { label: 'Native platform', value: info.platform, testId: 'engine-platform', hint: `Architecture reported by the engine: ${info.architecture}` },
                { label: 'Operating system', value: info.operatingSystem },
                { label: 'Kernel', value: info.kernelVersion, testId: 'engine-kernel' },
                { label: 'Host name', value: info.hostname },
                { label: 'CPUs', value: String(info.cpus) },
                { label: 'Memory', value: formatBytes(info.memoryBytes), testId: 'engine-memory' },
              ]}
            />
          </div>
          <div className="card">
            <h2>Images and builds</h2>
            <Facts
              facts={[
                { label: 'Storage driver', value: info.storageDriver, testId: 'engine-storage-driver' },
                {
                  label: 'containerd image store',
                  value: info.containerdImageStore ? 'on' : 'off',
                  testId: 'engine-containerd-store',
                  display: info.containerdImageStore ? (
                    <span className="ok">on: the default builder can build and keep multi-platform images</span>
                  ) : (
                    <span className="warn">off: multi-platform builds need a docker-container builder</span>
                  ),
                },
                {
                  label: 'buildx plugin',
                  value: info.buildx.installed ? (info.buildx.version ?? 'installed') : 'not installed',
                  testId: 'engine-buildx',
                },
                ...(info.cliVersion ? [{ label: 'docker CLI', value: info.cliVersion }] : []),
              ]}
            />
            {info.buildx.problem && <ProblemBox tone="warning" problem={{ code: 'BUILDX_MISSING', ...info.buildx.problem }} />}
          </div>
          <BuildxFeatures buildx={info.buildx} />
        </>
      )}
    </section>
  );
}
