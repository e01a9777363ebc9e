import type { ImageInspection, PlatformRow } from '../../../../shared/contract/images';
import { mediaTypeLabel } from '../../../../shared/domain/manifests/media-types';
import { expectedMachines } from '../../../../shared/domain/platform';
import { CopyButton } from '../../components/CopyButton';
import { formatBytes } from '../../components/format';
import type { SmokeState } from '../../stores/results-store';
import { SmokeCell } from './SmokeCell';

const shortDigest = (digest: string) => digest.replace(/^sha256:/, '').slice(0, 12);

const pad = (n: number) => String(n).padStart(2, '0');

/** Local `YYYY-MM-DD HH:MM`: compact enough for a table cell; the full ISO time is the cell's title. */
function formatCreated(iso: string | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

function Badges({ row }: { row: PlatformRow }) {
  if (row.attestations.length === 0) return <span className="muted">—</span>;
  return (
    <>
      {row.attestations.map((a) => (
        <span
          key={`${a.digest}-${a.predicateType}`}
          className={`badge ${a.kind === 'other' ? '' : 'ok'}`}
          data-testid={`badge-${a.kind}`}
          title={`${a.predicateType}\nattestation manifest ${a.digest}`}
        >
          {a.kind === 'sbom' ? 'SBOM' : a.kind === 'provenance' ? 'provenance' : 'attestation'}
        </span>
      ))}
    </>
  );
}

/** One row per platform; requested-but-missing platforms as red rows at the end. */
export function PlatformTable({
  inspection,
  smoke,
  onSmoke,
}: {
  inspection: ImageInspection;
  smoke: Record<string, SmokeState>;
  onSmoke: (platform: string) => void;
}) {
  return (
    <div className="table-scroll">
      <table className="results-table" data-testid="platform-table">
        <thead>
          <tr>
            <th>Platform</th>
            <th>Smoke run</th>
            <th>Manifest digest</th>
            <th>Media type</th>
            <th className="num">Compressed</th>
            <th className="num">Layers</th>
            <th>Created</th>
            <th>Attestations</th>
          </tr>
        </thead>
        <tbody>
          {inspection.platforms.map((row) => (
            <tr key={row.platform} data-testid={`platform-row-${row.platform}`} data-state="present" data-digest={row.digest} data-requested={row.requested}>
              <td>
                <code className="platform-name">{row.platform}</code>
                <div className="muted platform-parts">
                  {row.os} / {row.architecture}
                  {row.variant ? ` / ${row.variant}` : ''}
                  <span className="pull-copy" title={row.pullCommand}>
                    {' · pull'}
                    <CopyButton value={row.pullCommand} label="Copy pull command" />
                  </span>
                </div>
              </td>
              {/* next to the platform: the check users come here for stays in view in a narrow window */}
              <td>
                <SmokeCell platform={row.platform} expected={row.expectedMachines} state={smoke[row.platform]} onRun={() => onSmoke(row.platform)} />
              </td>
              <td className="digest-cell">
                <code title={row.digest} data-testid="row-digest">
                  {shortDigest(row.digest)}
                </code>
                <CopyButton value={row.digest} label={`Copy ${row.platform} manifest digest`} />
              </td>
              <td title={row.mediaType}>{mediaTypeLabel(row.mediaType)}</td>
              <td className="num" data-testid="row-size" data-bytes={row.compressedSize} title={`${row.compressedSize} bytes`}>
                {formatBytes(row.compressedSize)}
              </td>
              <td className="num" data-testid="row-layers">
                {row.layerCount}
              </td>
              <td className="created-cell" title={row.created}>
                {formatCreated(row.created)}
              </td>
              <td className="badges">
                <Badges row={row} />
              </td>
            </tr>
          ))}
          {inspection.missingPlatforms.map((platform) => (
            <tr key={`missing-${platform}`} className="missing" data-testid={`platform-row-${platform}`} data-state="missing">
              <td>
                <code className="platform-name">{platform}</code>
              </td>
              <td colSpan={7} className="err">
                Requested but not in the image{expectedMachines(platform).length > 0 ? ` (it would report ${expectedMachines(platform).join(' or ')})` : ''}.
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
