import { Fragment, useEffect, useMemo, useRef, useState } from 'react';
import { displayCommand } from '../../../../shared/domain/build-request/argv';
import { blockingProblems, checkBuild, platformChoices, type BuildProblem } from '../../../../shared/domain/build-request/checks';
import { checkTagReference } from '../../../../shared/domain/build-request/reference';
import type { OutputKind } from '../../../../shared/domain/build-request/request';
import { api } from '../../api';
import { CopyButton } from '../../components/CopyButton';
import { ProblemBox } from '../../components/ProblemBox';
import { chosenLanes, parseDraft, prepareNotifications, useBuildStore, type BuildDraft } from '../../stores/build-store';
import { withoutBuilderChecks } from '../../../../shared/domain/distributed/assign';
import { DistributePanel } from './DistributePanel';
import { useNav } from '../../stores/nav-store';
import { BuildRun } from './BuildRun';
import { FolderBrowser } from './FolderBrowser';
import { OverwriteDialog } from './OverwriteDialog';
import { PlatformPicker } from './PlatformPicker';
import { DockerfileAdvice } from '../dockerfile/DockerfileAdvice';
import { useDebounced } from '../../hooks/use-debounced';
import { ExportButton } from '../ci-export/ExportButton';
import { ImportBake } from '../ci-export/ImportBake';
import { shortcutProps, useShortcut } from '../../app/shortcuts';
import { OPEN_CONTEXT } from './open-context';
import { usePathPicker } from './use-path-picker';

const OUTPUTS: Array<{ kind: OutputKind; label: string; help: string }> = [
  { kind: 'push', label: 'Push to registry', help: 'One multi-platform image (an index) under each tag.' },
  { kind: 'load', label: 'Load into the engine', help: 'Into the local image store (several platforms need the containerd image store).' },
  { kind: 'oci', label: 'OCI tarball', help: 'An OCI image layout in one .tar file.' },
  { kind: 'local', label: 'Local folder', help: 'The image’s files, one sub-folder per platform.' },
  { kind: 'cacheonly', label: 'Build only', help: 'Keep nothing but the build cache (a dry run).' },
];


function FieldProblems({ problems, field }: { problems: BuildProblem[]; field: string }) {
  const mine = problems.filter((p) => p.field === field);
  if (mine.length === 0) return null;
  return (
    <>
      {mine.map((p, i) => (
        <p key={i} className={p.severity === 'error' ? 'field-problem err' : 'field-problem warn'} data-testid="build-problem" data-code={p.code}>
          {p.message} <span className="muted">{p.fix}</span>
        </p>
      ))}
    </>
  );
}

