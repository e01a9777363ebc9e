import { z } from 'zod';
import { MAX_REFERENCE_LENGTH, referenceProblem } from './reference';

/** An image reference as Docker accepts it, for contract inputs and settings; the refusal says why. */
export const imageReferenceText = z
  .string()
  .max(MAX_REFERENCE_LENGTH, `An image reference has at most ${MAX_REFERENCE_LENGTH} characters.`)
  .superRefine((text, ctx) => {
    const problem = referenceProblem(text);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });
