/** Jest runs the TypeScript sources directly as ES modules (ts-jest, transpile only). */
export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: { '^.+\\.ts$': ['ts-jest', { useESM: true }] },
  testMatch: ['<rootDir>/test/**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/fixtures/', '<rootDir>/demo/fixture/', '<rootDir>/demo/container-fixture/'],
  modulePathIgnorePatterns: ['<rootDir>/lib/', '<rootDir>/test/fixtures/', '<rootDir>/demo/fixture/', '<rootDir>/demo/container-fixture/'],
  testTimeout: 60000,
  // Each test file gets its own temp dirs; the run is serial (--runInBand) because
  // several suites start real servers and child processes on a 2-core machine.
};
