import { secretString } from './secret.js';

/** What a connection URL with an unencoded `@` or `#` in its password is told (the password is never shown). */
export const UNENCODED_PASSWORD_MESSAGE =
  'the password seems to contain @ or # unencoded; percent-encode it (%40, %23)';

/**
 * Whether a URL's password seems to hold an unencoded `@` or `#`: a `#` starts a fragment, so an
 * `@` after it means the rest of the password (and the host) fell into the fragment
 * (`mysql://u:p#ss@db/erp`); two `@` before the path mean the host is parsed from the middle of
 * the password (`mysql://u:p@ss@db/erp`, `getaddrinfo ENOTFOUND ss@db` in some drivers).
 */
export function hasUnencodedPasswordChars(url: string): boolean {
  const match = /^[a-z][a-z0-9+.-]*:\/\/(.*)$/is.exec(url);
  const rest = match?.[1];
  if (rest === undefined) return false;
  const hash = rest.indexOf('#');
  if (hash >= 0 && rest.slice(hash).includes('@')) return true;
  const authority = rest.split(/[/?#]/, 1)[0] ?? '';
  return (authority.match(/@/g)?.length ?? 0) > 1;
}

/** Whether a text parses as a URL of one of these protocols (`mysql:`, `https:`…). */
function hasProtocol(url: string, protocols: readonly string[]): boolean {
  try {
    return protocols.includes(new URL(url).protocol);
  } catch {
    return false;
  }
}

/**
 * A secret-bearing URL in a config (a connection URL with a password, a webhook with a token in
 * its query), compiled to a Secret: refused with `message` unless it has one of `protocols`, and — for connection URLs (`checksPassword`) — when its password holds an
 * unencoded `@` or `#`, without printing it.
 */
export function secretUrl(options: {
  readonly protocols: readonly string[];
  /** Why another text is refused, e.g. `must be a URL like mysql://user:password@host:3306/db`. */
  readonly message: string;
  readonly checksPassword?: boolean;
}) {
  return secretString.superRefine((secret, context) => {
    const url = secret.reveal();
    if (options.checksPassword === true && hasUnencodedPasswordChars(url))
      context.addIssue({ code: 'custom', message: UNENCODED_PASSWORD_MESSAGE });
    else if (!hasProtocol(url, options.protocols))
      context.addIssue({ code: 'custom', message: options.message });
  });
}
