/**
 * What other pages pass to `useNav().go('results', param)`:
 * - a plain image reference: `127.0.0.1:5000/app:1`, or
 * - JSON `{"reference":"127.0.0.1:5000/app:1","platforms":["linux/amd64","linux/arm64"]}` where
 *   `platforms` are the platforms a build asked for (those absent from the image are shown in red).
 * Build the JSON with `resultsParam()`.
 */
export interface ResultsRequest {
  reference: string;
  platforms: string[];
}

export function resultsParam(reference: string, platforms: readonly string[] = []): string {
  return platforms.length > 0 ? JSON.stringify({ reference, platforms }) : reference;
}

export function decodeResultsParam(param: string | undefined): ResultsRequest | undefined {
  const text = param?.trim();
  if (!text) return undefined;
  if (!text.startsWith('{')) return { reference: text, platforms: [] };
  try {
    const value = JSON.parse(text) as { reference?: unknown; platforms?: unknown };
    if (typeof value.reference !== 'string') return undefined;
    const platforms = Array.isArray(value.platforms) ? value.platforms.filter((p): p is string => typeof p === 'string') : [];
    return { reference: value.reference, platforms };
  } catch {
    return undefined;
  }
}
