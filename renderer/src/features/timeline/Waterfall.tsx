import { memo, useCallback, useEffect, useState, type KeyboardEvent } from 'react';
import type { BuildTimeline, TimelineStep } from '../../../../shared/domain/timeline';
import { api } from '../../api';
import { formatDuration } from '../../components/format';

/** What hovering (or focusing) a bar shows: the step, its duration and how it ran, and its last log lines. */
function StepTip({ step, buildId, live }: { step: TimelineStep; buildId?: string | undefined; live: boolean }) {
  const [fetched, setFetched] = useState<{ digest: string; lines: string[]; error?: string } | undefined>();
  const digest = live ? step.digest : undefined;
  // A running build's step tail is asked for per hovered step; a finished build's timeline holds it.
  useEffect(() => {
    if (!buildId || !digest) return;
    let current = true;
    api()
      .timeline.stepLog({ id: buildId, digest })
      .then(
        (log) => current && setFetched({ digest, lines: log.lines.slice(-5) }),
        (error: unknown) => current && setFetched({ digest, lines: [], error: (error as Error).message }),
      );
    return () => {
      current = false;
    };
  }, [buildId, digest]);
  const tail = digest ? (fetched?.digest === digest ? fetched : { lines: [] as string[], error: undefined }) : { lines: step.tail ?? [], error: undefined };
  return (
    <div className="waterfall-tip" role="tooltip" data-testid="waterfall-tip">
      <div>
        <strong>{step.label ? `[${step.label}] ` : ''}</strong>
        <code>{step.name}</code>
      </div>
      <div className="muted">
        {step.durationMs !== undefined ? formatDuration(step.durationMs) : 'not started'} · <span className={`kind-text-${step.kind}`}>{step.kind}</span>
        {step.on ? ` on ${step.on}` : ''} — {step.why}
      </div>
      {tail.error ? <div className="muted">The log tail could not be read: {tail.error}</div> : null}
      {tail.lines.length > 0 && <pre className="last-lines">{tail.lines.join('\n')}</pre>}
    </div>
  );
}

const pct = (ms: number, of: number) => `${((ms / of) * 100).toFixed(4)}%`;

/**
 * The track a running build shows: the next of 1, 2, 5 × 10ⁿ ms at or above its duration, so it
 * steps up a few times a build instead of on every lanes update. An ended build's track is its
 * duration exactly.
 */
export function barSpanMs(durationMs: number): number {
  const decade = 10 ** Math.floor(Math.log10(Math.max(1, durationMs)));
  for (const m of [1, 2, 5]) if (m * decade >= durationMs) return m * decade;
  return 10 * decade;
}

/** How far the track may grow past, or shrink below, the time bars are placed against. */
const REFERENCE_RANGE = 100;

/**
 * The time bars are placed against, inside an element as wide as that time is on the track: when
 * the track steps up, or is stretched to the ended build's duration, that one width changes and
 * the bars are laid out again, none restyled (2,000 bars restyled took 30–40 ms of style in one
 * frame; the width, 2 ms of layout). Kept while the track stays within a hundredfold of it (the
 * element then spans at least 1 % of the track, so bars still land within a pixel); past that the
 * bars are placed anew against the track.
 */
function useBarReference(trackMs: number): number {
  const [reference, setReference] = useState(trackMs);
  const kept = trackMs <= reference * REFERENCE_RANGE && reference <= trackMs * REFERENCE_RANGE;
  // Stored during render (React's pattern for state that follows a prop): the bars never see the old one.
  if (!kept) setReference(trackMs);
  return kept ? reference : trackMs;
}

type Hover = { platform: string; index: number } | undefined;

/**
 * A step's bar, drawn again only when what it shows changed: a live timeline is made anew from
 * every lanes update (each 100 ms), and a big build has thousands of steps.
 */
const Bar = memo(
  function Bar({
    step: s,
    start,
    reference,
    platform,
    tabbable,
    onHover,
  }: {
    step: TimelineStep;
    start: number;
    /** The time the bar is placed against, in % of its span element (see useBarReference). */
    reference: number;
    platform: string;
    tabbable: boolean;
    onHover: (h: Hover) => void;
  }) {
    return (
      <button
        type="button"
        tabIndex={tabbable ? 0 : -1}
        className={`waterfall-bar bar-${s.kind}${s.status === 'error' ? ' bar-error' : ''}`}
        data-testid="waterfall-bar"
        data-kind={s.kind}
        data-step={s.index}
        aria-label={`${s.label ? `[${s.label}] ` : ''}${s.name}: ${s.kind}, ${s.durationMs !== undefined ? formatDuration(s.durationMs) : 'running'}`}
        style={{ left: pct(start, reference), width: pct((s.end ?? start) - start, reference) }}
        onMouseEnter={() => onHover({ platform, index: s.index })}
        onFocus={() => onHover({ platform, index: s.index })}
        onMouseLeave={() => onHover(undefined)}
        onBlur={() => onHover(undefined)}
      />
    );
  },
  (a, b) =>
    a.start === b.start &&
    a.reference === b.reference &&
    a.platform === b.platform &&
    a.tabbable === b.tabbable &&
    a.onHover === b.onHover &&
    a.step.index === b.step.index &&
    a.step.end === b.step.end &&
    a.step.kind === b.step.kind &&
    a.step.status === b.step.status &&
    a.step.label === b.step.label &&
    a.step.name === b.step.name &&
    a.step.durationMs === b.step.durationMs,
);

