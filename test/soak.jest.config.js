// `npm run test:soak`: the long-running tests under test/soak, on the same database set-up.
const base = require('../package.json').jest;

module.exports = {
  ...base,
  rootDir: '..',
  roots: ['<rootDir>/test/soak'],
  testPathIgnorePatterns: ['/node_modules/'],
  testTimeout: 30 * 60_000,
  passWithNoTests: true,
};
