import type { BuilderSummary } from '../../../../shared/contract/builders';
import { pinArgs, previewCommand } from '../../../../shared/domain/buildx/commands';
import { nodeMap, type MapCell, type MapNode, type Support } from '../../../../shared/domain/buildx/node-map';
import { routingNodeOf } from '../../../../shared/domain/buildx/routing';
import { verdictOf } from '../../../../shared/domain/platform-support';
import { CopyButton } from '../../components/CopyButton';

const MARK: Record<Support, string> = { native: '✓', emulated: 'QEMU', unavailable: '✗' };

/** The builder's nodes as the map reads them: the core's verdicts, pins and lists. */
export function mapNodesOf(builder: BuilderSummary): MapNode[] {
  return builder.nodes.map((n) => ({
    ...routingNodeOf(n),
    endpoint: n.endpoint,
    verdict: (platform) => {
      const v = verdictOf(n.support, platform);
      return { support: v.support, ...(v.note ? { note: v.note } : {}) };
    },
  }));
}

function Cell({ cell, platform }: { cell: MapCell; platform: string }) {
  const words = `${cell.node} ${cell.support === 'native' ? 'runs' : cell.support === 'emulated' ? 'emulates' : 'cannot build'} ${platform}${cell.pinned ? ', pinned with --platform' : ''}${cell.routed ? '; buildx sends it here' : ''}${cell.note ? ` — ${cell.note}` : ''}`;
  return (
    <td className={`node-map-cell ${cell.support}${cell.routed ? ' routed' : ''}`} data-testid={`node-map-cell-${platform}-${cell.node}`} data-support={cell.support} data-routed={String(cell.routed)} title={words}>
      <span className={`platform-chip ${cell.support}`}>
        {cell.support}
        <span className="platform-chip-kind" aria-hidden>
          {MARK[cell.support]}
        </span>
      </span>
      {cell.pinned && <span className="muted node-map-pin"> pinned</span>}
      {cell.routed && <strong className="node-map-routed"> ← buildx</strong>}
      <span className="sr-only">{words}</span>
    </td>
  );
}

/**
 * Rows: the platforms the user cares about; columns: the builder's nodes. Each cell says how the
 * node runs the platform; the node buildx sends the platform to is marked. Where buildx picks an
 * emulating node over a native one, the fix is offered with its commands.
 */
export function NodeMap({ builder, platforms, buildxVersion, busy, onPin }: { builder: BuilderSummary; platforms: string[]; buildxVersion: string; busy: boolean; onPin: (pins: Array<{ node: string; platforms: string[] }>) => void }) {
  if (platforms.length === 0) return <p className="muted">Tick platforms above to see where each is built.</p>;
  const map = nodeMap(mapNodesOf(builder), platforms);
  const several = builder.nodes.length > 1;
  const pinCommands = map.fix?.pins.map((p) => previewCommand(pinArgs(builder.name, builder.driver, builder.nodes.find((n) => n.name === p.node)!, p.platforms))) ?? [];
  return (
    <div className="node-map" data-testid={`node-map-${builder.name}`} data-misroutes={map.misroutes.length}>
      <table className="node-map-table">
        <caption className="sr-only">Where {builder.name} builds each platform</caption>
        <thead>
          <tr>
            <th scope="col">Platform</th>
            {builder.nodes.map((n) => (
              <th scope="col" key={n.name} title={`${n.endpoint} (${n.status})`}>
                <code>{n.name}</code> <span className="muted">{n.status}</span>
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {map.rows.map((row) => (
            <tr key={row.platform} data-testid={`node-map-row-${row.platform}`} data-routed={row.route.node} data-best={row.best.node} data-pass={row.route.pass}>
              <th scope="row">
                <code>{row.platform}</code>
              </th>
              {row.cells.map((cell) => (
                <Cell key={cell.node} cell={cell} platform={row.platform} />
              ))}
            </tr>
          ))}
        </tbody>
      </table>
      {several && (
        <p className="muted node-map-why" data-testid="node-map-why">
          buildx {buildxVersion}:{' '}
          {map.routing.startsAllNodes
            ? 'not every platform of this build is pinned on a node, so buildx starts every node and sends each platform to the first node (in the order they were added) whose list has it — native or under QEMU, it does not ask. One node that cannot start fails the whole build.'
            : 'every platform is pinned on a node (--platform on create or append), so buildx sends each to the node it is pinned on and starts only those.'}
          {map.routing.unknown.length > 0 && ` ${map.routing.unknown.join(', ')} ${map.routing.unknown.length === 1 ? 'has' : 'have'} not started: buildx asks ${map.routing.unknown.length === 1 ? 'it' : 'them'} at build time, which can change these routes.`}
        </p>
      )}
      {map.routing.failsOn.length > 0 && (
        <p className="problem error" data-testid="node-map-down">
          buildx does not skip a node that is down: this build must reach {map.routing.failsOn.map((n) => `"${n}"`).join(', ')}, so it waits 20 s and fails. Start{' '}
          {map.routing.failsOn.length === 1 ? 'its BuildKit daemon' : 'their BuildKit daemons'} ({map.routing.failsOn.map((n) => builder.nodes.find((b) => b.name === n)?.endpoint).join(', ')}), or remove the node, or pin these platforms on running nodes.
        </p>
      )}
      {map.misroutes.length > 0 && (
        <div className="problem warning node-map-advice" data-testid="node-map-advice">
          {map.misroutes.map((m) => (
            <p key={m.platform} className="problem-message">
              buildx sends <code>{m.platform}</code> to <code>{m.routed.node}</code>, which {m.routed.support === 'emulated' ? 'emulates it' : 'cannot build it'}, although <code>{m.better.node}</code> runs it {m.better.support === 'native' ? 'natively' : 'under QEMU'}.
            </p>
          ))}
          {map.fix ? (
            <>
              <p className="problem-hint">
                Pin each platform on its best node: buildx then routes the build by its pins (pinning a platform on one node takes it off the others).
              </p>
              {pinCommands.map((c) => (
                <div className="row" key={c}>
                  <code data-testid="node-map-pin-command">{c}</code>
                  <CopyButton value={c} label="Copy command" />
                </div>
              ))}
              <div className="actions">
                <button type="button" className="primary" disabled={busy} onClick={() => onPin(map.fix!.pins)} data-testid={`node-map-pin-${builder.name}`}>
                  Pin platforms
                </button>
              </div>
            </>
          ) : (
            <p className="problem-hint">Pins cannot route every platform here; put the native node first instead.</p>
          )}
          <p className="problem-hint">
            Or reorder: buildx prefers the node added first. It cannot move a node: remove the builder and create it again with the native node first, then append the others.
          </p>
        </div>
      )}
    </div>
  );
}