/** The keys that move the focus along a lane's bars, to the step they lead to (by position). */
const LANE_KEYS: Record<string, (at: number, count: number) => number> = {
  ArrowRight: (at, count) => Math.min(count - 1, at + 1),
  ArrowLeft: (at) => Math.max(0, at - 1),
  Home: () => 0,
  End: (_at, count) => count - 1,
};

/**
 * Arrow keys, Home and End move the focus along a lane's bars. Each lane is one tab stop (the bar
 * focused last, else its first): a big build's thousands of bars would otherwise be as many
 * presses of Tab between the controls above and the summary below.
 */
function onLaneKey(event: KeyboardEvent<HTMLDivElement>) {
  const move = LANE_KEYS[event.key];
  const bars = [...event.currentTarget.querySelectorAll<HTMLButtonElement>('[data-testid="waterfall-bar"]')];
  const at = bars.indexOf(event.target as HTMLButtonElement);
  if (!move || at < 0) return;
  event.preventDefault();
  bars[move(at, bars.length)]!.focus();
}

/**
 * One row per platform, each step a bar from its start to its end (relative to the build's
 * start), coloured by how it ran. Steps without times (not started) have no bar.
 */
export function Waterfall({ timeline, buildId, live }: { timeline: BuildTimeline; buildId?: string | undefined; live: boolean }) {
  const [hover, setHover] = useState<Hover>();
  const [focused, setFocusedSteps] = useState<Record<string, number>>({});
  const setFocused = useCallback((platform: string, index: number) => setFocusedSteps((f) => (f[platform] === index ? f : { ...f, [platform]: index })), []);
  const ends = timeline.lanes.flatMap((l) => l.steps.map((s) => s.end ?? 0));
  const total = Math.max(1, timeline.durationMs ?? 0, ...ends);
  const track = live ? barSpanMs(total) : total;
  const reference = useBarReference(track);
  return (
    <div className="waterfall" data-testid="waterfall" data-total-ms={total} data-track-ms={track}>
      <div className="waterfall-legend muted">
        {(['native', 'emulated', 'cross', 'cached'] as const).map((k) => (
          <span key={k} className="legend-item">
            <span className={`legend-swatch bar-${k}`} aria-hidden /> {k}
          </span>
        ))}
        <span className="spacer" />
        <span>
          {formatDuration(total)}
          {track !== total ? ` (track: ${formatDuration(track)})` : ''}
        </span>
      </div>
      {timeline.lanes.map((lane) => {
        const drawn = lane.steps.flatMap((step) => (step.start === undefined ? [] : [{ step, start: step.start }]));
        const tabStop = drawn.some((d) => d.step.index === focused[lane.platform]) ? focused[lane.platform] : drawn[0]?.step.index;
        return (
          <div className="waterfall-row" key={lane.platform} data-testid={`waterfall-${lane.platform}`}>
            <code className="waterfall-platform">{lane.platform}</code>
            <div className="waterfall-track">
              <div
                className="waterfall-span"
                data-testid="waterfall-span"
                role="group"
                aria-label={`${lane.platform} steps (arrow keys move between them)`}
                style={{ width: pct(reference, track) }}
                onKeyDown={onLaneKey}
                onFocus={(e) => {
                  const step = (e.target as HTMLElement).dataset.step;
                  if (step !== undefined) setFocused(lane.platform, Number(step));
                }}
              >
                {drawn.map(({ step, start }) => (
                  <Bar key={step.index} step={step} start={start} reference={reference} platform={lane.platform} tabbable={step.index === tabStop} onHover={setHover} />
                ))}
              </div>
            </div>
            {hover?.platform === lane.platform &&
              (() => {
                const step = lane.steps.find((s) => s.index === hover.index);
                return step ? <StepTip step={step} buildId={buildId} live={live} /> : null;
              })()}
          </div>
        );
      })}
    </div>
  );
}
