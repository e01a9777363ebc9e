import type { ComponentType } from 'react';
import { BuildersPage } from '../features/builders/BuildersPage';
import { EmulatorsPage } from '../features/emulators/EmulatorsPage';
import { BuildPage } from '../features/build/BuildPage';
import { EnginePage } from '../features/engine/EnginePage';
import { HistoryPage } from '../features/history/HistoryPage';
import { ResultsPage } from '../features/results/ResultsPage';
import type { PageId } from '../stores/nav-store';

/** The sidebar, in order. A page whose issue has not landed says so. */
export const PAGES: { id: PageId; label: string; icon: string; component: ComponentType }[] = [
  { id: 'engine', label: 'Engine', icon: '⚙', component: EnginePage },
  { id: 'emulators', label: 'Emulators', icon: '⇄', component: EmulatorsPage },
  { id: 'builders', label: 'Builders', icon: '▦', component: BuildersPage },
  { id: 'build', label: 'Build', icon: '▶', component: BuildPage },
  { id: 'results', label: 'Results', icon: '✓', component: ResultsPage },
  { id: 'history', label: 'History', icon: '↺', component: HistoryPage },
];
