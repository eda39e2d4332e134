// Bundle sizes of the production build (DESIGN.md §8): every JS chunk in dist/, raw and gzip,
// sorted into the initial JS (the scripts dist/index.html loads plus everything they import
// statically) and the chunks loaded later: lab pages (dynamic imports from the main thread), the
// simulation worker, and the lab simulations the worker imports on demand.
//
// Budgets: initial JS ≤ 150 kB gzip in total; every lazily loaded chunk ≤ 80 kB gzip, and a lab
// page together with the chunks only it pulls in ≤ 80 kB gzip. kB = 1,000 bytes and gzip is
// node:zlib at its default level, as Vite's own build report uses.
//
// Usage: `node scripts/bundle-sizes.mjs [distDir] [--json]`, after `npm run build`. Report only:
// it exits 0 whatever the sizes (1 when there is no build to read). The perf suite imports
// `measureBundles` and `formatBundleTable`.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join, posix, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';

export const INITIAL_GZIP_BUDGET_BYTES = 150_000;
export const LAZY_CHUNK_GZIP_BUDGET_BYTES = 80_000;

const QUOTE = '["\'`]';
// `import{a as b}from"./x.js"`, `import "./x.js"`, `export{c}from"./x.js"`, not `import(`.
const STATIC_IMPORT = new RegExp(
  `(?:^|[^\\w$.])(?:import|export)\\s*(?:[\\w$*{}\\s,]*?\\bfrom\\s*)?(${QUOTE})([^"'\`\\n]+?\\.m?js)\\1`,
  'g',
);
// `import("./x.js")` and `import(\`./x.js\`)`, as Vite's preload wrapper leaves them.
const DYNAMIC_IMPORT = new RegExp(`\\bimport\\(\\s*(${QUOTE})([^"'\`\\n]+?\\.m?js)\\1\\s*\\)`, 'g');
// `new Worker(new URL("./w.js", import.meta.url))`, possibly with Vite's nested `new URL(new URL(`.
const WORKER_URL = new RegExp(
  `\\bnew\\s+(?:Shared)?Worker\\(\\s*(?:new\\s+URL\\(\\s*)+(${QUOTE})([^"'\`\\n]+?\\.m?js)\\1`,
  'g',
);

function listFiles(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...listFiles(path));
    else out.push(path);
  }
  return out;
}

function kb(bytes) {
  return (bytes / 1000).toFixed(1);
}

/** Resolves an import specifier found in `fromFile` to a chunk of the build, or null. */
function resolveChunk(specifier, fromFile, chunksByPath, chunksByName) {
  if (/^[a-z]+:/i.test(specifier)) return null;
  const candidates = [resolve(dirname(fromFile), specifier)];
  for (const candidate of candidates) if (chunksByPath.has(candidate)) return candidate;
  // Vite also writes paths relative to the base (`assets/x.js`); file names carry a hash, so the
  // name alone identifies the chunk.
  return chunksByName.get(basename(specifier)) ?? null;
}

function referencesOf(pattern, code, fromFile, chunksByPath, chunksByName) {
  const found = new Set();
  for (const match of code.matchAll(pattern)) {
    const chunk = resolveChunk(match[2], fromFile, chunksByPath, chunksByName);
    if (chunk && chunk !== fromFile) found.add(chunk);
  }
  return [...found];
}

