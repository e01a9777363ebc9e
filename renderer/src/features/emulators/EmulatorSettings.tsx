import { useState } from 'react';
import type { EmulatorStatus } from '../../../../shared/contract/emulators';
import { referenceProblem } from '../../../../shared/domain/image-reference';
import { api } from '../../api';
import { ProblemBox } from '../../components/ProblemBox';
import { toProblem, type Problem } from '../../stores/problem';

/** The emulators section of the settings: installer image (pin a tag, or a mirror), test image, auto-restore. */
export function EmulatorSettings({ status, onSaved }: { status: EmulatorStatus; onSaved(): void }) {
  const [installerImage, setInstallerImage] = useState(status.installerImage);
  const [testImage, setTestImage] = useState(status.testImage);
  const [autoRestore, setAutoRestore] = useState(status.autoRestore);
  const [problem, setProblem] = useState<Problem>();
  const [saving, setSaving] = useState(false);
  const installerProblem = referenceProblem(installerImage);
  const testProblem = referenceProblem(testImage);
  const valid = !installerProblem && !testProblem;
  const dirty = installerImage !== status.installerImage || testImage !== status.testImage || autoRestore !== status.autoRestore;

  const save = async () => {
    setSaving(true);
    try {
      await api().app.updateSettings({ emulators: { installerImage, testImage, autoRestore } });
      setProblem(undefined);
      onSaved();
    } catch (error) {
      setProblem(toProblem(error));
    } finally {
      setSaving(false);
    }
  };

  return (
    <details className="card" data-testid="emulators-settings">
      <summary>
        <h2 className="emulators-inline-h2">Settings</h2> <span className="muted">installer image, test image, restore after reboot</span>
      </summary>
      <div className="grid-form">
        <label>
          Installer image (run privileged)
          <input value={installerImage} onChange={(e) => setInstallerImage(e.target.value.trim())} data-testid="emulators-installer-image" spellCheck={false} />
          <span className="small">Pin a tag (some QEMU versions crash on some workloads) or point at a mirror.</span>
          {installerProblem && <span className="err small">{installerProblem}</span>}
        </label>
        <label>
          Test image (run per platform)
          <input value={testImage} onChange={(e) => setTestImage(e.target.value.trim())} data-testid="emulators-test-image" spellCheck={false} />
          <span className="small">Must exist for every platform you test and contain sh, cat and uname (busybox does).</span>
          {testProblem && <span className="err small">{testProblem}</span>}
        </label>
        <label className="check">
          <input type="checkbox" checked={autoRestore} onChange={(e) => setAutoRestore(e.target.checked)} data-testid="emulators-auto-restore" />
          Restore my emulators automatically after a reboot (only with the consent already given for the installer image)
        </label>
      </div>
      {problem && <ProblemBox problem={problem} />}
      <div className="actions">
        <button type="button" className="primary" disabled={!valid || !dirty || saving} onClick={() => void save()} data-testid="emulators-settings-save">
          Save
        </button>
      </div>
    </details>
  );
}
