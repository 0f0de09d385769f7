import { parseDocument } from 'yaml';
import { liftEnvReferences } from './env-references.js';
import { redactUrl } from './secret.js';

/** What a masked secret shows as. */
export const MASK = '••••';

function maskText(text: string, secrets: readonly string[]): string {
  if (text.startsWith('enc:')) return MASK;
  let out = text;
  for (const secret of secrets) if (secret.length >= 3) out = out.split(secret).join(MASK);
  return redactUrl(out).replace(/:\*\*\*@/g, `:${MASK}@`);
}

function mask(value: unknown, secrets: readonly string[]): unknown {
  if (typeof value === 'string') return maskText(value, secrets);
  if (Array.isArray(value)) return value.map((item) => mask(item, secrets));
  if (value !== null && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, mask(item, secrets)]));
  return value;
}

/**
 * The config file as its author wrote it — `${ENV}` references unresolved — with every secret
 * masked as `••••`: encrypted `enc:` values, the password of any URL, and every value the parsed
 * config holds as a Secret wherever it appears. What `GET /api/v1/config` returns.
 */
export function maskedConfig(text: string, secrets: readonly string[]): unknown {
  const lifted = liftEnvReferences(text);
  const document = parseDocument(lifted.text, { uniqueKeys: false });
  const written = (value: string): string =>
    value.replace(/__syncline_env_(\d+)__/g, (whole, index: string) => {
      const reference = lifted.references[Number(index)];
      if (reference === undefined) return whole;
      return `\${${reference.name}${reference.fallback === undefined ? '' : `:-${reference.fallback}`}}`;
    });
  return mask(restore(document.toJS(), written), secrets);
}

/** The tree with each lifted `${…}` token written back as the author wrote it. */
function restore(value: unknown, written: (text: string) => string): unknown {
  if (typeof value === 'string') return written(value);
  if (Array.isArray(value)) return value.map((item) => restore(item, written));
  if (value !== null && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, restore(item, written)]));
  return value;
}
