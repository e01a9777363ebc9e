import { useEffect, useState } from 'react';
import type { BuilderSummary } from '../../../../shared/contract/builders';
import { api } from '../../api';
import { ProblemBox } from '../../components/ProblemBox';
import { useBuildersStore } from '../../stores/builders-store';
import { useBuildStore } from '../../stores/build-store';
import { useEmulatorsStore } from '../../stores/emulators-store';
import { useEngineStore } from '../../stores/engine-store';
import { AppendNodeDialog } from './AppendNodeDialog';
import { BuilderCard, type BuilderActions } from './BuilderCard';
import { BuilderSettings } from './BuilderSettings';
import { COMMON_PLATFORMS } from '../../../../shared/domain/arch';
import { CreateBuilderDialog } from './CreateBuilderDialog';
import { DetailsDialog } from './DetailsDialog';
import { MultiPlatformCard } from './MultiPlatformCard';
import { OutcomePanel } from './OutcomePanel';
import { RemoveBuilderDialog } from './RemoveBuilderDialog';

/** The map's rows when neither the user nor the Build page chose platforms. */
const MAP_DEFAULT_PLATFORMS = ['linux/amd64', 'linux/arm64', 'linux/arm/v7', 'linux/riscv64', 'linux/ppc64le', 'linux/s390x'];

type Dialog = { kind: 'create' } | { kind: 'append'; builder: BuilderSummary } | { kind: 'remove'; builder: BuilderSummary } | undefined;

