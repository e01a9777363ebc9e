import { crossEstimates, platformTimes, type BuildTimeline, type TimelineStep } from '../../../../shared/domain/timeline';
import { formatDuration } from '../../components/format';
import { MeasureIt } from './MeasureIt';

const percent = (share: number) => `${Math.round(share * 100)} %`;

/** A step named by its Dockerfile instruction: the file's line and what is written there. */
function StepLine({ step, timeline }: { step: TimelineStep; timeline: BuildTimeline }) {
  const text = step.line !== undefined ? timeline.lines[String(step.line)] : undefined;
  const file = timeline.dockerfile?.path ?? 'Dockerfile';
  return (
    <li data-testid="emulated-top-step" data-line={step.line ?? ''}>
      <code>{step.label ? `[${step.label}] ` : ''}{step.name}</code> <span className="muted">{step.durationMs !== undefined ? formatDuration(step.durationMs) : ''}</span>
      {step.line !== undefined && (
        <div className="muted small" title={file}>
          {file}:{step.line}
          {step.endLine !== undefined && step.endLine !== step.line ? `–${step.endLine}` : ''}
          {text ? (
            <>
              {' '}
              <code className="dockerfile-line">{text}</code>
            </>
          ) : null}
        </div>
      )}
    </li>
  );
}

/**
 * Where each platform's time went once the build has ended: its time, how much of it emulated
 * RUN steps took, its three most expensive emulated steps; and, where a compile stage has a cross
 * form, what cross-compiling would save (an estimate, with its basis) and the advice's rewrite.
 */
export function TimeSummary({ timeline, buildId }: { timeline: BuildTimeline; buildId?: string | undefined }) {
  const times = platformTimes(timeline).filter((p) => p.durationMs > 0);
  const estimates = crossEstimates(timeline);
  if (times.length === 0) return null;
  return (
    <div className="time-summary" data-testid="time-summary">
      <ul className="time-lines">
        {times.map((p) => (
          <li key={p.platform} data-testid={`time-${p.platform}`} data-emulated-ms={p.emulatedMs} data-duration-ms={p.durationMs}>
            <strong>{p.platform}</strong>: {formatDuration(p.durationMs)}
            {p.emulatedMs > 0 ? (
              <>
                , of which {formatDuration(p.emulatedMs)} in emulated RUN steps ({percent(p.share)})
                <ol className="top-steps">
                  {p.top.map((s) => (
                    <StepLine key={s.index} step={s} timeline={timeline} />
                  ))}
                </ol>
              </>
            ) : (
              <span className="muted">, nothing emulated</span>
            )}
          </li>
        ))}
      </ul>
      {estimates.map((e, i) => (
        <div key={`${e.platform}:${e.form.line}`} className="cross-estimate" data-testid="cross-estimate" data-platform={e.platform} data-saving-ms={e.savingMs ?? ''}>
          <p>
            {e.savingMs !== undefined ? (
              <>
                Cross-compiling would save about <strong>{formatDuration(e.savingMs)}</strong> on {e.platform}{' '}
              </>
            ) : (
              <>Cross-compiling could speed up {e.platform} </>
            )}
            <span className="muted">
              (estimate: {e.basis}; a cross build may first have to compile the toolchain’s libraries for the target, which this does not count). {e.form.message}
            </span>
          </p>
          {/* One measurement covers every emulated platform of the stage: the button sits by its first estimate. */}
          {buildId && e.form.rewrite && estimates.findIndex((x) => x.form.line === e.form.line) === i && <MeasureIt buildId={buildId} form={e.form} />}
          {e.form.suggestion && (
            <details open={e.form.rewrite}>
              <summary>{e.form.rewrite ? 'The Dockerfile advice’s rewrite' : 'How to write it (no mechanical rewrite is safe here)'}</summary>
              <pre className="last-lines" data-testid="cross-rewrite">
                {e.form.suggestion}
              </pre>
            </details>
          )}
        </div>
      ))}
    </div>
  );
}
