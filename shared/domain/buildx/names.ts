/**
 * What buildx accepts as a builder or node name: a letter first, then letters, digits, `.`, `_`
 * and `-` (buildx 0.13 says "name needs to start with a letter and may not contain symbols,
 * except ._-"). Anything else, spaces and shell characters included, is refused before any
 * command runs.
 */
export const BUILDER_NAME = /^[a-zA-Z][a-zA-Z0-9._-]{0,62}$/;

/** A Docker context name, or an endpoint address buildx understands: see ./endpoint. */
export { checkEndpoint, isEndpoint } from './endpoint';

/** `key=value` for `--driver-opt`; buildx reads the flag as CSV, so no commas or quotes. */
export const DRIVER_OPT = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*=[^\s,"'`]*$/;

export const BUILDER_NAME_RULE = 'a letter first, then letters, digits, ".", "_" or "-" (no spaces or shell characters), at most 63 characters';
