import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

/**
 * import-x/no-cycle skips type-only imports, so two modules whose types name each other pass the
 * lint. They still tie the modules together (neither can move or be read alone), so this test
 * forbids every cycle in `src/`, type-only imports included.
 */
const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

function compilerOptions(): ts.CompilerOptions {
  const configPath = join(repoRoot, 'tsconfig.json');
  const { config } = ts.readConfigFile(configPath, (path) => ts.sys.readFile(path)) as { config: unknown };
  return ts.parseJsonConfigFileContent(config, ts.sys, dirname(configPath)).options;
}

/** Files of a folder, recursively, that TypeScript compiles. */
function typeScriptFiles(folder: string): string[] {
  return ts.sys.readDirectory(folder, ['.ts']).filter((file) => !file.endsWith('.d.ts'));
}

/** The groups of files that import each other (strongly connected, more than one file each). */
function importCycles(files: readonly string[], options: ts.CompilerOptions): string[][] {
  const known = new Set(files);
  const edges = new Map<string, string[]>();
  for (const file of files) {
    const { importedFiles } = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
    const targets = importedFiles
      .map(({ fileName }) => ts.resolveModuleName(fileName, file, options, ts.sys).resolvedModule)
      .map((resolved) => resolved?.resolvedFileName)
      .filter((target): target is string => target !== undefined && known.has(target));
    edges.set(file, targets);
  }
  // Tarjan's strongly connected components.
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  const visit = (file: string): void => {
    index.set(file, index.size);
    low.set(file, index.get(file)!);
    stack.push(file);
    onStack.add(file);
    for (const target of edges.get(file) ?? []) {
      if (!index.has(target)) {
        visit(target);
        low.set(file, Math.min(low.get(file)!, low.get(target)!));
      } else if (onStack.has(target)) {
        low.set(file, Math.min(low.get(file)!, index.get(target)!));
      }
    }
    if (low.get(file) !== index.get(file)) return;
    const component: string[] = [];
    let member: string | undefined;
    do {
      member = stack.pop()!;
      onStack.delete(member);
      component.push(member);
    } while (member !== file);
    if (component.length > 1) cycles.push(component.sort());
  };
  for (const file of files) if (!index.has(file)) visit(file);
  return cycles;
}

describe('import cycles, type-only imports included', () => {
  const options = compilerOptions();

  it('finds none in src', () => {
    const cycles = importCycles(typeScriptFiles(join(repoRoot, 'src')), options);
    expect(cycles.map((cycle) => cycle.map((file) => relative(repoRoot, file)))).toEqual([]);
  });

  it('finds a planted cycle of type-only imports', () => {
    const folder = mkdtempSync(join(tmpdir(), 'syncline-cycle-'));
    try {
      writeFileSync(join(folder, 'a.ts'), `import type { B } from './b.js';\nexport interface A { b?: B }\n`);
      writeFileSync(join(folder, 'b.ts'), `import type { A } from './a.js';\nexport interface B { a?: A }\n`);
      writeFileSync(join(folder, 'c.ts'), `import type { A } from './a.js';\nexport type C = A;\n`);
      const cycles = importCycles(typeScriptFiles(folder), options);
      expect(cycles.map((cycle) => cycle.map((file) => relative(folder, file)))).toEqual([['a.ts', 'b.ts']]);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });
});
