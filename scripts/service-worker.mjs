// A Vite plugin that writes dist/sw.js from src/service-worker/sw.js after the build, with the
// list of every built file to precache and a version hashed from their contents.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';

const TEMPLATE = new URL('../src/service-worker/sw.js', import.meta.url);
/** Files never precached: the service worker itself and what browsers do not fetch. */
const SKIP = new Set(['sw.js', '.DS_Store']);

function filesUnder(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

/** @returns {{ version: string, files: string[] }} */
export function precacheManifest(outDir) {
  const files = filesUnder(outDir)
    .map((path) => relative(outDir, path).split(sep).join('/'))
    .filter((path) => !SKIP.has(path))
    .sort();
  const hash = createHash('sha256');
  for (const file of files) {
    hash.update(file);
    hash.update(readFileSync(join(outDir, file)));
  }
  return { version: hash.digest('hex').slice(0, 16), files };
}

export function serviceWorkerPlugin() {
  let outDir = 'dist';
  return {
    name: 'sdl-service-worker',
    apply: 'build',
    configResolved(config) {
      outDir = resolve(config.root, config.build.outDir);
    },
    writeBundle() {
      const { version, files } = precacheManifest(outDir);
      const source = readFileSync(TEMPLATE, 'utf8')
        .replace('__SDL_VERSION__', () => version)
        .replace("'__SDL_PRECACHE__'", () => JSON.stringify(JSON.stringify(files)));
      writeFileSync(join(outDir, 'sw.js'), source);
    },
  };
}
