import type { FastifyRequest } from 'fastify';
import type { WebhookConfig } from '../config/webhooks-schema.js';
import type { InboxStore } from '../core/inbox.js';
import type { Logger } from '../core/logger.js';
import type { Runtime } from '../runtime/runtime.js';
import { bodyAsJson, keptHeaders, webhookEvents } from './webhook-events.js';
import { checkSignature, hasBearerToken } from './webhook-signature.js';

/** What an inbox request needs from the server. */
export interface WebhookInboxContext {
  readonly inbox: InboxStore;
  readonly runtime: Pick<Runtime, 'wake'>;
  readonly logger: Logger;
  readonly token?: string | undefined;
  readonly scheme?: 'http' | 'https';
}

/** The answer to send. */
export interface WebhookAnswer {
  readonly status: number;
  readonly body: Record<string, unknown>;
}

/** Prunes an inbox at most this often, after an append. */
const PRUNE_EVERY_MS = 60_000;
const lastPruned = new Map<string, number>();

/** The URI the sender called: `publicUrl` (behind a proxy) or the scheme and Host it reached, then the path. */
function requestUri(request: FastifyRequest, hook: WebhookConfig, scheme: 'http' | 'https'): string {
  const base = hook.publicUrl?.replace(/\/+$/, '') ?? `${scheme}://${request.headers.host ?? ''}`;
  return `${base}${request.url}`;
}

/**
 * One request to a `webhooks:` inbox: authenticated (signature with timestamp tolerance, else the
 * bearer token), its events stored — committed — before the 200 is sent, then the inbox's flows
 * woken. A refused request (401, 400) stores nothing; a store failure is a 500, so the sender
 * retries. A redelivered event (same event id, or a replayed signature) is counted, not stored again.
 */
export async function receiveWebhookEvent(
  context: WebhookInboxContext,
  name: string,
  hook: WebhookConfig,
  request: FastifyRequest,
): Promise<WebhookAnswer> {
  const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
  const now = Date.now();
  let signature: string | undefined;
  if (hook.signature !== undefined) {
    const check = checkSignature(
      hook.signature,
      {
        method: request.method,
        uri: requestUri(request, hook, context.scheme ?? 'http'),
        body,
        headers: request.headers,
      },
      now,
    );
    if (!check.ok) {
      context.logger.warn(`webhook inbox ${name} refused a request: ${check.reason}`);
      return { status: 401, body: { error: check.reason } };
    }
    signature = check.signature;
  } else if (!hasBearerToken(request, context.token)) {
    return { status: 401, body: { error: 'missing or wrong bearer token' } };
  }
  const payload = bodyAsJson(body, request.headers['content-type']);
  if (payload === undefined) return { status: 400, body: { error: 'the body is not valid JSON' } };
  const events = webhookEvents(name, hook, payload, {
    headers: keptHeaders(request.headers),
    receivedAt: new Date(now).toISOString(),
    ...(signature === undefined ? {} : { signature }),
  });
  const results = events.length === 0 ? [] : await context.inbox.appendInboxEvents(events);
  const stored = results.filter((result) => !result.isDuplicate).length;
  if (stored > 0) {
    for (const flow of hook.wakes) {
      const outcome = context.runtime.wake(flow);
      if (outcome !== 'woken')
        context.logger.debug(
          `webhook inbox ${name}: flow ${flow} was not woken (${outcome}); it reads the inbox on its cadence`,
        );
    }
  }
  prune(context, name, hook, now);
  return { status: 200, body: { inbox: name, stored, duplicates: results.length - stored } };
}

/** Deletes the inbox's consumed events past their retention, at most once a minute, in the background. */
function prune(context: WebhookInboxContext, name: string, hook: WebhookConfig, now: number): void {
  if (now - (lastPruned.get(name) ?? 0) < PRUNE_EVERY_MS) return;
  lastPruned.set(name, now);
  context.inbox.pruneInboxEvents(name, new Date(now - hook.retain).toISOString()).then(
    (count) => {
      if (count > 0) context.logger.debug(`webhook inbox ${name}: pruned ${count} consumed event(s)`);
    },
    (error: unknown) => {
      context.logger.warn(
        `webhook inbox ${name}: could not prune (${error instanceof Error ? error.message : String(error)})`,
      );
    },
  );
}
