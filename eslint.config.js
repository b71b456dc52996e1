import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

const tsconfigRootDir = import.meta.dirname;

export default tseslint.config(
  // web/ is type-checked by its own tsconfig (npm run lint) and tested by Vitest
  { ignores: ['dist/**', 'node_modules/**', '.toolchain/**', 'coverage/**', '.data/**', 'web/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir } },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'error',
      // a promise is awaited, returned, or handled: runDetached() (src/common/run-detached.ts) logs the rejection.
      // FastifyReply is a thenable only so that a handler may await the response being sent: header(),
      // status() and send() return the reply for chaining and start nothing that can reject.
      '@typescript-eslint/no-floating-promises': [
        'error',
        { allowForKnownSafePromises: [{ from: 'package', name: 'FastifyReply', package: 'fastify' }] },
      ],
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
    },
  },
  // Tests only (test/ and the unit specs beside the code); src/ code keeps every one of these rules.
  // Response bodies (supertest's `res.body`, JSON.parse) and jest's asymmetric matchers (expect.any,
  // expect.objectContaining, …) are `any` by design: typing each of hundreds of assertions adds nothing.
  // Fakes and jest callbacks implement async signatures without awaiting (require-await), and tests
  // swap a provider's method for a spy and put it back (unbound-method).
  {
    files: ['test/**/*.ts', 'src/**/*.spec.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/unbound-method': 'off',
    },
  },
  // plain JavaScript (bench, cluster and smoke scripts, jest setup) is not in a tsconfig: syntax rules only
  { files: ['**/*.js', '**/*.mjs', '**/*.cjs'], ...tseslint.configs.disableTypeChecked },
  { files: ['**/*.js', '**/*.mjs', '**/*.cjs'], languageOptions: { globals: globals.node } },
  { files: ['src/main.ts', 'src/cli/**/*.ts', 'bench/**/*.ts', 'test/**/*.ts'], rules: { 'no-console': 'off' } },
);
