import { hostname } from 'node:os';
import { z } from 'zod';
import { positiveDurationMs } from '../../config/duration-schema.js';
import { secretString } from '../../config/secret.js';
import { secretUrl } from '../../config/url-password.js';
import { describeJsonPathProblem } from '../../core/json-path.js';

const jsonPath = z.string().superRefine((path, context) => {
  const problem = describeJsonPathProblem(path);
  if (problem !== undefined) context.addIssue({ code: 'custom', message: problem });
});

/** An MQTT topic filter: levels separated by `/`, `+` a whole level, `#` the last level. */
const topicFilter = z
  .string()
  .min(1)
  .refine(
    (filter) =>
      filter
        .split('/')
        .every((level, index, levels) =>
          level.includes('+') || level.includes('#')
            ? level === '+' || (level === '#' && index === levels.length - 1)
            : true,
        ),
    { message: 'not an MQTT topic filter: "+" must be a whole level, "#" only the whole last level' },
  );

/** Schema of a `connections:` entry of `type: mqtt`; unknown keys are errors. */
export const mqttConfigSchema = z.strictObject({
  /** Selects this connector. */
  type: z.literal('mqtt'),
  /** Broker URL, `mqtt://host:1883` or `mqtts://…`; a Secret (it may carry credentials). */
  url: secretUrl({
    protocols: ['mqtt:', 'mqtts:', 'ws:', 'wss:'],
    message: 'must be a broker URL such as mqtt://127.0.0.1:1883 (mqtt:, mqtts:, ws: or wss:)',
  }),
  /** Topic filters subscribed with QoS 1 (`stock/+/count`). */
  topics: z.array(topicFilter).nonempty(),
  /**
   * The client id of the persistent session: messages published while Syncline is down are
   * kept by the broker for it. Must be stable, and unique per Syncline installation. Default
   * `syncline-<host name>-<connection name>`.
   */
  clientId: z.string().min(1).max(128).optional(),
  username: z.string().min(1).optional(),
  password: secretString.optional(),
  /** Column → JSON path into a message's payload, for columns whose path is not their own name. */
  fields: z.record(z.string(), jsonPath).default({}),
  /** JSON path of a message id in the payload: a redelivered message with a known id is stored once. */
  eventKey: jsonPath.optional(),
  /** How long consumed messages are kept in the inbox. Default 7d. */
  retain: positiveDurationMs.default(604_800_000),
});

/** A validated `connections:` entry of `type: mqtt`. */
export type MqttConfig = z.output<typeof mqttConfigSchema>;

/** The session's client id: the configured one, else one stable for this host and connection. */
export function mqttClientId(config: MqttConfig, connection: string): string {
  return config.clientId ?? `syncline-${hostname()}-${connection}`;
}
