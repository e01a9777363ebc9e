import { useNav } from '../../../stores/nav-store';
import { DockerfileAdvice } from '../../dockerfile/DockerfileAdvice';
import { PlatformPicker } from '../PlatformPicker';
import type { BuildForm } from '../use-build-form';
import { FieldProblems } from './FieldProblems';

/** The platforms grouped by how the builder runs them, with the Dockerfile advice for the ticked ones. */
export function PlatformsSection({ form }: { form: BuildForm }) {
  const { draft, facts, loadingFacts, factsProblem, choices, togglePlatform, issueOf, problems } = form;
  const go = useNav((s) => s.go);
  return (
    <>
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
    </>
  );
}
