import Fastify, { type FastifyInstance, type FastifyReply } from 'fastify';
import type { WebhookConfig } from '../config/webhooks-schema.js';
import type { InboxStore } from '../core/inbox.js';
import type { Logger } from '../core/logger.js';
import type { Runtime } from '../runtime/runtime.js';
import { receiveWebhookEvent } from './webhook-inbox.js';
import { hasBearerToken } from './webhook-signature.js';

/** A running webhook server. */
export interface WebhookServer {
  /** The address it listens on, `host:port`. */
  readonly address: string;
  close(): Promise<void>;
}

/** What the webhook routes need. */
export interface WebhookRouteOptions {
  readonly runtime: Pick<Runtime, 'wake'>;
  readonly logger: Logger;
  /** Bearer token the wake-only route (and inboxes without a signature) require; none when undefined. */
  readonly token?: string | undefined;
  /** Where inbox events are stored (the state store); without it, no `webhooks:` inbox is served. */
  readonly inbox?: InboxStore;
  /** The `webhooks:` section in use (read at each request, so a reload reaches it). */
  readonly webhooks?: () => Readonly<Record<string, WebhookConfig>>;
  /** Scheme the server is reached by, for the URI a signature covers. Default `http`. */
  readonly scheme?: 'http' | 'https';
}

/** Parses `--webhook [host:]port`; loopback unless a host is given. */
export function parseListenAddress(text: string): { host: string; port: number } | undefined {
  const match = /^(?:(.+):)?(\d{1,5})$/.exec(text.trim());
  if (match === null) return undefined;
  const port = Number(match[2]);
  if (port > 65_535) return undefined;
  return { host: match[1] ?? '127.0.0.1', port };
}

function answer(reply: FastifyReply, status: number, body: Record<string, unknown>): FastifyReply {
  return reply.code(status).send(body);
}

/** Largest body the wake-only route reads (it ignores the body). */
const WAKE_BODY_LIMIT = 1_048_576;

/** A 413 for a body over `limit` bytes. */
function bodyTooLarge(limit: number): Error & { statusCode: number; code: string } {
  return Object.assign(new Error(`The request body is larger than this inbox accepts (${limit} bytes)`), {
    statusCode: 413,
    code: 'FST_ERR_CTP_BODY_TOO_LARGE',
  });
}

/**
 * The webhook routes, in a scope of their own (raw bodies, one error shape):
 * - `POST /hooks/<inbox>` for each `webhooks:` entry: the signature (or bearer token) is checked,
 *   the body limit enforced (413), the events stored in the inbox, and only then answered 200 and
 *   the entry's flows woken (webhook-inbox.ts);
 * - `POST /hooks/<flow>` for any other name wakes that realtime flow early, with the bearer token
 *   when one is set. The cycle still reads from the checkpoint, so a lost or repeated call costs
 *   latency, never data.
 */
export async function registerWebhookRoutes(
  app: FastifyInstance,
  options: WebhookRouteOptions,
): Promise<void> {
  const hookOf = (name: string): WebhookConfig | undefined =>
    options.inbox === undefined ? undefined : options.webhooks?.()[name];
  await app.register((scope, _opts, registered) => {
    scope.removeAllContentTypeParsers();
    // Raw bytes, read up to the inbox's own limit: a signature covers the body exactly as sent.
    scope.addContentTypeParser('*', (request, payload, done) => {
      const name = (request.params as { name?: string }).name ?? '';
      const limit = hookOf(name)?.maxBody ?? WAKE_BODY_LIMIT;
      if (Number(request.headers['content-length'] ?? 0) > limit) {
        payload.resume();
        done(bodyTooLarge(limit), undefined);
        return;
      }
      const chunks: Buffer[] = [];
      let size = 0;
      let isSettled = false;
      payload.on('data', (chunk: Buffer) => {
        if (isSettled) return;
        size += chunk.length;
        if (size > limit) {
          isSettled = true;
          done(bodyTooLarge(limit), undefined);
          return;
        }
        chunks.push(chunk);
      });
      payload.on('end', () => {
        if (!isSettled) done(null, Buffer.concat(chunks));
      });
      payload.on('error', (error) => {
        if (isSettled) return;
        isSettled = true;
        done(error, undefined);
      });
    });
    scope.setErrorHandler((error: Error & { statusCode?: number }, _request, reply) => {
      const status =
        error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500
          ? error.statusCode
          : 500;
      if (status === 500) options.logger.error('webhook request failed', { error: error.message });
      return answer(reply, status, {
        error: status === 500 ? 'the event could not be stored; retry' : error.message,
      });
    });
    scope.route<{ Params: { name: string } }>({
      method: ['POST', 'GET', 'PUT', 'DELETE', 'PATCH'],
      url: '/hooks/:name',
      handler: async (request, reply) => {
        if (request.method !== 'POST') return answer(reply, 405, { error: 'use POST' });
        const { name } = request.params;
        const hook = hookOf(name);
        if (hook !== undefined && options.inbox !== undefined) {
          const received = await receiveWebhookEvent(
            { ...options, inbox: options.inbox },
            name,
            hook,
            request,
          );
          return answer(reply, received.status, received.body);
        }
        if (!hasBearerToken(request, options.token))
          return answer(reply, 401, { error: 'missing or wrong bearer token' });
        const outcome = options.runtime.wake(name);
        if (outcome === 'unknown')
          return answer(reply, 404, { error: `no flow or webhook inbox named "${name}"` });
        if (outcome === 'not-realtime')
          return answer(reply, 409, {
            error: `flow "${name}" is not running as a realtime flow (cadence: { realtime: true })`,
          });
        options.logger.debug('webhook woke the flow', { flow: name });
        return answer(reply, 202, { flow: name, status: 'woken' });
      },
    });
    registered();
  });
}

/** Starts a server with the webhook routes only (`syncline run --webhook`). */
export async function startWebhookServer(
  listen: { host: string; port: number },
  options: WebhookRouteOptions,
): Promise<WebhookServer> {
  const app = Fastify({ logger: false });
  await registerWebhookRoutes(app, options);
  app.setNotFoundHandler((_request, reply) =>
    answer(reply, 404, { error: 'use POST /hooks/<inbox or flow>' }),
  );
  await app.listen({ host: listen.host, port: listen.port });
  const bound = app.server.address();
  const port = typeof bound === 'object' && bound !== null ? bound.port : listen.port;
  return {
    address: `${listen.host}:${port}`,
    close: () => app.close(),
  };
}
