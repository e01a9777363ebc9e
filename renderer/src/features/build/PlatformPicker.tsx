import type { PlatformChoice } from '../../../../shared/domain/build-request/checks';
import type { PlatformSupport } from '../../../../shared/domain/platform-support';

const GROUPS: Array<{ group: PlatformSupport; title: string; help: string }> = [
  { group: 'native', title: 'Native', help: 'The engine’s own CPU runs these: fastest.' },
  { group: 'emulated', title: 'Emulated', help: 'Built through QEMU on this host: works, slower for RUN steps.' },
  { group: 'unavailable', title: 'Unavailable', help: 'Neither the builder nor an emulator runs these yet: install the emulator first.' },
];

/** Platform ticks grouped native / emulated / unavailable. Presentational. */
export function PlatformPicker({
  choices,
  selected,
  onToggle,
  onOpenEmulators,
}: {
  choices: PlatformChoice[];
  selected: readonly string[];
  onToggle: (platform: string, on: boolean) => void;
  onOpenEmulators: () => void;
}) {
  return (
    <div className="platform-picker" data-testid="platform-picker">
      {GROUPS.map(({ group, title, help }) => {
        const list = choices.filter((c) => c.support === group);
        if (list.length === 0) return null;
        return (
          <fieldset key={group} className={`platform-group ${group}`} data-testid={`platform-group-${group}`}>
            <legend>
              {title} <span className="muted">— {help}</span>
              {group === 'unavailable' && (
                <button type="button" className="link" onClick={onOpenEmulators}>
                  Emulators page
                </button>
              )}
            </legend>
            <div className="platform-ticks">
              {list.map((c) => (
                <label key={c.platform} className="check platform-tick" title={c.note ?? (c.listed ? 'Listed by the builder' : undefined)}>
                  <input
                    type="checkbox"
                    data-testid={`platform-${c.platform}`}
                    data-group={c.support}
                    checked={selected.includes(c.platform)}
                    onChange={(e) => onToggle(c.platform, e.target.checked)}
                  />
                  <code>{c.platform}</code>
                  {!c.listed && c.support !== 'unavailable' && <span className="badge info">not listed</span>}
                </label>
              ))}
            </div>
          </fieldset>
        );
      })}
    </div>
  );
}
