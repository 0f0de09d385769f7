import { z } from 'zod';
import { describeJsonPathProblem } from '../../core/json-path.js';

/** A JSON path into an event's payload (`objectId`, `properties.amount`, `lines[0].sku`). */
export const jsonPath = z.string().superRefine((path, context) => {
  const problem = describeJsonPathProblem(path);
  if (problem !== undefined) context.addIssue({ code: 'custom', message: problem });
});

/** Schema of a `connections:` entry of `type: webhook`: the `webhooks:` inboxes read as a flow source. */
export const webhookConfigSchema = z.strictObject({
  /** Selects this connector. */
  type: z.literal('webhook'),
  /**
   * Source column → JSON path into an event's payload, for columns whose path is not their own
   * name (`amount: properties.amount`). Other columns are read at the path of their name.
   */
  fields: z.record(z.string(), jsonPath).default({}),
});

/** A validated `connections:` entry of `type: webhook`. */
export type WebhookConnectionConfig = z.output<typeof webhookConfigSchema>;
