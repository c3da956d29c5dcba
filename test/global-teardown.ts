import { rmSync } from 'node:fs';

/** Stops the embedded database test/global-setup.ts started (nothing for MONGODB_URI). */
export default async function globalTeardown(): Promise<void> {
  await globalThis.__testStorage?.stop();
  globalThis.__testStorage = undefined;
  if (globalThis.__testDataDir) rmSync(globalThis.__testDataDir, { recursive: true, force: true });
}
