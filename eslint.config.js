// ESLint flat config: @eslint/js and typescript-eslint recommended, type-aware (recommendedTypeChecked) for the
// TypeScript files through the TS project service (tsconfig.json), plain recommended for the JavaScript files.
// Formatting is Prettier's job: eslint-config-prettier, last, turns off any rule that would fight it.
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import { defineConfig, globalIgnores } from 'eslint/config';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default defineConfig(
  globalIgnores(['dist/', 'coverage/', 'captures/', '.vitest-cache/', 'fixtures/', 'tmp/']),
  {
    linterOptions: { reportUnusedDisableDirectives: 'error' },
  },
  js.configs.recommended,
  tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
  },
  {
    rules: {
      // Matches tsc's noUnusedLocals/noUnusedParameters: a leading underscore marks a deliberately unused name
      // (`const { url: _url, ...rest } = …` drops a key), and so does a rest sibling.
      '@typescript-eslint/no-unused-vars': [
        'error',
        {
          argsIgnorePattern: '^_',
          varsIgnorePattern: '^_',
          caughtErrorsIgnorePattern: '^_',
          destructuredArrayIgnorePattern: '^_',
          ignoreRestSiblings: true,
        },
      ],
      // Async functions without an await are deliberate here: they keep a Promise-returning contract (provider
      // sign/verify, openAppender) and turn a throw into a rejection. Dropping `async` would change that.
      '@typescript-eslint/require-await': 'off',
      // `catch {}` is an explicit choice to ignore a failure (e.g. reading /proc of a child that has exited).
      'no-empty': ['error', { allowEmptyCatch: true }],
      // Control characters in a pattern are the point where untrusted text is escaped for a terminal (lib/text.ts)
      // and where tests look for them.
      'no-control-regex': 'off',
    },
  },
  {
    // vitest's asymmetric matchers (expect.any, expect.stringContaining, …) are typed `any`, and tests read the JSON
    // answers of real servers untyped: the assertions on them are the check, a type would only restate them.
    files: ['test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-explicit-any': 'off',
    },
  },
  {
    // Type-aware rules for the TypeScript files only (scripts/, bin/ and this file are outside tsconfig.json).
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: { globals: globals.node },
  },
  {
    // bin/package.json makes bin/ CommonJS.
    files: ['bin/**/*.js'],
    languageOptions: { sourceType: 'commonjs' },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  prettier,
  {
    // No line over 160 characters of code or comment. Prettier wraps code at 120 (.prettierrc.json) but leaves long
    // strings and template literals whole, and so does this rule: a message kept on one line can be found with grep.
    // After eslint-config-prettier, which turns max-len off.
    rules: {
      'max-len': [
        'error',
        { code: 160, tabWidth: 2, ignoreStrings: true, ignoreTemplateLiterals: true, ignoreRegExpLiterals: true },
      ],
    },
  },
);
