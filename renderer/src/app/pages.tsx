import type { ComponentType } from 'react';
import { BuildersPage } from '../features/builders/BuildersPage';
import { EmulatorsPage } from '../features/emulators/EmulatorsPage';
import { EnginePage } from '../features/engine/EnginePage';
import type { PageId } from '../stores/nav-store';
import { Coming } from './Coming';

/** The sidebar, in order. A page whose issue has not landed says so. */
export const PAGES: { id: PageId; label: string; icon: string; component: ComponentType }[] = [
  { id: 'engine', label: 'Engine', icon: '⚙', component: EnginePage },
  { id: 'emulators', label: 'Emulators', icon: '⇄', component: EmulatorsPage },
  { id: 'builders', label: 'Builders', icon: '▦', component: BuildersPage },
  { id: 'build', label: 'Build', icon: '▶', component: () => <Coming title="Build" what="tick platforms, build, and watch each platform live" /> },
  { id: 'results', label: 'Results', icon: '✓', component: () => <Coming title="Results" what="per-architecture manifests and smoke runs of any image" /> },
  { id: 'history', label: 'History', icon: '↺', component: () => <Coming title="History" what="every build, with its log, kept across restarts" /> },
];
