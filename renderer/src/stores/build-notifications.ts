import type { BuildRecord } from '../../../shared/contract/builds';
import { buildEndedNotification } from '../../../shared/domain/build-notification';

/** Asks for notification permission while the user is clicking Build (browsers want a gesture). */
export function prepareNotifications(): void {
  if (typeof Notification !== 'undefined' && Notification.permission === 'default') void Notification.requestPermission().catch(() => undefined);
}

/** Tells the user a build ended while the window was not in front. */
export async function notifyEnded(record: BuildRecord): Promise<void> {
  if (typeof Notification === 'undefined' || typeof document === 'undefined' || document.hasFocus()) return;
  const note = buildEndedNotification(record);
  if (!note || Notification.permission !== 'granted') return;
  try {
    new Notification(note.title, { body: note.body, tag: note.tag });
  } catch {
    // some shells refuse page notifications; the History page still shows it
  }
}
