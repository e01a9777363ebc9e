import { useEffect, useState } from 'react';
import type { BuildRecord, BuildSummary } from '../../../../shared/contract/builds';
import type { BuildComparison, Trend } from '../../../../shared/domain/timeline';
import { api } from '../../api';
import { formatDateTime, formatDuration } from '../../components/format';
import { ProblemBox } from '../../components/ProblemBox';
import { toProblem, type Problem } from '../../stores/problem';

const W = 320;
const H = 80;
/** Distinct per platform; the legend names each one (colour is never the only cue). */
const LINE_COLOURS = ['var(--accent)', 'var(--warn)', 'var(--ok)', 'var(--err)', 'var(--muted)'];

/** Per-platform build time over the builds of this context and Dockerfile, oldest to newest. */
function TrendChart({ trend, current }: { trend: Trend; current: string }) {
  if (trend.points.length < 2) return <p className="muted small">The time trend appears once this context and Dockerfile have been built twice.</p>;
  const max = Math.max(1, ...trend.points.flatMap((p) => Object.values(p.durations)));
  const x = (i: number) => 4 + (i / (trend.points.length - 1)) * (W - 8);
  const y = (ms: number) => H - 4 - (ms / max) * (H - 8);
  return (
    <figure className="trend" data-testid="trend" data-points={trend.points.length}>
      <svg width={W} height={H} role="img" aria-label={`Build time per platform over the last ${trend.points.length} builds`}>
        {trend.platforms.map((p, k) => {
          const pts = trend.points.flatMap((pt, i) => (pt.durations[p] !== undefined ? [`${x(i)},${y(pt.durations[p])}`] : []));
          return <polyline key={p} points={pts.join(' ')} fill="none" stroke={LINE_COLOURS[k % LINE_COLOURS.length]} strokeWidth={1.5} />;
        })}
        {trend.points.map((pt, i) =>
          pt.id === current ? <line key={pt.id} x1={x(i)} x2={x(i)} y1={0} y2={H} stroke="var(--border)" strokeDasharray="3 3" /> : null,
        )}
      </svg>
      <figcaption className="muted small">
        {trend.platforms.map((p, k) => (
          <span key={p} className="legend-item">
            <span className="legend-swatch" style={{ background: LINE_COLOURS[k % LINE_COLOURS.length] }} aria-hidden /> {p}
          </span>
        ))}{' '}
        · up to {formatDuration(max)} · {trend.points.length} builds (dashed: this one)
      </figcaption>
    </figure>
  );
}

const signed = (ms: number) => `${ms > 0 ? '+' : ms < 0 ? '−' : '±'}${formatDuration(Math.abs(ms))}`;

function ComparisonView({ c }: { c: BuildComparison }) {
  const changed = c.steps.filter((s) => s.deltaMs !== undefined && s.deltaMs !== 0).slice(0, 10);
  return (
    <div className="comparison" data-testid="comparison">
      <h3>Inputs</h3>
      {c.inputs.length === 0 ? (
        <p className="muted" data-testid="compare-inputs-same">
          The same inputs: the same build run twice.
        </p>
      ) : (
        <table data-testid="compare-inputs">
          <tbody>
            {c.inputs.map((i) => (
              <tr key={i.what} data-what={i.what}>
                <th>{i.what}</th>
                <td className="mono small">{i.a}</td>
                <td>→</td>
                <td className="mono small">{i.b}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <h3>Per platform</h3>
      <table data-testid="compare-platforms">
        <tbody>
          {c.platforms.map((p) => (
            <tr key={p.platform} data-platform={p.platform} data-delta-ms={p.deltaMs ?? ''}>
              <th>
                <code>{p.platform}</code>
              </th>
              <td>{p.a?.durationMs !== undefined ? formatDuration(p.a.durationMs) : (p.a?.status ?? 'not built')}</td>
              <td>→</td>
              <td>{p.b?.durationMs !== undefined ? formatDuration(p.b.durationMs) : (p.b?.status ?? 'not built')}</td>
              <td>{p.deltaMs !== undefined ? signed(p.deltaMs) : ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p className="muted small">
        Cache hits: {c.cache.a.cached}/{c.cache.a.steps} steps → {c.cache.b.cached}/{c.cache.b.steps}.
      </p>
      {changed.length > 0 && (
        <>
          <h3>Steps whose time changed most</h3>
          <table data-testid="compare-steps">
            <tbody>
              {changed.map((s) => (
                <tr key={`${s.platform} ${s.label ?? ''} ${s.name}`}>
                  <td className="muted small">{s.platform}</td>
                  <td>
                    <code>{s.label ? `[${s.label}] ` : ''}{s.name}</code>
                  </td>
                  <td>{s.deltaMs !== undefined ? signed(s.deltaMs) : ''}</td>
                  <td className="muted small">{s.a?.kind === s.b?.kind ? s.b?.kind : `${s.a?.kind ?? '—'} → ${s.b?.kind ?? '—'}`}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </div>
  );
}

/** The trend of this build's context and Dockerfile, and "compare with…" another build kept in History. */
export function TrendAndCompare({ record }: { record: BuildRecord }) {
  const [trend, setTrend] = useState<Trend | undefined>();
  const [others, setOthers] = useState<BuildSummary[]>([]);
  const [otherId, setOtherId] = useState('');
  const [comparison, setComparison] = useState<{ other: string; c?: BuildComparison; problem?: Problem } | undefined>();
  const [problem, setProblem] = useState<Problem | undefined>();
  const id = record.id;

  useEffect(() => {
    let current = true;
    Promise.all([api().timeline.trend({ id }), api().builds.list({})]).then(
      ([t, list]) => {
        if (!current) return;
        setTrend(t);
        setOthers(list.builds.filter((b) => b.id !== id && b.status !== 'running'));
      },
      (error: unknown) => current && setProblem(toProblem(error)),
    );
    return () => {
      current = false;
    };
  }, [id]);

  useEffect(() => {
    if (!otherId) return;
    let current = true;
    api()
      .timeline.compare({ a: otherId, b: id })
      .then(
        (c) => current && setComparison({ other: otherId, c }),
        (error: unknown) => current && setComparison({ other: otherId, problem: toProblem(error) }),
      );
    return () => {
      current = false;
    };
  }, [otherId, id]);

  const shown = comparison?.other === otherId ? comparison : undefined;
  return (
    <div className="trend-compare">
      {problem && <ProblemBox tone="warning" problem={problem} />}
      {trend && <TrendChart trend={trend} current={id} />}
      {others.length > 0 && (
        <label className="row">
          Compare with{' '}
          <select data-testid="compare-with" value={otherId} onChange={(e) => setOtherId(e.target.value)}>
            <option value="">(pick a build)</option>
            {others.map((b) => (
              <option key={b.id} value={b.id}>
                {formatDateTime(b.startedAt)} · {b.status} · {b.platforms.join(', ')}
              </option>
            ))}
          </select>
        </label>
      )}
      {otherId && !shown && <p className="muted">Comparing…</p>}
      {shown?.problem && <ProblemBox problem={shown.problem} />}
      {shown?.c && <ComparisonView c={shown.c} />}
    </div>
  );
}
