// Type-aware linting: much of this code is async, and a promise nobody awaits (or one handed to a
// callback that ignores it) loses its error. Formatting is prettier's job, not the linter's.
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', '.connector-versions/', 'reports/', 'dist/', '.fast-start/', 'fixtures/'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      globals: globals.node,
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      // Interfaces such as the connector's getConfig or a journal source are async by contract;
      // an implementation that happens not to wait is still right.
      '@typescript-eslint/require-await': 'off',
      // Values an IdP sent are printed as they came, whatever their type: String(value) is meant.
      '@typescript-eslint/no-base-to-string': 'off',
      '@typescript-eslint/restrict-template-expressions': 'off',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' },
      ],
      // Prettier wraps code at 120 but not strings or comments; 160 is the ceiling for those too (#16).
      'max-len': ['error', { code: 160, ignoreUrls: true }],
    },
  },
  {
    // Tests read parsed JSON and YAML answers by design: asserting on their shape is the point.
    files: ['test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-explicit-any': 'off',
    },
  },
  { files: ['**/*.js', '**/*.mjs'], ...tseslint.configs.disableTypeChecked },
);
