// ESLint (flat config) with typescript-eslint; formatting is Prettier's (eslint-config-prettier turns style rules off).
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', 'lib/', 'action/dist/', 'coverage/', 'test/fixtures/', 'demo/fixture/', 'demo/container-fixture/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      // Unused names are errors, except those that say so (`_name`).
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      // GitHub's payloads and documented examples are read loosely in tests and the stand-in.
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
      eqeqeq: ['error', 'always', { null: 'ignore' }],
      'no-console': ['error', { allow: ['error', 'warn'] }],
      // Expected output is written as it prints, indentation included.
      'no-regex-spaces': 'off',
    },
  },
  {
    // Scripts, the demo, the benchmarks and tests' diagnostics write to the console by design.
    files: ['scripts/**', 'bin/**', 'demo/**', 'bench/**', 'test/**'],
    rules: { 'no-console': 'off' },
  },
  prettier,
);
