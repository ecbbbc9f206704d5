import js from '@eslint/js';
import react from 'eslint-plugin-react';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      'build/**',
      'node_modules/**',
      '.data/**',
      'test-results/**',
      'playwright-report/**',
      'bench/out/**',
      'coverage/**',
      // Built bundles kept between starts (the embedded server's worker thread).
      '**/.cache/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.node, ...globals.browser } },
    plugins: { react, 'react-hooks': reactHooks },
    settings: { react: { version: 'detect' } },
    rules: {
      ...react.configs.recommended.rules,
      ...react.configs['jsx-runtime'].rules,
      ...reactHooks.configs.recommended.rules,
      'react/prop-types': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      // Server-only code must never reach the browser bundle: models and the database
      // may be imported only from *.server.ts modules, tests, scripts and the db itself.
      'no-restricted-imports': 'off',
    },
  },
  {
    files: ['app/**/*.{ts,tsx}'],
    ignores: ['app/**/*.server.{ts,tsx}', 'app/**/.server/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/models/*', '**/db/*', '**/seed/*'],
              message: 'Import server-only modules from a *.server.ts file.',
            },
          ],
        },
      ],
    },
  },
  // The house's layers (issue 18, item 4): the domain is pure, services never reach up into UI,
  // UI takes only types from server modules, and the embedded database knows nothing of the app.
  {
    files: ['app/domain/**/*.{ts,tsx}'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: [
                '~/utils/*',
                '~/components/*',
                '~/routes/*',
                '**/utils/*',
                '**/components/*',
                '**/routes/*',
                '**/models/*',
                '**/db/*',
                'react',
                'react-dom',
                '@remix-run/*',
                'mongoose',
                'mongodb',
              ],
              message: 'app/domain is pure: no React, Remix, database or app services.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['app/utils/**/*.{ts,tsx}'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['~/components/*', '~/routes/*', '**/components/*', '**/routes/*'],
              message:
                'Services import downward: move what they share out of the UI (app/utils/forms, app/domain).',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['app/components/**/*.{ts,tsx}'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/*.server', '**/models/*', '**/db/*'],
              allowTypeImports: true,
              message: 'Components take only types from server modules.',
            },
          ],
        },
      ],
    },
  },
  // The embedded server is a package of its own (packages/embedded-mongo): its source knows
  // nothing of the app or of mongoose; its tests may drive it through mongoose, as a client.
  {
    files: ['packages/embedded-mongo/src/**/*.{ts,mjs}'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['~/*', '**/app/*', '**/models/*', '**/db/*', '**/seed/*', 'mongoose'],
              message: 'The embedded server package imports nothing from the app, the models or mongoose.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['packages/embedded-mongo/tests/**/*.{ts,mjs}'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['~/*', '**/app/*', '**/models/*', '**/db/*', '**/seed/*'],
              message: 'The embedded server package imports nothing from the app.',
            },
          ],
        },
      ],
    },
  },
);
