import { useCallback, useEffect, useState } from 'react';
import type { StorageState } from '../../../shared/contract/app';
import { api } from '../api';

/**
 * The data folder cannot be written (the app works read-only), or something found at start needs
 * the user: said on every page, with the real cause and what to do, until it is fixed.
 */
export function StorageBanner() {
  const [storage, setStorage] = useState<StorageState | undefined>();
  const check = useCallback(() => {
    void api()
      .app.about({})
      .then(
        (about) => setStorage(about.storage),
        () => undefined,
      );
  }, []);
  useEffect(check, [check]);

  if (!storage || (storage.writable && storage.notices.length === 0)) return null;
  return (
    <div className="global-banner storage-banner" role="status" data-testid="storage-banner" data-state={storage.writable ? 'notice' : 'read-only'}>
      <div>
        {storage.problem && (
          <p>
            <b>Read-only:</b> {storage.problem.message} <span className="muted">{storage.problem.hint}</span>
          </p>
        )}
        {storage.notices.map((n, i) => (
          <p key={i}>{n}</p>
        ))}
      </div>
      {!storage.writable && (
        <button type="button" onClick={check}>
          Check again
        </button>
      )}
    </div>
  );
}
