import { timingSafeEqual } from 'node:crypto';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Logger } from '../core/logger.js';
import type { Runtime } from '../runtime/runtime.js';

/** A running webhook server. */
export interface WebhookServer {
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

function hasToken(request: FastifyRequest, token: string | undefined): boolean {
  if (token === undefined) return true;
  const given = Buffer.from(request.headers.authorization ?? '');
  const expected = Buffer.from(`Bearer ${token}`);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

function answer(reply: FastifyReply, status: number, body: Record<string, string>): FastifyReply {
  return reply.code(status).send(body);
}

/**
 * `POST /hooks/<flow>` wakes that realtime flow early — the webhook trigger for sources that can
 * call out when something changes (an HTTP API, an app after its commit). The cycle still reads
 * from the checkpoint, so a lost or repeated call costs latency, never data. With a token,
 * requests must carry `Authorization: Bearer <token>`.
 */
export function registerWebhookRoutes(
  app: FastifyInstance,
  runtime: Pick<Runtime, 'wake'>,
  logger: Logger,
  token: string | undefined,
): void {
  // The body is not needed: any content type is accepted and ignored.
  app.addContentTypeParser('*', (_request, payload, done) => {
    payload.resume();
    payload.on('end', () => {
      done(null, undefined);
    });
  });
  app.route<{ Params: { flow: string } }>({
    method: ['POST', 'GET', 'PUT', 'DELETE', 'PATCH'],
    url: '/hooks/:flow',
    handler: (request, reply) => {
      if (request.method !== 'POST') return answer(reply, 405, { error: 'use POST' });
      if (!hasToken(request, token)) return answer(reply, 401, { error: 'missing or wrong bearer token' });
      const { flow } = request.params;
      const outcome = runtime.wake(flow);
      if (outcome === 'unknown') return answer(reply, 404, { error: `no flow named "${flow}"` });
      if (outcome === 'not-realtime')
        return answer(reply, 409, {
          error: `flow "${flow}" is not running as a realtime flow (cadence: { realtime: true })`,
        });
      logger.debug('webhook woke the flow', { flow });
      return answer(reply, 202, { flow, status: 'woken' });
    },
  });
}

/** Starts a server with the webhook routes only (`syncline run --webhook`). */
export async function startWebhookServer(
  listen: { host: string; port: number },
  runtime: Pick<Runtime, 'wake'>,
  logger: Logger,
  token: string | undefined,
): Promise<WebhookServer> {
  const app = Fastify({ logger: false });
  registerWebhookRoutes(app, runtime, logger, token);
  app.setNotFoundHandler((_request, reply) => answer(reply, 404, { error: 'use POST /hooks/<flow>' }));
  await app.listen({ host: listen.host, port: listen.port });
  const bound = app.server.address();
  const port = typeof bound === 'object' && bound !== null ? bound.port : listen.port;
  return {
    address: `${listen.host}:${port}`,
    close: () => app.close(),
  };
}
