import { useEffect } from 'react';
import { api } from '../../api';
import { Facts } from '../../components/Facts';
import { ProblemBox } from '../../components/ProblemBox';
import { useEmulatorsStore } from '../../stores/emulators-store';
import { useNav } from '../../stores/nav-store';
import { ConsentDialog } from './ConsentDialog';
import { EmulatorSettings } from './EmulatorSettings';
import { EmulatorTable } from './EmulatorTable';
import { OperationPanel } from './OperationPanel';
import { OtherEntries } from './OtherEntries';

export function EmulatorsPage() {
  const store = useEmulatorsStore();
  const { status, loading, problem, selected, consent, operation, tests, buildersNotice, cancel } = store;
  const go = useNav((s) => s.go);
  const follow = useEmulatorsStore((s) => s.follow);

  useEffect(() => follow(api()), [follow]);

  const busy = operation?.state === 'running';
  const selectedRows = status?.rows.filter((r) => selected.includes(r.architecture)) ?? [];
  const canUninstall = selectedRows.some((r) => r.entry);
  const pageState = problem && !status ? 'error' : !status ? 'loading' : 'ready';

  return (
    <section className="page emulators-page" data-testid="emulators-page" data-state={pageState} data-busy={busy ? 'true' : 'false'}>
      <header className="page-header">
        <h1>Emulators</h1>
        <div className="actions">
          <button type="button" onClick={() => void store.refresh(api())} disabled={loading} data-testid="emulators-refresh">
            Refresh
          </button>
          <button
            type="button"
            className="primary"
            disabled={busy || selected.length === 0}
            title={selected.length === 0 ? 'Tick the platforms to install in the table first' : undefined}
            onClick={() => void store.request(api(), 'install')}
            data-testid="emulators-install"
          >
            Install{selected.length > 0 ? ` (${selected.length})` : ''}
          </button>
          <button type="button" className="danger" disabled={busy || !canUninstall} title={canUninstall ? undefined : 'Tick installed emulators in the table first'} onClick={() => void store.request(api(), 'uninstall')} data-testid="emulators-uninstall">
            Uninstall
          </button>
        </div>
      </header>

      <p className="muted">
        QEMU user emulators registered in the Docker host&apos;s kernel (binfmt_misc) let it run and build images for other architectures. Tick
        platforms to install or remove their emulator; Test runs <code>uname -m</code> in a tiny container of that platform.
      </p>

      {status && status.missing.length > 0 && (
        <div className="problem warning emulators-banner" role="alert" data-testid="emulators-restore-banner" data-missing={status.missing.join(',')}>
          <p className="problem-message">
            Emulators you installed are gone from the Docker host: {status.missing.join(', ')}.
          </p>
          <p className="problem-hint">
            Registrations do not survive a reboot of the host (or of Docker Desktop&apos;s VM).
            {status.autoRestore && !status.consented && ' Automatic restore waits for your consent to the installer image.'}
          </p>
          <div className="actions">
            <button type="button" className="primary" disabled={busy} onClick={() => void store.request(api(), 'restore')} data-testid="emulators-restore">
              Restore {status.missing.join(', ')}
            </button>
            <button type="button" disabled={busy} onClick={() => void store.forget(api(), status.missing)} data-testid="emulators-forget">
              Forget them
            </button>
          </div>
        </div>
      )}

      {status?.lastAutoRestore && (
        <p className={status.lastAutoRestore.ok ? 'ok' : 'warn'} data-testid="emulators-auto-restored" data-ok={String(status.lastAutoRestore.ok)}>
          Restored automatically at start-up ({new Date(status.lastAutoRestore.at).toLocaleTimeString()}): {status.lastAutoRestore.message}
        </p>
      )}

      {buildersNotice && (
        <div className="problem warning emulators-banner" data-testid="emulators-builders-notice">
          <p className="problem-message">Builders that are already running may still report the old platform list.</p>
          <p className="problem-hint">A builder reads the emulators when it starts: restart running builders to pick up the change.</p>
          <div className="actions">
            <button type="button" onClick={() => go('builders')} data-testid="emulators-open-builders">
              Restart builders…
            </button>
            <button type="button" onClick={() => store.dismissBuildersNotice()}>
              Dismiss
            </button>
          </div>
        </div>
      )}

      {problem && <ProblemBox problem={problem} onRetry={() => void store.refresh(api())} />}

      {operation && <OperationPanel op={operation} onCancel={cancel} onClose={() => useEmulatorsStore.setState({ operation: undefined })} />}

      {!status && !problem && <p className="muted">Reading the Docker host&apos;s binfmt_misc…</p>}

      {status && (
        <>
          {!status.mounted && (
            <ProblemBox
              tone="warning"
              problem={{
                code: 'BINFMT_NOT_MOUNTED',
                message: 'binfmt_misc is not mounted on the Docker host at /proc/sys/fs/binfmt_misc, so its emulators cannot be listed.',
                hint: 'On the host: mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc (the installer mounts it for itself, but the host then does not show its entries). Test still shows what runs.',
              }}
            />
          )}
          {!status.binfmtEnabled && (
            <ProblemBox
              tone="warning"
              problem={{ code: 'BINFMT_DISABLED', message: 'binfmt_misc is switched off on the Docker host: no emulator is used.', hint: 'On the host: echo 1 > /proc/sys/fs/binfmt_misc/status' }}
            />
          )}
          <div className="card">
            <EmulatorTable
              rows={status.rows}
              selected={selected}
              busy={busy}
              outcomes={operation?.result?.outcomes ?? []}
              tests={tests}
              onToggle={(a) => store.toggle(a)}
              onTest={(a) => void store.test(api(), a)}
            />
          </div>
          <OtherEntries
            title="Other QEMU emulators"
            what="architectures Docker does not build for (alpha, m68k, big-endian ARM, …)"
            entries={status.otherQemu}
            testId="emulators-other-qemu"
          />
          <OtherEntries title="Not emulators" what="other binfmt_misc formats (jar, python, WSLInterop, …); never architectures" entries={status.nonQemu} testId="emulators-non-qemu" />
          <div className="card">
            <h2>Docker host</h2>
            <Facts
              facts={[
                { label: 'Platform', value: status.host.platform, testId: 'emulators-host-platform' },
                { label: 'Kernel', value: status.host.kernel },
                { label: 'Host name', value: status.host.name },
                { label: 'Read from', value: status.host.sourceDetail, testId: 'emulators-source', hint: `${status.readMs} ms` },
                { label: 'Installer image', value: status.installerImage, testId: 'emulators-installer' },
                { label: 'Consent given', value: status.consented ? 'yes, for this image' : 'not yet (asked before the first run)' },
                { label: 'Remembered', value: status.remembered.join(', ') || 'none', testId: 'emulators-remembered' },
              ]}
            />
          </div>
          <EmulatorSettings key={`${status.installerImage}|${status.testImage}|${status.autoRestore}`} status={status} onSaved={() => void store.refresh(api())} />
        </>
      )}

      {consent && <ConsentDialog plan={consent} onConfirm={() => void store.confirm(api())} onCancel={() => store.dismissConsent()} />}
    </section>
  );
}
