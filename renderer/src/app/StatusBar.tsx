import { useEngineStore } from '../stores/engine-store';

export function StatusBar({ coreClosed }: { coreClosed: boolean }) {
  const { state, info } = useEngineStore();
  const status = coreClosed ? 'core-lost' : (state?.status ?? 'connecting');
  const text = coreClosed
    ? 'Lost the connection to the app core: reload the page (in headless mode, check that `npm run serve` still runs)'
    : !state
      ? 'Connecting…'
      : state.status === 'connected'
        ? `Docker ${info?.serverVersion ?? ''} · ${info?.platform ?? ''} · ${state.endpoint.host}`
        : state.status === 'connecting'
          ? `Connecting to ${state.endpoint.host}…`
          : `Disconnected from ${state.endpoint.host}: ${state.problem?.message ?? ''}`;
  return (
    <footer className="status-bar" data-testid="status-bar" data-state={status}>
      <span className={`dot ${status}`} aria-hidden />
      <span className="status-text">{text}</span>
    </footer>
  );
}
