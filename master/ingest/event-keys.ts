// Keys of the event store: an event by box and envelope id (its dedupe key), a page of ids by box and receipt time.
export const pad = (n: number, width = 15) => String(Math.max(0, Math.trunc(n))).padStart(width, '0');
export const eventKey = (box: string, id: string) => `${box}!${id}`;
export const pageKey = (box: string, receivedAt: number, firstId: string) => `${box}!${pad(receivedAt)}!${firstId}`;
