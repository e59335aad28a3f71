// Runs a wasm32-wasip1 program under Node's WASI, with folders of the host visible to it.
//
//   node scripts/wasi-run.mjs PROGRAM.wasm [--map HOST_FOLDER=GUEST_FOLDER]... [--] [ARGS...]
//
// Each HOST_FOLDER appears to the program as GUEST_FOLDER (an absolute path such as /repo).
import { readFile } from 'node:fs/promises';
import { WASI } from 'node:wasi';
import process from 'node:process';

const [program, ...rest] = process.argv.slice(2);
const preopens = {};
let i = 0;
for (; i < rest.length; i++) {
  if (rest[i] === '--') { i++; break; }
  if (rest[i] !== '--map') break;
  const [host, guest] = rest[++i].split('=');
  preopens[guest] = host;
}
if (!program) {
  console.error('usage: node scripts/wasi-run.mjs PROGRAM.wasm [--map HOST=GUEST]... [--] [ARGS...]');
  process.exit(2);
}
const wasi = new WASI({
  version: 'preview1',
  args: [program, ...rest.slice(i)],
  env: {},
  preopens,
  returnOnExit: true,
});
const module = await WebAssembly.compile(await readFile(program));
const instance = await WebAssembly.instantiate(module, wasi.getImportObject());
process.exitCode = wasi.start(instance);
