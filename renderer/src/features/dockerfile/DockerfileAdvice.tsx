import { useEffect, useMemo, useState } from 'react';
import type { AnalyzeInput, PreflightImage, PreflightInput, PreflightReport } from '../../../../shared/contract/dockerfile';
import type { BuildCheck } from '../../../../shared/domain/buildx/check-output';
import { PREDEFINED_ARG_NAMES, mergeBuildChecks, type DockerfileFinding, type FindingSeverity } from '../../../../shared/domain/dockerfile';
import { api } from '../../api';
import { CopyButton } from '../../components/CopyButton';
import type { Problem } from '../../stores/problem';
import { analyzeInputFor, preflightInputFor, useDockerfileStore, type AdviceRequest, type ApplyOutcome } from '../../stores/dockerfile-store';
import { ApplyDialog } from './ApplyRewrite';
import { AlsoByBuildKit, CheckItem, ChecksStatus } from './BuildChecks';
import { ArgTip, MessageText, SourceLine, withArgTips } from './ArgTip';
import { useDebounced } from '../../hooks/use-debounced';

const SEVERITIES: FindingSeverity[] = ['error', 'warning', 'info'];
const BADGE_CLASS: Record<FindingSeverity, string> = { error: 'err', warning: 'warn', info: 'info' };
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : word === 'info' ? '' : 's'}`;


const bySeverityThenLine = (a: DockerfileFinding, b: DockerfileFinding) =>
  SEVERITIES.indexOf(a.severity) - SEVERITIES.indexOf(b.severity) || a.line - b.line || (a.column ?? 0) - (b.column ?? 0);

export type DockerfileAdviceProps = AdviceRequest;

/**
 * Architecture-independence advice for the Build form's Dockerfile, and the base-image preflight
 * for its ticked platforms. Advice only: it never blocks a build.
 */
export function DockerfileAdvice(props: DockerfileAdviceProps) {
  const { report, problem, analyzing, preflight, images, preflighting, preflightProblem, analyze, runPreflight, apply, applying, applied, checks, checking, checksProblem, runChecks } =
    useDockerfileStore();
  const [confirming, setConfirming] = useState<DockerfileFinding | undefined>();

  const { contextDir, dockerfile, platforms } = props;
  const locationKey = JSON.stringify(analyzeInputFor({ contextDir, dockerfile, platforms }) ?? null);
  const location = useMemo(() => (JSON.parse(locationKey) as AnalyzeInput | null) ?? undefined, [locationKey]);
  const debouncedLocation = useDebounced(location, 300);
  useEffect(() => {
    void analyze(api(), debouncedLocation);
  }, [debouncedLocation, analyze]);

  // The file is edited elsewhere: coming back to the window reads it again.
  useEffect(() => {
    if (!location) return;
    const again = () => void analyze(api(), location);
    window.addEventListener('focus', again);
    return () => window.removeEventListener('focus', again);
  }, [location, analyze]);

  const input = preflightInputFor(props);
  const inputKey = JSON.stringify(input ?? null);
  const debouncedInput = useDebounced(inputKey, 350);
  useEffect(() => {
    if (!report) return;
    void runPreflight(api(), (JSON.parse(debouncedInput) as PreflightInput | null) ?? undefined);
  }, [debouncedInput, report, runPreflight]);

  // BuildKit's checks run once per text the page shows (they take seconds: a builder answers).
  const digest = report?.contentDigest;
  useEffect(() => {
    void runChecks(api(), digest ? location : undefined, digest);
  }, [location, digest, runChecks]);

  if (!location) return null;

  const checksCurrent = checks?.state === 'done' && checks.contentDigest === report?.contentDigest;
  const analysisFindings = (report?.analysis.findings ?? []).filter((f) => f.rule !== 'parse-error').sort(bySeverityThenLine);
  const items = mergeBuildChecks(analysisFindings, checksCurrent ? checks.checks : []).sort(
    (a, b) => SEVERITIES.indexOf(a.severity) - SEVERITIES.indexOf(b.severity) || a.line - b.line,
  );
  const buildkitOnly = items.filter((i) => !i.finding).map(() => ({ severity: 'warning' as const }));
  const findings = [...(report?.analysis.findings ?? []), ...(preflight?.findings ?? []), ...buildkitOnly];
  const suppressed = report?.analysis.suppressed ?? [];
  const counts = Object.fromEntries(SEVERITIES.map((s) => [s, findings.filter((f) => f.severity === s).length])) as Record<FindingSeverity, number>;
  const state = analyzing && !report ? 'analyzing' : problem ? 'error' : report ? 'ready' : 'idle';
  const lines = new Map((report?.sourceLines ?? []).map((l) => [l.line, l.text]));
  const refsOn = (line: number) => report?.analysis.platformArgRefs.filter((r) => r.line === line) ?? [];
  const preflightState = preflighting ? 'checking' : preflightProblem ? 'error' : preflight ? 'done' : 'idle';
  const failedImages = (preflight?.images ?? images).filter((i) => i.status === 'error');

  return (
    <section className="dockerfile-advice" data-testid="dockerfile-advice" data-state={state} aria-label="Dockerfile advice">
      <header className="row">
        <h3>Dockerfile advice</h3>
        {report && (
          <span
            className="row advice-badges"
            data-testid="dockerfile-findings-badge"
            data-count={findings.length}
            data-errors={counts.error}
            data-warnings={counts.warning}
            data-infos={counts.info}
            data-preflight={preflightState}
          >
            {findings.length === 0 ? (
              <span className="badge ok">no findings</span>
            ) : (
              SEVERITIES.filter((s) => counts[s] > 0).map((s) => (
                <span key={s} className={`badge ${BADGE_CLASS[s]}`} data-severity={s}>
                  {plural(counts[s], s)}
                </span>
              ))
            )}
            {report.omittedFindings > 0 && <span className="badge">+{report.omittedFindings} more</span>}
          </span>
        )}
        <span className="grow" />
        <button
          type="button"
          data-testid="dockerfile-recheck"
          disabled={analyzing || preflighting}
          onClick={() =>
            void analyze(api(), location).then(() => {
              const now = useDockerfileStore.getState().report?.contentDigest;
              return Promise.all([runPreflight(api(), input, { force: true }), runChecks(api(), now ? location : undefined, now, { force: true })]);
            })
          }
        >
          {analyzing || preflighting ? 'Checking…' : 'Check again'}
        </button>
      </header>

      {problem && (
        <p className="muted" data-testid="dockerfile-advice-problem" data-code={problem.code}>
          No advice yet: {problem.message}
        </p>
      )}
      {analyzing && !report && <p className="muted">Reading the Dockerfile…</p>}

      {report && (
        <>
          <p className="muted advice-file">
            {report.dockerfile} · {report.analysis.stages.length} stage{report.analysis.stages.length === 1 ? '' : 's'} · building with warnings stays allowed.
          </p>

          {report.analysis.parseErrors.length > 0 && (
            <ul className="advice-parse-errors" data-testid="dockerfile-parse-errors">
              {report.analysis.parseErrors.map((e, i) => (
                <li key={i} className="err" data-testid="dockerfile-parse-error" data-line={e.line}>
                  Line {e.line}
                  {e.column ? `:${e.column}` : ''}: <MessageText text={e.message} />
                </li>
              ))}
            </ul>
          )}

          <PreflightSection state={preflightState} report={preflight} images={images} failed={failedImages} problem={preflightProblem} platforms={input?.platforms ?? []} lines={lines} />

          {report.omittedFindings > 0 && (
            <p className="muted" data-testid="dockerfile-findings-omitted">
              {report.omittedFindings} more findings are not shown: fix the ones below (the same mistake is usually repeated) and check again.
            </p>
          )}
          <AppliedNote outcome={applied} />
          <ChecksStatus checking={checking} report={checks} problem={checksProblem} current={checksCurrent} merged={items.filter((i) => i.finding).reduce((n, i) => n + i.checks.length, 0)} />
          {items.length > 0 && (
            <ol className="advice-findings" data-testid="dockerfile-findings">
              {items.map(({ finding: f, checks: found }, i) =>
                f ? (
                  <FindingItem
                    key={`${f.rule}-${f.line}-${f.column ?? 0}-${i}`}
                    finding={f}
                    checks={found}
                    lines={lines}
                    refsOn={refsOn}
                    {...(f.edits ? { onApply: () => setConfirming(f) } : {})}
                    applying={applying?.rule === f.rule && applying.line === f.line}
                  />
                ) : (
                  <CheckItem key={`buildkit-${found[0]!.ruleName}-${found[0]!.line ?? 0}-${i}`} check={found[0]!} source={checks?.sourceLines ?? []} />
                ),
              )}
            </ol>
          )}
          {suppressed.length > 0 && (
            <details className="advice-suppressed" data-testid="dockerfile-suppressed" data-count={suppressed.length}>
              <summary>
                {plural(suppressed.length, 'finding')} silenced by <code># multiarch-ignore</code>
              </summary>
              <ul>
                {suppressed.map((f, i) => (
                  <li key={`${f.rule}-${f.line}-${i}`} data-testid="dockerfile-suppressed-finding" data-rule={f.rule} data-line={f.line}>
                    <span className="advice-line">Line {f.line}</span> <code>{f.rule}</code> <MessageText text={f.message} />
                  </li>
                ))}
              </ul>
            </details>
          )}
          {confirming && location && (
            <ApplyDialog
              finding={confirming}
              dockerfile={report.dockerfile}
              busy={!!applying}
              onClose={() => setConfirming(undefined)}
              onApply={() => void apply(api(), location, confirming).then(() => setConfirming(undefined))}
            />
          )}

          <details className="advice-args">
            <summary>Predefined platform args</summary>
            <p className="muted">Hover (or focus) a name for what it holds. BuildKit sets them for every build, in the global scope.</p>
            <div className="row">
              {PREDEFINED_ARG_NAMES.map((name) => (
                <ArgTip key={name} name={name} />
              ))}
            </div>
          </details>
        </>
      )}
    </section>
  );
}

/** What the last "Apply" did: where the file was written and where its backup is, or why not. */
function AppliedNote({ outcome }: { outcome: ApplyOutcome | undefined }) {
  if (!outcome) return null;
  if (outcome.state === 'failed') {
    return (
      <p className="err" data-testid="dockerfile-apply-problem" data-code={outcome.problem.code}>
        The rewrite for line {outcome.line} was not written: {outcome.problem.message} {outcome.problem.hint && <span className="muted">{outcome.problem.hint}</span>}
      </p>
    );
  }
  const lines = outcome.edits.map((e) => (e.line === e.endLine ? `${e.line}` : `${e.line}–${e.endLine}`)).join(', ');
  return (
    <p className="ok" data-testid="dockerfile-applied" data-backup={outcome.backup}>
      Rewrote line{outcome.edits.length === 1 && outcome.edits[0]?.line === outcome.edits[0]?.endLine ? '' : 's'} {lines} of {outcome.dockerfile}. The file as it was is kept at <code>{outcome.backup}</code>.
    </p>
  );
}

function FindingItem({
  finding: f,
  checks,
  lines,
  refsOn,
  onApply,
  applying,
}: {
  finding: DockerfileFinding;
  /** BuildKit's results about the same thing. */
  checks: BuildCheck[];
  /** The lines the report sent (only those its findings point at), by line number. */
  lines: ReadonlyMap<number, string>;
  refsOn: (line: number) => Parameters<typeof SourceLine>[0]['refs'];
  onApply?: () => void;
  applying: boolean;
}) {
  const last = Math.min(f.endLine ?? f.line, f.line + 5);
  const excerpt: number[] = [];
  for (let l = f.line; l <= last && lines.has(l); l++) excerpt.push(l);
  return (
    <li
      className={`advice-finding ${f.severity}`}
      data-testid="dockerfile-finding"
      data-source={checks.length > 0 ? 'app buildkit' : 'app'}
      data-rule={f.rule}
      data-line={f.line}
      data-severity={f.severity}
    >
      <div className="row nowrap">
        <span className={`badge ${BADGE_CLASS[f.severity]}`}>{f.severity}</span>
        <span className="advice-line">Line {f.line}</span>
        <span className="grow">
          <MessageText text={f.message} />
        </span>
      </div>
      {excerpt.length > 0 && (
        <pre className="advice-excerpt" data-testid="dockerfile-finding-source">
          {excerpt.map((l) => (
            <span key={l} className="advice-excerpt-line">
              <span className="advice-gutter">{l}</span>
              <SourceLine text={lines.get(l) ?? ''} refs={refsOn(l)} />
              {'\n'}
            </span>
          ))}
        </pre>
      )}
      <p className="advice-why">
        <strong>Why it matters: </strong>
        <MessageText text={f.why} />
      </p>
      <p className="muted advice-rule">
        Rule <code>{f.rule}</code>
        {f.buildkitCheck && checks.length === 0 && (
          <>
            {' '}· BuildKit check <code data-testid="dockerfile-buildkit-check">{f.buildkitCheck}</code>
          </>
        )}{' '}
        · silence it with <code># multiarch-ignore: {f.rule}</code> on the line before the instruction
      </p>
      <AlsoByBuildKit checks={checks} />
      {f.suggestion && (
        <div className="advice-suggestion">
          <div className="row nowrap">
            <span className="muted grow">{f.edits ? 'Rewrite for every ticked platform' : 'Suggested rewrite (to adapt by hand)'}</span>
            <CopyButton value={f.suggestion} label="Copy the rewrite" />
            {onApply && (
              <button type="button" className="primary" onClick={onApply} disabled={applying} data-testid="dockerfile-apply">
                {applying ? 'Writing…' : 'Apply…'}
              </button>
            )}
          </div>
          <pre data-testid="dockerfile-suggestion">{withArgTips(f.suggestion)}</pre>
        </div>
      )}
    </li>
  );
}

function PreflightSection({
  state,
  report,
  images,
  failed,
  problem,
  platforms,
  lines,
}: {
  state: 'checking' | 'done' | 'error' | 'idle';
  report: PreflightReport | undefined;
  images: PreflightImage[];
  failed: PreflightImage[];
  problem: Problem | undefined;
  platforms: string[];
  lines: ReadonlyMap<number, string>;
}) {
  if (platforms.length === 0) return null;
  const imageCount = report?.images.length ?? images.length;
  return (
    <div className="advice-preflight" data-testid="dockerfile-preflight" data-state={state}>
      <h4>Base images for {platforms.join(', ')}</h4>
      {state === 'checking' && (
        <p className="muted">
          Checking base images… {images.length > 0 ? `${images.length} answered` : ''}
        </p>
      )}
      {problem && (
        <p className="err" data-testid="dockerfile-preflight-problem" data-code={problem.code}>
          The check did not run: {problem.message} {problem.hint && <span className="muted">{problem.hint}</span>}
        </p>
      )}
      {report && report.findings.length === 0 && failed.length === 0 && (
        <p className="ok" data-testid="dockerfile-preflight-ok">
          {imageCount === 0 ? 'No base image to check (scratch or earlier stages only).' : `Every base image offers what its stage needs (${imageCount} checked).`}
        </p>
      )}
      {report && report.findings.length > 0 && (
        <ul className="advice-preflight-findings">
          {report.findings.map((f, i) => (
            <li key={i} className={f.severity === 'info' ? 'muted' : 'warn'} data-testid="dockerfile-preflight-finding" data-rule={f.rule} data-line={f.line} data-platforms={(f.platforms ?? []).join(',')} data-image={f.subject}>
              <MessageText text={f.message} />
              <span className="muted advice-why-inline">
                {' '}
                <MessageText text={f.why} />
              </span>
              {lines.has(f.line) && <code className="advice-inline-source">{lines.get(f.line)}</code>}
            </li>
          ))}
        </ul>
      )}
      {failed.length > 0 && (
        <ul className="advice-preflight-errors">
          {failed.map((image) => (
            <li key={image.image} className="err" data-testid="dockerfile-preflight-image" data-status="error" data-image={image.image} data-code={image.error?.code}>
              {image.error?.message ?? `Could not check ${image.image}.`} <span className="muted">{image.error?.hint}</span>{' '}
              <span className="muted">(line {image.usedBy.map((u) => u.line).join(', ')}: this image is not judged; the others are.)</span>
            </li>
          ))}
        </ul>
      )}
      {report && (
        <p className="muted advice-build-platform">
          Stages on <ArgTip name="BUILDPLATFORM">$BUILDPLATFORM</ArgTip> need only {report.buildPlatform}
          {report.buildPlatformSource === 'host' ? ' (assumed: the engine could not be asked)' : ' (the engine’s platform)'}.
        </p>
      )}
    </div>
  );
}
