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
 * implementations under `runtime/local` and `runtime/bullmq` are for `cli` only. DESIGN's rows
 * for runtime and operations name "state" and "state interface": that is the StateStore interface,
 * which lives in core (`core/state-store.ts`); the stores under `state/` are for `cli` only.
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
  alerts: ['operations', 'core', 'cadence', 'config', 'runtime/runtime.ts'],
};
const parts = [...Object.keys(mayImport), 'cli'];

/**
 * The zones of one part: every other part of `src/` its row does not name, and `src/index.ts`. A
 * row may name a single file of another part (`runtime/runtime.ts`): the rest of that part stays
 * forbidden.
 * @param {keyof typeof mayImport} part
 */
function zonesOf(part) {
  /** @type {readonly string[]} */
  const allowed = mayImport[part];
  const target = `./src/${part}`;
  const message = `DESIGN.md: ${part} may import ${allowed.length > 0 ? allowed.join(', ') : 'nothing of ours'}.`;
  const allowedFiles = allowed.filter((entry) => entry.includes('/'));
  const forbidden = parts.filter(
    (other) =>
      other !== part &&
      !allowed.includes(other) &&
      !allowedFiles.some((file) => file.startsWith(`${other}/`)),
  );
  return [
    { target, from: [...forbidden.map((other) => `./src/${other}`), './src/index.ts'], message },
    ...allowedFiles.map((file) => {
      const [folder, ...rest] = file.split('/');
      return { target, from: [`./src/${folder}`], except: [`./${rest.join('/')}`], message };
    }),
  ];
}

/** Folders under a directory, read when the config loads so a new connector is covered at once. */
function foldersIn(/** @type {string} */ dir) {
  return readdirSync(new URL(dir, import.meta.url), { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name);
}

const zones = [
  .../** @type {(keyof typeof mayImport)[]} */ (Object.keys(mayImport)).flatMap(zonesOf),
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
  // CLI commands are formatters over the operations layer: the wiring (state store, runtime
  // implementations) stays in cli/'s factories.
  {
    target: './src/cli/commands',
    from: ['./src/state', './src/runtime/local', './src/runtime/bullmq'],
    message: 'A CLI command formats what src/operations returns; cli/*-factory.ts wires the implementations.',
  },
  // The dashboard talks to the api over HTTP only.
  { target: './web', from: ['./src'], message: 'DESIGN.md: web talks to api over HTTP only.' },
];

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'node_modules/**',
      'bench/results/**',
      'bin/**',
      'eslint.config.js',
      '.prof/**',
      '.syncline/**',
      'test-artifacts/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    plugins: { 'import-x': importX },
    settings: {
      // import-x reads only files with these extensions, with this parser; without them the cycle
      // check never opens a .ts file and finds no cycle.
      'import-x/extensions': ['.ts', '.tsx', '.js'],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts', '.tsx'] },
      // Resolves `./x.js` to `x.ts` the way tsc (NodeNext) does; without it the rules below cannot
      // see any of our own imports and pass everything.
      'import-x/resolver-next': [
        // The dashboard (web/) has a tsconfig of its own: browser, bundler resolution, JSX.
        createTypeScriptImportResolver({
          project: [`${import.meta.dirname}/tsconfig.json`, `${import.meta.dirname}/web/tsconfig.json`],
          noWarnOnMultipleProjects: true,
        }),
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
  // The dashboard runs in a browser: its globals (tsc checks them against the DOM library; the
  // zone above keeps it from importing src/).
  {
    files: ['web/**/*.ts', 'web/**/*.tsx'],
    languageOptions: {
      globals: {
        window: 'readonly',
        document: 'readonly',
        navigator: 'readonly',
        localStorage: 'readonly',
        sessionStorage: 'readonly',
        fetch: 'readonly',
        ResizeObserver: 'readonly',
        getComputedStyle: 'readonly',
        URLSearchParams: 'readonly',
      },
    },
  },
  {
    files: ['**/*.test.ts', 'test/**/*.ts', 'bench/**/*.ts'],
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
  // A Secret is revealed only where it is handed to a driver (a connector), to a channel's HTTP or
  // SMTP call (alerts/, which signs and sends notices as a connector writes) or checked (config/).
  {
    files: ['src/**/*.ts'],
    ignores: ['src/connectors/**', 'src/config/**', 'src/alerts/**'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: "CallExpression[callee.property.name='reveal']",
          message:
            'Secret.reveal() belongs in src/connectors/ (where the value is handed to a driver), src/alerts/ (a channel\'s HTTP or SMTP call) or src/config/; pass the Secret on instead.',
        },
      ],
    },
  },
);