export function BuildPage() {
  const { draft, facts, factsProblem, loadingFacts, context, contextProblem, view, overwriteQuestion, setDraft, togglePlatform, loadFacts, inspectContext, start, open, answerOverwrite } =
    useBuildStore();
  const go = useNav((s) => s.go);
  const param = useNav((s) => s.param);
  const [browsing, setBrowsing] = useState(false);
  const picker = usePathPicker();
  const form = useRef<HTMLFormElement>(null);

  useEffect(() => {
    if (!useBuildStore.getState().facts) void loadFacts(api());
  }, [loadFacts]);

  // After a reload the build may still be running in the core: follow it again.
  useEffect(() => {
    if (useBuildStore.getState().view) return;
    let stale = false;
    api()
      .builds.list({})
      .then(
        (list) => {
          const running = list.builds.find((b) => b.status === 'running');
          if (running && !stale && !useBuildStore.getState().view) void open(api(), running.id);
        },
        () => undefined,
      );
    return () => {
      stale = true;
    };
  }, [open]);

  // The run appears below the form: bring it into view when a build starts (a Re-run from History lands at the top otherwise).
  const runRef = useRef<HTMLDivElement>(null);
  const startingNow = view?.status === 'starting';
  useEffect(() => {
    if (startingNow) runRef.current?.scrollIntoView?.({ block: 'start', behavior: 'smooth' });
  }, [startingNow]);

  const contextKey = useDebounced(`${draft.context}\u0000${draft.dockerfile}`, 250);
  useEffect(() => {
    void inspectContext(api());
  }, [contextKey, inspectContext]);

  const parsed = useMemo(() => parseDraft(draft), [draft]);
  const issues = parsed.success ? [] : parsed.error.issues;
  const command = parsed.success ? displayCommand(parsed.data) : undefined;
  const choices = useMemo(() => (facts ? platformChoices(facts, draft.builder || undefined, draft.platforms) : []), [facts, draft.builder, draft.platforms]);
  const problems = useMemo(() => {
    if (!parsed.success || !facts) return [];
    const all = checkBuild(parsed.data, facts, context && context.stagesSource !== 'none' ? { stages: context.stages.map((s) => s.name) } : {});
    return draft.distribute ? withoutBuilderChecks(all) : all;
  }, [parsed, facts, context, draft.distribute]);
  const builders = useBuildStore((s) => s.builders);
  const lanes = draft.distribute ? chosenLanes(draft, builders?.builders ?? [], draft.builder || facts?.currentBuilder) : [];
  const distributeBlocked = !draft.distribute ? undefined : draft.output !== 'push' ? 'Choose "Push to registry": each platform is pushed by digest and merged in the registry.' : parsed.success && parsed.data.tags.length === 0 ? 'Give a tag: the platforms are merged under it.' : !builders ? 'Reading the builders’ nodes…' : lanes.some((l) => !l.option) ? `No node can build ${lanes.filter((l) => !l.option).map((l) => l.platform).join(', ')}.` : undefined;
  const nodeCount = new Set(lanes.map((l) => l.option?.key)).size;
  const running = view?.mode === 'live' && (view.status === 'running' || view.status === 'starting');
  const contextOk = context?.ok === true && context.context.length > 0;
  const canBuild = parsed.success && contextOk && blockingProblems(problems).length === 0 && !running && !distributeBlocked;
  const issueOf = (path: string) => issues.find((i) => i.path.join('.') === path)?.message;
  const currentName = facts?.currentBuilder;
  const set = (patch: Partial<BuildDraft>) => setDraft(patch);

  // The desktop shell's native dialog where there is one, else the in-page folder browser.
  const pickContext = () =>
    void picker.pick({ kind: 'folder', title: 'Choose the build context folder', defaultPath: draft.context || undefined }).then((path) => path && set({ context: path }));
  const browseContext = () => (picker.native ? pickContext() : setBrowsing(true));
  const browseDockerfile = () => {
    const near = draft.dockerfile || draft.context;
    void picker.pick({ kind: 'file', title: 'Choose the Dockerfile', defaultPath: near || undefined }).then((path) => path && set({ dockerfile: path }));
  };
  // File › Open build context… and Mod+O land here with this param.
  const contextAsked = param === OPEN_CONTEXT && picker.known;
  const closeBrowser = () => {
    setBrowsing(false);
    if (useNav.getState().param === OPEN_CONTEXT) useNav.setState({ param: undefined });
  };
  useEffect(() => {
    if (!contextAsked || !picker.native) return;
    useNav.setState({ param: undefined });
    pickContext();
  });
  useShortcut('build.start', canBuild ? () => form.current?.requestSubmit() : undefined);

  return (
    <section className="page build-page" data-testid="build-page" data-state={view?.status ?? 'idle'}>
      <header className="page-header">
        <h1>Build</h1>
        <div className="actions">
          <ImportBake context={draft.context} />
          <button type="button" onClick={() => void loadFacts(api())} disabled={loadingFacts}>
            {loadingFacts ? 'Reading builders…' : 'Refresh builders & emulators'}
          </button>
        </div>
      </header>

      {factsProblem && <ProblemBox problem={factsProblem} onRetry={() => void loadFacts(api())} />}
      {facts?.notes.map((n, i) => (
        <p key={i} className="muted">
          {n}
        </p>
      ))}

      <form
        ref={form}
        className="card build-form"
        onSubmit={(e) => {
          e.preventDefault();
          if (!canBuild) return;
          prepareNotifications();
          void start(api());
        }}
      >
        <h2>What to build</h2>
        <div className="grid-form">
          <label className="wide">
            Build context folder
            <span className="row nowrap">
              <input
                className="grow"
                data-testid="build-context"
                placeholder="/path/to/project"
                value={draft.context}
                onChange={(e) => set({ context: e.target.value })}
                spellCheck={false}
              />
              <button type="button" onClick={browseContext} data-testid="build-browse" {...shortcutProps('build.openContext', 'Choose the build context folder')}>
                Browse…
              </button>
            </span>
            {picker.problem && <span className="err">{picker.problem.message}</span>}
            <span className="field-state" data-testid="build-context-state" data-state={!draft.context ? 'empty' : contextOk ? 'ok' : context ? 'error' : 'checking'}>
              {contextProblem && <span className="err">{contextProblem.message}</span>}
              {/* an untouched, empty field is not an error yet: say what to put there instead */}
              {!draft.context && <span className="muted">Type or browse to the folder with your project’s files (usually where its Dockerfile is).</span>}
              {draft.context && issueOf('context') && <span className="err">{issueOf('context')}</span>}
              {context?.problems.map((p, i) => (
                <span key={i} className="err">
                  {p.message} <span className="muted">{p.hint}</span>
                </span>
              ))}
              {contextOk && <span className="ok">Dockerfile: {context.dockerfile}</span>}
            </span>
          </label>
          <label>
            Dockerfile
            <span className="row nowrap">
              <input
                className="grow"
                data-testid="build-dockerfile"
                placeholder={draft.context ? `${draft.context.replace(/\/$/, '')}/Dockerfile` : 'Dockerfile'}
                value={draft.dockerfile}
                onChange={(e) => set({ dockerfile: e.target.value })}
                spellCheck={false}
              />
              {picker.native && (
                <button type="button" onClick={browseDockerfile} data-testid="build-browse-dockerfile" title="Choose the Dockerfile">
                  Browse…
                </button>
              )}
            </span>
          </label>
          <label>
            Target stage
            <select data-testid="build-target" value={draft.target} onChange={(e) => set({ target: e.target.value })}>
              <option value="">The last stage (default)</option>
              {context?.stages.map((s) => (
                <option key={s.name} value={s.name}>
                  {s.name} (line {s.line})
                </option>
              ))}
              {draft.target && !context?.stages.some((s) => s.name === draft.target) && <option value={draft.target}>{draft.target}</option>}
            </select>
            <FieldProblems problems={problems} field="target" />
          </label>
          <label>
            Builder
            <select data-testid="build-builder" value={draft.builder} onChange={(e) => set({ builder: e.target.value })}>
              <option value="">Current builder{currentName ? ` (${currentName})` : ''}</option>
              {facts?.builders.map((b) => (
                <option key={b.name} value={b.name}>
                  {b.name} — {b.driver}, {b.status}
                </option>
              ))}
            </select>
            <FieldProblems problems={problems} field="builder" />
          </label>
        </div>

        <h2>Tags</h2>
        <div className="tag-rows">
          {draft.tags.map((tag, i) => {
            const check = tag.trim() ? checkTagReference(tag) : undefined;
            return (
              <Fragment key={i}>
                <div className="row nowrap">
                  <input
                    className="grow"
                    data-testid={`build-tag-${i}`}
                    placeholder="registry.example.com/team/app:1.0"
                    value={tag}
                    aria-invalid={check && !check.ok ? true : undefined}
                    onChange={(e) => set({ tags: draft.tags.map((t, j) => (j === i ? e.target.value : t)) })}
                    spellCheck={false}
                  />
                  <button type="button" aria-label="Remove tag" onClick={() => set({ tags: draft.tags.length > 1 ? draft.tags.filter((_, j) => j !== i) : [''] })}>
                    −
                  </button>
                </div>
                {/* under the field, so the field keeps its width while the user types */}
                {check && !check.ok && <p className="field-problem err">{check.reason}</p>}
              </Fragment>
            );
          })}
          <button type="button" onClick={() => set({ tags: [...draft.tags, ''] })}>
            Add a tag
          </button>
          <FieldProblems problems={problems} field="tags" />
        </div>

        <h2>Platforms</h2>
        {facts ? (
          <PlatformPicker choices={choices} selected={draft.platforms} onToggle={togglePlatform} onOpenEmulators={() => go('emulators')} />
        ) : (
          <p className="muted">
            {loadingFacts
              ? 'Reading what the builder and the emulators can run…'
              : factsProblem
                ? 'Not known: the builders and emulators could not be read (the problem is shown above). Refresh once it is fixed.'
                : 'Not known yet.'}
          </p>
        )}
        {/* with no platform list there is nothing to tick: the line above says why */}
        {facts && issueOf('platforms') && <p className="field-problem err">{issueOf('platforms')}</p>}
        <FieldProblems problems={problems} field="platforms" />
        <DockerfileAdvice contextDir={draft.context} dockerfile={draft.dockerfile} platforms={draft.platforms} buildArgs={draft.buildArgs} target={draft.target} />

        <h2>Output</h2>
        <div className="row output-choices" role="radiogroup" aria-label="Output">
          {OUTPUTS.map((o) => (
            <label key={o.kind} className="check" title={o.help}>
              <input type="radio" name="output" data-testid={`output-${o.kind}`} checked={draft.output === o.kind} onChange={() => set({ output: o.kind })} />
              {o.label}
            </label>
          ))}
        </div>
        <p className="muted">{OUTPUTS.find((o) => o.kind === draft.output)?.help}</p>
        {(draft.output === 'oci' || draft.output === 'local') && (
          <label>
            {draft.output === 'oci' ? 'Tarball file (absolute path)' : 'Folder (absolute path)'}
            <input data-testid="build-dest" value={draft.dest} placeholder={draft.output === 'oci' ? '/tmp/image.tar' : '/tmp/image-files'} onChange={(e) => set({ dest: e.target.value })} />
            {issueOf('output.dest') && <span className="err">{issueOf('output.dest')}</span>}
          </label>
        )}
        <FieldProblems problems={problems} field="output" />

        <h2>Where to build</h2>
        <label className="check">
          <input type="checkbox" checked={draft.distribute} onChange={(e) => set({ distribute: e.target.checked })} data-testid="build-distribute" />
          Distribute over nodes: build each platform on its own node in parallel, then merge one index
        </label>
        {draft.distribute ? (
          <>
            {distributeBlocked && <p className="field-problem err" data-testid="distribute-blocked">{distributeBlocked}</p>}
            <DistributePanel request={parsed.success ? parsed.data : undefined} preferredBuilder={draft.builder || facts?.currentBuilder} />
          </>
        ) : (
          <p className="muted">One build on the builder chosen above: buildx sends each platform to a node of that builder (the Builders page shows which).</p>
        )}

        <details className="build-more">
          <summary>Build arguments, attestations, cache</summary>
          <h3>Build arguments</h3>
          {draft.buildArgs.map((a, i) => (
            <div className="row nowrap" key={i}>
              <input placeholder="NAME" value={a.key} aria-label="Argument name" onChange={(e) => set({ buildArgs: draft.buildArgs.map((b, j) => (j === i ? { ...b, key: e.target.value } : b)) })} />
              <input className="grow" placeholder="value" value={a.value} aria-label="Argument value" onChange={(e) => set({ buildArgs: draft.buildArgs.map((b, j) => (j === i ? { ...b, value: e.target.value } : b)) })} />
              <button type="button" aria-label="Remove argument" onClick={() => set({ buildArgs: draft.buildArgs.filter((_, j) => j !== i) })}>
                −
              </button>
              {issueOf(`buildArgs.${i}.key`) && <span className="err">{issueOf(`buildArgs.${i}.key`)}</span>}
            </div>
          ))}
          <button type="button" onClick={() => set({ buildArgs: [...draft.buildArgs, { key: '', value: '' }] })}>
            Add a build argument
          </button>

          <h3>Attestations</h3>
          <label className="check">
            <input type="checkbox" checked={draft.provenance} onChange={(e) => set({ provenance: e.target.checked })} />
            Provenance (how and from what it was built)
          </label>
          <label className="check">
            <input type="checkbox" checked={draft.sbom} onChange={(e) => set({ sbom: e.target.checked })} />
            SBOM (the packages inside)
          </label>
          <p className="muted">
            Each attestation is stored in the image index as an extra entry per platform with the platform <code>unknown/unknown</code>. Tools that
            list platforms show them; registries and <code>docker pull</code> ignore them. Off, the index holds only the real platforms.
          </p>

          <h3>Cache</h3>
          <label className="check">
            <input type="checkbox" checked={draft.noCache} onChange={(e) => set({ noCache: e.target.checked })} />
            No cache (rebuild every step)
          </label>
          <label className="check">
            <input type="checkbox" checked={draft.pull} onChange={(e) => set({ pull: e.target.checked })} />
            Pull base images again
          </label>
          <div className="grid-form">
            <label>
              Cache from (one per line)
              <textarea rows={2} value={draft.cacheFrom} placeholder="type=registry,ref=host/app:cache" onChange={(e) => set({ cacheFrom: e.target.value })} />
            </label>
            <label>
              Cache to (one per line)
              <textarea rows={2} value={draft.cacheTo} placeholder="type=registry,ref=host/app:cache,mode=max" onChange={(e) => set({ cacheTo: e.target.value })} />
              <FieldProblems problems={problems} field="cacheTo" />
            </label>
          </div>
          {issues
            .filter((i) => i.path[0] === 'cacheFrom' || i.path[0] === 'cacheTo')
            .map((i, k) => (
              <p key={k} className="field-problem err">
                {i.message}
              </p>
            ))}
        </details>

        <h2>Command</h2>
        {draft.distribute && <p className="muted">Distributed: the commands are listed under “Where to build”. The single command below builds all platforms on one builder instead.</p>}
        <div className="row nowrap command-row">
          <pre className="grow build-command" data-testid="build-command">
            {command ?? 'Fill in the form to see the command.'}
          </pre>
          {command && <CopyButton value={command} label="Copy the command" shortcut="build.copyCommand" />}
          <ExportButton request={parsed.success ? parsed.data : undefined} />
        </div>

        <div className="actions">
          <button type="submit" className="primary" data-testid="build-start" disabled={!canBuild} {...shortcutProps('build.start', 'Start the build')}>
            {running
              ? 'Building…'
              : `Build ${draft.platforms.length} platform${draft.platforms.length === 1 ? '' : 's'}${draft.distribute ? ` on ${nodeCount} node${nodeCount === 1 ? '' : 's'}` : ''}`}
          </button>
        </div>
      </form>

      {view && (
        <div ref={runRef}>
          <BuildRun view={view} />
        </div>
      )}

      {overwriteQuestion && <OverwriteDialog question={overwriteQuestion} onAnswer={(replace) => void answerOverwrite(api(), replace)} />}

      {(browsing || (contextAsked && !picker.native)) && (
        <FolderBrowser
          start={draft.context || undefined}
          onClose={closeBrowser}
          onPick={(path) => {
            set({ context: path });
            closeBrowser();
          }}
        />
      )}
    </section>
  );
}
