// The import directions (README, Layout) as one ESLint rule, checked on resolved paths (as VS
// Code's own `code-import-patterns` rule does): every relative import is resolved against the
// importing file, so no spelling of a path (`../../src/shared/../model/x.ts`) slips through.
//
// A layer is the first matching folder of the importing file. Its `files` say which folders it
// may import from (repo-relative prefixes); `packages` which bare specifiers it may import
// (prefix match; 'node:' covers Node's built-ins), or `deny` which it may not.
import { builtinModules } from 'node:module';
import { dirname, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const TF = '@tensorflow/';
/** One codec per wire: only src/wire encodes MessagePack. */
const MSGPACK = '@msgpack/';
const NODE = ['node:', ...builtinModules, 'ws'];
const NO_TF_FOLDERS = ['src/worker/', 'src/training/', 'src/model/', 'src/engine/', 'src/data/'];

/** First match wins: more specific folders come first. */
export const LAYERS = [
  {
    layer: 'src/shared/',
    files: ['src/shared/'],
    packages: [],
    why: 'src/shared imports nothing outside itself (both processes and the renderer read it)',
  },
  {
    layer: 'src/wire/',
    files: ['src/wire/', 'src/shared/'],
    packages: [MSGPACK],
    why: 'src/wire is the browser-mode codec: src/shared and MessagePack only (the renderer reads it)',
  },
  {
    layer: 'src/host/',
    notFiles: [...NO_TF_FOLDERS, 'renderer/', 'electron/'],
    deny: [TF, 'electron', 'svelte', MSGPACK],
    why: 'src/host never loads TensorFlow: all tf work stays in the worker',
  },
  {
    layer: 'src/library/',
    notFiles: [...NO_TF_FOLDERS, 'src/host/', 'renderer/', 'electron/'],
    deny: [TF, 'electron', 'svelte'],
    why: 'src/library is file operations only: the host uses it, so it never loads TensorFlow',
  },
  {
    layer: 'src/',
    notFiles: ['renderer/', 'electron/'],
    deny: ['electron', 'svelte'],
    why: 'core never imports electron or svelte',
  },
  {
    layer: 'renderer/',
    files: ['renderer/', 'src/shared/', 'src/wire/'],
    deny: [...NODE, 'electron', TF, MSGPACK],
    why: 'the renderer imports only src/shared, src/wire and itself: no Node, Electron or TensorFlow (and MessagePack only through src/wire)',
  },
  {
    layer: 'electron/preload/',
    files: ['electron/preload/', 'src/shared/'],
    deny: [TF],
    why: 'the preload exposes src/shared contracts only',
  },
  {
    layer: 'electron/',
    // The worker is a separate bundle (`?nodeWorker`), started as a thread, never loaded here.
    files: [
      'electron/',
      'src/host/',
      'src/library/',
      'src/shared/',
      'src/worker/training.worker.ts?nodeWorker',
    ],
    deny: [TF],
    why: 'electron/main never runs TensorFlow: it talks to the worker through src/host',
  },
];

const aliases = { '$shared/': 'src/shared/', '$wire/': 'src/wire/' };

/** The import as a repo-relative path ('src/model/cnn.ts'), or null for a package. */
export function resolveImport(importer, source) {
  for (const [alias, target] of Object.entries(aliases))
    if (source.startsWith(alias)) return target + source.slice(alias.length);
  if (!source.startsWith('.') && !source.startsWith('/')) return null;
  const [path, query] = source.split('?');
  const abs = resolve(dirname(resolve(ROOT, importer)), path);
  const rel = relative(ROOT, abs).split(sep).join('/');
  return query ? `${rel}?${query}` : rel;
}

const starts = (value, prefixes) => prefixes.some((p) => value === p || value.startsWith(p));
const packageMatch = (source, names) =>
  names.some(
    (n) => source === n || source.startsWith(n.endsWith('/') || n.endsWith(':') ? n : `${n}/`),
  );

/** Why `source` may not be imported from `importer` (repo-relative), or null when it may. */
export function violation(importer, source) {
  const rule = LAYERS.find((l) => importer.startsWith(l.layer));
  if (!rule) return null;
  const target = resolveImport(importer, source);
  if (target === null) {
    if (rule.packages && !packageMatch(source, rule.packages)) return rule.why;
    if (rule.deny && packageMatch(source, rule.deny)) return rule.why;
    return null;
  }
  if (target.startsWith('..')) return `${rule.why} (it resolves outside the project)`;
  if (rule.files && !starts(target, rule.files)) return `${rule.why}; it resolves to ${target}`;
  if (rule.notFiles && starts(target, rule.notFiles))
    return `${rule.why}; it resolves to ${target}`;
  return null;
}

export default {
  rules: {
    'import-direction': {
      meta: {
        type: 'problem',
        docs: { description: 'Import directions between layers, on resolved paths' },
        schema: [],
      },
      create(context) {
        const importer = relative(ROOT, context.filename).split(sep).join('/');
        const check = (node) => {
          const source = node.source;
          if (!source || source.type !== 'Literal' || typeof source.value !== 'string') return;
          const why = violation(importer, source.value);
          if (why) context.report({ node: source, message: `'${source.value}': ${why}.` });
        };
        return {
          ImportDeclaration: check,
          ExportAllDeclaration: check,
          ExportNamedDeclaration: check,
          ImportExpression: check,
        };
      },
    },
  },
};
