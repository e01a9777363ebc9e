import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { connect } from './api';
import { App } from './app/App';
import './theme/theme.css';
import './styles.css';
import '@xterm/xterm/css/xterm.css';

const root = createRoot(document.getElementById('root')!);
const connection = connect(window);
if (connection.ok) {
  root.render(
    <StrictMode>
      <App />
    </StrictMode>,
  );
} else {
  root.render(
    <div className="problem error" role="alert" data-testid="no-token">
      <p className="problem-message">Not connected to an app core.</p>
      <p className="problem-hint">{connection.reason}</p>
    </div>,
  );
}
