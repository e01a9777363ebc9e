import { useMemo, useState, type ReactNode } from 'react';
import { createBuilderInput, type CreateBuilderInput } from '../../../../shared/contract/builders';
import { createArgs, IMAGE_DRIVERS, previewCommand, buildxUseArgs } from '../../../../shared/domain/buildx/commands';
import { CommandPreview } from './CommandPreview';
import { COMMON_PLATFORMS } from '../../../../shared/domain/arch';
import { Modal } from '../../components/Modal';

const DRIVERS = [
  {
    value: 'docker-container',
    label: 'docker-container (recommended)',
    help: 'BuildKit in a container on the engine, started from the BuildKit image below. Like `docker buildx create`, it runs that container privileged: use an image you trust.',
  },
  { value: 'remote', label: 'remote', help: 'A BuildKit daemon you run yourself, reached at the address below.' },
  { value: 'kubernetes', label: 'kubernetes', help: 'BuildKit pods in the cluster of the current Kubernetes context.' },
  { value: 'docker', label: 'docker', help: "The engine's own BuildKit: one per Docker context, it cannot be created." },
] as const;

type Driver = (typeof DRIVERS)[number]['value'];

export interface CreateForm {
  name: string;
  driver: Driver;
  endpoint: string;
  image: string;
  platforms: string[];
  hostNetwork: boolean;
  otherOpts: string;
  flags: string;
  config: string;
  bootstrap: boolean;
  use: boolean;
}

export const emptyForm = (image: string): CreateForm => ({
  name: '',
  driver: 'docker-container',
  endpoint: '',
  image,
  platforms: [],
  hostNetwork: true,
  otherOpts: '',
  flags: '',
  config: '',
  bootstrap: true,
  use: false,
});

/** The form as the contract's input (validated by the same schema the core uses). */
export function formToInput(f: CreateForm): CreateBuilderInput {
  const opts = f.otherOpts.split(/\s+/).filter(Boolean);
  if (f.hostNetwork && f.driver === 'docker-container') opts.unshift('network=host');
  return {
    name: f.name,
    driver: f.driver,
    ...(f.endpoint.trim() ? { endpoint: f.endpoint } : {}),
    ...(IMAGE_DRIVERS.includes(f.driver) && f.image.trim() ? { buildkitImage: f.image } : {}),
    platforms: f.platforms,
    driverOpts: opts,
    ...(f.flags.trim() ? { buildkitdFlags: f.flags } : {}),
    ...(f.config.trim() ? { buildkitdConfig: f.config } : {}),
    bootstrap: f.bootstrap,
    use: f.use,
  };
}

