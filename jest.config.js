/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.tsx?$': ['ts-jest', { diagnostics: false }],
  },
  // Unit tests do not need aws-cdk-lib's built-in CloudFormation validation (about 3 s a synth).
  setupFiles: ['<rootDir>/test/setup-env.ts'],
  testTimeout: 120000,
};
