import { useState, type ReactNode } from 'react';
import { appendNodeInput, type AppendNodeInput, type BuilderSummary } from '../../../../shared/contract/builders';
import { appendArgs, nextNodeName, previewCommand } from '../../../../shared/domain/buildx/commands';
import { COMMON_PLATFORMS } from '../../../../shared/domain/arch';
import { CommandPreview } from './CommandPreview';
import { Modal } from '../../components/Modal';

/**
 * Adds a node on another endpoint (a Docker context, tcp:// or ssh://) to a builder, so the
 * platforms of that machine build natively there instead of under QEMU here.
 */
export function AppendNodeDialog({
  builder,
  busy,
  failure,
  onAppend,
  onClose,
}: {
  builder: BuilderSummary;
  busy: boolean;
  failure?: ReactNode;
  onAppend(input: AppendNodeInput): void;
  onClose(): void;
}) {
  const [endpoint, setEndpoint] = useState('');
  const [node, setNode] = useState('');
  const [platforms, setPlatforms] = useState<string[]>([]);
  const [hostNetwork, setHostNetwork] = useState(builder.driver === 'docker-container');
  const [bootstrap, setBootstrap] = useState(true);

  const input: AppendNodeInput = {
    builder: builder.name,
    endpoint,
    ...(node.trim() ? { node } : {}),
    platforms,
    driverOpts: hostNetwork && builder.driver === 'docker-container' ? ['network=host'] : [],
    bootstrap,
  };
  const parsed = appendNodeInput.safeParse(input);
  const issues: Record<string, string> = {};
  if (!parsed.success) for (const i of parsed.error.issues) issues[String(i.path[0] ?? '')] ??= i.message;
  const nodeName = parsed.success ? (parsed.data.node ?? nextNodeName(builder.name, builder.nodes.map((n) => n.name))) : '';
  const preview = parsed.success ? previewCommand(appendArgs({ ...parsed.data, node: nodeName })) : '';

  return (
    <Modal
      title={`Append a node to “${builder.name}”`}
      className="builder-form"
      testId="builder-append-form"
      onClose={onClose}
      onSubmit={(e) => {
        e.preventDefault();
        if (parsed.success) onAppend(input);
      }}
    >
      <p className="muted">
        A node on a machine of another architecture builds that platform natively, much faster than QEMU. Give a Docker context name, or an
        address such as ssh://user@arm-box or tcp://arm-box:2376.
      </p>
      <div className="grid-form">
        <label>
          Endpoint
          <input value={endpoint} onChange={(e) => setEndpoint(e.target.value)} placeholder="arm-box or ssh://user@arm-box" autoFocus data-testid="builder-append-endpoint" />
          {endpoint && issues.endpoint && <span className="err builder-field-error">{issues.endpoint}</span>}
        </label>
        <label>
          Node name (optional)
          <input value={node} onChange={(e) => setNode(e.target.value)} placeholder={nextNodeName(builder.name, builder.nodes.map((n) => n.name))} data-testid="builder-append-node" />
          {issues.node && <span className="err builder-field-error">{issues.node}</span>}
        </label>
      </div>
      <fieldset className="builder-platforms">
        <legend>Platforms this node should build (optional)</legend>
        {COMMON_PLATFORMS.map((p) => (
          <label key={p} className="check">
            <input type="checkbox" checked={platforms.includes(p)} onChange={(e) => setPlatforms(e.target.checked ? [...platforms, p] : platforms.filter((x) => x !== p))} />
            {p}
          </label>
        ))}
      </fieldset>
      <div className="row">
        {builder.driver === 'docker-container' && (
          <label className="check">
            <input type="checkbox" checked={hostNetwork} onChange={(e) => setHostNetwork(e.target.checked)} />
            Host network
          </label>
        )}
        <label className="check">
          <input type="checkbox" checked={bootstrap} onChange={(e) => setBootstrap(e.target.checked)} />
          Start it now
        </label>
      </div>
      {preview && <CommandPreview command={preview} testId="builder-append-preview" />}
      {failure}
      <div className="actions">
        <button type="submit" className="primary" disabled={busy || !parsed.success} data-testid="builder-append-submit">
          {busy ? 'Appending…' : 'Append node'}
        </button>
        <button type="button" onClick={onClose}>
          Cancel
        </button>
      </div>
    </Modal>
  );
}
