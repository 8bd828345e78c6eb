// Demo records for the local identity provider (`kefu up`): two customers with valid resident ID numbers.
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

export const DEMO_IDENTITIES = [
  { account: 'demo01', idNumber: '11010519491231002X', name: '张三', phone: '13800138000' },
  { account: 'demo02', idNumber: '440524188001010014', name: '李四', phone: '13900139000' },
];

/** Writes the demo identity file unless one exists (an operator's file is never overwritten). */
export async function writeDemoIdentities(file: string): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, `${JSON.stringify({ accounts: DEMO_IDENTITIES }, null, 2)}\n`, { flag: 'wx', mode: 0o600 })
    .catch((err: NodeJS.ErrnoException) => { if (err.code !== 'EEXIST') throw err; });
}
