import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ESLint, type Linter } from 'eslint';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * Proves that the layering rules of eslint.config.js bite (STYLE.md: a rule that enforces nothing
 * is worse than none): planted imports that break DESIGN.md's parts table, and a planted cycle,
 * must fail the lint; the real source must not.
 *
 * Only the import-x rules run, and without type information, so a planted file need not belong to
 * the TypeScript project: the zones, the resolver and the cycle check are the real configuration's,
 * none of them needs types, and the test stays fast.
 */
const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

const eslint = new ESLint({
  cwd: repoRoot,
  ruleFilter: ({ ruleId }) => ruleId.startsWith('import-x/'),
  overrideConfig: { languageOptions: { parserOptions: { projectService: false, project: null } } },
});

/** Lints `code` as if it were the file at `path` (relative to the repository root). */
async function lintAs(path: string, code: string): Promise<Linter.LintMessage[]> {
  const [result] = await eslint.lintText(code, { filePath: join(repoRoot, path) });
  return result?.messages ?? [];
}

function rulesOf(messages: readonly Linter.LintMessage[]): (string | null)[] {
  return messages.map((message) => message.ruleId);
}

function source(path: string): string {
  return readFileSync(join(repoRoot, path), 'utf8');
}

describe('layering rules (DESIGN.md parts table)', () => {
  it('passes the real core/flow.ts, so the rules are not simply failing everything', async () => {
    expect(await lintAs('src/core/flow.ts', source('src/core/flow.ts'))).toEqual([]);
  });

  it('refuses core importing the runtime interface', async () => {
    const code = `import type { Runtime } from '../runtime/runtime.js';\n${source('src/core/flow.ts')}\nexport type Planted = Runtime;\n`;
    const messages = await lintAs('src/core/flow.ts', code);
    expect(rulesOf(messages)).toEqual(['import-x/no-restricted-paths']);
    expect(messages[0]?.message).toContain('../runtime/runtime.js');
    expect(messages[0]?.line).toBe(1);
  });

  it('refuses config importing core', async () => {
    const code = `import { SyncError } from '../core/errors.js';\nexport const planted = SyncError;\n`;
    expect(rulesOf(await lintAs('src/config/planted.ts', code))).toEqual(['import-x/no-restricted-paths']);
  });

  it('refuses a connector importing a state store', async () => {
    const code = `import { SqliteStateStore } from '../../state/sqlite/sqlite-state-store.js';\nexport const planted = SqliteStateStore;\n`;
    expect(rulesOf(await lintAs('src/connectors/sqlite/planted.ts', code))).toEqual([
      'import-x/no-restricted-paths',
    ]);
  });

  it('refuses a connector importing another connector, and lets it import core and config', async () => {
    const other = `import { quoteIdentifier } from '../postgres/postgres-sql.js';\nexport const planted = quoteIdentifier;\n`;
    expect(rulesOf(await lintAs('src/connectors/mysql/planted.ts', other))).toEqual([
      'import-x/no-restricted-paths',
    ]);
    const allowed = `import { SyncError } from '../../core/errors.js';\nimport { parseDurationMs } from '../../config/duration.js';\nexport const planted = [SyncError, parseDurationMs];\n`;
    expect(await lintAs('src/connectors/mysql/planted.ts', allowed)).toEqual([]);
  });

  it('refuses operations importing the local runtime, and lets it import the runtime interface', async () => {
    const local = `import { LocalRuntime } from '../runtime/local/local-runtime.js';\nexport const planted = LocalRuntime;\n`;
    expect(rulesOf(await lintAs('src/operations/planted.ts', local))).toEqual([
      'import-x/no-restricted-paths',
    ]);
    const contract = `import type { Runtime } from '../runtime/runtime.js';\nimport type { Flow } from '../core/flow.js';\nexport type Planted = [Runtime, Flow];\n`;
    expect(await lintAs('src/operations/planted.ts', contract)).toEqual([]);
  });

  it('refuses a CLI command importing a state store or the local runtime, and lets it import operations', async () => {
    for (const code of [
      `import { SqliteStateStore } from '../../state/sqlite/sqlite-state-store.js';\nexport const planted = SqliteStateStore;\n`,
      `import { LocalRuntime } from '../../runtime/local/local-runtime.js';\nexport const planted = LocalRuntime;\n`,
    ])
      expect(rulesOf(await lintAs('src/cli/commands/planted.ts', code))).toEqual([
        'import-x/no-restricted-paths',
      ]);
    const allowed = `import { flowStatuses } from '../../operations/flow-status.js';\nexport const planted = flowStatuses;\n`;
    expect(await lintAs('src/cli/commands/planted.ts', allowed)).toEqual([]);
  });

  it('refuses the api importing a state store', async () => {
    const code = `import { SqliteStateStore } from '../state/sqlite/sqlite-state-store.js';\nexport const planted = SqliteStateStore;\n`;
    expect(rulesOf(await lintAs('src/api/planted.ts', code))).toEqual(['import-x/no-restricted-paths']);
  });

  it('refuses alerts importing the api or the local runtime, and lets it import operations and the runtime interface', async () => {
    for (const code of [
      `import { sendError } from '../api/api-error.js';\nexport const planted = sendError;\n`,
      `import { LocalRuntime } from '../runtime/local/local-runtime.js';\nexport const planted = LocalRuntime;\n`,
    ])
      expect(rulesOf(await lintAs('src/alerts/planted.ts', code))).toEqual(['import-x/no-restricted-paths']);
    const allowed = `import { flowStatuses } from '../operations/flow-status.js';\nimport type { Runtime } from '../runtime/runtime.js';\nexport const planted = flowStatuses;\nexport type Planted = Runtime;\n`;
    expect(await lintAs('src/alerts/planted.ts', allowed)).toEqual([]);
  });

  it('refuses operations importing alerts', async () => {
    const code = `import { createAlerts } from '../alerts/alerts.js';\nexport const planted = createAlerts;\n`;
    expect(rulesOf(await lintAs('src/operations/planted.ts', code))).toEqual([
      'import-x/no-restricted-paths',
    ]);
  });

  it('refuses the dashboard importing anything of src', async () => {
    const code = `import type { Flow } from '../src/core/flow.js';\nexport type Planted = Flow;\n`;
    expect(rulesOf(await lintAs('web/planted.ts', code))).toEqual(['import-x/no-restricted-paths']);
  });

  it('refuses an import the resolver cannot find, so a broken resolver cannot pass silently', async () => {
    const code = `import { nothing } from './no-such-module.js';\nexport const planted = nothing;\n`;
    expect(rulesOf(await lintAs('src/core/planted.ts', code))).toEqual(['import-x/no-unresolved']);
  });

  describe('with two planted modules that import each other', () => {
    let plantedDir = '';
    beforeAll(() => {
      // Real files: the cycle check follows imports on disk. The folder is git-ignored and removed.
      plantedDir = mkdtempSync(join(repoRoot, 'src/core/__planted-'));
      writeFileSync(
        join(plantedDir, 'a.ts'),
        `import { b } from './b.js';\nexport const a = (): string => b();\n`,
      );
      writeFileSync(
        join(plantedDir, 'b.ts'),
        `import { a } from './a.js';\nexport const b = (): string => a();\n`,
      );
    });
    afterAll(() => {
      if (plantedDir !== '') rmSync(plantedDir, { recursive: true, force: true });
    });

    it('refuses the cycle', async () => {
      const results = await eslint.lintFiles([join(plantedDir, 'a.ts'), join(plantedDir, 'b.ts')]);
      for (const result of results) {
        expect(rulesOf(result.messages), relative(repoRoot, result.filePath)).toEqual(['import-x/no-cycle']);
      }
      expect(results).toHaveLength(2);
    });
  });
});
