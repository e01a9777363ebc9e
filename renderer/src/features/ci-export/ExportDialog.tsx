import { useEffect, useState } from 'react';
import type { BuildRequest } from '../../../../shared/domain/build-request/request';
import {
  checkWorkflow,
  compareRequests,
  DEFAULT_RUNNERS,
  exportBuild,
  exportOptionsSchema,
  FIELD_MAP,
  type ExportOptionsInput,
  type FieldDifference,
} from '../../../../shared/domain/ci-export';
import { workflowSchemaErrors } from '../../../../shared/domain/ci-export/workflow-schema';
import { api } from '../../api';
import { CopyButton } from '../../components/CopyButton';
import { Modal } from '../../components/Modal';
import { toProblem, type Problem } from '../../stores/problem';
import { CodeView } from './CodeView';
import { SaveToContext } from './SaveToContext';

type BuildxCheck = { state: 'checking' } | { state: 'same'; command: string } | { state: 'different'; command: string; diffs: FieldDifference[]; refused: string[] } | { state: 'failed'; problem: Problem };

/** Export a build as docker-bake.hcl and a GitHub Actions workflow: shown, checked, copyable, savable into the context. */
export function ExportDialog({ request, onClose }: { request: BuildRequest; onClose(): void }) {
  const [form, setForm] = useState<ExportOptionsInput & { armRunner: boolean }>({
    shape: 'single',
    tool: 'build-push',
    name: 'docker-image',
    contextInRepo: '.',
    defaultBranch: 'main',
    runners: { ...DEFAULT_RUNNERS },
    armRunner: true,
  });
  const { armRunner, ...rest } = form;
  const parsed = exportOptionsSchema.safeParse({ ...rest, runners: armRunner ? rest.runners : { amd64: rest.runners?.amd64 } });
  // A few milliseconds per keystroke: generated and checked on every render.
  const options = parsed.success ? parsed.data : undefined;
  const files = options ? exportBuild(request, options) : undefined;
  const checks = files && options ? { schema: workflowSchemaErrors(files.workflow.text, files.workflow.fileName), project: checkWorkflow(files.workflow.text, options.runners, request.platforms) } : undefined;

  // buildx itself reads the bake file back: the check that it is the same build (kept per text, so an old answer never shows for a new file).
  const bakeText = files?.bake.text;
  const refusedKey = (files?.notes ?? []).flatMap((n) => (n.field === 'buildArgs' && n.severity === 'refused' && n.item ? [n.item] : [])).join('\n');
  const [checked, setChecked] = useState<{ text: string; check: BuildxCheck }>();
  const buildx: BuildxCheck = checked && checked.text === bakeText ? checked.check : { state: 'checking' };
  useEffect(() => {
    if (!bakeText) return;
    let stale = false;
    const refusedArgs = refusedKey ? refusedKey.split('\n') : [];
    const done = (check: BuildxCheck) => !stale && setChecked({ text: bakeText, check });
    api()
      .ciExport.readBake({ context: request.context, content: bakeText })
      .then(
        (read) => {
          const diffs = compareRequests(request, read.request, refusedArgs);
          done(diffs.length || read.refused.length ? { state: 'different', command: read.command, diffs, refused: read.refused } : { state: 'same', command: read.command });
        },
        (error: unknown) => done({ state: 'failed', problem: toProblem(error) }),
      );
    return () => {
      stale = true;
    };
  }, [bakeText, refusedKey, request]);

  const set = (patch: Partial<typeof form>) => setForm((f) => ({ ...f, ...patch }));
  const issue = (path: string) => (parsed.success ? undefined : parsed.error.issues.find((i) => i.path.join('.') === path)?.message);
  const unexportable = Object.entries(FIELD_MAP).filter(([field, row]) => row.kind === 'unexportable' && request[field as keyof BuildRequest] !== undefined);

  return (
    <Modal title="Export as CI" testId="export-dialog" className="export-dialog" onClose={onClose}>
      <div className="grid-form export-options">
        <label>
          Workflow shape
          <select data-testid="export-shape" value={form.shape} onChange={(e) => set({ shape: e.target.value as 'single' | 'per-platform' })}>
            <option value="single">One job (QEMU for what the runner cannot run)</option>
            <option value="per-platform">One job per platform, merged into one index</option>
          </select>
        </label>
        {form.shape === 'single' && (
          <label>
            Build step
            <select data-testid="export-tool" value={form.tool} onChange={(e) => set({ tool: e.target.value as 'build-push' | 'bake' })}>
              <option value="build-push">docker/build-push-action with the same inputs</option>
              <option value="bake">docker/bake-action with the bake file</option>
            </select>
          </label>
        )}
        <label>
          Workflow file name
          <input data-testid="export-name" value={form.name} onChange={(e) => set({ name: e.target.value })} spellCheck={false} />
          {issue('name') && <span className="err">{issue('name')}</span>}
        </label>
        <label>
          The context folder in the repository
          <input data-testid="export-context-in-repo" value={form.contextInRepo} onChange={(e) => set({ contextInRepo: e.target.value })} spellCheck={false} />
          {issue('contextInRepo') && <span className="err">{issue('contextInRepo')}</span>}
        </label>
        <label>
          Default branch
          <input value={form.defaultBranch} onChange={(e) => set({ defaultBranch: e.target.value })} spellCheck={false} />
          {issue('defaultBranch') && <span className="err">{issue('defaultBranch')}</span>}
        </label>
        <label>
          x86-64 runner label
          <input data-testid="export-runner-amd64" value={form.runners?.amd64 ?? ''} onChange={(e) => set({ runners: { ...form.runners, amd64: e.target.value } })} spellCheck={false} />
          {issue('runners.amd64') && <span className="err">{issue('runners.amd64')}</span>}
        </label>
        <label>
          <span className="row nowrap">
            <input type="checkbox" data-testid="export-arm-runner" checked={form.armRunner} onChange={(e) => set({ armRunner: e.target.checked })} /> 64-bit Arm runner label
          </span>
          <input data-testid="export-runner-arm64" disabled={!form.armRunner} value={form.runners?.arm64 ?? ''} onChange={(e) => set({ runners: { amd64: form.runners?.amd64 ?? '', arm64: e.target.value } })} spellCheck={false} />
          {issue('runners.arm64') && <span className="err">{issue('runners.arm64')}</span>}
        </label>
      </div>

      {files && (
        <ul className="export-notes" data-testid="export-notes">
          {files.notes.map((n, i) => (
            <li key={i} className={n.severity === 'refused' ? 'err' : n.severity === 'warning' ? 'warn' : 'muted'} data-severity={n.severity}>
              {n.message}
            </li>
          ))}
          {unexportable.map(([field, row]) => (
            <li key={field} className="muted">
              {row.kind === 'unexportable' ? `${field} (${row.flag}) is not exported: ${row.reason}` : ''}
            </li>
          ))}
        </ul>
      )}

      {files && (
        <section className="export-file" data-testid="export-bake">
          <header className="row">
            <h3 className="grow">
              <code>{files.bake.fileName}</code>
            </h3>
            <span data-testid="export-buildx-check" data-state={buildx.state}>
              {buildx.state === 'checking' && <span className="muted">buildx is reading it…</span>}
              {buildx.state === 'same' && <span className="ok" title={buildx.command}>✓ buildx reads it as the same build</span>}
              {buildx.state === 'different' && <span className="err">buildx reads it differently: {[...buildx.diffs.map((d) => `${d.field} (${d.expected} ≠ ${d.actual})`), ...buildx.refused].join('; ')}</span>}
              {buildx.state === 'failed' && <span className="err">{buildx.problem.message}</span>}
            </span>
            <CopyButton value={files.bake.text} label="Copy docker-bake.hcl" />
          </header>
          <CodeView text={files.bake.text} language="hcl" testId="export-bake-code" />
          <SaveToContext input={{ context: request.context, kind: 'bake', content: files.bake.text }} label="Save into the build context" testId="export-save-bake" />
        </section>
      )}

      {files && options && checks && (
        <section className="export-file" data-testid="export-workflow">
          <header className="row">
            <h3 className="grow">
              <code>{files.workflow.fileName}</code>
            </h3>
            <span data-testid="export-workflow-check" data-state={checks.schema.length + checks.project.length === 0 ? 'valid' : 'invalid'}>
              {checks.schema.length + checks.project.length === 0 ? (
                <span className="ok">✓ valid for GitHub’s workflow schema and the export checks</span>
              ) : (
                <span className="err">{[...checks.schema, ...checks.project].join(' ')}</span>
              )}
            </span>
            <CopyButton value={files.workflow.text} label="Copy the workflow" />
          </header>
          <CodeView text={files.workflow.text} language="yaml" testId="export-workflow-code" />
          <SaveToContext input={{ context: request.context, kind: 'workflow', name: options.name, content: files.workflow.text }} label="Save into the build context" testId="export-save-workflow" />
          {options.contextInRepo !== '.' && (
            <p className="muted">GitHub reads workflows from the repository root’s .github/workflows: move the saved file there.</p>
          )}
        </section>
      )}

      <div className="actions">
        <button type="button" onClick={onClose}>
          Close
        </button>
      </div>
    </Modal>
  );
}
