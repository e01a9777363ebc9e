import type { AttestationItem } from '../../../../shared/contract/integrity';
import { api } from '../../api';
import { ProblemBox } from '../../components/ProblemBox';
import { useIntegrityStore } from '../../stores/integrity-store';

const shortDigest = (digest: string) => digest.replace(/^sha256:/, '').slice(0, 12);

function Item({ item }: { item: AttestationItem }) {
  return (
    <div className="attestation-item" data-testid={`attestation-${item.kind}`}>
      <div className="muted">{item.predicateType}</div>
      {item.error && <p className="err">{item.error}</p>}
      {item.subjectMismatch && <p className="warn">About {item.subjects.join(', ')}, not the manifest it is attached to.</p>}
      {item.sbom && (
        <details>
          <summary data-testid="sbom-count">
            {item.sbom.packageCount} package{item.sbom.packageCount === 1 ? '' : 's'} ({item.sbom.format})
          </summary>
          <ul className="integrity-list">
            {item.sbom.packages.map((p) => (
              <li key={`${p.name}@${p.version}`} data-testid="sbom-package">
                <code>{p.name}</code> {p.version} {p.purl && <span className="muted">{p.purl}</span>}
              </li>
            ))}
          </ul>
        </details>
      )}
      {item.provenance && (
        <dl className="facts" data-testid="provenance">
          <div className="fact">
            <dt>Builder</dt>
            <dd>{item.provenance.builder || <span className="muted">not named</span>}</dd>
          </div>
          <div className="fact">
            <dt>Build arguments</dt>
            <dd data-testid="provenance-args">
              {Object.keys(item.provenance.buildArgs).length === 0 ? (
                <span className="muted">none</span>
              ) : (
                Object.entries(item.provenance.buildArgs).map(([k, v]) => <code key={k}>{`${k}=${v}`} </code>)
              )}
            </dd>
          </div>
          <div className="fact">
            <dt>Materials</dt>
            <dd>
              <ul className="integrity-list">
                {item.provenance.materials.map((m) => (
                  <li key={m.uri} data-testid="provenance-material">
                    <code>{m.uri}</code> {m.digest && <code className="muted">{shortDigest(m.digest)}</code>}
                  </li>
                ))}
              </ul>
            </dd>
          </div>
        </dl>
      )}
    </div>
  );
}

/** The index's `unknown/unknown` entries, named after their platform and read. */
export function Attestations() {
  const task = useIntegrityStore((s) => s.attestations);
  const read = useIntegrityStore((s) => s.readAttestations);
  const report = task.result;
  return (
    <div className="integrity-section" data-testid="attestations" data-state={task.state}>
      <div className="row">
        <button type="button" data-testid="attestations-read" disabled={task.state === 'running'} onClick={() => void read(api())}>
          {task.state === 'running' ? 'Reading…' : 'Read attestations'}
        </button>
      </div>
      {task.problem && <ProblemBox problem={task.problem} />}
      {report && report.entries.length === 0 && <p className="muted">This image carries no attestation manifests.</p>}
      {report?.warnings.map((w) => (
        <p key={w} className="warn" data-testid="attestation-warning">
          {w}
        </p>
      ))}
      {report?.entries.map((e) => (
        <div key={e.digest} className="attestation-entry" data-testid={`attestation-entry-${e.platform ?? 'orphan'}`}>
          <div className="row">
            <strong data-testid="attestation-name">{e.name}</strong>
            <code className="muted" title={e.digest}>
              {shortDigest(e.digest)}
            </code>
          </div>
          {e.items.map((item, i) => (
            <Item key={`${item.predicateType}-${i}`} item={item} />
          ))}
        </div>
      ))}
    </div>
  );
}
