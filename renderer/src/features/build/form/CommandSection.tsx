import { shortcutProps } from '../../../app/shortcuts';
import { CopyButton } from '../../../components/CopyButton';
import { ExportButton } from '../../ci-export/ExportButton';
import type { BuildForm } from '../use-build-form';

/** The equivalent command, its copy and CI export, and the button that starts the build. */
export function CommandSection({ form }: { form: BuildForm }) {
  const { draft, command, request, canBuild, running, nodeCount } = form;
  const count = draft.platforms.length;
  return (
    <>
      <h2>Command</h2>
      {draft.distribute && <p className="muted">Distributed: the commands are listed under “Where to build”. The single command below builds all platforms on one builder instead.</p>}
      <div className="row nowrap command-row">
        <pre className="grow build-command" data-testid="build-command">
          {command ?? 'Fill in the form to see the command.'}
        </pre>
        {command && <CopyButton value={command} label="Copy the command" shortcut="build.copyCommand" />}
        <ExportButton request={request} />
      </div>

      <div className="actions">
        <button type="submit" className="primary" data-testid="build-start" disabled={!canBuild} {...shortcutProps('build.start', 'Start the build')}>
          {running ? 'Building…' : `Build ${count} platform${count === 1 ? '' : 's'}${draft.distribute ? ` on ${nodeCount} node${nodeCount === 1 ? '' : 's'}` : ''}`}
        </button>
      </div>
    </>
  );
}
