// ESLint flat config for the whole repository (kept here because the top level is fixed).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

export default tseslint.config(
  { ignores: ['**/node_modules/**', '**/.serverless/**', '**/.esbuild/**', '**/dist/**', '.lifeboat-data/**', 'packages/web/dist/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // Domain cores are pure: no AWS SDK, no I/O.
    files: ['services/*/src/**/domain/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['@aws-sdk/*', 'node:fs', 'node:http', 'fs', 'http'], message: 'Domain code is pure: put I/O in an adapter.' }] }],
      '@typescript-eslint/no-explicit-any': 'error',
    },
  },
  { files: ['**/*.cjs'], languageOptions: { sourceType: 'commonjs' } },
  // The browser console runs in the browser, not in Node.
  { files: ['packages/web/public/**/*.js'], languageOptions: { globals: { ...globals.browser } } },
  {
    // The React console (packages/web/src): browser globals only, TSX, no `any`.
    files: ['packages/web/src/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser }, parserOptions: { ecmaFeatures: { jsx: true } } },
    rules: { '@typescript-eslint/no-explicit-any': 'error' },
  },
);
