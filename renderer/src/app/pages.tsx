import type { ComponentType } from 'react';
import { PAGE_IDS, PAGE_LABELS, type PageId } from '../../../shared/ui/pages';
import { BuildersPage } from '../features/builders/BuildersPage';
import { EmulatorsPage } from '../features/emulators/EmulatorsPage';
import { BuildPage } from '../features/build/BuildPage';
import { EnginePage } from '../features/engine/EnginePage';
import { HistoryPage } from '../features/history/HistoryPage';
import { ResultsPage } from '../features/results/ResultsPage';

const COMPONENTS: Record<PageId, { icon: string; component: ComponentType }> = {
  engine: { icon: '⚙', component: EnginePage },
  emulators: { icon: '⇄', component: EmulatorsPage },
  builders: { icon: '▦', component: BuildersPage },
  build: { icon: '▶', component: BuildPage },
  results: { icon: '✓', component: ResultsPage },
  history: { icon: '↺', component: HistoryPage },
};

/** The sidebar, in the order of shared/ui/pages.ts (the keymap's Mod+1… follow it). */
export const PAGES = PAGE_IDS.map((id) => ({ id, label: PAGE_LABELS[id], ...COMPONENTS[id] }));
