/**
 * The headless Chromium that browser tests and the dashboard bench drive (through
 * playwright-core, which never downloads a browser): Debian's (/usr/bin/chromium) when it is
 * installed, else the one inside the @sparticuz/chromium package (a devDependency; the
 * binary ships brotli-compressed in the package, so `npm ci` alone brings it and nothing
 * is downloaded at install or test time). The page serves its own CJK font, so both draw the
 * dashboard alike.
 */
import { createReadStream, createWriteStream, existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createBrotliDecompress } from 'node:zlib';
import { chromium, type Browser } from 'playwright-core';

export const DEBIAN_CHROMIUM = '/usr/bin/chromium';

export interface FoundChromium {
  executablePath: string;
  /** For reports: which browser ran. */
  label: string;
}

/** The root of the @sparticuz/chromium package (its `exports` hide package.json). */
function sparticuzRoot(): string {
  // build/cjs/index.cjs → the package root.
  return path.resolve(path.dirname(require.resolve('@sparticuz/chromium')), '..', '..');
}

/**
 * The packaged Chromium, decompressed once into node_modules/.cache (per package version).
 * Written to a temporary name and renamed, so a second process never runs half a binary.
 */
async function packagedChromium(): Promise<FoundChromium> {
  const root = sparticuzRoot();
  const { version } = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string };
  const dir = path.join(root, '..', '..', '.cache', `sparticuz-chromium-${version}`);
  const binary = path.join(dir, 'chromium');
  if (!existsSync(binary)) {
    mkdirSync(dir, { recursive: true });
    const tmp = `${binary}.${process.pid}.tmp`;
    try {
      await pipeline(createReadStream(path.join(root, 'bin', 'chromium.br')), createBrotliDecompress(), createWriteStream(tmp, { mode: 0o755 }));
      renameSync(tmp, binary);
    } finally {
      rmSync(tmp, { force: true });
    }
  }
  return { executablePath: binary, label: `Chromium from @sparticuz/chromium ${version}` };
}

/** Debian's Chromium when installed, else the packaged one. */
export async function findChromium(): Promise<FoundChromium> {
  if (existsSync(DEBIAN_CHROMIUM)) return { executablePath: DEBIAN_CHROMIUM, label: `Debian's Chromium (${DEBIAN_CHROMIUM})` };
  return packagedChromium();
}

/** Launches headless Chromium with the flags the tests and the bench use. */
export async function launchChromium(env?: NodeJS.ProcessEnv): Promise<{ browser: Browser; found: FoundChromium }> {
  const found = await findChromium();
  const browser = await chromium.launch({
    executablePath: found.executablePath,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    env: env ?? process.env,
  });
  return { browser, found };
}
