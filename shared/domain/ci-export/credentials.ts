/**
 * Build arguments that look like credentials. An exported file is meant to be committed, and a
 * build argument is stored in the image's history and provenance: such a value must reach the
 * build as a BuildKit secret instead. Heuristics by name, by known token prefixes and by entropy.
 */

/** Name parts that say "credential" (split on "_"/"-", so MONKEY or KEYBOARD_LAYOUT do not count). */
const SECRET_WORDS = new Set(['TOKEN', 'TOKENS', 'PASSWORD', 'PASSWD', 'PASS', 'SECRET', 'SECRETS', 'KEY', 'APIKEY', 'CREDENTIAL', 'CREDENTIALS', 'CREDS', 'AUTH', 'PAT', 'PRIVATE']);

/** Public key material and key ids are not secrets: names such as GPG_KEY_ID, SIGNING_KEY_FINGERPRINT, PUBLIC_KEY. */
const HARMLESS_WITH_KEY = new Set(['ID', 'IDS', 'FINGERPRINT', 'PUBLIC', 'PUB', 'SERVER', 'URL', 'FILE', 'PATH']);

/** Token formats of well-known services, by their published prefixes. */
const TOKEN_PATTERNS: Array<{ what: string; pattern: RegExp }> = [
  { what: 'a GitHub token', pattern: /^(?:gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,})/ },
  { what: 'a GitLab token', pattern: /^glpat-[A-Za-z0-9_-]{16,}/ },
  { what: 'a Docker Hub access token', pattern: /^dckr_pat_[A-Za-z0-9_-]{16,}/ },
  { what: 'an npm token', pattern: /^npm_[A-Za-z0-9]{30,}/ },
  { what: 'an AWS access key id', pattern: /^(?:AKIA|ASIA)[A-Z0-9]{16}$/ },
  { what: 'a Google API key', pattern: /^AIza[A-Za-z0-9_-]{30,}/ },
  { what: 'a Slack token', pattern: /^xox[abposr]-[A-Za-z0-9-]{10,}/ },
  { what: 'a Stripe or OpenAI-style secret key', pattern: /^(?:sk|rk)[-_](?:live|test|proj)?[-_]?[A-Za-z0-9]{20,}/ },
  { what: 'a private key', pattern: /-----BEGIN [A-Z ]*PRIVATE KEY-----/ },
  { what: 'a JSON web token', pattern: /^eyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}/ },
];

/** Shannon entropy in bits per character. */
export function entropy(text: string): number {
  const counts = new Map<string, number>();
  for (const c of text) counts.set(c, (counts.get(c) ?? 0) + 1);
  let bits = 0;
  for (const n of counts.values()) {
    const p = n / text.length;
    bits -= p * Math.log2(p);
  }
  return bits;
}

/**
 * A long random-looking word: at least 24 characters of letters and digits (plus "+/=_-"), mixing
 * cases and digits, with high entropy. Paths, URLs, versions, digests and words with spaces do not count.
 */
function looksRandom(value: string): boolean {
  if (value.length < 24 || /[\s/:.@]/.test(value)) return false;
  if (!/^[A-Za-z0-9+/=_-]+$/.test(value)) return false;
  if (/^[0-9a-f]+$/.test(value)) return false; // a digest or commit id: public
  const classes = [/[a-z]/, /[A-Z]/, /[0-9]/].filter((r) => r.test(value)).length;
  return classes >= 3 && entropy(value) >= 4;
}

/** Why a build argument looks like a credential, or undefined. */
export function credentialReason(name: string, value: string): string | undefined {
  const parts = name.toUpperCase().split(/[_-]+/).filter(Boolean);
  const word = parts.find((p) => SECRET_WORDS.has(p));
  if (word && !(word === 'KEY' && parts.some((p) => HARMLESS_WITH_KEY.has(p)))) return `its name contains "${word}"`;
  const token = TOKEN_PATTERNS.find((t) => t.pattern.test(value.trim()));
  if (token) return `its value looks like ${token.what}`;
  if (looksRandom(value.trim())) return 'its value is a long random-looking string';
  return undefined;
}
