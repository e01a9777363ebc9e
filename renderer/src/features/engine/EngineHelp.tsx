/** How to get an engine, per platform: shown while none answers. */
export function EngineHelp() {
  return (
    <details className="help">
      <summary>How to start Docker</summary>
      <ul>
        <li>
          <b>Linux:</b> <code>sudo systemctl start docker</code> (or start <code>dockerd</code>); make sure your user can use{' '}
          <code>/var/run/docker.sock</code>.
        </li>
        <li>
          <b>macOS / Windows:</b> start Docker Desktop (or Colima, Rancher Desktop…) and wait until it is running.
        </li>
        <li>
          <b>Another machine:</b> set <code>DOCKER_HOST</code> (e.g. <code>ssh://user@host</code>) or choose a context with{' '}
          <code>docker context use NAME</code>, then restart the app.
        </li>
      </ul>
    </details>
  );
}
