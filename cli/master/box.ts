// `kefu master box add|list|remove|rotate`: box credentials in the master's data folder (credentials.json).
// A running master re-reads the file: no restart needed. Every writing command says which folder it used.
import type { Command } from 'commander';
import { join, resolve } from 'node:path';
import { KefuError } from '../../protocol/errors.js';
import { createCredentialStore, credentialsFile } from '../../master/credentials/credential-store.js';
import { writePrivateFile } from '../../master/credentials/secret-file.js';
import { action, print, table, type OutputOptions } from '../output.js';
import { folderNote, resolveTarget, targetOptions, type MasterTarget, type TargetOptions } from './target.js';

const secretPath = (t: MasterTarget, id: string, given?: string) => resolve(given ?? join(t.dataDir, 'boxes', `${id}.secret`));

/** where the credentials went, a warning for a folder no master uses, and the Mosquitto reminder */
function footer(t: MasterTarget): string[] {
  const note = folderNote(t);
  const ext = t.config?.external ? [`external broker: re-export with \`kefu master acl --mosquitto${t.configFile ? ` --config ${t.configFile}` : ''} …\` and reload it (kill -HUP)`] : [];
  return [`credentials: ${credentialsFile(resolve(t.dataDir))}`, ...ext, ...(note ? [`note: ${note}`] : [])];
}

const copyStep = (secretFile: string) =>
  `→ on the box: install -m 640 -g kefu <copy of ${secretFile}> /etc/kefu/box.secret (its master.passwordFile; the daemon's group reads it)`;

export function registerBox(master: Command): void {
  const box = master.command('box').description('box credentials for the broker');

  targetOptions(box.command('add <id>'))
    .description('create a box user with a random password (written to a secret file and printed once)')
    .requiredOption('--region <region>', 'the region of the box (its topic root)')
    .option('--secret-file <file>', 'where to write the password (default {data}/boxes/{id}.secret)')
    .action(action(async (id: string, opts: TargetOptions & { region: string; secretFile?: string }, cmd: Command) => {
      const out = cmd.optsWithGlobals<OutputOptions>();
      const t = await resolveTarget(opts);
      const { password } = await createCredentialStore({ dataDir: t.dataDir }).addBox(id, opts.region);
      // absolute: it goes into the box's config, read from another folder (or machine)
      const secretFile = secretPath(t, id, opts.secretFile);
      await writePrivateFile(secretFile, `${password}\n`);
      const note = folderNote(t);
      print(out, { ok: true, id, region: opts.region, username: id, password, secretFile, dataDir: resolve(t.dataDir), ...(note ? { note } : {}) }, () => [
        `box ${id} added (region ${opts.region}); MQTT username: ${id}, clientId: ${id}`,
        `password (shown once): ${password}`,
        `password file: ${secretFile}`,
        copyStep(secretFile),
        ...footer(t),
      ].join('\n'));
    }));

  targetOptions(box.command('rotate <id>'))
    .description('give a box a new password: the old one stops working and its sessions are closed')
    .option('--secret-file <file>', 'where to write the new password (default {data}/boxes/{id}.secret)')
    .action(action(async (id: string, opts: TargetOptions & { secretFile?: string }, cmd: Command) => {
      const out = cmd.optsWithGlobals<OutputOptions>();
      const t = await resolveTarget(opts);
      const { password, region } = await createCredentialStore({ dataDir: t.dataDir }).rotateBox(id);
      const secretFile = secretPath(t, id, opts.secretFile);
      await writePrivateFile(secretFile, `${password}\n`);
      const within = t.config && !t.config.external ? `${Math.ceil(t.config.broker.revalidateMs / 1000)} s` : 'seconds (broker.revalidateMs)';
      const note = folderNote(t);
      print(out, { ok: true, id, region, username: id, password, secretFile, dataDir: resolve(t.dataDir), ...(note ? { note } : {}) }, () => [
        `box ${id} (region ${region}) has a new password; the old one no longer connects, and the embedded broker closes its sessions within ${within}`,
        `password (shown once): ${password}`,
        `password file: ${secretFile}`,
        `${copyStep(secretFile)}: the running box notices the new file within a second and reconnects (no restart)`,
        ...footer(t),
      ].join('\n'));
    }));

  targetOptions(box.command('remove <id>'))
    .description('delete a box user (its running sessions are closed)')
    .action(action(async (id: string, opts: TargetOptions, cmd: Command) => {
      const t = await resolveTarget(opts);
      const removed = await createCredentialStore({ dataDir: t.dataDir }).removeBox(id);
      if (!removed) throw new KefuError('BOX_UNKNOWN', `no box ${id} in ${credentialsFile(resolve(t.dataDir))}`);
      print(cmd.optsWithGlobals<OutputOptions>(), { ok: true, id, dataDir: resolve(t.dataDir) }, () => [`box ${id} removed`, ...footer(t)].join('\n'));
    }));

  targetOptions(box.command('list'))
    .description('the boxes that have credentials')
    .action(action(async (opts: TargetOptions, cmd: Command) => {
      const t = await resolveTarget(opts);
      const boxes = await createCredentialStore({ dataDir: t.dataDir }).listBoxes();
      print(cmd.optsWithGlobals<OutputOptions>(), boxes, () => table(boxes.map((b) => ({ id: b.id, region: b.region, created: new Date(b.createdAt).toISOString() }))));
    }));
}
