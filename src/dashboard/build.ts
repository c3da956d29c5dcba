/**
 * Bundles the dashboard page (src/dashboard/web: TypeScript, CSS, ECharts' used parts) with
 * esbuild into dist/dashboard/: `main-<hash>.js`, `main-<hash>.css`, the CJK font the CSS
 * names, gzipped copies, `index.html` naming them, and `manifest.json`. Run by `npm run build`
 * (`node dist/src/dashboard/build.js`, which keeps an up-to-date bundle), and by the server on
 * first use when the output is missing or older than the sources, so tests and `npm run chat`
 * need no separate step.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';

/** What a build produced; the router serves exactly these files. */
export interface DashboardManifest {
  /** File names (no directory) of the bundle. */
  js: string;
  css: string;
  /** Every file the router may serve under /dashboard/assets/. */
  assets: string[];
  builtAt: string;
}

/** The project root: the nearest directory above this file with a package.json (works from src/ and dist/src/). */
export function projectRoot(from: string = __dirname): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'package.json'))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`cannot find the project root above ${from}`);
  }
}

export interface DashboardPaths {
  /** The page's sources. */
  webDir: string;
  /** Where the bundle goes. */
  outDir: string;
}

export function dashboardPaths(root: string = projectRoot()): DashboardPaths {
  return { webDir: path.join(root, 'src', 'dashboard', 'web'), outDir: path.join(root, 'dist', 'dashboard') };
}

const MANIFEST = 'manifest.json';

/** Writes through a temporary file and a rename, so a reader (or a second process building too) never sees half a file. */
function writeAtomic(file: string, data: string | Uint8Array): void {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, data);
  renameSync(tmp, file);
}

/** Bundles the page. Needs the `esbuild` package (a devDependency): production images run `npm run build` first. */
export async function buildDashboard(paths: DashboardPaths = dashboardPaths()): Promise<DashboardManifest> {
  // Loaded here, not at the top: a server started from a finished build never needs it.
  const esbuild = await import('esbuild');
  const result = await esbuild.build({
    entryPoints: [path.join(paths.webDir, 'main.mts')],
    bundle: true,
    minify: true,
    format: 'iife',
    // WeCom's in-app browser: Chromium-based (XWeb) on Android, the system WKWebView on iOS (15+ here).
    target: ['es2019', 'chrome80', 'safari15'],
    entryNames: '[name]-[hash]',
    // The CJK font styles.css names (from @expo-google-fonts/noto-sans-sc), served next to the bundle.
    loader: { '.ttf': 'file' },
    assetNames: '[name]-[hash]',
    outdir: paths.outDir,
    write: false,
    metafile: true,
    legalComments: 'none',
    logLevel: 'silent',
  });
  mkdirSync(paths.outDir, { recursive: true });
  const names: string[] = [];
  for (const file of result.outputFiles) {
    const name = path.basename(file.path);
    writeAtomic(path.join(paths.outDir, name), file.contents);
    writeAtomic(path.join(paths.outDir, `${name}.gz`), gzipSync(file.contents, { level: 9 }));
    names.push(name);
  }
  const js = names.find((n) => n.endsWith('.js'));
  const css = names.find((n) => n.endsWith('.css'));
  if (!js || !css) throw new Error(`the dashboard bundle is incomplete: ${names.join(', ')}`);
  const html = readFileSync(path.join(paths.webDir, 'index.html'), 'utf8').replace('%JS%', js).replace('%CSS%', css);
  writeAtomic(path.join(paths.outDir, 'index.html'), html);
  const manifest: DashboardManifest = { js, css, assets: names.flatMap((n) => [n, `${n}.gz`]), builtAt: new Date().toISOString() };
  // Last: its presence means the rest is in place.
  writeAtomic(path.join(paths.outDir, MANIFEST), JSON.stringify(manifest, null, 2) + '\n');
  removeOldBundles(paths.outDir, manifest);
  return manifest;
}

/** Earlier builds' bundles, once an hour old (a page loaded just before a rebuild may still ask for them). */
function removeOldBundles(outDir: string, current: DashboardManifest): void {
  const keep = new Set(current.assets);
  for (const name of readdirSync(outDir)) {
    const file = path.join(outDir, name);
    if (/-\w+\.(js|css|ttf)(\.gz)?$/.test(name) && !keep.has(name) && statSync(file).mtimeMs < Date.now() - 3_600_000) rmSync(file, { force: true });
  }
}

/** The newest modification time among the page's sources. */
function newestSource(webDir: string): number {
  let newest = 0;
  for (const name of readdirSync(webDir)) newest = Math.max(newest, statSync(path.join(webDir, name)).mtimeMs);
  // The JSON types the page reads, and the lock file (ECharts and the font come from node_modules).
  const lock = path.join(projectRoot(webDir), 'package-lock.json');
  return Math.max(newest, statSync(path.join(webDir, '..', 'types.ts')).mtimeMs, existsSync(lock) ? statSync(lock).mtimeMs : 0);
}

/** The finished build's manifest, or null when there is none or it is older than the sources. */
export function readDashboardManifest(paths: DashboardPaths = dashboardPaths()): DashboardManifest | null {
  const file = path.join(paths.outDir, MANIFEST);
  if (!existsSync(file)) return null;
  // Without the sources (a trimmed production image) the build is all there is.
  if (existsSync(paths.webDir) && statSync(file).mtimeMs < newestSource(paths.webDir)) return null;
  try {
    const manifest = JSON.parse(readFileSync(file, 'utf8')) as DashboardManifest;
    return manifest.assets.every((a) => existsSync(path.join(paths.outDir, a))) ? manifest : null;
  } catch {
    return null;
  }
}

/** The build, made now if missing or stale. */
export async function ensureDashboard(paths: DashboardPaths = dashboardPaths()): Promise<DashboardManifest> {
  return readDashboardManifest(paths) ?? buildDashboard(paths);
}

if (require.main === module) {
  // `npm run build` (and so every `npm start`): bundles only when the sources changed since the last bundle.
  const current = readDashboardManifest();
  (current ? Promise.resolve(current) : buildDashboard())
    .then((m) => console.log(current ? `看板页面无改动，沿用 ${dashboardPaths().outDir}（${m.js}）` : `看板页面已打包到 ${dashboardPaths().outDir}：${m.js}、${m.css}`))
    .catch((err: unknown) => {
      console.error(err);
      process.exit(1);
    });
}
