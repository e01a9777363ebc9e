import { useEffect } from 'react';
import type { ImageInspection } from '../../../../shared/contract/images';
import type { ImageSource } from '../../../../shared/contract/integrity';
import { useIntegrityStore } from '../../stores/integrity-store';
import { Attestations } from './Attestations';
import { BinaryCheck } from './BinaryCheck';
import { PlatformCompare } from './PlatformCompare';

/** Architecture integrity of the inspected image: binaries per platform, two platforms compared, attestations. */
export function IntegrityPanel({ inspection }: { inspection: ImageInspection }) {
  const platforms = inspection.platforms.map((p) => p.platform);
  const reference = inspection.reference.familiar;
  const source = useIntegrityStore((s) => s.source);
  const setSource = useIntegrityStore((s) => s.setSource);
  const key = platforms.join(',');
  useEffect(() => {
    useIntegrityStore.getState().show(reference, key.split(','), 'registry');
  }, [reference, key]);
  return (
    <div className="card integrity-panel" data-testid="integrity-panel">
      <div className="row results-table-head">
        <h2>Architecture integrity</h2>
        <label className="check">
          Read from
          <select data-testid="integrity-source" value={source} onChange={(e) => setSource(e.target.value as ImageSource)}>
            <option value="registry">the registry</option>
            <option value="engine">this engine's image store</option>
          </select>
        </label>
      </div>
      <BinaryCheck />
      {platforms.length > 1 && (
        <>
          <h2>Compare two platforms</h2>
          <PlatformCompare platforms={platforms} />
        </>
      )}
      {inspection.kind !== 'single' && (
        <>
          <h2>Attestations</h2>
          <Attestations />
        </>
      )}
    </div>
  );
}

/**
 * For a reference the registry does not answer for (an image built with --load): its binaries
 * checked in this engine's image store instead.
 */
export function EngineIntegrityPanel({ reference }: { reference: string }) {
  const shown = useIntegrityStore((s) => s.reference);
  useEffect(() => {
    useIntegrityStore.getState().show(reference, [], 'engine');
  }, [reference]);
  if (shown !== reference) return null;
  return (
    <div className="card integrity-panel" data-testid="engine-integrity-panel">
      <h2>Check it in this engine instead</h2>
      <p className="muted">An image built with --load (or pulled) lives in the engine's image store: its binaries can be checked there.</p>
      <BinaryCheck />
    </div>
  );
}
