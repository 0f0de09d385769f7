/**
 * The API token of this browser tab: kept in sessionStorage only (gone when the tab closes), sent
 * in the Authorization header, never written to a URL, localStorage or the console.
 */
const TOKEN_KEY = 'syncline.token';

export function readToken(): string | undefined {
  return sessionStorage.getItem(TOKEN_KEY) ?? undefined;
}

export function keepToken(token: string): void {
  sessionStorage.setItem(TOKEN_KEY, token);
}

export function forgetToken(): void {
  sessionStorage.removeItem(TOKEN_KEY);
}
