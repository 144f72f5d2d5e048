// Lint rules, including the import directions from DEVELOPERS.md, enforced rather than hoped for.
import js from '@eslint/js';
import svelte from 'eslint-plugin-svelte';
import globals from 'globals';
import ts from 'typescript-eslint';

const noImports = (patterns, message) => ({
  'no-restricted-imports': ['error', { patterns: [{ group: patterns, message }] }],
});
const NODE = ['node:*', 'fs', 'path', 'os', 'child_process', 'worker_threads', 'ws'];

export default ts.config(
  { ignores: ['out/', 'dist/', 'node_modules/', 'test-results/', 'playwright-report/', '.tmp/'] },
  js.configs.recommended,
  ...ts.configs.recommended,
  ...svelte.configs['flat/recommended'],
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': 'off',
    },
  },
  {
    files: ['**/*.svelte', '**/*.svelte.ts'],
    languageOptions: { parserOptions: { parser: ts.parser, extraFileExtensions: ['.svelte'] } },
  },
  { files: ['renderer/**'], languageOptions: { globals: { ...globals.browser } } },
  // Import directions.
  {
    files: ['src/shared/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [{ regex: '^(?!\\./)', message: 'src/shared imports nothing outside itself.' }],
        },
      ],
    },
  },
  {
    files: ['src/**'],
    ignores: ['src/shared/**'],
    rules: noImports(['electron', 'svelte', 'svelte/*'], 'Core never imports electron or svelte.'),
  },
  {
    files: ['src/host/**'],
    rules: noImports(
      ['electron', 'svelte', '@tensorflow/*', '../worker/*', '../training/*', '../model/*'],
      'The host never loads TensorFlow: all tf work stays in the worker.',
    ),
  },
  {
    // The models folder's file operations are used by the host, so they must not load tf either.
    files: ['src/library/**'],
    rules: noImports(
      ['electron', 'svelte', '@tensorflow/*', '../worker/*', '../training/*', '../model/*'],
      'src/library is file operations only: the host uses it, so it never loads TensorFlow.',
    ),
  },
  {
    files: ['renderer/**'],
    rules: noImports(
      [...NODE, 'electron', '@tensorflow/*', '../../src/!(shared)/**', '../../../src/!(shared)/**'],
      'The renderer imports only src/shared and itself.',
    ),
  },
  {
    files: ['electron/**'],
    rules: noImports(
      ['@tensorflow/*', '**/src/training/**', '**/src/model/**', '**/src/engine/**'],
      'electron/main never runs TensorFlow: it talks to the worker through src/host.',
    ),
  },
);
