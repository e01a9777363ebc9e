import { CopyButton } from './CopyButton';

/** A digest a build produced, named, in full and copyable. */
export function DigestRow({ label, digest, testId }: { label: string; digest: string; testId: string }) {
  return (
    <p className="row">
      <span className="muted">{label}</span>
      <code data-testid={testId}>{digest}</code>
      <CopyButton value={digest} label="Copy digest" />
    </p>
  );
}
