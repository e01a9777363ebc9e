import { create } from 'zustand';
import type { Api } from '../../../shared/contract';
import type { ImageInspection, SmokeResult } from '../../../shared/contract/images';
import { referenceProblem } from '../../../shared/domain/image-reference';
import { normalizePlatform, parsePlatform } from '../../../shared/domain/platform';
import { toProblem, type Problem } from './problem';

export interface SmokeState {
  state: 'running' | 'done' | 'failed';
  result?: SmokeResult;
  /** The call itself failed (engine down, bad input), as opposed to a run that reported an error. */
  problem?: Problem;
}

/** What is wrong with the form, checked before any call: the server refuses the same input too. */
export interface FormProblems {
  reference?: string;
  platforms?: string;
}

/** `linux/amd64, linux/arm64 linux/arm/v7` → the list (the form's free text for requested platforms). */
export function splitPlatforms(text: string): string[] {
  return text
    .split(/[\s,]+/)
    .map((p) => p.trim())
    .filter(Boolean);
}

export function checkForm(referenceText: string, platformsText: string): FormProblems {
  const problems: FormProblems = {};
  const reference = referenceProblem(referenceText.trim());
  if (reference) problems.reference = reference;
  const bad = splitPlatforms(platformsText).filter((p) => parsePlatform(p) === undefined);
  if (bad.length > 0) problems.platforms = `Not a platform: ${bad.join(', ')} (use os/arch[/variant], e.g. linux/arm64).`;
  return problems;
}

interface ResultsStore {
  referenceText: string;
  platformsText: string;
  /** Shown after a submit with invalid fields; nothing was sent. */
  formProblems: FormProblems;
  loading: boolean;
  inspection: ImageInspection | undefined;
  problem: Problem | undefined;
  smoke: Record<string, SmokeState>;
  seq: number;

  setReferenceText(text: string): void;
  setPlatformsText(text: string): void;
  /** Validates the form, then inspects; returns false when the form was refused. */
  submit(api: Api, options?: { refresh?: boolean }): Promise<boolean>;
  /** Fills the form from another page's request (a finished build) and inspects. */
  open(api: Api, request: { reference: string; platforms: string[] }): Promise<void>;
  smokeRun(api: Api, platform: string): Promise<void>;
  /** One platform after the other: QEMU runs are CPU-heavy, and the pulls of one image are serialised anyway. */
  smokeAll(api: Api): Promise<void>;
}

export const useResultsStore = create<ResultsStore>((set, get) => ({
  referenceText: '',
  platformsText: '',
  formProblems: {},
  loading: false,
  inspection: undefined,
  problem: undefined,
  smoke: {},
  seq: 0,

  setReferenceText: (referenceText) => set({ referenceText, formProblems: { ...get().formProblems, reference: undefined } }),
  setPlatformsText: (platformsText) => set({ platformsText, formProblems: { ...get().formProblems, platforms: undefined } }),

  async submit(api, options = {}) {
    const { referenceText, platformsText } = get();
    const formProblems = checkForm(referenceText, platformsText);
    if (formProblems.reference || formProblems.platforms) {
      // the previous answer's error is about another reference: it would read as this one's
      set({ formProblems, problem: undefined });
      return false;
    }
    const seq = get().seq + 1;
    const requestedPlatforms = [...new Set(splitPlatforms(platformsText).map(normalizePlatform))];
    set({ seq, loading: true, problem: undefined, formProblems: {} });
    try {
      const inspection = await api.images.inspect({
        reference: referenceText.trim(),
        ...(requestedPlatforms.length > 0 ? { requestedPlatforms } : {}),
        ...(options.refresh ? { refresh: true } : {}),
      });
      // A newer request won: drop this answer.
      if (get().seq !== seq) return true;
      const sameImage = get().inspection?.digest === inspection.digest && get().inspection?.reference.canonical === inspection.reference.canonical;
      set({ inspection, smoke: sameImage ? get().smoke : {} });
    } catch (error) {
      if (get().seq === seq) set({ problem: toProblem(error), inspection: undefined, smoke: {} });
    } finally {
      if (get().seq === seq) set({ loading: false });
    }
    return true;
  },

  async open(api, request) {
    set({ referenceText: request.reference, platformsText: request.platforms.join(', ') });
    await get().submit(api);
  },

  async smokeRun(api, platform) {
    const inspection = get().inspection;
    if (!inspection) return;
    const key = `${inspection.digest}|${platform}`;
    set({ smoke: { ...get().smoke, [platform]: { state: 'running' } } });
    let next: SmokeState;
    try {
      const result = await api.images.smokeRun({ reference: inspection.reference.familiar, platform });
      next = { state: 'done', result };
    } catch (error) {
      next = { state: 'failed', problem: toProblem(error) };
    }
    // The image shown may have changed meanwhile; only record results for the one that was run.
    const now = get().inspection;
    if (now && `${now.digest}|${platform}` === key) set({ smoke: { ...get().smoke, [platform]: next } });
  },

  async smokeAll(api) {
    const inspection = get().inspection;
    if (!inspection) return;
    for (const row of inspection.platforms) {
      if (get().inspection !== inspection) return;
      await get().smokeRun(api, row.platform);
    }
  },
}));
