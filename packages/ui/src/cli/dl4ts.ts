#!/usr/bin/env node
// `dl4ts ui`: the dashboard over stats files written by StatsListener (FileStatsStorage), in
// this process or another one. Each file is followed: what a training process appends shows up
// live. Ctrl-C stops the server.
//
//   dl4ts ui [--port 9000] [--host 127.0.0.1] --file runs/a.stats.jsonl [--file runs/b.stats.jsonl ...]
import { parseArgs } from 'node:util';
import { FileStatsStorage } from '../file-storage';
import { startUi } from '../server';

const USAGE = 'usage: dl4ts ui [--port 9000] [--host 127.0.0.1] --file FILE [--file FILE ...]';

async function main(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command !== 'ui') {
    console.error(command === undefined ? USAGE : `dl4ts: unknown command ${JSON.stringify(command)}\n${USAGE}`);
    return 2;
  }
  const { values } = parseArgs({ args: rest, options: { port: { type: 'string', default: '9000' }, host: { type: 'string', default: '127.0.0.1' }, file: { type: 'string', multiple: true, default: [] } } });
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`dl4ts ui: --port must be an integer from 0 to 65535, received ${JSON.stringify(values.port)}`);
    return 2;
  }
  const storages: FileStatsStorage[] = [];
  for (const file of values.file) {
    try {
      const storage = await FileStatsStorage.open(file, { follow: true });
      for (const warning of storage.warnings) console.error(`dl4ts ui: ${file}: ${warning}`);
      storages.push(storage);
    } catch (error) {
      // One unreadable file costs only its own runs.
      console.error(`dl4ts ui: ${(error as Error).message}; its runs are not shown`);
    }
  }
  if (values.file.length === 0) console.error('dl4ts ui: no --file given: the dashboard starts empty');
  const ui = await startUi({ port, host: values.host, storages });
  const runs = storages.reduce((n, s) => n + s.runs().length, 0);
  console.log(`dl4ts dashboard at ${ui.url} (${runs} run${runs === 1 ? '' : 's'} from ${storages.length} file${storages.length === 1 ? '' : 's'})`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await ui.close();
  for (const storage of storages) await storage.close();
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`dl4ts ui: ${(error as Error).message}`);
    process.exit(1);
  },
);
