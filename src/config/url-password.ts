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
