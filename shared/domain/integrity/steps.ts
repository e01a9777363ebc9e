/**
 * Which Dockerfile step made each layer, from the image config's `history`: one entry per step,
 * those marked `empty_layer` (ENV, CMD, ARG…) made no layer, so the n-th other entry is the n-th layer.
 */

export interface HistoryEntry {
  created_by?: string;
  comment?: string;
  empty_layer?: boolean;
}

/**
 * The step of each layer, readable: `RUN apt-get install -y tool`, `COPY /tool /usr/local/bin/tool`.
 * Undefined for every layer when the history does not account for exactly the manifest's layers
 * (squashed or hand-made images): a wrong step would be worse than none.
 */
export function layerSteps(history: readonly HistoryEntry[] | undefined, layerCount: number): Array<string | undefined> {
  const none = new Array<string | undefined>(layerCount).fill(undefined);
  if (!history) return none;
  const withLayer = history.filter((h) => !h.empty_layer);
  if (withLayer.length !== layerCount) return none;
  return withLayer.map((h) => (h.created_by ? readableStep(h.created_by) : undefined));
}

/**
 * `RUN |2 TARGETARCH=arm64 TARGETVARIANT= /bin/sh -c make # buildkit` → `RUN make`;
 * the classic builder's `/bin/sh -c #(nop) COPY file:… in /x` → `COPY file:… in /x`, `/bin/sh -c make` → `RUN make`.
 */
export function readableStep(createdBy: string): string {
  let text = createdBy.trim().replace(/\s+# buildkit$/, '');
  const nop = /^\/bin\/sh -c #\(nop\)\s+(.*)$/s.exec(text);
  if (nop) return nop[1]!.trim();
  if (text.startsWith('/bin/sh -c ')) return `RUN ${text.slice('/bin/sh -c '.length)}`;
  // BuildKit prefixes a RUN with the build arguments in force: `|N K=V … command`.
  const args = /^RUN \|(\d+) (.*)$/s.exec(text);
  if (args) {
    let rest = args[2]!;
    for (let i = 0; i < Number(args[1]); i++) rest = rest.replace(/^\S*=\S*\s?/, '');
    text = `RUN ${rest}`;
  }
  return text.replace(/^RUN \/bin\/sh -c /, 'RUN ');
}
