import { describe, expect, it } from 'vitest';
import { redactForOutput, rememberSecrets } from './output-redaction.js';

describe('what the CLI prints on stderr', () => {
  it("hides the opened config's secrets anywhere in a message, and URL passwords", () => {
    rememberSecrets(['Zq8-decrypted-api-key']);
    const printed = redactForOutput(
      'CONNECTOR_AUTH_FAILED: header Zq8-decrypted-api-key refused; postgres://app:pw123@db:5432/crm',
    );
    expect(printed).not.toContain('Zq8-decrypted-api-key');
    expect(printed).not.toContain('pw123');
    expect(printed).toContain('CONNECTOR_AUTH_FAILED');
  });
});
