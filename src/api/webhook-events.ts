import type { WebhookConfig } from '../config/webhooks-schema.js';
import type { InboxEventInput } from '../core/inbox.js';
import { valueAtPath } from '../core/json-path.js';
import type { JsonValue } from '../core/values.js';

/** Headers never kept with an event: credentials and signatures. */
const SECRET_HEADER = /authorization|cookie|signature|token|secret|api-?key|password/i;

/** The request headers kept with an event: plain ones only, never credentials or signatures. */
export function keptHeaders(
  headers: Readonly<Record<string, string | string[] | undefined>>,
): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || SECRET_HEADER.test(name)) continue;
    kept[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return kept;
}

/** A request body as JSON, or undefined when it declares JSON but is not; other bodies are kept as text. */
export function bodyAsJson(body: Buffer, contentType: string | undefined): JsonValue | undefined {
  const text = body.toString('utf8');
  const isJson = contentType === undefined || /[/+]json\b/i.test(contentType);
  if (!isJson) return text;
  try {
    return JSON.parse(text) as JsonValue;
  } catch {
    return contentType === undefined ? text : undefined;
  }
}

/**
 * The events of one accepted request: each element of a JSON array body when the inbox splits,
 * else the body. Each gets its de-duplication key: the sender's event id at `eventKey` when the
 * inbox names one and the event has it, else the request's signature (and the element's position),
 * so a replayed request inside the tolerance stores nothing new; none without either.
 */
export function webhookEvents(
  inbox: string,
  hook: Pick<WebhookConfig, 'split' | 'eventKey'>,
  payload: JsonValue,
  request: {
    readonly signature?: string;
    readonly headers: Readonly<Record<string, string>>;
    readonly receivedAt: string;
  },
): InboxEventInput[] {
  const isSplit = hook.split && Array.isArray(payload);
  const items: JsonValue[] = isSplit ? payload : [payload];
  return items.map((item, index) => {
    const id = hook.eventKey === undefined ? undefined : valueAtPath(item, hook.eventKey);
    const eventKey =
      typeof id === 'string' || typeof id === 'number'
        ? `id:${id}`
        : request.signature === undefined
          ? undefined
          : `sig:${request.signature}${isSplit ? `#${index}` : ''}`;
    return {
      inbox,
      receivedAt: request.receivedAt,
      payload: item,
      headers: request.headers,
      ...(eventKey === undefined ? {} : { eventKey }),
    };
  });
}
