import { useCallback, useEffect, useState } from 'react';
import type { LeftoverBuild } from '../../../../shared/contract/builds';
import { api } from '../../api';
import { ProblemBox } from '../../components/ProblemBox';
import { toProblem, type Problem } from '../../stores/problem';

/**
 * Processes the app's own earlier builds left running (the app was killed while buildx built, or
 * the engine stopped and BuildKit's RUN steps lived on): listed per build, stopped on the user's
 * word. Main stops only processes it recorded as that build's.
 */
export function Leftovers() {
  const [builds, setBuilds] = useState<LeftoverBuild[]>([]);
  const [problem, setProblem] = useState<Problem | undefined>();
  const [stopping, setStopping] = useState<string | undefined>();

  const load = useCallback(() => {
    void api()
      .builds.leftovers({})
      .then(
        (found) => setBuilds(found.builds),
        (error: unknown) => setProblem(toProblem(error)),
      );
  }, []);
  useEffect(() => {
    load();
    return api().builds.onLeftovers((found) => setBuilds(found.builds));
  }, [load]);

  const stop = async (id: string) => {
    setStopping(id);
    try {
      await api().builds.stopLeftovers({ id });
      setProblem(undefined);
    } catch (error) {
      setProblem(toProblem(error));
    } finally {
      setStopping(undefined);
      load();
    }
  };

  if (builds.length === 0 && !problem) return null;
  return (
    <div className="card" data-testid="engine-leftovers">
      <h2>Left over from earlier builds</h2>
      {problem && <ProblemBox problem={problem} />}
      {builds.map((b) => (
        <div key={b.id} className="leftover" data-testid="engine-leftover" data-build-id={b.id}>
          <p>
            Build <code>{b.id}</code> ended, but {b.processes.length} of its process{b.processes.length === 1 ? '' : 'es'} still run
            {b.processes.some((p) => p.kind === 'run-step') ? ' (RUN steps BuildKit left when the engine stopped)' : ' (the docker / buildx the app started)'}.
          </p>
          <ul className="muted small mono">
            {b.processes.slice(0, 8).map((p) => (
              <li key={p.pid}>
                {p.pid}: {p.command}
              </li>
            ))}
            {b.processes.length > 8 && <li>… and {b.processes.length - 8} more</li>}
          </ul>
          <button type="button" className="danger" disabled={stopping !== undefined} onClick={() => void stop(b.id)} data-testid="engine-leftover-stop">
            {stopping === b.id ? 'Stopping…' : 'Stop them'}
          </button>
        </div>
      ))}
    </div>
  );
}
