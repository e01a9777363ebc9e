import { useEffect, useRef, useState } from 'react';
import type { Measurement, MeasuredRun } from '../../../../shared/contract/timeline';
import type { CrossForm } from '../../../../shared/domain/timeline';
import { api } from '../../api';
import { CopyButton } from '../../components/CopyButton';
import { formatDuration } from '../../components/format';
import { ProblemBox } from '../../components/ProblemBox';
import { toProblem, type Problem } from '../../stores/problem';
import { ApplyDialog } from '../dockerfile/ApplyRewrite';

type State = { phase: 'idle' } | { phase: 'running' | 'done'; measurement?: Measurement } | { phase: 'failed'; problem: Problem; measurement?: Measurement };

const VARIANT_LABEL = { current: 'Dockerfile as it is', rewrite: 'cross-compile rewrite' } as const;

function RunCell({ run, platform }: { run: MeasuredRun; platform: string }) {
  const timing =
    run.stageMs !== undefined
      ? [
          `The stage’s steps by BuildKit’s timestamps; whole build ${run.buildMs !== undefined ? formatDuration(run.buildMs) : '?'}, buildx process ${run.processMs !== undefined ? formatDuration(run.processMs) : '?'}.`,
          ...(run.steps ?? []).map((s) => `${formatDuration(s.ms)}  ${s.name}`),
        ].join('\n')
      : undefined;
  return (
    <td data-testid={`measured-${platform}-${run.variant}`} data-state={run.status} data-ms={run.stageMs ?? ''} title={timing}>
      {run.status === 'succeeded' && run.stageMs !== undefined ? <strong>{formatDuration(run.stageMs)}</strong> : run.status === 'running' ? 'building…' : run.status === 'waiting' ? 'waiting' : run.status}
    </td>
  );
}

/**
 * "Measure it": builds the emulated platforms with the Dockerfile as it is and with the advice's
 * rewrite (temporary copies, one after the other) and shows both measured times and the speed-up,
 * which is claimed only when both builds succeeded.
 */
