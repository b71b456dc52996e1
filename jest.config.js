// Jest runs in native ESM mode (NestJS 12 packages are ESM-only):
// `npm test` starts node with --experimental-vm-modules.
const tsJest = [
  'ts-jest',
  {
    useESM: true,
    // transpile only (tsconfig has isolatedModules): `npm run lint` type-checks.
    // The @nestjs/swagger CLI plugin needs a full program, so it runs in `nest build` only.
    tsconfig: 'tsconfig.json',
  },
];

const common = {
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: {
    '^(\\.{1,2}/.*)\\.js$': '$1',
    // its ESM build imports JSON without an import attribute, which Jest warns about on every import:
    // the CommonJS build is the same code and metadata
    '^libphonenumber-js/max$': '<rootDir>/node_modules/libphonenumber-js/max/index.cjs',
  },
  transform: { '^.+\\.ts$': tsJest },
  testEnvironment: 'node',
};

/** @type {import('jest').Config} */
export default {
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/test/unit/**/*.spec.ts'] },
    {
      ...common,
      displayName: 'e2e',
      testMatch: ['<rootDir>/test/e2e/**/*.e2e-spec.ts'],
      globalSetup: '<rootDir>/test/support/global-setup.js',
      globalTeardown: '<rootDir>/test/support/global-teardown.js',
    },
  ],
  maxWorkers: 2,
  testTimeout: 30000,
};
