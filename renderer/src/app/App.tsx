import { useEffect, useState } from 'react';
import { api, isConnectionClosed, onConnectionClosed } from '../api';
import { useEngineStore } from '../stores/engine-store';
import { useNav } from '../stores/nav-store';
import { PAGES } from './pages';
import { RestoreBanner } from './RestoreBanner';
import { StatusBar } from './StatusBar';
import { StorageBanner } from './StorageBanner';

export function App() {
  const { page, go } = useNav();
  const follow = useEngineStore((s) => s.follow);
  const [coreClosed, setCoreClosed] = useState(isConnectionClosed());

  useEffect(() => follow(api()), [follow]);
  useEffect(() => onConnectionClosed(() => setCoreClosed(true)), []);

  const Current = PAGES.find((p) => p.id === page)?.component ?? PAGES[0]!.component;
  return (
    <div className="shell">
      <nav className="sidebar" aria-label="Pages">
        <div className="brand">Multiarch Studio</div>
        {PAGES.map((p) => (
          <button
            type="button"
            key={p.id}
            className={p.id === page ? 'nav active' : 'nav'}
            aria-current={p.id === page ? 'page' : undefined}
            data-testid={`nav-${p.id}`}
            onClick={() => go(p.id)}
          >
            <span className="nav-icon" aria-hidden>
              {p.icon}
            </span>
            {p.label}
          </button>
        ))}
      </nav>
      <main className="content">
        <StorageBanner />
        <RestoreBanner />
        <Current />
      </main>
      <StatusBar coreClosed={coreClosed} />
    </div>
  );
}
