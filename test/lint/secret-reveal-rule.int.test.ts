import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ESLint, type Linter } from 'eslint';
import { describe, expect, it } from 'vitest';

/**
 * Proves that the `reveal()` rule of eslint.config.js bites (STYLE.md: a rule that enforces nothing
 * is worse than none): a planted `reveal()` outside src/connectors/, src/alerts/ and src/config/ fails the lint,
 * the same call inside them, or in src/alerts/ (a channel hands
 * secrets to HTTP as a connector does), does not. Only `no-restricted-syntax` runs, without type information.
 */
const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

const eslint = new ESLint({
  cwd: repoRoot,
  ruleFilter: ({ ruleId }) => ruleId === 'no-restricted-syntax',
  overrideConfig: { languageOptions: { parserOptions: { projectService: false, project: null } } },
});

const PLANTED = `import { Secret } from '../config/secret.js';\nexport const planted = new Secret('x').reveal();\n`;

async function lintAs(path: string, code: string): Promise<Linter.LintMessage[]> {
  const [result] = await eslint.lintText(code, { filePath: join(repoRoot, path) });
  return result?.messages ?? [];
}

describe('Secret.reveal() rule', () => {
  it('refuses reveal() in the CLI, core and the runtime', async () => {
    for (const path of ['src/cli/planted.ts', 'src/core/planted.ts', 'src/runtime/local/planted.ts']) {
      const messages = await lintAs(path, PLANTED);
      expect(messages.map((message) => message.ruleId)).toEqual(['no-restricted-syntax']);
      expect(messages[0]?.message).toMatch(/^Secret\.reveal\(\) belongs in src\/connectors\//);
    }
  });

  it('refuses reveal() in operations and the API, beside the alerts part that may', async () => {
    for (const path of ['src/operations/planted.ts', 'src/api/planted.ts']) {
      const messages = await lintAs(path, PLANTED);
      expect(messages.map((message) => message.ruleId)).toEqual(['no-restricted-syntax']);
    }
  });

  it('allows reveal() in a connector, in an alert channel and in config/', async () => {
    expect(await lintAs('src/connectors/rest/planted.ts', PLANTED)).toEqual([]);
    expect(await lintAs('src/alerts/planted.ts', PLANTED)).toEqual([]);
    expect(await lintAs('src/config/planted.ts', PLANTED)).toEqual([]);
  });
});
