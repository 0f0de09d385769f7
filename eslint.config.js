// @ts-check
import { readdirSync } from 'node:fs';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import importX from 'eslint-plugin-import-x';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';

/**
 * The parts table of /work/shared/DESIGN.md ("Parts … arrows are the only allowed imports
 * between them"): each part of `src/` may import only the parts its row names. Everything else
 * under `src/` is forbidden to it. `cli` wires everything and is unrestricted; tests and bench are
 * not restricted. `runtime/runtime.ts` is the Runtime interface and its event stream; the
 * implementations under `runtime/local` and `runtime/bullmq` are for `cli` only. The StateStore
 * interface lives in core (`core/state-store.ts`), so no part but `cli` needs `state/`.
 */
const mayImport = {
  config: [],
  core: ['config'],
  connectors: ['core', 'config'],
  state: ['core', 'config'],
  cadence: ['core', 'config'],
  runtime: ['core', 'cadence', 'config'],
  operations: ['core', 'cadence', 'config', 'runtime/runtime.ts'],
  api: ['operations', 'core', 'cadence', 'config', 'runtime/runtime.ts'],
};
const parts = [...Object.keys(mayImport), 'cli'];

/**
 * The zones of one part: every other part of `src/` its row does not name, and `src/index.ts`.
 * @param {string} part
 */
function zonesOf(part) {
  const allowed = mayImport[/** @type {keyof typeof mayImport} */ (part)];
  const why = `DESIGN.md: ${part} may import ${allowed.length ? allowed.join(', ') : 'nothing of ours'}.`;
  const forbidden = parts.filter((other) => other !== part && !allowed.includes(other));
  const zones = [
    { target: `./src/${part}`, from: [...forbidden.map((other) => `./src/${other}`), './src/index.ts'], message: why },
  ];
  // The runtime interface file is allowed, its implementations are not.
  if (allowed.includes('runtime/runtime.ts')) {
    zones.push({ target: `./src/${part}`, from: ['./src/runtime'], except: ['./runtime.ts'], message: why });
  }
  return zones;
}

/** Folders under a directory, read when the config loads so a new connector is covered at once. */
function foldersIn(/** @type {string} */ dir) {
  const url = new URL(dir, import.meta.url);
  try {
    return readdirSync(url, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name);
  } catch {
    return [];
  }
}

const zones = [
  ...Object.keys(mayImport).flatMap(zonesOf),
  // One connector folder never imports another: shared pieces belong in core.
  ...foldersIn('./src/connectors/').map((name) => ({
    target: `./src/connectors/${name}`,
    from: ['./src/connectors'],
    except: [`./${name}`],
    message: 'DESIGN.md: a connector imports core and config, never another connector.',
  })),
  // The runtime implementations are interchangeable; neither knows the other.
  {
    target: './src/runtime/local',
    from: ['./src/runtime/bullmq'],
    message: 'DESIGN.md: runtime/local and runtime/bullmq do not import each other.',
  },
  {
    target: './src/runtime/bullmq',
    from: ['./src/runtime/local'],
    message: 'DESIGN.md: runtime/local and runtime/bullmq do not import each other.',
  },
  {
    target: './src/runtime/runtime.ts',
    from: ['./src/runtime/local', './src/runtime/bullmq'],
    message: 'DESIGN.md: the Runtime interface knows no implementation.',
  },
  // The dashboard talks to the api over HTTP only.
  { target: './web', from: ['./src'], message: 'DESIGN.md: web talks to api over HTTP only.' },
];

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'bench/results/**', 'bin/**', 'eslint.config.js', '.prof/**', '.syncline/**'] },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    plugins: { 'import-x': importX },
    settings: {
      // Resolves `./x.js` to `x.ts` the way tsc (NodeNext) does; without it the two rules below
      // cannot see any of our own imports and pass everything.
      'import-x/resolver-next': [
        createTypeScriptImportResolver({ project: `${import.meta.dirname}/tsconfig.json` }),
      ],
    },
    rules: {
      // Guards the guard: if the resolver stops resolving, every relative import fails here.
      'import-x/no-unresolved': 'error',
      'import-x/no-cycle': 'error',
      'import-x/no-restricted-paths': ['error', { zones, basePath: import.meta.dirname }],
      '@typescript-eslint/restrict-template-expressions': [
        'error',
        { allowNumber: true, allowBoolean: true },
      ],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['**/*.test.ts', 'test/**/*.ts', 'bench/**/*.ts'],
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
);
