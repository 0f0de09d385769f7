// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import importX from 'eslint-plugin-import-x';

/** The parts table of DESIGN.md: each part may import only what its row names. */
const zones = [
  {
    target: './src/config',
    from: [
      './src/core',
      './src/connectors',
      './src/state',
      './src/cadence',
      './src/runtime',
      './src/api',
      './src/cli',
    ],
  },
  {
    target: './src/core',
    from: ['./src/connectors', './src/state', './src/cadence', './src/runtime', './src/api', './src/cli'],
  },
  {
    target: './src/connectors',
    from: ['./src/state', './src/cadence', './src/runtime', './src/api', './src/cli'],
  },
  {
    target: './src/state',
    from: ['./src/connectors', './src/cadence', './src/runtime', './src/api', './src/cli'],
  },
  {
    target: './src/cadence',
    from: ['./src/connectors', './src/state', './src/runtime', './src/api', './src/cli'],
  },
  { target: './src/runtime', from: ['./src/connectors', './src/api', './src/cli'] },
  { target: './src/api', from: ['./src/connectors', './src/cli'] },
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
    rules: {
      'import-x/no-cycle': 'error',
      'import-x/no-restricted-paths': ['error', { zones }],
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
  // A Secret is revealed only where it is handed to a driver (a connector) or checked (config/).
  {
    files: ['src/**/*.ts'],
    ignores: ['src/connectors/**', 'src/config/**'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: "CallExpression[callee.property.name='reveal']",
          message:
            'Secret.reveal() belongs in src/connectors/ (where the value is handed to a driver) or src/config/; pass the Secret on instead.',
        },
      ],
    },
  },
);
