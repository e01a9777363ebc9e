import { useEffect, useRef, useState } from 'react';
import { api } from '../../api';
import { useShortcut } from '../../app/shortcuts';
import { ProblemBox } from '../../components/ProblemBox';
import { prepareNotifications } from '../../stores/build-notifications';
import { useNav } from '../../stores/nav-store';
import { ImportBake } from '../ci-export/ImportBake';
import { BuildRun } from './BuildRun';
import { FolderBrowser } from './FolderBrowser';
import { CommandSection } from './form/CommandSection';
import { MoreSection } from './form/MoreSection';
import { OutputSection } from './form/OutputSection';
import { PlatformsSection } from './form/PlatformsSection';
import { SourceSection, type SourcePicking } from './form/SourceSection';
import { TagsSection } from './form/TagsSection';
import { WhereSection } from './form/WhereSection';
import { OPEN_CONTEXT } from './open-context';
import { OverwriteDialog } from './OverwriteDialog';
import { usePathPicker } from './use-path-picker';
import { useBuildForm } from './use-build-form';

/** The Build page: the form (one component per section, its state in useBuildForm), the run below it, and its dialogs. */
export function BuildPage() {
  const form = useBuildForm();
  const { draft, set, facts, factsProblem, loadingFacts, loadFacts, view, start, overwriteQuestion, answerOverwrite, canBuild } = form;
  const param = useNav((s) => s.param);
  const [browsing, setBrowsing] = useState(false);
  const picker = usePathPicker();
  const formRef = useRef<HTMLFormElement>(null);

  // The run appears below the form: bring it into view when a build starts (a Re-run from History lands at the top otherwise).
  const runRef = useRef<HTMLDivElement>(null);
  const startingNow = view?.status === 'starting';
  useEffect(() => {
    if (startingNow) runRef.current?.scrollIntoView?.({ block: 'start', behavior: 'smooth' });
  }, [startingNow]);

  // The desktop shell's native dialog where there is one, else the in-page folder browser.
  const pickContext = () =>
    void picker.pick({ kind: 'folder', title: 'Choose the build context folder', defaultPath: draft.context || undefined }).then((path) => path && set({ context: path }));
  const picking: SourcePicking = {
    native: picker.native,
    problem: picker.problem,
    browseContext: () => (picker.native ? pickContext() : setBrowsing(true)),
    browseDockerfile: () => {
      const near = draft.dockerfile || draft.context;
      void picker.pick({ kind: 'file', title: 'Choose the Dockerfile', defaultPath: near || undefined }).then((path) => path && set({ dockerfile: path }));
    },
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
  useShortcut('build.start', canBuild ? () => formRef.current?.requestSubmit() : undefined);

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
        ref={formRef}
        className="card build-form"
        onSubmit={(e) => {
          e.preventDefault();
          if (!canBuild) return;
          prepareNotifications();
          void start(api());
        }}
      >
        <SourceSection form={form} picking={picking} />
        <TagsSection form={form} />
        <PlatformsSection form={form} />
        <OutputSection form={form} />
        <WhereSection form={form} />
        <MoreSection form={form} />
        <CommandSection form={form} />
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