export function BuildersPage() {
  const store = useBuildersStore();
  const { list, loading, problem, selected, check, checkProblem, busy, outcome, inspected, logs, buildkitImage } = store;
  const follow = useBuildersStore((s) => s.follow);
  const engineStatus = useEngineStore((s) => s.state?.status);
  const emulatorsChanged = useEmulatorsStore((s) => s.buildersNotice);
  const dismissEmulatorsNotice = useEmulatorsStore((s) => s.dismissBuildersNotice);
  const [dialog, setDialog] = useState<Dialog>();

  useEffect(() => follow(api()), [follow]);

  const restartSuggested = list?.builders.some((b) => b.restartSuggested && b.status === 'running') ?? false;
  const anyRunning = list?.builders.some((b) => b.status === 'running' && b.driver !== 'docker') ?? false;
  const state = problem && !list ? 'error' : list ? 'ready' : 'loading';
  const failedOutcome = (title: string) => (outcome && !outcome.ok && outcome.title.startsWith(title) ? <OutcomePanel outcome={outcome} /> : undefined);

  const actions: BuilderActions = {
    select: (name) => store.select(api(), name),
    use: (name) => void store.use(api(), name),
    bootstrap: (name) => void store.inspect(api(), name, true),
    stop: (name) => void store.stop(api(), name),
    restart: (name) => void store.restart(api(), name),
    remove: (builder) => setDialog({ kind: 'remove', builder }),
    logs: (name, node) => void store.openLogs(api(), name, node),
    append: (builder) => {
      store.dismissOutcome();
      setDialog({ kind: 'append', builder });
    },
    removeNode: (builder, node) => void store.removeNode(api(), builder, node),
    pin: (builder, pins) => void store.pin(api(), builder, pins),
  };
  const buildPlatforms = useBuildStore((s) => s.draft.platforms);
  const mapPlatforms = store.mapPlatforms ?? (buildPlatforms.length ? buildPlatforms : MAP_DEFAULT_PLATFORMS);
  const map = { platforms: mapPlatforms, buildxVersion: list?.buildxVersion ?? '' };

  return (
    <section className="page builders-page" data-testid="builders-page" data-state={state} data-loading={String(loading)}>
      <header className="page-header">
        <h1>Builders</h1>
        <div className="actions">
          <button type="button" onClick={() => void store.refresh(api())} disabled={loading} data-testid="builders-refresh">
            Refresh
          </button>
          <button
            type="button"
            onClick={() => {
              void store.restartRunning(api()).then(() => dismissEmulatorsNotice());
            }}
            disabled={!anyRunning || Boolean(busy['*'])}
            title="Stop and start every running builder so it lists the emulators registered now"
            data-testid="builders-restart-running"
          >
            {busy['*'] ? 'Restarting…' : 'Restart running builders'}
          </button>
          <button
            type="button"
            className="primary"
            onClick={() => {
              store.dismissOutcome();
              setDialog({ kind: 'create' });
            }}
            disabled={engineStatus !== 'connected'}
            data-testid="builders-new"
          >
            New builder
          </button>
        </div>
      </header>

      {(emulatorsChanged || restartSuggested) && anyRunning && (
        <div className="problem warning" data-testid="builders-restart-notice">
          <p className="problem-message">
            {emulatorsChanged ? 'Emulators changed.' : 'A registered emulator is missing from a running builder\'s list.'} Running builders keep the
            platform list they started with.
          </p>
          <div className="actions">
            <button type="button" onClick={() => void store.restartRunning(api()).then(() => dismissEmulatorsNotice())} disabled={Boolean(busy['*'])}>
              Restart running builders so they see new platforms
            </button>
          </div>
        </div>
      )}

      {problem && <ProblemBox problem={problem} />}

      {outcome && !dialog && <OutcomePanel outcome={outcome} onDismiss={() => store.dismissOutcome()} />}

      {check && <MultiPlatformCard check={check} busy={Boolean(busy[check.fix?.name ?? ''])} onFix={() => check.fix && void store.create(api(), check.fix)} />}
      {checkProblem && <ProblemBox tone="warning" problem={checkProblem} />}

      {list && (
        <p className="muted" data-testid="builders-facts">
          buildx {list.buildxVersion} · engine {list.enginePlatform} · containerd image store {list.containerdImageStore ? 'on' : 'off'} · current builder{' '}
          <strong data-testid="builders-current">{list.current}</strong>
          {list.emulatorsProblem && <span data-testid="builders-emulators-problem"> · emulators not read ({list.emulatorsProblem}): platforms as the builders list them</span>}
        </p>
      )}
      {list && (
        <div className="builder-legend muted" aria-label="Platform legend">
          <span className="platform-chip native">
            native<span className="platform-chip-kind">✓</span>
          </span>
          <span className="platform-chip emulated">
            emulated<span className="platform-chip-kind">QEMU</span>
          </span>
          <span className="platform-chip unavailable">
            unavailable<span className="platform-chip-kind">✗</span>
          </span>
          <span className="platform-chip emulated unlisted">dashed</span> = not in the builder&apos;s own list (known from the emulators)
        </div>
      )}

      {list && (
        <fieldset className="node-map-platforms" data-testid="node-map-platforms">
          <legend>Platforms in the node × platform maps</legend>
          <div className="row">
            {COMMON_PLATFORMS.map((p) => (
              <label key={p} className="check">
                <input
                  type="checkbox"
                  checked={mapPlatforms.includes(p)}
                  onChange={(e) => store.setMapPlatforms(e.target.checked ? [...mapPlatforms, p] : mapPlatforms.filter((x) => x !== p))}
                  data-testid={`node-map-platform-${p}`}
                />
                {p}
              </label>
            ))}
          </div>
          <p className="muted">
            {store.mapPlatforms ? 'Your choice.' : buildPlatforms.length ? 'The platforms ticked on the Build page.' : 'Common platforms; tick platforms on the Build page or here.'} buildx routes the platforms of one build together, so the map routes these as one build.
          </p>
        </fieldset>
      )}

      <div className="builder-list" data-testid="builders-list">
        {list?.builders.map((b) => <BuilderCard key={b.name} builder={b} selected={b.name === selected} busy={busy[b.name]} actions={actions} map={map} />)}
        {list && list.builders.length === 0 && <p className="muted">buildx lists no builders.</p>}
      </div>

      {dialog?.kind === 'create' && (
        <CreateBuilderDialog
          defaultImage={buildkitImage ?? 'moby/buildkit:buildx-stable-1'}
          busy={Object.values(busy).includes('creating')}
          failure={failedOutcome('Create builder')}
          onClose={() => setDialog(undefined)}
          onCreate={(input) =>
            void store.create(api(), input).then((ok) => {
              if (ok) setDialog(undefined);
            })
          }
        />
      )}
      {dialog?.kind === 'append' && (
        <AppendNodeDialog
          builder={dialog.builder}
          busy={Boolean(busy[dialog.builder.name])}
          failure={failedOutcome('Append a node')}
          onClose={() => setDialog(undefined)}
          onAppend={(input) =>
            void store.appendNode(api(), input).then((ok) => {
              if (ok) setDialog(undefined);
            })
          }
        />
      )}
      {dialog?.kind === 'remove' && (
        <RemoveBuilderDialog
          builder={dialog.builder}
          onClose={() => setDialog(undefined)}
          onRemove={(keepState) => {
            setDialog(undefined);
            void store.remove(api(), dialog.builder.name, keepState);
          }}
        />
      )}
      {buildkitImage && <BuilderSettings key={buildkitImage} buildkitImage={buildkitImage} onSaved={(image) => useBuildersStore.setState({ buildkitImage: image })} />}

      {(inspected || logs) && <DetailsDialog inspected={inspected} logs={logs} onClose={() => store.closeDetails()} />}
    </section>
  );
}
