import { useState } from 'react';
import { referenceProblem } from '../../../../shared/domain/image-reference';
import { api } from '../../api';
import { ProblemBox } from '../../components/ProblemBox';
import { toProblem, type Problem } from '../../stores/problem';

/** The builders section of the settings: the BuildKit image new builders run (pinned, or a mirror for offline use). */
export function BuilderSettings({ buildkitImage, onSaved }: { buildkitImage: string; onSaved(image: string): void }) {
  const [image, setImage] = useState(buildkitImage);
  const [problem, setProblem] = useState<Problem>();
  const [saving, setSaving] = useState(false);
  const imageProblem = referenceProblem(image);
  const valid = imageProblem === undefined;

  const save = async () => {
    setSaving(true);
    try {
      const settings = await api().app.updateSettings({ builders: { buildkitImage: image } });
      setProblem(undefined);
      onSaved(settings.builders.buildkitImage);
    } catch (error) {
      setProblem(toProblem(error));
    } finally {
      setSaving(false);
    }
  };

  return (
    <details className="card" data-testid="builders-settings">
      <summary>
        <h2 className="builder-inline-h2">Settings</h2> <span className="muted">BuildKit image of new builders</span>
      </summary>
      <div className="grid-form">
        <label>
          BuildKit image
          <input value={image} onChange={(e) => setImage(e.target.value.trim())} spellCheck={false} data-testid="builders-settings-image" />
          <span className="muted">buildx pulls it when a builder starts, and uses a local copy when the pull fails: load or tag one for offline use, or pin a version.</span>
          {imageProblem && <span className="err builder-field-error">{imageProblem}</span>}
        </label>
      </div>
      {problem && <ProblemBox problem={problem} />}
      <div className="actions">
        <button type="button" className="primary" disabled={!valid || image === buildkitImage || saving} onClick={() => void save()} data-testid="builders-settings-save">
          Save
        </button>
      </div>
    </details>
  );
}
