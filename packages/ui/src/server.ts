// The dashboard's web server: the page, its script and uPlot, a JSON API over the attached
// storages, and one server-sent-events stream per page that delivers a run's reports as they
// arrive (and new runs). Binds to 127.0.0.1 unless told otherwise. Hono routes the requests
// (small, typed, with an SSE helper); @hono/node-server adapts it to Node's http server.
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { createAdaptorServer } from '@hono/node-server';
import { Dl4tsError, formatValue } from '@dl4ts/core';
import { Hono } from 'hono';
import { streamSSE } from 'hono/streaming';
import { renderDashboardHtml } from './page';
import type { StatsEvent } from './stats';
import type { StatsStorage } from './storage';
import { UnknownRunError } from './storage';

/** The server could not start (a port in use, a bad host) or was given bad options. */
export class UiServerError extends Dl4tsError {
  static override readonly errorName = 'UiServerError';
  constructor(message: string, options?: { cause?: unknown }) {
    super('DL4TS_UI_SERVER', message, options);
  }
}

/** Options of {@link startUi}. */
export interface UiOptions {
  /** TCP port; 0 picks a free one. Default 9000 (Deeplearning4j's UI port). */
  readonly port?: number;
  /** Interface to bind. Default 127.0.0.1 (this machine only); `0.0.0.0` exposes the statistics to the network. */
  readonly host?: string;
  /** Storages whose runs are served; more can be attached later. */
  readonly storages?: readonly StatsStorage[];
  /** A comment line on every open stream this often, so proxies keep it open. Default 15,000 ms. */
  readonly heartbeatMs?: number;
}

/** A running dashboard. */
export interface UiServer {
  /** `http://host:port/`. */
  readonly url: string;
  readonly port: number;
  /** Serves the runs of another storage too (a run id held by an earlier storage wins). */
  attach(storage: StatsStorage): void;
  /** Ends every open stream and stops the server. */
  close(): Promise<void>;
}

const requireHere = createRequire(import.meta.url);
const assetPaths: Readonly<Record<string, [path: () => string, type: string]>> = {
  'uplot.js': [() => requireHere.resolve('uplot/dist/uPlot.iife.min.js'), 'text/javascript; charset=utf-8'],
  'uplot.css': [() => requireHere.resolve('uplot/dist/uPlot.min.css'), 'text/css; charset=utf-8'],
  // Built by tsup beside the library (dist/client); the same relative path from src/ and dist/.
  'dashboard.js': [() => new URL('../dist/client/dashboard.global.js', import.meta.url).pathname, 'text/javascript; charset=utf-8'],
};

/**
 * Starts the dashboard on `host:port` over the given storages.
 *
 * @example
 * ```ts
 * const storage = new MemoryStatsStorage();
 * const ui = await startUi({ port: 9000, storages: [storage] });
 * console.log(`dashboard at ${ui.url}`);
 * await net.fit(train, { epochs: 10, listeners: [new StatsListener(storage)] });
 * await ui.close();
 * ```
 */
