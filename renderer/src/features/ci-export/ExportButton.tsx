import { useState } from 'react';
import type { BuildRequest } from '../../../../shared/domain/build-request/request';
import { ExportDialog } from './ExportDialog';

/** "Export as CI" for a build (the form's, or a History record's); disabled until the build is complete. */
export function ExportButton({ request, testId = 'export-open' }: { request: BuildRequest | undefined; testId?: string }) {
  const [open, setOpen] = useState(false);
  return (
    <>
      <button type="button" data-testid={testId} disabled={!request} onClick={() => setOpen(true)} title="docker-bake.hcl and a GitHub Actions workflow that build the same image">
        Export as CI…
      </button>
      {open && request && <ExportDialog request={request} onClose={() => setOpen(false)} />}
    </>
  );
}
