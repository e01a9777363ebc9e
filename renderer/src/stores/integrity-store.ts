import { create } from 'zustand';
import type { Api } from '../../../shared/contract';
import type { AttestationsReport, CheckProgress, CheckReport, CompareReport, ImageSource } from '../../../shared/contract/integrity';
import { toProblem, type Problem } from './problem';

/** One cancellable call's state: what it is doing, what it answered, or why it failed. */
export interface Task<R> {
  state: 'idle' | 'running' | 'done' | 'failed';
  progress?: CheckProgress;
  result?: R;
  problem?: Problem;
}

const idle = { state: 'idle' as const };

interface IntegrityStore {
  /** The image the results below are about (a new image clears them). */
  reference: string | undefined;
  source: ImageSource;
  check: Task<CheckReport>;
  compare: Task<CompareReport>;
  attestations: Task<AttestationsReport>;
  compareA: string;
  compareB: string;

  /** Shows an image (read from `source` until the user picks another): keeps what was found for it, clears what was found for another. */
  show(reference: string, platforms: string[], source?: ImageSource): void;
  setSource(source: ImageSource): void;
  setCompare(side: 'a' | 'b', platform: string): void;
  runCheck(api: Api): Promise<void>;
  runCompare(api: Api): Promise<void>;
  readAttestations(api: Api): Promise<void>;
  cancel(which: 'check' | 'compare'): void;
}

const calls: Partial<Record<'check' | 'compare', { cancel(): void }>> = {};

export const useIntegrityStore = create<IntegrityStore>((set, get) => {
  /** Runs a streaming call into one task slot; an answer for an image no longer shown is dropped. */
  async function runStream<R>(which: 'check' | 'compare', start: (onChunk: (p: CheckProgress) => void) => { result: Promise<R>; cancel(): void }) {
    calls[which]?.cancel();
    const reference = get().reference;
    set({ [which]: { state: 'running' } } as Partial<IntegrityStore>);
    const current = () => get().reference === reference;
    const call = start((progress) => {
      if (current()) set({ [which]: { ...get()[which], progress } } as Partial<IntegrityStore>);
    });
    calls[which] = call;
    try {
      const result = await call.result;
      if (current()) set({ [which]: { state: 'done', result } } as Partial<IntegrityStore>);
    } catch (error) {
      const problem = toProblem(error);
      if (current()) set({ [which]: problem.code === 'CANCELLED' ? idle : { state: 'failed', problem } } as Partial<IntegrityStore>);
    } finally {
      if (calls[which] === call) delete calls[which];
    }
  }

  return {
    reference: undefined,
    source: 'registry',
    check: idle,
    compare: idle,
    attestations: idle,
    compareA: '',
    compareB: '',

    show(reference, platforms, source = 'registry') {
      if (get().reference === reference) return;
      calls.check?.cancel();
      calls.compare?.cancel();
      set({ reference, source, check: idle, compare: idle, attestations: idle, compareA: platforms[0] ?? '', compareB: platforms[1] ?? platforms[0] ?? '' });
    },
    setSource(source) {
      set({ source, check: idle, compare: idle });
    },
    setCompare(side, platform) {
      set(side === 'a' ? { compareA: platform, compare: idle } : { compareB: platform, compare: idle });
    },
    async runCheck(api) {
      const { reference, source } = get();
      if (!reference) return;
      await runStream('check', (onChunk) => api.integrity.check({ reference, source }, { onChunk }));
    },
    async runCompare(api) {
      const { reference, source, compareA, compareB } = get();
      if (!reference) return;
      if (compareA === compareB) {
        set({ compare: { state: 'failed', problem: { code: 'BAD_INPUT', message: 'Pick two different platforms to compare.' } } });
        return;
      }
      await runStream('compare', (onChunk) => api.integrity.compare({ reference, source, a: compareA, b: compareB }, { onChunk }));
    },
    async readAttestations(api) {
      const reference = get().reference;
      if (!reference) return;
      set({ attestations: { state: 'running' } });
      try {
        const result = await api.integrity.attestations({ reference });
        if (get().reference === reference) set({ attestations: { state: 'done', result } });
      } catch (error) {
        if (get().reference === reference) set({ attestations: { state: 'failed', problem: toProblem(error) } });
      }
    },
    cancel(which) {
      calls[which]?.cancel();
    },
  };
});
