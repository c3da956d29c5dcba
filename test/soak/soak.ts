/**
 * The long tests run under `npm run test:soak` (test/soak.jest.config.js) or with SOAK=1;
 * `npm test` also matches test/soak/*.test.ts, and skips them.
 */
export const soakDescribe = process.env.npm_lifecycle_event === 'test:soak' || process.env.SOAK === '1' ? describe : describe.skip;
