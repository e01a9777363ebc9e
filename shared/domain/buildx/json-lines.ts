/**
 * The lines of buildx's JSON-lines output (`ls --format json`, `history ls --format json`): every non-empty line with
 * its value, or `json: false` when it is not JSON (the rest is still read).
 */
export function* jsonLines(output: string): Generator<{ text: string; json: boolean; value?: unknown }> {
  for (const line of output.split('\n')) {
    const text = line.trim();
    if (!text) continue;
    try {
      yield { text, json: true, value: JSON.parse(text) as unknown };
    } catch {
      yield { text, json: false };
    }
  }
}
