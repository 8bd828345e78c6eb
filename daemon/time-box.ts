// Every lifecycle call is time-boxed: a hung plugin or transport must not hold the daemon.
import { KefuError } from '../protocol/errors.js';

export async function timeBox<T>(what: string, ms: number, work: () => Promise<T> | T): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new KefuError('TIMEOUT', `${what} did not finish within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([Promise.resolve().then(work), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
