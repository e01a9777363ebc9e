import { bytesToBinaryString, decodeBase64 } from './base64';
import type { BuildWarning } from './model';

const textDecoder = new TextDecoder();

/** A warning BuildKit sent (its texts base64), with the platform of the step it names. */
export function readWarning(w: Record<string, unknown>, platformOf: (digest: string) => string | undefined): BuildWarning {
  const warning: BuildWarning = {
    short: typeof w.short === 'string' ? decodeText(w.short).trim() : '',
    detail: Array.isArray(w.detail) ? w.detail.filter((d): d is string => typeof d === 'string').map((d) => decodeText(d)) : [],
  };
  if (typeof w.vertex === 'string' && w.vertex !== '') {
    warning.digest = w.vertex;
    const platform = platformOf(w.vertex);
    if (platform !== undefined) warning.platform = platform;
  }
  if (typeof w.level === 'number') warning.level = w.level;
  if (typeof w.url === 'string' && w.url !== '') warning.url = w.url;
  return warning;
}

function decodeText(b64: string): string {
  const { bytes, ascii } = decodeBase64(b64);
  return ascii ? bytesToBinaryString(bytes) : textDecoder.decode(bytes);
}
