const os = require('os');

/** @type {import('jest').Config} */
module.exports = {
  // Jest's default is one worker less than the cores: on the 2-core CI machine that is one worker,
  // in band, with the other core idle. The suites are CPU-bound and independent (temporary
  // directories are per test), so use every core, and at least two.
  maxWorkers: Math.max(2, typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length),
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
