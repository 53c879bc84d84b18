import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BenchFn, formatTable, machineInfo } from './harness.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const available = readdirSync(here)
  .filter((f) => f.endsWith('.ts') && !['run.ts', 'harness.ts'].includes(f))
  .map((f) => f.slice(0, -3))
  .sort();

const [name, ...args] = process.argv.slice(2);
if (!name || name === '--help' || name === '-h') {
  console.log(`usage: npm run bench -- <name> [args]\n\nbenchmarks: ${available.join(', ')}`);
  process.exit(name ? 0 : 1);
}
if (!available.includes(name)) {
  console.error(`fraudstream bench: unknown benchmark "${name}" (available: ${available.join(', ')})`);
  process.exit(2);
}

const mod = (await import(path.join(here, `${name}.ts`))) as { default: BenchFn };
const tmpDir = mkdtempSync(path.join(os.tmpdir(), `fraudstream-bench-${name}-`));
try {
  const results = await mod.default({
    args,
    tmpDir,
    progress: (m) => process.stderr.write(`[bench ${name}] ${m}\n`),
  });
  console.log(formatTable(results));
  mkdirSync(path.join(here, 'results'), { recursive: true });
  const out = path.join(here, 'results', `${name}.json`);
  const doc = { bench: name, machine: machineInfo(), date: new Date().toISOString(), results };
  writeFileSync(out, `${JSON.stringify(doc, null, 2)}\n`);
  console.log(`\nwrote ${path.relative(process.cwd(), out)}`);
} finally {
  rmSync(tmpDir, { recursive: true, force: true });
}
