import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { timingSafeEqual } from 'node:crypto';
import type { Logger } from '../core/logger.js';
import type { Runtime } from '../runtime/runtime.js';

/** What the listener wakes: the runtime's realtime flows. */
export type Wakeable = Pick<Runtime, 'wake'>;

/** A running webhook listener. */
export interface WebhookListener {
  /** The address it listens on, `host:port`. */
  readonly address: string;
  close(): Promise<void>;
}

/** Parses `--webhook [host:]port`; loopback unless a host is given. */
export function parseListenAddress(text: string): { host: string; port: number } | undefined {
  const match = /^(?:(.+):)?(\d{1,5})$/.exec(text.trim());
  if (match === null) return undefined;
  const port = Number(match[2]);
  if (port > 65_535) return undefined;
  return { host: match[1] ?? '127.0.0.1', port };
}

function answer(response: ServerResponse, status: number, body: Record<string, unknown>): void {
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(`${JSON.stringify(body)}\n`);
}

function hasToken(request: IncomingMessage, token: string | undefined): boolean {
  if (token === undefined) return true;
  const given = Buffer.from(request.headers.authorization ?? '');
  const expected = Buffer.from(`Bearer ${token}`);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/**
 * Listens for `POST /hooks/<flow>` and wakes that realtime flow early — the webhook trigger for
 * sources that can call out when something changes (an HTTP API, an app after its commit). With a
 * token, requests must carry `Authorization: Bearer <token>`.
 */
export function startWebhookListener(
  listen: { host: string; port: number },
  runtime: Wakeable,
  logger: Logger,
  token: string | undefined,
): Promise<WebhookListener> {
  const server = createServer((request, response) => {
    // The body is not needed; drain it so the connection can be reused.
    request.resume();
    const match = /^\/hooks\/([^/?#]+)\/?(?:\?.*)?$/.exec(request.url ?? '');
    if (match === null) {
      answer(response, 404, { error: 'use POST /hooks/<flow>' });
      return;
    }
    if (request.method !== 'POST') {
      answer(response, 405, { error: 'use POST' });
      return;
    }
    if (!hasToken(request, token)) {
      answer(response, 401, { error: 'missing or wrong bearer token' });
      return;
    }
    let flow: string;
    try {
      flow = decodeURIComponent(match[1] ?? '');
    } catch {
      answer(response, 400, { error: 'the flow name in the path is not valid URL encoding' });
      return;
    }
    const outcome = runtime.wake(flow);
    if (outcome === 'unknown') {
      answer(response, 404, { error: `no flow named "${flow}"` });
      return;
    }
    if (outcome === 'not-realtime') {
      answer(response, 409, {
        error: `flow "${flow}" is not running as a realtime flow (cadence: { realtime: true })`,
      });
      return;
    }
    logger.debug('webhook woke the flow', { flow });
    answer(response, 202, { flow, status: 'woken' });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(listen.port, listen.host, () => {
      const bound = server.address();
      const port = typeof bound === 'object' && bound !== null ? bound.port : listen.port;
      resolve({
        address: `${listen.host}:${port}`,
        close: () =>
          new Promise<void>((done) =>
            server.close(() => {
              done();
            }),
          ),
      });
    });
  });
}
