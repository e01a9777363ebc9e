import { useEffect, useState } from 'react';
import type { DirListing } from '../../../../shared/contract/builds';
import { api } from '../../api';
import { ProblemBox } from '../../components/ProblemBox';
import { toProblem, type Problem } from '../../stores/problem';
import { Modal } from '../../components/Modal';

/**
 * Picks a folder on the computer running the core. There is no native dialog in headless mode
 * (and the core never imports Electron), so the core lists folders and this walks them.
 */
export function FolderBrowser({ start, onPick, onClose }: { start?: string; onPick: (path: string) => void; onClose: () => void }) {
  const [listing, setListing] = useState<DirListing | undefined>();
  const [problem, setProblem] = useState<Problem | undefined>();
  const [typed, setTyped] = useState(start ?? '');

  const load = (path?: string) => {
    api()
      .builds.browse(path ? { path } : {})
      .then(
        (l) => {
          setListing(l);
          setTyped(l.path);
          setProblem(undefined);
        },
        (error: unknown) => setProblem(toProblem(error)),
      );
  };

  useEffect(() => {
    let cancelled = false;
    api()
      .builds.browse(start ? { path: start } : {})
      .then(
        (l) => {
          if (cancelled) return;
          setListing(l);
          setTyped(l.path);
        },
        // A typed path that does not exist yet: start from the home folder instead.
        () =>
          api()
            .builds.browse({})
            .then((l) => !cancelled && (setListing(l), setTyped(l.path)), (error: unknown) => !cancelled && setProblem(toProblem(error))),
      );
    return () => {
      cancelled = true;
    };
  }, [start]);

  return (
    <Modal title="Choose the build context folder" className="folder-browser" testId="folder-browser" onClose={onClose}>
      <form
        className="row"
        onSubmit={(e) => {
          e.preventDefault();
          load(typed);
        }}
      >
        <input className="grow" value={typed} onChange={(e) => setTyped(e.target.value)} aria-label="Folder path" />
        <button type="submit">Go</button>
      </form>
      {problem && <ProblemBox problem={problem} />}
      {listing && (
        <>
          <p className="muted">
            {listing.path} {listing.hasDockerfile ? <span className="badge ok">has a Dockerfile</span> : <span className="badge">no Dockerfile</span>}
          </p>
          <ul className="folder-list">
            {listing.parent && (
              <li>
                <button type="button" className="link" onClick={() => load(listing.parent)}>
                  ↑ ..
                </button>
              </li>
            )}
            {listing.entries.map((e) => (
              <li key={e.path}>
                <button type="button" className="link" onClick={() => load(e.path)}>
                  📁 {e.name}
                </button>
                {e.hasDockerfile && <span className="badge ok">Dockerfile</span>}
              </li>
            ))}
            {listing.entries.length === 0 && <li className="muted">No sub-folders.</li>}
            {listing.truncated && <li className="muted">More folders not shown: type a path above.</li>}
          </ul>
        </>
      )}
      <div className="actions">
        <button type="button" className="primary" disabled={!listing} onClick={() => listing && onPick(listing.path)}>
          Use this folder
        </button>
        <button type="button" onClick={onClose}>
          Close
        </button>
      </div>
    </Modal>
  );
}
