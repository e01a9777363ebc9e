import { Fragment } from 'react';
import { keyLabel, SHORTCUTS, type Shortcut } from '../../../shared/ui/keymap';
import { Modal } from '../components/Modal';
import { keyPlatform } from './shortcuts';

const GROUPS: Shortcut['group'][] = ['Pages', 'Build', 'Build log', 'Help'];

/** The Help list of every shortcut, straight from the keymap. */
export function ShortcutsDialog({ onClose }: { onClose: () => void }) {
  const platform = keyPlatform();
  return (
    <Modal title="Keyboard shortcuts" testId="shortcuts-dialog" className="shortcuts-dialog" onClose={onClose}>
      <table className="shortcuts-table">
        {GROUPS.map((group) => (
          <tbody key={group}>
            <tr>
              <th colSpan={2} scope="colgroup">
                {group}
              </th>
            </tr>
            {SHORTCUTS.filter((s) => s.group === group).map((s) => (
              <tr key={s.id} data-testid={`shortcut-${s.id}`}>
                <td>{s.label}</td>
                <td className="shortcut-keys">
                  {s.keys.map((k, i) => (
                    <Fragment key={k}>
                      {i > 0 && <span className="muted"> or </span>}
                      <kbd>{keyLabel(k, platform)}</kbd>
                    </Fragment>
                  ))}
                </td>
              </tr>
            ))}
          </tbody>
        ))}
      </table>
      <p className="muted">
        Tab and Shift+Tab move between controls; Enter or Space presses the focused one; Escape closes a dialog. The log shortcuts work while a
        build log is shown. In a build&apos;s waterfall each platform is one stop: the arrow keys, Home and End move between its steps.
      </p>
      <div className="actions">
        <button type="button" onClick={onClose} data-autofocus>
          Close
        </button>
      </div>
    </Modal>
  );
}
