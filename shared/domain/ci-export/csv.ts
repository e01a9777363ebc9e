/**
 * The `key=value,key=value` lists buildx reads for `--output`, `--cache-from`, `--cache-to` and
 * `--attest` (CSV: a field holding a comma or quote is quoted, quotes doubled), as maps, so two
 * spellings of the same setting compare equal.
 */

export type Attributes = Record<string, string>;

/** Splits one CSV record; undefined when a quote is left open. */
export function csvFields(text: string): string[] | undefined {
  const fields: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      fields.push(field);
      field = '';
    } else field += c;
  }
  if (quoted) return undefined;
  fields.push(field);
  return fields;
}

/** `type=registry,ref=x` → { type: 'registry', ref: 'x' }; a field without "=" is kept under its own name with value ''. */
export function parseAttributes(text: string): Attributes | undefined {
  const fields = csvFields(text.trim());
  if (!fields) return undefined;
  const out: Attributes = {};
  for (const f of fields) {
    if (f === '') continue;
    const at = f.indexOf('=');
    if (at < 0) out[f] = '';
    else out[f.slice(0, at).trim().toLowerCase()] = f.slice(at + 1);
  }
  return out;
}

const csvField = (field: string): string => (/[",\n\r]/.test(field) ? `"${field.replace(/"/g, '""')}"` : field);

/** The inverse of parseAttributes: `type` first, the rest in the given order. */
export function formatAttributes(attrs: Attributes): string {
  const keys = Object.keys(attrs);
  const ordered = keys.includes('type') ? ['type', ...keys.filter((k) => k !== 'type')] : keys;
  return ordered.map((k) => csvField(`${k}=${attrs[k]}`)).join(',');
}

/**
 * A cache setting as buildx reads it: an image reference alone is a registry cache of that ref.
 * Newer buildx prints these as objects; older as strings: both end up as one map.
 */
export function cacheAttributes(spec: string | Attributes): Attributes | undefined {
  if (typeof spec !== 'string') return { ...spec };
  if (!spec.includes('=')) return { type: 'registry', ref: spec.trim() };
  return parseAttributes(spec);
}

/** An output as BuildKit applies it: `type=registry` is an image exporter that pushes. */
export function outputAttributes(spec: string | Attributes): Attributes | undefined {
  const attrs = typeof spec === 'string' ? parseAttributes(spec) : { ...spec };
  if (!attrs) return undefined;
  if (attrs.type === 'registry') {
    attrs.type = 'image';
    attrs.push = 'true';
  }
  return attrs;
}

export function sameAttributes(a: Attributes, b: Attributes): boolean {
  const ka = Object.keys(a).sort();
  const kb = Object.keys(b).sort();
  return ka.length === kb.length && ka.every((k, i) => k === kb[i] && a[k] === b[k]);
}
