import { shortcutProps } from '../../../app/shortcuts';
import type { Problem } from '../../../stores/problem';
import type { BuildForm } from '../use-build-form';
import { FieldProblems } from './FieldProblems';

export interface SourcePicking {
  /** The desktop shell's native dialogs are there (not in headless mode). */
  native: boolean | undefined;
  problem: Problem | undefined;
  browseContext(): void;
  browseDockerfile(): void;
}

/** What to build: the context folder, the Dockerfile, the target stage and the builder. */
export function SourceSection({ form, picking }: { form: BuildForm; picking: SourcePicking }) {
  const { draft, set, context, contextProblem, contextOk, issueOf, problems, facts } = form;
  const currentName = facts?.currentBuilder;
  return (
    <>
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
            <button type="button" onClick={picking.browseContext} data-testid="build-browse" {...shortcutProps('build.openContext', 'Choose the build context folder')}>
              Browse…
            </button>
          </span>
          {picking.problem && <span className="err">{picking.problem.message}</span>}
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
            {contextOk && <span className="ok">Dockerfile: {context?.dockerfile}</span>}
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
            {picking.native && (
              <button type="button" onClick={picking.browseDockerfile} data-testid="build-browse-dockerfile" title="Choose the Dockerfile">
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
    </>
  );
}
