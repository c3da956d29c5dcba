/**
 * Dependencies point one way. Every import and export-from of src/, commands/ and jobs/ is
 * read with TypeScript's own parser and checked against the table below: a layer may import
 * itself and the layers it lists, nothing else. The composition root (src/runtime.ts and the
 * entry points) may import anything. A known exception is listed with its reason.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

const ROOT = path.resolve(__dirname, '../..');

type Layer =
  | 'base'
  | 'text'
  | 'db'
  | 'wecom'
  | 'services'
  | 'render'
  | 'bot'
  | 'jobs-framework'
  | 'dashboard'
  | 'board'
  | 'roster'
  | 'http'
  | 'local'
  | 'sim'
  | 'commands'
  | 'jobs'
  | 'root';

/** Which layer a file (repository-relative, no extension) is in; first match wins. */
const LAYERS: Array<[RegExp, Layer]> = [
  // Entry points and the composition root: they know every layer.
  [/^src\/(main|runtime|cli|jobs-cli)$/, 'root'],
  [/^src\/db\/(backup-cli|restore-cli|serve)$/, 'root'],
  [/^src\/roster\/import$/, 'root'],
  [/^src\/(errors|log|config|server-file|score-weights)$/, 'base'],
  [/^src\/text\//, 'text'],
  [/^src\/db\//, 'db'],
  [/^src\/wecom\//, 'wecom'],
  [/^src\/services\//, 'services'],
  [/^src\/render\//, 'render'],
  [/^src\/bot\//, 'bot'],
  [/^src\/jobs\//, 'jobs-framework'],
  [/^src\/dashboard\//, 'dashboard'],
  [/^src\/board\//, 'board'],
  [/^src\/roster\//, 'roster'],
  [/^src\/http\//, 'http'],
  [/^src\/local\//, 'local'],
  [/^src\/sim\//, 'sim'],
  [/^commands\//, 'commands'],
  [/^jobs\//, 'jobs'],
];

/** What each layer may import besides itself (`type` imports of a layer in TYPES_ONLY are allowed too). */
const ALLOWED: Record<Layer, readonly Layer[]> = {
  base: ['text'],
  text: [],
  db: ['base', 'text'],
  wecom: ['base', 'text', 'db'],
  services: ['base', 'text', 'db'],
  // Chat text: what a reply or a push says. Services return data; render words it (and may ask services for it).
  render: ['base', 'text', 'db', 'services'],
  bot: ['base', 'text', 'db', 'services', 'render', 'wecom'],
  'jobs-framework': ['base', 'text', 'db', 'services'],
  dashboard: ['base', 'text', 'db', 'services'],
  // The public board takes residents' requests and posts them to the courtyard's groups, as /诉求 does.
  board: ['base', 'text', 'db', 'services', 'jobs-framework'],
  roster: ['base', 'text', 'db', 'services'],
  http: ['base'],
  local: ['base', 'text', 'db', 'roster'],
  sim: ['base', 'text', 'db', 'wecom', 'roster', 'local'],
  commands: ['base', 'text', 'db', 'services', 'render', 'bot', 'jobs-framework', 'dashboard', 'board', 'wecom', 'jobs'],
  jobs: ['base', 'text', 'db', 'services', 'render', 'jobs-framework'],
  // Not sim/: the simulator is a development tool; local mode's groups live in src/local/.
  root: ['base', 'text', 'db', 'wecom', 'services', 'render', 'bot', 'jobs-framework', 'dashboard', 'board', 'roster', 'http', 'local', 'commands', 'jobs'],
};

/** Layers another may name in `import type` only (interfaces, no code runs across). */
const TYPES_ONLY: Partial<Record<Layer, readonly Layer[]>> = {
  services: ['wecom'],
  render: ['wecom'],
  bot: ['jobs-framework'],
  'jobs-framework': ['wecom'],
  board: ['wecom'],
};

/**
 * Of db/, what the transport and the framework may touch: their own collections. The domain's
 * (groups, courtyards, cadres …) are written by services, handed in as ports by the runtime.
 */
const OWN_COLLECTIONS: Partial<Record<Layer, readonly string[]>> = {
  wecom: ['src/db/models/outbox-item', 'src/db/models/outbox-lane', 'src/db/models/processed-message'],
};

/** Of db/, plain helpers with no collection behind them: any layer that may use db/ at all may use these. */
const DB_HELPERS: readonly string[] = ['src/db/duplicate-key'];

/** `from -> to` imports against the rules, each with why it stays for now. */
const KNOWN_EXCEPTIONS: Record<string, string> = {};

function layerOf(file: string): Layer | undefined {
  return LAYERS.find(([re]) => re.test(file))?.[1];
}

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(path.join(ROOT, dir), { withFileTypes: true })) {
    const rel = `${dir}/${entry.name}`;
    if (entry.isDirectory()) {
      if (rel === 'src/dashboard/web') continue; // the browser bundle, built on its own
      out.push(...sourceFiles(rel));
    } else if (/\.ts$/.test(entry.name) && !entry.name.endsWith('.d.ts')) out.push(rel);
  }
  return out;
}

interface Edge {
  from: string;
  to: string;
  typeOnly: boolean;
}

/** Relative imports and export-froms of a file, resolved to repository paths without extension. */
function importsOf(file: string): Edge[] {
  const text = readFileSync(path.join(ROOT, file), 'utf8');
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, false, ts.ScriptKind.TS);
  const edges: Edge[] = [];
  const from = file.replace(/\.ts$/, '');
  const add = (spec: string, typeOnly: boolean) => {
    if (!spec.startsWith('.')) return;
    let to = path.posix.normalize(path.posix.join(path.posix.dirname(file), spec)).replace(/\.(ts|js|json)$/, '');
    if (['commands', 'jobs', 'src/bot/args', 'src/db/models'].includes(to)) to = `${to}/index`;
    edges.push({ from, to, typeOnly });
  };
  const visit = (node: ts.Node) => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      const clause = node.importClause;
      const typeOnly = Boolean(
        clause &&
          (clause.isTypeOnly ||
            (!clause.name && clause.namedBindings && ts.isNamedImports(clause.namedBindings) && clause.namedBindings.elements.every((e) => e.isTypeOnly))),
      );
      add(node.moduleSpecifier.text, typeOnly);
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      add(node.moduleSpecifier.text, node.isTypeOnly);
    } else if (ts.isCallExpression(node) && node.arguments.length === 1 && ts.isStringLiteral(node.arguments[0]!)) {
      const callee = node.expression;
      if (callee.kind === ts.SyntaxKind.ImportKeyword || (ts.isIdentifier(callee) && callee.text === 'require')) add((node.arguments[0] as ts.StringLiteral).text, false);
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return edges;
}

const files = ['src', 'commands', 'jobs'].flatMap(sourceFiles);
const edges = files.flatMap(importsOf);

function violation(edge: Edge): string | undefined {
  const a = layerOf(edge.from);
  const b = layerOf(edge.to);
  if (!a) return `${edge.from} is in no layer (add it to LAYERS)`;
  if (!b) return undefined; // outside the three trees (package.json, a JSON table): not a layer
  const own = OWN_COLLECTIONS[a];
  if (b === 'db' && own && !own.includes(edge.to) && !DB_HELPERS.includes(edge.to)) return `${edge.from} (${a}) imports ${edge.to}: ${a} may use only its own collections (${own.join(', ')})`;
  if (a === b || ALLOWED[a].includes(b)) return undefined;
  if (edge.typeOnly && TYPES_ONLY[a]?.includes(b)) return undefined;
  return `${edge.from} (${a}) imports ${edge.to} (${b})${edge.typeOnly ? ' (types)' : ''}: ${a} may import ${[...ALLOWED[a], ...(TYPES_ONLY[a] ?? []).map((l) => `${l} (types)`)].join(', ') || 'nothing'}`;
}

describe('layers', () => {
  it('reads the imports of every file', () => {
    expect(files.length).toBeGreaterThan(100);
    expect(edges.length).toBeGreaterThan(500);
    // The parser sees multi-line and type-only imports.
    expect(edges).toContainEqual({ from: 'src/runtime', to: 'commands/index', typeOnly: false });
  });

  it('every import points down the table (or is a known exception)', () => {
    const bad = edges
      .filter((e) => !KNOWN_EXCEPTIONS[`${e.from} -> ${e.to}`])
      .map(violation)
      .filter((v): v is string => Boolean(v));
    expect(bad).toEqual([]);
  });

  it('lists no exception that is no longer needed', () => {
    const stale = Object.keys(KNOWN_EXCEPTIONS).filter((key) => !edges.some((e) => `${e.from} -> ${e.to}` === key && violation(e)));
    expect(stale).toEqual([]);
  });

  it('services return data: the markdown helpers are for src/render/ and above', () => {
    // undo's too-old refusal (a UserError, an answer) echoes the caller's command, escaped.
    const allowed = ['src/services/undo'];
    const wording = edges.filter((e) => layerOf(e.from) === 'services' && e.to === 'src/text/markdown' && !allowed.includes(e.from));
    expect(wording).toEqual([]);
  });

  it('the framework names neither commands/ nor jobs/', () => {
    const up = edges.filter((e) => /^src\/(bot|jobs|wecom)\//.test(e.from) && /^(commands|jobs)\//.test(e.to));
    expect(up).toEqual([]);
  });
});
