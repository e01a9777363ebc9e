import { THEME_CHOICES, type ThemeChoice } from '../../../shared/contract/settings';
import { api } from '../api';
import { useThemeStore } from '../theme/theme-store';

const LABELS: Record<ThemeChoice, string> = { system: 'Like the system', light: 'Light', dark: 'Dark' };

/** The theme choice, kept in settings. */
export function ThemeSwitch() {
  const { choice, choose, problem } = useThemeStore();
  return (
    <label className="theme-switch">
      Theme
      <select data-testid="theme-choice" value={choice} onChange={(e) => void choose(api(), e.target.value as ThemeChoice)}>
        {THEME_CHOICES.map((c) => (
          <option key={c} value={c}>
            {LABELS[c]}
          </option>
        ))}
      </select>
      {problem && (
        <span className="err small" role="alert">
          Not saved: {problem.message}
        </span>
      )}
    </label>
  );
}
