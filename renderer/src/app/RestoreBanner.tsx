import { useEffect, useState } from 'react';
import { api } from '../api';
import { useEngineStore } from '../stores/engine-store';
import { useNav } from '../stores/nav-store';

/**
 * Emulators the user installed are gone from the Docker host (a reboot wipes binfmt_misc):
 * say so on every page, not only on the Emulators page, so builds do not fail in surprise.
 */
export function RestoreBanner() {
  const [missing, setMissing] = useState<string[]>([]);
  const generation = useEngineStore((s) => (s.state?.status === 'connected' ? s.state.generation : undefined));
  const { page, go } = useNav();

  useEffect(() => {
    const emulators = api().emulators;
    const offNeeded = emulators.onRestoreNeeded(({ missing: gone }) => setMissing(gone));
    const offStatus = emulators.onStatusChanged((status) => setMissing(status.missing));
    return () => {
      offNeeded();
      offStatus();
    };
  }, []);

  useEffect(() => {
    if (generation === undefined) return;
    // The event may have fired before this page connected: ask once per engine (re)connection.
    void api()
      .emulators.status({})
      .then((status) => setMissing(status.missing))
      .catch(() => undefined);
  }, [generation]);

  if (missing.length === 0 || page === 'emulators') return null;
  return (
    <div className="global-banner" role="status" data-testid="restore-banner">
      <span>
        Emulators you installed are gone from the Docker host (after a reboot?): <b>{missing.join(', ')}</b>. Builds for these
        platforms will fail.
      </span>
      <button type="button" className="primary" onClick={() => go('emulators')}>
        Restore on the Emulators page
      </button>
    </div>
  );
}
