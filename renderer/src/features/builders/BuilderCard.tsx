import type { BuilderSummary } from '../../../../shared/contract/builders';
import { CopyButton } from '../../components/CopyButton';
import { ProblemBox } from '../../components/ProblemBox';
import { NodeMap } from './NodeMap';
import { PlatformChips } from './PlatformChips';

export interface BuilderActions {
  select(name: string): void;
  use(name: string): void;
  bootstrap(name: string): void;
  stop(name: string): void;
  restart(name: string): void;
  remove(builder: BuilderSummary): void;
  logs(name: string, node?: string): void;
  append(builder: BuilderSummary): void;
  removeNode(builder: string, node: string): void;
  pin(builder: string, pins: Array<{ node: string; platforms: string[] }>): void;
}

/** What the node × platform maps show: the platforms the user cares about, and the buildx that routes them. */
export interface MapSettings {
  platforms: string[];
  buildxVersion: string;
}

const STATUS_TONE: Record<BuilderSummary['status'], string> = {
  running: 'ok',
  inactive: 'info',
  stopped: 'warn',
  error: 'err',
  unknown: '',
};

/** One builder: its nodes, what each builds (native / emulated), and what can be done with it. */
export function BuilderCard({ builder, selected, busy, actions, map }: { builder: BuilderSummary; selected: boolean; busy: string | undefined; actions: BuilderActions; map: MapSettings }) {
  const b = builder;
  const own = b.driver !== 'docker';
  const running = b.status === 'running';
  return (
    <article
      className={`card builder-card${selected ? ' selected' : ''}`}
      data-testid={`builder-${b.name}`}
      data-status={b.status}
      data-current={String(b.current)}
      data-healthy={String(b.healthy)}
      data-busy={busy ?? ''}
      onClick={() => actions.select(b.name)}
    >
      <header className="builder-head">
        <h2>
          {/* The card selects on click; this button makes that reachable from the keyboard. */}
          <button
            type="button"
            className="builder-name"
            aria-pressed={selected}
            title="Check what this builder can build"
            onClick={(e) => {
              e.stopPropagation();
              actions.select(b.name);
            }}
            data-testid={`builder-select-${b.name}`}
          >
            {b.name}
          </button>
          {b.current && (
            <span className="badge info" data-testid="builder-current" title="Builds without --builder use this one">
              current
            </span>
          )}
          <span className="badge">{b.driver}</span>
          <span className={`badge ${STATUS_TONE[b.status]}`} data-testid="builder-status">
            {busy ? `${busy}…` : b.status}
          </span>
          {!b.healthy && running && <span className="badge warn">needs attention</span>}
        </h2>
        <div className="actions" onClick={(e) => e.stopPropagation()}>
          <button type="button" disabled={b.current || !!busy} onClick={() => actions.use(b.name)} data-testid={`builder-use-${b.name}`}>
            Use
          </button>
          <button type="button" disabled={!!busy} onClick={() => actions.bootstrap(b.name)} data-testid={`builder-bootstrap-${b.name}`} title="docker buildx inspect --bootstrap: start it, then show its platforms">
            Inspect / Bootstrap
          </button>
          {own && (
            <>
              <button type="button" disabled={!running || !!busy} onClick={() => actions.stop(b.name)} data-testid={`builder-stop-${b.name}`}>
                Stop
              </button>
              <button type="button" disabled={!!busy} onClick={() => actions.restart(b.name)} data-testid={`builder-restart-${b.name}`} title="Stop, then start again (picks up new emulators)">
                Restart
              </button>
            </>
          )}
          {b.driver === 'docker-container' && (
            <button type="button" disabled={!!busy} onClick={() => actions.logs(b.name)} data-testid={`builder-logs-${b.name}`}>
              Logs
            </button>
          )}
          {own && (
            <>
              <button type="button" disabled={!!busy} onClick={() => actions.append(b)} data-testid={`builder-append-${b.name}`} title="Add a node on another machine so its platform builds natively">
                Append node
              </button>
              <button type="button" className="danger" disabled={!!busy} onClick={() => actions.remove(b)} data-testid={`builder-remove-${b.name}`}>
                Remove
              </button>
            </>
          )}
        </div>
      </header>

      {b.error && <ProblemBox problem={{ code: 'BUILDER_ERROR', message: `buildx cannot load "${b.name}": ${b.error}` }} />}
      {b.problem && (
        <ProblemBox problem={{ code: 'BUILDER_START_FAILED', message: b.problem.message, ...(b.problem.hint ? { hint: b.problem.hint } : {}) }}>
          {b.problem.command && (
            <div className="row">
              <code>$ {b.problem.command}</code>
              <CopyButton value={b.problem.command} label="Copy command" />
            </div>
          )}
          {b.problem.output && <pre className="builder-output">{b.problem.output}</pre>}
        </ProblemBox>
      )}

      <table className="builder-nodes">
        <thead>
          <tr>
            <th>Node</th>
            <th>Endpoint</th>
            <th>Status</th>
            <th>BuildKit</th>
            <th>Platforms</th>
          </tr>
        </thead>
        <tbody>
          {b.nodes.map((n) => (
            <tr key={n.name} data-testid={`builder-node-${n.name}`} data-status={n.status}>
              <td>
                <code>{n.name}</code>
                {b.nodes.length > 1 && own && (
                  <button
                    type="button"
                    className="link-button"
                    disabled={!!busy}
                    onClick={(e) => {
                      e.stopPropagation();
                      actions.removeNode(b.name, n.name);
                    }}
                    data-testid={`builder-remove-node-${n.name}`}
                  >
                    remove node
                  </button>
                )}
              </td>
              <td>
                <code>{n.endpoint}</code>
                {!n.local && <div className="muted">another machine</div>}
              </td>
              <td>
                <span className={n.status === 'running' ? 'ok' : n.status === 'error' ? 'err' : 'muted'}>{n.status}</span>
                {n.error && <div className="err">{n.error}</div>}
              </td>
              <td>{n.buildkitVersion ?? '—'}</td>
              <td>
                <PlatformChips support={n.support} />
                {n.support.notes.map((note) => (
                  <p key={note} className="muted builder-note">
                    {note}
                  </p>
                ))}
              </td>
            </tr>
          ))}
        </tbody>
      </table>

      <details className="node-map-details" open={b.nodes.length > 1} onClick={(e) => e.stopPropagation()} data-testid={`node-map-toggle-${b.name}`}>
        <summary>Node × platform map{b.nodes.length > 1 ? ': which node builds which platform' : ''}</summary>
        <NodeMap builder={b} platforms={map.platforms} buildxVersion={map.buildxVersion} busy={!!busy} onPin={(pins) => actions.pin(b.name, pins)} />
      </details>
    </article>
  );
}