function entryScriptsOf(html, htmlPath, chunksByPath, chunksByName) {
  const entries = new Set();
  const tags = html.match(/<(?:script|link)\b[^>]*>/gi) ?? [];
  for (const tag of tags) {
    const isModuleScript = /^<script/i.test(tag) && /\bsrc\s*=/.test(tag);
    const isPreload = /^<link/i.test(tag) && /\brel\s*=\s*["']?modulepreload/i.test(tag);
    if (!isModuleScript && !isPreload) continue;
    const url = /\b(?:src|href)\s*=\s*["']([^"']+)["']/i.exec(tag)?.[1];
    if (!url) continue;
    const chunk = resolveChunk(url.split(/[?#]/)[0], htmlPath, chunksByPath, chunksByName);
    if (chunk) entries.add(chunk);
  }
  return [...entries];
}

function closure(roots, graph, exclude = new Set()) {
  const seen = new Set();
  const stack = [...roots];
  while (stack.length > 0) {
    const file = stack.pop();
    if (seen.has(file) || exclude.has(file)) continue;
    seen.add(file);
    stack.push(...(graph.get(file)?.staticImports ?? []));
  }
  return seen;
}

/**
 * Measures the build in `distDir`. Returns one row per JS chunk plus summary rows, each with its
 * budget (null when the row has none) and whether it passes.
 */
export function measureBundles(distDir = 'dist') {
  const root = resolve(distDir);
  const htmlPath = join(root, 'index.html');
  if (!existsSync(htmlPath)) {
    throw new Error(`No build in ${root} (index.html is missing). Run: npm run build`);
  }
  const chunkPaths = listFiles(root).filter((file) => /\.m?js$/.test(file));
  const chunksByPath = new Map(chunkPaths.map((file) => [file, readFileSync(file)]));
  const chunksByName = new Map(chunkPaths.map((file) => [basename(file), file]));

  const graph = new Map();
  for (const [file, bytes] of chunksByPath) {
    const code = bytes.toString('utf8');
    graph.set(file, {
      staticImports: referencesOf(STATIC_IMPORT, code, file, chunksByPath, chunksByName),
      dynamicImports: referencesOf(DYNAMIC_IMPORT, code, file, chunksByPath, chunksByName),
      workers: referencesOf(WORKER_URL, code, file, chunksByPath, chunksByName),
    });
  }

  const entries = entryScriptsOf(
    readFileSync(htmlPath, 'utf8'),
    htmlPath,
    chunksByPath,
    chunksByName,
  );
  const initial = closure(entries, graph);
  const workerRoots = new Set([...graph.values()].flatMap((node) => node.workers));
  const workerGraph = closure(workerRoots, graph, initial);

  // A lazily loaded root and the chunks it pulls in that nothing loaded before already has.
  const kindOf = new Map();
  for (const file of initial) kindOf.set(file, 'initial');
  for (const file of workerGraph) kindOf.set(file, 'worker');
  const lazyRoots = [];
  for (const [file, node] of graph) {
    for (const target of node.dynamicImports) {
      if (kindOf.get(target) === 'initial') continue;
      const fromWorker = workerGraph.has(file) || kindOf.get(file) === 'worker lazy';
      lazyRoots.push({ file: target, kind: fromWorker ? 'worker lazy' : 'lazy page' });
    }
  }
  for (const { file, kind } of lazyRoots) if (!kindOf.has(file)) kindOf.set(file, kind);
  for (const file of chunkPaths) if (!kindOf.has(file)) kindOf.set(file, 'lazy shared');

  const sizes = new Map(
    [...chunksByPath].map(([file, bytes]) => [
      file,
      { rawBytes: bytes.length, gzipBytes: gzipSync(bytes).length },
    ]),
  );
  const name = (file) => relative(root, file).split('\\').join(posix.sep);
  const order = ['initial', 'lazy page', 'lazy shared', 'worker', 'worker lazy'];
  const rows = chunkPaths
    .map((file) => {
      const { rawBytes, gzipBytes } = sizes.get(file);
      const kind = kindOf.get(file);
      const budgetBytes = kind === 'initial' ? null : LAZY_CHUNK_GZIP_BUDGET_BYTES;
      return {
        chunk: name(file),
        kind,
        rawBytes,
        gzipBytes,
        budget: budgetBytes === null ? 'in initial total' : `≤ ${kb(budgetBytes)} kB gzip`,
        budgetBytes,
        pass: budgetBytes === null ? null : gzipBytes <= budgetBytes,
      };
    })
    .sort((a, b) => order.indexOf(a.kind) - order.indexOf(b.kind) || b.gzipBytes - a.gzipBytes);

  const sum = (files, key) => [...files].reduce((total, file) => total + sizes.get(file)[key], 0);
  const initialGzipBytes = sum(initial, 'gzipBytes');
  rows.push({
    chunk: `initial JS total (${initial.size} chunk${initial.size === 1 ? '' : 's'})`,
    kind: 'total',
    rawBytes: sum(initial, 'rawBytes'),
    gzipBytes: initialGzipBytes,
    budget: `≤ ${kb(INITIAL_GZIP_BUDGET_BYTES)} kB gzip`,
    budgetBytes: INITIAL_GZIP_BUDGET_BYTES,
    pass: initialGzipBytes <= INITIAL_GZIP_BUDGET_BYTES,
  });
  // What opening a lab page costs on top of the initial JS, when it pulls in shared chunks.
  for (const { file, kind } of lazyRoots.filter((r) => r.kind === 'lazy page')) {
    const loaded = closure([file], graph, initial);
    if (loaded.size <= 1) continue;
    const gzipBytes = sum(loaded, 'gzipBytes');
    rows.push({
      chunk: `${name(file)} + ${loaded.size - 1} chunk(s) it imports`,
      kind: `${kind} total`,
      rawBytes: sum(loaded, 'rawBytes'),
      gzipBytes,
      budget: `≤ ${kb(LAZY_CHUNK_GZIP_BUDGET_BYTES)} kB gzip`,
      budgetBytes: LAZY_CHUNK_GZIP_BUDGET_BYTES,
      pass: gzipBytes <= LAZY_CHUNK_GZIP_BUDGET_BYTES,
    });
  }
  return {
    distDir: root,
    entries: entries.map(name),
    rows,
    initialGzipBytes,
    pass: rows.every((row) => row.pass !== false),
  };
}

/** The report as a Markdown table. */
export function formatBundleTable(report) {
  const lines = [
    '| chunk | raw kB | gzip kB | kind | budget | pass |',
    '|---|---:|---:|---|---|---|',
  ];
  for (const row of report.rows) {
    const pass = row.pass === null ? '—' : row.pass ? 'pass' : 'FAIL';
    lines.push(
      `| ${row.chunk} | ${kb(row.rawBytes)} | ${kb(row.gzipBytes)} | ${row.kind} | ${row.budget} | ${pass} |`,
    );
  }
  return lines.join('\n');
}

const invokedPath = process.argv[1];
if (invokedPath && import.meta.url === pathToFileURL(resolve(invokedPath)).href) {
  const args = process.argv.slice(2);
  const distDir =
    args.find((arg) => !arg.startsWith('--')) ??
    join(dirname(fileURLToPath(import.meta.url)), '..', 'dist');
  try {
    const report = measureBundles(distDir);
    if (args.includes('--json')) console.log(JSON.stringify(report, null, 2));
    else {
      console.log(`Bundle sizes (${relative(process.cwd(), report.distDir) || '.'}):\n`);
      console.log(formatBundleTable(report));
    }
  } catch (error) {
    console.error(error instanceof Error ? error.message : String(error));
    process.exit(1);
  }
}
