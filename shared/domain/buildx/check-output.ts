import { z } from 'zod';

/**
 * BuildKit's build checks as `docker buildx build --call=check,format=json` prints them (buildx ≥ 0.15): BuildKit's
 * `lint.LintResults` ({ warnings, sources, buildError }). Locations are 1-based lines of a source, the Dockerfile
 * being source 0 (protobuf JSON leaves `sourceIndex: 0` out). Checked against the real 0.29.1 captures in fixtures/.
 */
const position = z.object({ line: z.number().int().optional(), character: z.number().int().optional() });
const location = z.object({
  sourceIndex: z.number().int().optional(),
  ranges: z.array(z.object({ start: position.optional(), end: position.optional() })).nullish(),
});
const rawWarning = z.object({
  ruleName: z.string().min(1),
  description: z.string().optional(),
  url: z.string().optional(),
  detail: z.string().optional(),
  location: location.nullish(),
});
const rawOutput = z.object({
  warnings: z.array(rawWarning).nullish(),
  sources: z.array(z.object({ filename: z.string().optional(), data: z.string().optional(), language: z.string().optional() })).nullish(),
  buildError: z.object({ message: z.string(), location: location.nullish() }).nullish(),
});

/** One of BuildKit's check results, as the app shows it. */
export const buildCheck = z.object({
  /** e.g. `FromPlatformFlagConstDisallowed` */
  ruleName: z.string(),
  /** What the rule is about, e.g. "FROM --platform flag should not use a constant value". */
  description: z.string(),
  /** What was found here, e.g. `FROM --platform flag should not use constant value "linux/amd64"`. */
  detail: z.string(),
  /** The rule's documentation (https only). */
  url: z.string().optional(),
  /** Lines of the Dockerfile (1-based); absent when BuildKit gave no place. */
  line: z.number().int().min(1).optional(),
  endLine: z.number().int().min(1).optional(),
});
export type BuildCheck = z.infer<typeof buildCheck>;

/** Where BuildKit stopped (a parse error, a base image it could not resolve): its checks may be incomplete. */
export const buildCheckError = z.object({ message: z.string(), line: z.number().int().min(1).optional() });
export type BuildCheckError = z.infer<typeof buildCheckError>;

export interface CheckOutput {
  checks: BuildCheck[];
  buildError?: BuildCheckError;
  /** The Dockerfile as BuildKit read it (base64), to tell which text the checks are about. */
  dockerfileData?: string;
}

// A documentation link the page may open: https, a host, nothing that could break out of an attribute.
const isHttps = (url: string): boolean => /^https:\/\/[a-z0-9.-]+(?:[/?#][^\s"'<>]*)?$/i.test(url);

function lines(loc: z.infer<typeof location> | null | undefined): { line?: number; endLine?: number } {
  const range = loc?.ranges?.[0];
  const line = range?.start?.line;
  if (!line || line < 1) return {};
  const end = range.end?.line;
  return end && end > line ? { line, endLine: end } : { line };
}

/**
 * Reads the JSON `--call=check,format=json` prints on stdout. Throws with what was wrong when it is not that shape.
 * Results located in another source than the Dockerfile (none seen in practice) are kept without a line.
 */
export function parseCheckOutput(stdout: string): CheckOutput {
  let json: unknown;
  try {
    json = JSON.parse(stdout);
  } catch {
    throw new Error(`not JSON: ${stdout.trim().slice(0, 120) || 'no output'}`);
  }
  const parsed = rawOutput.safeParse(json);
  if (!parsed.success) throw new Error(parsed.error.issues.map((i) => `${i.path.join('.') || 'output'}: ${i.message}`).join('; '));
  const out = parsed.data;
  const onDockerfile = (loc: z.infer<typeof location> | null | undefined) => ((loc?.sourceIndex ?? 0) === 0 ? lines(loc) : {});
  const checks = (out.warnings ?? []).map((w): BuildCheck => ({
    ruleName: w.ruleName,
    description: w.description ?? w.ruleName,
    detail: w.detail || w.description || w.ruleName,
    ...(w.url && isHttps(w.url) ? { url: w.url } : {}),
    ...onDockerfile(w.location),
  }));
  const result: CheckOutput = { checks };
  if (out.buildError) {
    const where = onDockerfile(out.buildError.location);
    result.buildError = { message: out.buildError.message, ...(where.line ? { line: where.line } : {}) };
  }
  const data = out.sources?.[0]?.data;
  if (data !== undefined) result.dockerfileData = data;
  return result;
}

/** The builder the check ran on, from buildx's first progress line: `#0 building with "default" instance using docker driver`. */
export function checkBuilderName(stderr: string): string | undefined {
  return /^#0 building with "([^"]+)" instance/m.exec(stderr)?.[1];
}
