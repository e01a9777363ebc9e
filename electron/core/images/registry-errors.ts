import { DEFAULT_REGISTRY, type ImageReference } from '../../../shared/domain/image-reference';
import { RpcError } from '../../../shared/rpc/errors';
import type { RegistryCredentials } from './credentials';
import { hostOnly, isLoopbackHost } from './insecure-registries';

/**
 * What went wrong talking to a registry, in words: the network's reason, the registry's own error
 * codes, and the errors (with what to do) a registry session throws.
 */

/** Who asked the registry for what, with which credentials (for the messages). */
export interface RegistryParty {
  readonly ref: ImageReference;
  readonly credentials: RegistryCredentials | undefined;
  readonly credentialProblem: string | undefined;
}

/** What network error codes mean, and whether TLS may be what failed (a plain-HTTP registry answered). */
const NETWORK_REASONS: ReadonlyArray<{ codes: readonly string[]; reason: string; tls: boolean }> = [
  { codes: ['ECONNREFUSED'], reason: 'connection refused (nothing listens there)', tls: false },
  { codes: ['ENOTFOUND', 'EAI_AGAIN'], reason: 'the host name does not resolve', tls: false },
  { codes: ['ETIMEDOUT', 'UND_ERR_CONNECT_TIMEOUT'], reason: 'the connection timed out', tls: false },
  { codes: ['ECONNRESET', 'UND_ERR_SOCKET'], reason: 'the connection was closed', tls: true },
  { codes: ['EHOSTUNREACH', 'ENETUNREACH'], reason: 'the host is unreachable', tls: false },
];

/** Turns a failed request into what happened, in words (`connection refused`, `host not found`). */
export function networkReason(error: unknown): { reason: string; code?: string; tls: boolean } {
  const e = error as Error & { cause?: { code?: string; message?: string }; code?: string };
  if (e?.name === 'TimeoutError' || (e?.cause as { name?: string } | undefined)?.name === 'TimeoutError') return { reason: 'it did not answer in time', code: 'ETIMEDOUT', tls: false };
  const code = e?.cause?.code ?? e?.code;
  const known = code === undefined ? undefined : NETWORK_REASONS.find((r) => r.codes.includes(code));
  if (known) return { reason: known.reason, code, tls: known.tls };
  const message = e?.cause?.message ?? e?.message ?? String(error);
  const tls = /ssl|tls|certificate|EPROTO|wrong version/i.test(`${code ?? ''} ${message}`);
  return { reason: tls ? `TLS failed (${message})` : message, code, tls };
}

interface RegistryErrorBody {
  errors?: Array<{ code?: string; message?: string }>;
}

/** The error codes and text of a registry's error answer (or the start of a body that is not one). */
export function registryErrors(body: Buffer): { codes: string[]; text: string } {
  try {
    const parsed = JSON.parse(body.toString('utf8')) as RegistryErrorBody;
    const errors = Array.isArray(parsed.errors) ? parsed.errors : [];
    return { codes: errors.map((e) => e.code ?? ''), text: errors.map((e) => [e.code, e.message].filter(Boolean).join(': ')).join('; ') };
  } catch {
    return { codes: [], text: body.toString('utf8').slice(0, 200).trim() };
  }
}

/** The registry could not be reached at any of the URLs `tried` (`proxy`: the one the last went through). */
export function unreachableError(ref: ImageReference, error: unknown, tried: string[], via: { plainHttp: boolean; proxy: URL | undefined }): RpcError {
  const { reason, code, tls } = networkReason(error);
  const host = hostOnly(ref.registry);
  if (via.proxy) {
    return new RpcError('REGISTRY_UNREACHABLE', `Cannot reach the registry ${ref.registry} through the proxy ${via.proxy.origin}: ${reason} (tried ${tried.join(', ')}).`, {
      hint: `Check that the proxy runs and lets ${host} through, or add ${host} to NO_PROXY, then try again.`,
      data: { code, tried },
    });
  }
  const plainNote =
    !via.plainHttp && tls
      ? ` If ${ref.registry} serves plain HTTP, add it to the engine's "insecure-registries" (daemon.json) and restart the engine; plain HTTP is used only for loopback and insecure registries.`
      : '';
  return new RpcError('REGISTRY_UNREACHABLE', `Cannot reach the registry ${ref.registry}: ${reason} (tried ${tried.join(', ')}).`, {
    hint: `${isLoopbackHost(host) ? 'Start the local registry' : 'Check the registry address, your network and any proxy'}, then try again.${plainNote}`,
    data: { code, tried },
  });
}

/** The registry refused `party` access; says how to log in. */
export function authError(party: RegistryParty, why: string): RpcError {
  const problem = party.credentialProblem ? ` (${party.credentialProblem})` : '';
  return new RpcError('REGISTRY_AUTH', `${party.ref.registry} refused access to ${party.ref.repository}: ${why}${problem}.`, {
    hint: party.credentials
      ? `Log in again: docker login ${party.ref.registry === DEFAULT_REGISTRY ? '' : party.ref.registry}`.trim() + ', and check that this account can pull the repository.'
      : `Log in first (docker login${party.ref.registry === DEFAULT_REGISTRY ? '' : ` ${party.ref.registry}`}); the app uses the docker CLI's credentials.`,
  });
}

/** A registry's answer that is not a success, by what it means (not found, refused, rate-limited). */
export function statusError(party: RegistryParty, res: { status: number; body: Buffer; url: string }): RpcError {
  const { codes, text } = registryErrors(res.body);
  const details = text ? `: ${text}` : '';
  if (res.status === 404 || codes.includes('MANIFEST_UNKNOWN') || codes.includes('NAME_UNKNOWN')) {
    return new RpcError('IMAGE_NOT_FOUND', `${party.ref.familiar} was not found in ${party.ref.registry}${details}.`, {
      hint: 'Check the repository name and tag (or digest), and that the image was pushed to this registry.',
    });
  }
  if (res.status === 401 || res.status === 403 || codes.includes('DENIED') || codes.includes('UNAUTHORIZED')) {
    return authError(party, `HTTP ${res.status}${details}`);
  }
  if (res.status === 429 || codes.includes('TOOMANYREQUESTS')) {
    return new RpcError('REGISTRY_RATE_LIMITED', `${party.ref.registry} is rate-limiting requests${details}.`, {
      hint: 'Wait a while, or log in (authenticated pulls have a higher limit).',
    });
  }
  return new RpcError('REGISTRY_ERROR', `${party.ref.registry} answered HTTP ${res.status} for ${res.url}${details}.`, {
    hint: 'Try again; if it persists, check the registry.',
  });
}
