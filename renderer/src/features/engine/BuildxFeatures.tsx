import type { BuildxPlugin } from '../../../../shared/contract/engine';

/** What this buildx can do, as the core detects it from its version, and why each missing feature is missing. */
export function BuildxFeatures({ buildx }: { buildx: BuildxPlugin }) {
  if (!buildx.installed || buildx.features.length === 0) return null;
  const missing = buildx.features.filter((f) => !f.available).length;
  return (
    <div className="card" data-testid="engine-buildx-features" data-missing={missing}>
      <h2>buildx {buildx.version} features</h2>
      <p className="muted">
        {missing === 0 ? 'Everything the app uses from buildx is available.' : `${missing} of ${buildx.features.length} need a newer buildx; the app leaves them out rather than failing.`}
      </p>
      <ul className="buildx-features">
        {buildx.features.map((f) => (
          <li key={f.feature} data-testid="engine-buildx-feature" data-feature={f.feature} data-available={f.available}>
            <span className={`badge ${f.available ? 'ok' : 'warn'}`}>{f.available ? '✓ available' : '✗ missing'}</span> {f.label} <code>{f.usage}</code>
            <span className="muted"> · since {f.since}</span>
            {f.reason && <span className="warn" data-testid="engine-buildx-feature-reason">: {f.reason}</span>}
          </li>
        ))}
      </ul>
    </div>
  );
}
