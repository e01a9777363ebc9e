import { defineContract, type ClientOf, type HandlersOf, type EventsOf } from '../rpc/define';
import { appContract } from './app';
import { buildersContract } from './builders';
import { buildsContract } from './builds';
import { ciExportContract } from './ci-export';
import { dockerfileContract } from './dockerfile';
import { emulatorsContract } from './emulators';
import { engineContract } from './engine';
import { imagesContract } from './images';
import { integrityContract } from './integrity';
import { timelineContract } from './timeline';
import { recordsContract } from './records';

/**
 * THE contract between renderer and main. Every channel is declared once here, by domain;
 * the renderer client, the preload allow-list and the handler table are derived from it.
 */
export const contract = defineContract({
  app: appContract,
  engine: engineContract,
  emulators: emulatorsContract,
  builders: buildersContract,
  builds: buildsContract,
  images: imagesContract,
  integrity: integrityContract,
  dockerfile: dockerfileContract,
  ciExport: ciExportContract,
  timeline: timelineContract,
  records: recordsContract,
});

export type Contract = typeof contract;
export type Api = ClientOf<Contract>;
export type Handlers = HandlersOf<Contract>;
export type AppEvents = EventsOf<Contract>;
