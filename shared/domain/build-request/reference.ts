import { parseImageReference, type ImageReference } from '../image-reference';

/**
 * Build tags (`docker buildx build -t`): image references with Docker's rules, without a digest
 * (the registry computes it). Checked before anything runs, with the reason in words.
 */
export type ReferenceCheck = { ok: true; reference: ImageReference } | { ok: false; reason: string };

export function checkTagReference(raw: string): ReferenceCheck {
  const text = raw.trim();
  if (text === '') return { ok: false, reason: 'A tag cannot be empty.' };
  const parsed = parseImageReference(text);
  if (!parsed.ok) return { ok: false, reason: parsed.error };
  if (parsed.ref.digest !== undefined) {
    return { ok: false, reason: `"${text}" has a digest (@${parsed.ref.digest.split(':')[0]}:…); a build is tagged by name and tag, the registry gives the digest.` };
  }
  return { ok: true, reference: parsed.ref };
}

export const isTagReference = (text: string): boolean => checkTagReference(text).ok;

/** Registry a tag pushes to: Docker Hub (`docker.io`) when it names none. */
export const registryOf = (reference: ImageReference): string => reference.registry;
