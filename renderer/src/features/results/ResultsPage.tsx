import { useEffect, useRef, type FormEvent } from 'react';
import { mediaTypeLabel } from '../../../../shared/domain/manifests/media-types';
import { api } from '../../api';
import { CopyButton } from '../../components/CopyButton';
import { ProblemBox } from '../../components/ProblemBox';
import { useNav } from '../../stores/nav-store';
import { useResultsStore } from '../../stores/results-store';
import { EngineIntegrityPanel, IntegrityPanel } from './IntegrityPanel';
import { PlatformTable } from './PlatformTable';
import { decodeResultsParam } from './results-param';

/** Answers that may mean the image exists only in this engine (built with --load): its binaries can still be checked there. */
const NOT_IN_REGISTRY = ['IMAGE_NOT_FOUND', 'REGISTRY_UNREACHABLE', 'REGISTRY_AUTH'];

const KIND_LABEL = {
  'oci-index': 'OCI image index',
  'docker-manifest-list': 'Docker manifest list',
  single: 'single-platform image',
} as const;

/**
 * "Did I get every architecture, and does each one run?" for a finished build (opened with
 * `go('results', resultsParam(ref, platforms))`) or any reference typed here.
 */
export function ResultsPage() {
  const param = useNav((s) => s.param);
  const store = useResultsStore();
  const { referenceText, platformsText, formProblems, loading, inspection, problem, smoke } = store;

  // Each navigation here with a parameter (a finished build) inspects once, even for the same reference.
  const opened = useRef<string | undefined>(undefined);
  useEffect(() => {
    if (!param || opened.current === param) return;
    opened.current = param;
    const request = decodeResultsParam(param);
    if (request) void useResultsStore.getState().open(api(), request);
  }, [param]);

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    void store.submit(api());
  };

  const state = loading ? 'loading' : problem ? 'error' : inspection ? 'loaded' : 'empty';
  const anyRunning = Object.values(smoke).some((s) => s.state === 'running');

  return (
    <section className="page results-page" data-testid="results-page" data-state={state}>
      <header className="page-header">
        <h1>Results</h1>
      </header>

      <form className="card results-form" onSubmit={onSubmit} noValidate>
        <div className="results-fields">
          <label className="results-reference">
            Image reference
            <input
              data-testid="results-reference"
              data-state={formProblems.reference ? 'invalid' : 'ok'}
              value={referenceText}
              placeholder="127.0.0.1:5000/app:1 or alpine:3.20"
              spellCheck={false}
              autoComplete="off"
              aria-invalid={Boolean(formProblems.reference)}
              onChange={(e) => store.setReferenceText(e.target.value)}
            />
          </label>
          <label className="results-platforms">
            Platforms the build asked for (optional)
            <input
              data-testid="results-requested"
              data-state={formProblems.platforms ? 'invalid' : 'ok'}
              value={platformsText}
              placeholder="linux/amd64, linux/arm64"
              spellCheck={false}
              autoComplete="off"
              aria-invalid={Boolean(formProblems.platforms)}
              onChange={(e) => store.setPlatformsText(e.target.value)}
            />
          </label>
          <div className="actions results-submit">
            <button type="submit" className="primary" data-testid="results-inspect" disabled={loading}>
              {loading ? 'Reading…' : 'Inspect'}
            </button>
            {inspection && (
              <button type="button" data-testid="results-refresh" disabled={loading} onClick={() => void store.submit(api(), { refresh: true })}>
                Refresh
              </button>
            )}
          </div>
        </div>
        {formProblems.reference && (
          <p className="err field-problem" data-testid="results-reference-problem">
            {formProblems.reference}
          </p>
        )}
        {formProblems.platforms && (
          <p className="err field-problem" data-testid="results-requested-problem">
            {formProblems.platforms}
          </p>
        )}
      </form>

      {problem && <ProblemBox problem={problem} />}
      {problem && NOT_IN_REGISTRY.includes(problem.code) && !loading && <EngineIntegrityPanel reference={referenceText.trim()} />}

      {inspection && (
        <>
          <div className="card results-summary" data-testid="results-summary" data-kind={inspection.kind}>
            <div className="row">
              <h2 className="results-title">
                <code>{inspection.reference.familiar}</code>
              </h2>
              <span className="badge info" data-testid="results-kind">
                {KIND_LABEL[inspection.kind]}
              </span>
              {inspection.registryUrl.startsWith('http:') && (
                <span className="badge warn" title="Plain HTTP: used only for loopback and the engine's insecure registries">
                  plain HTTP
                </span>
              )}
            </div>
            <dl className="facts">
              <div className="fact">
                <dt>Digest</dt>
                <dd>
                  <code className="fact-value" data-testid="results-digest">
                    {inspection.digest}
                  </code>
                  <CopyButton value={inspection.digest} label="Copy digest" />
                </dd>
              </div>
              <div className="fact">
                <dt>Media type</dt>
                <dd>
                  <span className="fact-value" title={inspection.mediaType}>
                    {mediaTypeLabel(inspection.mediaType)}
                  </span>
                </dd>
              </div>
              <div className="fact">
                <dt>Registry</dt>
                <dd>
                  <span className="fact-value">{inspection.registryUrl}</span>
                  <span className="muted">credentials: {inspection.credentials}</span>
                </dd>
              </div>
            </dl>
            <p className="muted" data-testid="results-count">
              {inspection.kind === 'single'
                ? 'Single-platform image: the reference names one image manifest, not an index, so there is one row.'
                : `${inspection.platforms.length} platform${inspection.platforms.length === 1 ? '' : 's'} in the ${KIND_LABEL[inspection.kind]}` +
                  (inspection.platforms.some((p) => p.attestations.length > 0) ? '; attestation manifests are shown as badges on the platform they describe' : '') +
                  '.'}
              {inspection.ignoredEntries > 0 && ` ${inspection.ignoredEntries} entr${inspection.ignoredEntries === 1 ? 'y' : 'ies'} without a platform ignored.`}
              {inspection.orphanAttestations > 0 && ` ${inspection.orphanAttestations} attestation(s) name a manifest the index does not list.`}
              {inspection.cached && ' (Per-platform details from the cache: same digest as before.)'}
            </p>
            {inspection.missingPlatforms.length > 0 && (
              <p className="err" data-testid="results-missing">
                Missing: {inspection.missingPlatforms.join(', ')} {inspection.missingPlatforms.length === 1 ? 'was' : 'were'} asked for but{' '}
                {inspection.missingPlatforms.length === 1 ? 'is' : 'are'} not in the image.
              </p>
            )}
          </div>

          <div className="card">
            <div className="row results-table-head">
              <h2>Platforms</h2>
              <div className="actions">
                <button type="button" data-testid="smoke-all" disabled={anyRunning || inspection.platforms.length === 0} onClick={() => void store.smokeAll(api())}>
                  Smoke run all
                </button>
              </div>
            </div>
            <PlatformTable inspection={inspection} smoke={smoke} onSmoke={(platform) => void store.smokeRun(api(), platform)} />
          </div>

          <IntegrityPanel inspection={inspection} />
        </>
      )}

      {state === 'empty' && (
        <p className="muted">
          Type an image reference to see its platforms: digest, size and layers of each, attestations, and a smoke run per platform that checks the
          binaries really run there.
        </p>
      )}
    </section>
  );
}
