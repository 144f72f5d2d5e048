// `npm run security`: Electronegativity over the desktop app (electron/ and renderer/), failing on
// any HIGH or MEDIUM finding that security/electronegativity-allow.json does not explain.
//
// Electronegativity always exits 0, takes a single --input, and writes its CSV report with two
// unordered async writes (header, then rows). So this script:
//   - copies electron/ and renderer/ into one temporary folder and scans that, so the global
//     checks (CSP, navigation limits, permission handler) see main, preload and page together;
//   - passes -e with the installed Electron version, and skips only the check that downloads
//     Electron's release list (it needs the network and would make CI depend on the day's news);
//   - runs it with one libuv thread, so the two writes land in order (header, then rows), and
//     refuses a report without its header; a report that lost rows shows up as a stale
//     allow-list entry (below), so it cannot pass silently;
//   - fails (exit 1) on HIGH/MEDIUM findings not in the allow-list, on allow-list entries that no
//     longer match anything (stale explanations), and on any scanner error.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const require = createRequire(import.meta.url);
const ALLOW_FILE = join(ROOT, 'security', 'electronegativity-allow.json');
const SCANNED = ['electron', 'renderer'];
const FAILING = new Set(['HIGH', 'MEDIUM']);

/** RFC 4180 CSV, as Electronegativity writes it (fields quoted, quotes doubled). */
export function parseCsv(text) {
  const rows = [];
  let row = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += c;
  }
  if (field !== '' || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows.filter((r) => r.length > 1 || r[0] !== '');
}

const HEADER = [
  'issue',
  'severity',
  'confidence',
  'filename',
  'location',
  'sample',
  'description',
  'url',
];

/** Findings from the CSV report: { id, severity, confidence, file, location, sample, description }. */
export function findingsFromCsv(text) {
  const [header, ...rows] = parseCsv(text);
  if (!header || header.map((h) => h.trim()).join() !== HEADER.join())
    throw new Error(
      `the report does not start with the expected header (${JSON.stringify(header)})`,
    );
  return rows.map((r, i) => {
    if (r.length !== HEADER.length) throw new Error(`report row ${i + 2} has ${r.length} fields`);
    const [id, severity, confidence, file, location, sample, description] = r;
    return { id, severity, confidence, file, location, sample, description };
  });
}

/** The allow-list: entries { id, file, reason }, each reason a real sentence. */
export function readAllowList(text) {
  const json = JSON.parse(text);
  if (!Array.isArray(json.allow)) throw new Error('the allow-list needs an "allow" array');
  for (const [i, a] of json.allow.entries())
    if (
      typeof a.id !== 'string' ||
      typeof a.file !== 'string' ||
      typeof a.reason !== 'string' ||
      a.reason.trim().length < 20
    )
      throw new Error(
        `allow-list entry ${i + 1} needs id, file and a reason of a sentence or more`,
      );
  return json.allow;
}

/** Splits findings into failures (HIGH/MEDIUM, unexplained), allowed ones, and stale entries. */
export function judge(findings, allow) {
  const used = new Set();
  const failures = [];
  const allowed = [];
  for (const f of findings) {
    if (!FAILING.has(f.severity)) continue;
    const i = allow.findIndex((a) => a.id === f.id && a.file === f.file);
    if (i >= 0) {
      used.add(i);
      allowed.push({ ...f, reason: allow[i].reason });
    } else failures.push(f);
  }
  const stale = allow.filter((_, i) => !used.has(i));
  return { failures, allowed, stale };
}

/** Scans `dirs` (relative to `root`) as one app; returns the Electron version used and findings. */
export function scan(root = ROOT, dirs = SCANNED) {
  const electron = require(join(ROOT, 'node_modules/electron/package.json')).version;
  const pkg = require.resolve('@doyensec/electronegativity/package.json');
  const bin = join(dirname(pkg), require(pkg).bin.electronegativity);
  const work = mkdtempSync(join(tmpdir(), 'cnn-security-'));
  try {
    const app = join(work, 'app');
    for (const dir of dirs) cpSync(join(root, dir), join(app, dir), { recursive: true });
    const report = join(work, 'electronegativity.csv');
    const r = spawnSync(
      process.execPath,
      [
        bin,
        '-i',
        app,
        '-e',
        electron,
        '-r',
        '-x',
        'AvailableSecurityFixesGlobalCheck',
        '-o',
        report,
      ],
      {
        encoding: 'utf8',
        env: { ...process.env, UV_THREADPOOL_SIZE: '1', FORCE_COLOR: '0', NO_COLOR: '1' },
        maxBuffer: 64 * 1024 * 1024,
      },
    );
    if (r.status !== 0) throw new Error(`electronegativity exited ${r.status}:\n${r.stderr}`);
    if (/error/i.test(r.stderr.replace(/Could not retrieve updated translations[^\n]*/g, '')))
      throw new Error(`electronegativity reported errors:\n${r.stderr}`);
    return { electron, findings: findingsFromCsv(readFileSync(report, 'utf8')) };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

function main() {
  let result;
  let allow;
  try {
    allow = readAllowList(readFileSync(ALLOW_FILE, 'utf8'));
    result = scan();
  } catch (e) {
    console.error(`security: ${e.message}`);
    return 1;
  }
  const { failures, allowed, stale } = judge(result.findings, allow);
  const others = result.findings.filter((f) => !FAILING.has(f.severity));
  console.log(
    `Electronegativity (Electron ${result.electron}) over ${SCANNED.join('/ and ')}/: ` +
      `${result.findings.length} findings, ${failures.length} unexplained HIGH/MEDIUM.`,
  );
  for (const f of allowed)
    console.log(`  allowed ${f.severity} ${f.id} ${f.file}:${f.location} — ${f.reason}`);
  for (const f of others)
    console.log(`  note    ${f.severity} ${f.id} ${f.file}:${f.location} — ${f.description}`);
  for (const f of failures)
    console.error(
      `  FAIL    ${f.severity} ${f.id} ${f.file}:${f.location} — ${f.description}\n          ${f.sample}`,
    );
  for (const a of stale)
    console.error(`  STALE   allow-list entry ${a.id} ${a.file} matches no finding: remove it.`);
  if (failures.length > 0)
    console.error(
      'Fix these, or explain each in security/electronegativity-allow.json with a reason.',
    );
  return failures.length > 0 || stale.length > 0 ? 1 : 0;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1])
  process.exitCode = main();