export function MeasureIt({ buildId, form }: { buildId: string; form: CrossForm }) {
  const [state, setState] = useState<State>({ phase: 'idle' });
  const call = useRef<{ cancel(): void } | undefined>(undefined);
  useEffect(() => () => call.current?.cancel(), []);
  const [applying, setApplying] = useState<'confirm' | 'writing' | undefined>();
  const [applied, setApplied] = useState<{ backup: string } | { problem: Problem } | undefined>();

  const start = () => {
    const running = api().timeline.measure(
      { id: buildId, rule: 'compile-under-emulation', line: form.line },
      { onChunk: (measurement) => setState({ phase: 'running', measurement }) },
    );
    call.current = running;
    setState({ phase: 'running' });
    running.result.then(
      (measurement) => setState({ phase: 'done', measurement }),
      (error: unknown) => setState((s) => ({ phase: 'failed', problem: toProblem(error), ...('measurement' in s && s.measurement ? { measurement: s.measurement } : {}) })),
    );
  };
  const m = state.phase === 'idle' ? undefined : state.measurement;
  // "Apply" writes the rewrite into the user's file through the advice's own endpoint: analysed
  // again in main, written only if the file is still the one measured, with a backup.
  const apply = (measured: Measurement) => {
    setApplying('writing');
    api()
      .dockerfile.apply({
        contextDir: measured.context,
        dockerfile: measured.dockerfile,
        platforms: measured.buildPlatforms,
        contentDigest: measured.dockerfileSha256,
        finding: { rule: measured.finding.rule, line: measured.finding.line },
      })
      .then(
        (result) => setApplied({ backup: result.backup }),
        (error: unknown) => setApplied({ problem: toProblem(error) }),
      )
      .finally(() => setApplying(undefined));
  };
  const failedRuns = m?.platforms.flatMap((p) => [p.current, p.rewrite].filter((r) => r.status === 'failed').map((r) => ({ platform: p.platform, run: r }))) ?? [];
  return (
    <div className="measure-it" data-testid="measure" data-state={state.phase}>
      <div className="row">
        <button type="button" data-testid="measure-it" disabled={state.phase === 'running'} onClick={start} title="Builds each emulated platform twice, with the Dockerfile as it is and with the rewrite (temporary copies; your file is not changed), and shows the times">
          Measure it
        </button>
        {state.phase === 'running' && (
          <button type="button" data-testid="measure-cancel" onClick={() => call.current?.cancel()}>
            Cancel
          </button>
        )}
        <span className="muted small">a measurement, not an estimate: two real builds per emulated platform, one after the other</span>
      </div>
      {state.phase === 'failed' && <ProblemBox problem={state.problem} />}
      {m && (
        <>
          <table className="measurement" data-testid="measurement">
            <thead>
              <tr>
                <th scope="col">platform</th>
                <th scope="col">{VARIANT_LABEL.current}</th>
                <th scope="col">{VARIANT_LABEL.rewrite}</th>
                <th scope="col">speed-up</th>
              </tr>
            </thead>
            <tbody>
              {m.platforms.map((p) => (
                <tr key={p.platform} data-testid={`measured-${p.platform}`}>
                  <th scope="row">{p.platform}</th>
                  <RunCell run={p.current} platform={p.platform} />
                  <RunCell run={p.rewrite} platform={p.platform} />
                  <td data-testid={`speedup-${p.platform}`} data-speedup={p.speedUp ?? ''}>
                    {p.speedUp !== undefined ? (
                      <strong>{p.speedUp >= 1 ? `${p.speedUp.toFixed(1)}× faster` : `${(1 / p.speedUp).toFixed(1)}× slower`}</strong>
                    ) : p.current.status === 'failed' || p.rewrite.status === 'failed' ? (
                      'none claimed: a build failed'
                    ) : (
                      '—'
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <p className="muted small">
            Times are stage <code>{m.stage}</code>’s steps from BuildKit’s own step timestamps (hover a time for the whole build and the buildx process), built on{' '}
            <code>{m.builder}</code> with <code>--no-cache-filter {m.stage}</code> and <code>--output type=cacheonly</code>. The copies were written to{' '}
            <code>{m.tempDir}</code> and are removed afterwards; <code>{m.dockerfile}</code> is not changed unless you apply the rewrite.
          </p>
          {m.notes.map((n) => (
            <p key={n} className="muted small">
              {n}
            </p>
          ))}
          {failedRuns.map(({ platform, run }) => (
            <div key={`${platform}:${run.variant}`} data-testid="measure-failure" data-variant={run.variant}>
              {run.problem && <ProblemBox problem={run.problem} />}
              {run.log && run.log.length > 0 && (
                <pre className="last-lines" data-testid="measure-log">
                  {run.log.join('\n')}
                </pre>
              )}
            </div>
          ))}
          {state.phase === 'done' && !applied && (
            <button type="button" data-testid="measure-apply" onClick={() => setApplying('confirm')}>
              Apply the rewrite…
            </button>
          )}
          {applied && 'backup' in applied && (
            <p className="ok" data-testid="measure-applied" data-backup={applied.backup}>
              The rewrite is written to {m.dockerfile}; the file as it was is kept at <code>{applied.backup}</code>.
            </p>
          )}
          {applied && 'problem' in applied && <ProblemBox problem={applied.problem} />}
          {applying && (
            <ApplyDialog finding={m.finding} dockerfile={m.dockerfile} busy={applying === 'writing'} onClose={() => setApplying(undefined)} onApply={() => apply(m)} />
          )}
          <details>
            <summary>The commands</summary>
            {m.platforms.flatMap((p) =>
              [p.current, p.rewrite].map((r) => (
                <div key={`${p.platform}:${r.variant}`} className="command-line">
                  <code data-testid="measure-command">{r.command}</code> <CopyButton value={r.command} />
                </div>
              )),
            )}
          </details>
        </>
      )}
    </div>
  );
}
