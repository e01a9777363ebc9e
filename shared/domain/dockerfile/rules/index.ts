/** The rules, in the order they run. Each module reports the finding rules it lists. */
import type { Rule } from '../context';
import { archCoverageRule } from './arch-coverage';
import { baseImageArchRule } from './base-image-arch';
import { compileRule } from './compile';
import { fromPlatformRule } from './from-platform';
import { hardcodedArchRule } from './hardcoded-arch';
import { notCoveredRule } from './not-covered';
import { pinnedArchArgRule } from './pinned-arch-arg';
import { undeclaredArgsRule } from './undeclared-args';

export const RULES: readonly Rule[] = [
  fromPlatformRule,
  baseImageArchRule,
  pinnedArchArgRule,
  hardcodedArchRule,
  archCoverageRule,
  undeclaredArgsRule,
  compileRule,
  notCoveredRule,
];
