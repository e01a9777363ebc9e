/**
 * What buildx accepts as a builder or node name: a letter first, then letters, digits, `.`, `_`
 * and `-` (buildx 0.13 says "name needs to start with a letter and may not contain symbols,
 * except ._-"). Anything else, spaces and shell characters included, is refused before any
 * command runs.
 */
export const BUILDER_NAME = /^[a-zA-Z][a-zA-Z0-9._-]{0,62}$/;

/** A Docker context name, or an endpoint address buildx understands. */
export const CONTEXT_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.+-]{0,127}$/;
export const ENDPOINT_URL = /^(unix|tcp|ssh|npipe|docker-container|kube-pod):\/\/[^\s'"`$;&|<>\\(){}*?!#]+$/;

/** `key=value` for `--driver-opt`; buildx reads the flag as CSV, so no commas or quotes. */
export const DRIVER_OPT = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*=[^\s,"'`]*$/;

/**
 * The user or host of an address never starts with "-": buildx hands `ssh://` addresses to the
 * ssh client, which would read `ssh://-oProxyCommand=…` as an option that runs a command.
 */
const optionLikeAuthority = (url: string): boolean => {
  const authority = url.slice(url.indexOf('://') + 3).split('/')[0] ?? '';
  return authority.startsWith('-') || authority.includes('@-');
};

export const isEndpoint = (text: string): boolean =>
  text.length <= 512 && (CONTEXT_NAME.test(text) || (ENDPOINT_URL.test(text) && !optionLikeAuthority(text)));

export const BUILDER_NAME_RULE = 'a letter first, then letters, digits, ".", "_" or "-" (no spaces or shell characters), at most 63 characters';
