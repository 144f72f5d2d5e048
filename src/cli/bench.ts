// `npm run bench`: speed figures as JSON lines, one child process per engine (a tfjs backend is
// process-wide). Not part of `npm test`: tests never assert timing.
//   npm run bench -- [--engines native,wasm,cpu] [--quick]
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const args = process.argv.slice(2);
const flag = args.indexOf('--engines');
const engines = (flag >= 0 ? (args[flag + 1] ?? '') : 'native,wasm').split(',').filter(Boolean);
const bad = engines.filter((e) => !['native', 'wasm', 'cpu'].includes(e));
if (bad.length > 0) {
  console.error(`bench: unknown engine ${bad.join(', ')}; choose from native, wasm, cpu.`);
  process.exit(2);
}
const script = fileURLToPath(new URL('./bench-engine.ts', import.meta.url));

for (const engine of engines) {
  const code = await new Promise<number | null>((resolve) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', script, engine, ...args.filter((a) => a === '--quick')],
      {
        stdio: ['ignore', 'inherit', 'inherit'],
      },
    );
    child.on('exit', resolve);
  });
  if (code !== 0) {
    console.error(`bench: the ${engine} engine's benchmark exited with code ${code}`);
    process.exitCode = 1;
  }
}