export async function startUi(options: UiOptions = {}): Promise<UiServer> {
  const port = options.port ?? 9000;
  const host = options.host ?? '127.0.0.1';
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UiServerError(`startUi: port must be an integer from 0 to 65535, received ${formatValue(port)}`);
  const heartbeatMs = options.heartbeatMs ?? 15_000;
  const storages: StatsStorage[] = [...(options.storages ?? [])];
  const closers = new Set<() => void>();

  const storageOf = (runId: string): StatsStorage => {
    const found = storages.find((s) => s.runs().some((r) => r.runId === runId));
    if (found === undefined) throw new UnknownRunError(runId, allRuns().map((r) => r.runId));
    return found;
  };
  const allRuns = () => {
    const seen = new Set<string>();
    return storages.flatMap((s) => s.runs()).filter((r) => !seen.has(r.runId) && seen.add(r.runId) !== undefined);
  };

  const app = new Hono();
  app.onError((error, c) => {
    if (error instanceof UnknownRunError) return c.json({ error: error.message, known: error.known }, 404);
    if (error instanceof UiServerError) return c.json({ error: error.message }, 400);
    return c.json({ error: (error as Error).message }, 500);
  });
  app.get('/', (c) => c.html(renderDashboardHtml()));
  app.get('/assets/:name', async (c) => {
    const asset = assetPaths[c.req.param('name')];
    if (asset === undefined) return c.json({ error: `no asset ${c.req.param('name')}` }, 404);
    const [path, type] = asset;
    return c.body(await readFile(path()), 200, { 'content-type': type, 'cache-control': 'no-cache' });
  });
  app.get('/api/runs', (c) =>
    c.json(
      allRuns().map((r) => {
        const reports = storageOf(r.runId).reports(r.runId);
        return { runId: r.runId, title: r.title, startedAt: r.startedAt, reports: reports.length, lastIteration: reports.at(-1)?.iteration ?? 0 };
      }),
    ),
  );
  app.get('/api/runs/:id', (c) => c.json(storageOf(c.req.param('id')).run(c.req.param('id'))));
  app.get('/api/runs/:id/reports', (c) => {
    const id = c.req.param('id');
    const after = afterParam(c.req.query('after'));
    return c.json(storageOf(id).reports(id, after === undefined ? {} : { afterIteration: after }));
  });
  // One stream per page: new runs, and the reports of the page's run after `after` (the backlog first).
  app.get('/api/stream', (c) => {
    const runId = c.req.query('run');
    const after = afterParam(c.req.query('after'));
    if (runId !== undefined) storageOf(runId); // an unknown run is a 404 before the stream opens
    return streamSSE(c, async (stream) => {
      const queue: StatsEvent[] = [];
      let wake: (() => void) | undefined;
      let open = true;
      const end = () => {
        open = false;
        wake?.();
      };
      closers.add(end);
      stream.onAbort(end);
      const unsubscribe = storages.map((s) =>
        s.subscribe((event) => {
          if (event.type === 'report' && event.report.runId !== runId) return;
          queue.push(event);
          wake?.();
        }),
      );
      const heartbeat = setInterval(() => void stream.write(': heartbeat\n\n').catch(end), heartbeatMs);
      try {
        if (runId !== undefined) {
          for (const report of storageOf(runId).reports(runId, after === undefined ? {} : { afterIteration: after })) {
            await stream.writeSSE({ event: 'report', data: JSON.stringify(report) });
          }
        }
        while (open) {
          const event = queue.shift();
          if (event === undefined) {
            await new Promise<void>((resolve) => (wake = resolve));
            wake = undefined;
            continue;
          }
          await stream.writeSSE(event.type === 'run' ? { event: 'run', data: JSON.stringify(event.run) } : { event: 'report', data: JSON.stringify(event.report) });
        }
      } finally {
        clearInterval(heartbeat);
        for (const off of unsubscribe) off();
        closers.delete(end);
      }
    });
  });

  const server = createAdaptorServer({ fetch: app.fetch });
  await new Promise<void>((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      const why = error.code === 'EADDRINUSE' ? `port ${port} on ${host} is in use (another dashboard, or another program); pass another port, or port 0 for a free one` : `cannot listen on ${host}:${port}: ${error.message}`;
      reject(new UiServerError(`startUi: ${why}`, { cause: error }));
    };
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve();
    });
  });
  const bound = (server.address() as AddressInfo).port;
  const shownHost = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${shownHost}:${bound}/`,
    port: bound,
    attach: (storage) => void storages.push(storage),
    close: async () => {
      for (const end of [...closers]) end();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        (server as { closeAllConnections?: () => void }).closeAllConnections?.();
      });
    },
  };
}

function afterParam(value: string | undefined): number | undefined {
  if (value === undefined || value === '') return undefined;
  const n = Number(value);
  if (!Number.isInteger(n)) throw new UiServerError(`after must be an iteration number, received ${JSON.stringify(value)}`);
  return n;
}
