/**
 * The simulation kernel and every lab's sim/ are pure (DESIGN.md §2, §3): no wall clock, no
 * Math.random, no timers, no DOM, no UI libraries, and imports only from kernel/ or their own sim/.
 * This scans the source text, so it also catches what the linter's config might miss.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SRC = dirname(fileURLToPath(import.meta.url));
const KERNEL = join(SRC, 'kernel');
const LABS = join(SRC, 'labs');

interface Violation {
  line: number;
  rule: string;
  text: string;
}

const FORBIDDEN_TOKENS: readonly { rule: string; pattern: RegExp }[] = [
  { rule: 'Math.random', pattern: /\bMath\s*\.\s*random\b/ },
  { rule: 'Date.now', pattern: /\bDate\s*\.\s*now\b/ },
  { rule: 'new Date', pattern: /\bnew\s+Date\b/ },
  { rule: 'performance.now', pattern: /\bperformance\s*\.\s*now\b/ },
  { rule: 'setTimeout', pattern: /\bsetTimeout\b/ },
  { rule: 'setInterval', pattern: /\bsetInterval\b/ },
  { rule: 'document.', pattern: /(?<![\w$])document\s*\./ },
  { rule: 'window.', pattern: /(?<![\w$])window\s*\./ },
];

/** Module specifiers of static imports, re-exports, dynamic imports and requires. */
const SPECIFIER = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+|\brequire\s*\(\s*)(['"`])([^'"`]+)\1/g;

const FORBIDDEN_PACKAGES =
  /^(?:react(?:-[\w-]+)?|d3(?:-[\w-]+)?|zustand|framer-motion|@tanstack\/[\w-]+)(?:\/|$)/;
const FORBIDDEN_FOLDERS = /(?:^|\/)(?:app|view|worker)(?:\/|$)/;

/**
 * Blanks out comments, keeping every newline so line numbers stay right. String and template
 * literals are kept (module specifiers live there), and a comment marker inside one is not a comment.
 */
function stripComments(source: string): string {
  let out = '';
  let i = 0;
  let quote: string | null = null;
  while (i < source.length) {
    const c = source[i]!;
    const next = source[i + 1];
    if (quote) {
      out += c;
      if (c === '\\' && next !== undefined) {
        out += next;
        i += 2;
        continue;
      }
      if (c === quote) quote = null;
      i += 1;
      continue;
    }
    if (c === "'" || c === '"' || c === '`') {
      quote = c;
      out += c;
      i += 1;
      continue;
    }
    if (c === '/' && next === '/') {
      while (i < source.length && source[i] !== '\n') {
        out += ' ';
        i += 1;
      }
      continue;
    }
    if (c === '/' && next === '*') {
      const end = source.indexOf('*/', i + 2);
      const stop = end < 0 ? source.length : end + 2;
      for (; i < stop; i += 1) out += source[i] === '\n' ? '\n' : ' ';
      continue;
    }
    out += c;
    i += 1;
  }
  return out;
}

/** Every forbidden token and forbidden import in a source text, with 1-based line numbers. */
function findViolations(source: string): Violation[] {
  const violations: Violation[] = [];
  const lines = stripComments(source).split('\n');
  const original = source.split('\n');
  lines.forEach((code, index) => {
    const text = (original[index] ?? '').trim();
    for (const { rule, pattern } of FORBIDDEN_TOKENS) {
      if (pattern.test(code)) violations.push({ line: index + 1, rule, text });
    }
    for (const match of code.matchAll(SPECIFIER)) {
      const specifier = match[2] ?? '';
      if (FORBIDDEN_PACKAGES.test(specifier)) {
        violations.push({ line: index + 1, rule: `import of ${specifier}`, text });
      } else if (specifier.startsWith('.') && FORBIDDEN_FOLDERS.test(specifier)) {
        violations.push({ line: index + 1, rule: `import of ${specifier}`, text });
      }
    }
  });
  return violations;
}

/** Relative imports that land outside kernel/ and the file's own sim/ folder; bare packages too. */
function findForeignImports(
  source: string,
  filePath: string,
  allowedRoots: readonly string[],
): Violation[] {
  const violations: Violation[] = [];
  const lines = stripComments(source).split('\n');
  lines.forEach((code, index) => {
    for (const match of code.matchAll(SPECIFIER)) {
      const specifier = match[2] ?? '';
      const target = specifier.startsWith('.') ? resolve(dirname(filePath), specifier) : null;
      const allowed =
        target !== null &&
        allowedRoots.some((root) => target === root || target.startsWith(root + sep));
      if (!allowed) {
        violations.push({ line: index + 1, rule: `import of ${specifier}`, text: code.trim() });
      }
    }
  });
  return violations;
}

function listTsFiles(folder: string): string[] {
  const files: string[] = [];
  for (const name of readdirSync(folder)) {
    const path = join(folder, name);
    if (statSync(path).isDirectory()) files.push(...listTsFiles(path));
    else if (name.endsWith('.ts') && !name.endsWith('.test.ts') && !name.endsWith('.d.ts')) {
      files.push(path);
    }
  }
  return files;
}

/** The pure folders and, for each, where its files may import from. */
function pureFolders(): { folder: string; allowedRoots: string[] }[] {
  const folders = [{ folder: KERNEL, allowedRoots: [KERNEL] }];
  for (const lab of readdirSync(LABS)) {
    const sim = join(LABS, lab, 'sim');
    try {
      if (statSync(sim).isDirectory()) folders.push({ folder: sim, allowedRoots: [KERNEL, sim] });
    } catch {
      // A lab without a sim/ folder yet has nothing to check.
    }
  }
  return folders;
}

function report(file: string, violations: readonly Violation[]): string[] {
  return violations.map((v) => `${relative(SRC, file)}:${v.line} ${v.rule}: ${v.text}`);
}

describe('the matcher', () => {
  it('finds each forbidden token, with its line number', () => {
    const sample = [
      "import { createRng } from '../kernel/prng';",
      'const a = Math.random();',
      'const b = Date.now();',
      'const c = new Date();',
      'const d = performance.now();',
      'setTimeout(() => {}, 0);',
      'const e = setInterval;',
      "document.querySelector('svg');",
      'window.alert(1);',
      'const ok = state.nowMs;',
    ].join('\n');
    expect(findViolations(sample).map((v) => `${v.line} ${v.rule}`)).toEqual([
      '2 Math.random',
      '3 Date.now',
      '4 new Date',
      '5 performance.now',
      '6 setTimeout',
      '7 setInterval',
      '8 document.',
      '9 window.',
    ]);
  });

  it('finds forbidden imports of UI libraries and of app/, view/ and worker/', () => {
    const sample = [
      "import { useState } from 'react';",
      "import * as d3 from 'd3';",
      "import { select } from 'd3-selection';",
      "import { create } from 'zustand';",
      "import type { Store } from '../../../app/store';",
      "export { view } from '../view/ring-view';",
      "const lazy = import('../../../worker/runner');",
      "import { createRoot } from 'react-dom/client';",
      "import { assert } from '../../../kernel/assert';",
      "import { model } from './view-model';",
      "import { hash } from './hash';",
    ].join('\n');
    expect(findViolations(sample).map((v) => v.line)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  });

  it('ignores comments, but not code after a string that looks like a comment', () => {
    const sample = [
      '// Never call Math.random or Date.now here.',
      '/* setTimeout would break replays;',
      '   so would window.requestAnimationFrame */',
      '/**',
      " * document.body is off limits (import from 'react' too)",
      ' */',
      "const url = 'http://example.com'; const t = Date.now();",
      'const x = 1; // performance.now is not used',
      "const s = '/* not a comment */ Math.random';",
    ].join('\n');
    expect(findViolations(sample).map((v) => `${v.line} ${v.rule}`)).toEqual([
      '7 Date.now',
      '9 Math.random',
    ]);
  });

  it('keeps line numbers through multi-line comments', () => {
    const stripped = stripComments('a\n/* one\ntwo\nthree */\nb // c\n');
    expect(stripped.split('\n')).toHaveLength(6);
    expect(stripped.split('\n')[4]?.trim()).toBe('b');
  });

  it('flags imports that leave kernel/ and the own sim/ folder', () => {
    const sim = join(LABS, 'demo', 'sim');
    const file = join(sim, 'model.ts');
    const sample = [
      "import { assert } from '../../../kernel/assert';",
      "import { ring } from './ring';",
      "import { other } from '../../other-lab/sim/model';",
      "import { z } from 'zod';",
      "import { lesson } from '../lesson';",
    ].join('\n');
    expect(findForeignImports(sample, file, [KERNEL, sim]).map((v) => v.line)).toEqual([3, 4, 5]);
  });
});

describe('purity of kernel/ and labs/*/sim/', () => {
  const folders = pureFolders();
  const files = folders.flatMap(({ folder, allowedRoots }) =>
    listTsFiles(folder).map((file) => ({ file, allowedRoots })),
  );

  it('scans the real sources (the scan is not empty)', () => {
    const names = files.map(({ file }) => relative(SRC, file).split(sep).join('/'));
    expect(names).toContain('kernel/prng.ts');
    expect(names).toContain('kernel/event-queue.ts');
    expect(names).toContain('labs/hash-ring/sim/model.ts');
    expect(names).toContain('labs/hash-ring/sim/ring.ts');
    expect(names.some((n) => n.endsWith('.test.ts'))).toBe(false);
  });

  it('no file uses the wall clock, Math.random, timers, the DOM or UI imports', () => {
    const problems = files.flatMap(({ file }) =>
      report(file, findViolations(readFileSync(file, 'utf8'))),
    );
    expect(problems).toEqual([]);
  });

  it('every import resolves into kernel/ or the file’s own sim/ folder', () => {
    const problems = files.flatMap(({ file, allowedRoots }) =>
      report(file, findForeignImports(readFileSync(file, 'utf8'), file, allowedRoots)),
    );
    expect(problems).toEqual([]);
  });
});