export function CreateBuilderDialog({
  defaultImage,
  busy,
  failure,
  onCreate,
  onClose,
}: {
  defaultImage: string;
  busy: boolean;
  /** Why the last attempt failed, with its commands and output. */
  failure?: ReactNode;
  onCreate(input: CreateBuilderInput): void;
  onClose(): void;
}) {
  const [form, setForm] = useState<CreateForm>(() => emptyForm(defaultImage));
  const [touched, setTouched] = useState(false);
  const set = <K extends keyof CreateForm>(key: K, value: CreateForm[K]) => setForm((f) => ({ ...f, [key]: value }));

  const input = useMemo(() => formToInput(form), [form]);
  const parsed = useMemo(() => createBuilderInput.safeParse(input), [input]);
  const issues = useMemo(() => {
    const out: Record<string, string> = {};
    if (!parsed.success) for (const i of parsed.error.issues) out[String(i.path[0] ?? '')] ??= i.message;
    return out;
  }, [parsed]);
  const preview = parsed.success
    ? [previewCommand(createArgs({ ...parsed.data, buildkitImage: parsed.data.buildkitImage ?? defaultImage })), ...(parsed.data.use ? [previewCommand(buildxUseArgs(parsed.data.name))] : [])].join(' && ')
    : '';
  const show = (key: string) => (touched || key !== 'name' ? issues[key] : undefined);

  return (
    <Modal
      title="New builder"
      className="builder-form"
      testId="builder-create-form"
      onClose={onClose}
      onSubmit={(e) => {
        e.preventDefault();
        setTouched(true);
        if (parsed.success) onCreate(input);
      }}
    >
      <div className="grid-form">
        <label>
          Name
          <input
            value={form.name}
            onChange={(e) => {
              setTouched(true);
              set('name', e.target.value);
            }}
            placeholder="multiarch"
            autoFocus
            data-testid="builder-create-name"
            aria-invalid={Boolean(show('name'))}
          />
          {show('name') && <span className="err builder-field-error" data-testid="builder-create-name-error">{show('name')}</span>}
        </label>
        <label>
          Driver
          <select value={form.driver} onChange={(e) => set('driver', e.target.value as Driver)} data-testid="builder-create-driver">
            {DRIVERS.map((d) => (
              <option key={d.value} value={d.value}>
                {d.label}
              </option>
            ))}
          </select>
          <span className="muted" data-testid="builder-create-driver-help">
            {DRIVERS.find((d) => d.value === form.driver)?.help}
          </span>
          {issues.driver && <span className="err builder-field-error">{issues.driver}</span>}
        </label>
        <label>
          {form.driver === 'remote' ? 'BuildKit address' : 'Endpoint (optional)'}
          <input
            value={form.endpoint}
            onChange={(e) => set('endpoint', e.target.value)}
            placeholder={form.driver === 'remote' ? 'unix:///run/buildkit/buildkitd.sock or tcp://host:1234' : 'this engine; or a Docker context, tcp://… or ssh://…'}
            data-testid="builder-create-endpoint"
          />
          {issues.endpoint && <span className="err builder-field-error">{issues.endpoint}</span>}
        </label>
        {IMAGE_DRIVERS.includes(form.driver) && (
          <label>
            BuildKit image
            <input value={form.image} onChange={(e) => set('image', e.target.value)} data-testid="builder-create-image" />
            <span className="muted">Pulled if missing, else the local copy is used (offline, pinned versions).</span>
            {issues.buildkitImage && <span className="err builder-field-error">{issues.buildkitImage}</span>}
          </label>
        )}
      </div>

      <fieldset className="builder-platforms">
        <legend>Pin platforms (optional: leave all unticked to let BuildKit offer every platform it can run)</legend>
        {COMMON_PLATFORMS.map((p) => (
          <label key={p} className="check">
            <input
              type="checkbox"
              checked={form.platforms.includes(p)}
              onChange={(e) => set('platforms', e.target.checked ? [...form.platforms, p] : form.platforms.filter((x) => x !== p))}
            />
            {p}
          </label>
        ))}
      </fieldset>

      <div className="grid-form">
        {form.driver === 'docker-container' && (
          <label className="check" title="Adds --driver-opt network=host (and the network.host entitlement)">
            <input type="checkbox" checked={form.hostNetwork} onChange={(e) => set('hostNetwork', e.target.checked)} data-testid="builder-create-host-network" />
            Host network (needed to push to a registry on 127.0.0.1)
          </label>
        )}
        <label>
          Other driver options
          <input value={form.otherOpts} onChange={(e) => set('otherOpts', e.target.value)} placeholder="key=value key=value" data-testid="builder-create-opts" />
          {issues.driverOpts && <span className="err builder-field-error">{issues.driverOpts}</span>}
        </label>
        <label>
          BuildKit daemon flags
          <input value={form.flags} onChange={(e) => set('flags', e.target.value)} placeholder="--debug" data-testid="builder-create-flags" />
          {issues.buildkitdFlags && <span className="err builder-field-error">{issues.buildkitdFlags}</span>}
        </label>
        <label>
          buildkitd.toml (absolute path, optional)
          <input value={form.config} onChange={(e) => set('config', e.target.value)} placeholder="/etc/buildkit/buildkitd.toml" data-testid="builder-create-config" />
          {issues.buildkitdConfig && <span className="err builder-field-error">{issues.buildkitdConfig}</span>}
        </label>
      </div>

      <div className="row">
        <label className="check">
          <input type="checkbox" checked={form.bootstrap} onChange={(e) => set('bootstrap', e.target.checked)} data-testid="builder-create-bootstrap" />
          Start it now (bootstrap)
        </label>
        <label className="check">
          <input type="checkbox" checked={form.use} onChange={(e) => set('use', e.target.checked)} data-testid="builder-create-use" />
          Make it the current builder
        </label>
      </div>

      {preview && <CommandPreview command={preview} testId="builder-create-preview" />}

      {failure}

      <div className="actions">
        <button type="submit" className="primary" disabled={busy || (touched && !parsed.success)} data-testid="builder-create-submit">
          {busy ? 'Creating…' : 'Create'}
        </button>
        <button type="button" onClick={onClose}>
          Cancel
        </button>
      </div>
    </Modal>
  );
}
