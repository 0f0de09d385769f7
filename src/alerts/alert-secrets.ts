import type { AlertsConfig } from '../config/alerts-schema.js';
import { Secret, secretValues } from '../config/secret.js';

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

function urlParts(text: string): string[] {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return [];
  }
  const parts = [...url.searchParams.values(), url.password, safeDecode(url.password)];
  // Tokens sit in the path too (Slack /services/T…/B…/<token>, Feishu /hook/<id>): the whole path
  // and its last segment are masked; single words of it ("services", "hook") are not.
  parts.push(url.pathname, url.pathname.split('/').at(-1) ?? '');
  return parts.filter((part) => part.length >= 6);
}

/**
 * Every secret value of the `alerts:` section: each Secret (channel URLs, signing secrets, webhook
 * headers, SMTP URLs) and the parts of a secret URL a token hides in (query values, password,
 * the path and its last segment). Notices, delivery records and log lines are masked with these.
 */
export function alertSecretValues(config: AlertsConfig): string[] {
  const found = secretValues(config);
  const visit = (value: unknown): void => {
    if (value instanceof Secret) found.push(...urlParts(value.reveal()));
    else if (value !== null && typeof value === 'object')
      for (const child of Object.values(value)) visit(child);
  };
  visit(config.channels);
  return [...new Set(found)].sort((a, b) => b.length - a.length);
}
