// Builds ringforge.wasm: the library compiled by cargo for wasm32-unknown-unknown (the
// `ringforge-js` crate beside this package), with its debugging sections left out.
import { spawnSync } from 'node:child_process';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const pkg = join(dirname(fileURLToPath(import.meta.url)), '..');
const target = 'wasm32-unknown-unknown';

function run(cmd, args, options = {}) {
  const r = spawnSync(cmd, args, { cwd: pkg, stdio: ['ignore', 'inherit', 'inherit'], ...options });
  if (r.status !== 0) {
    throw new Error(`${cmd} ${args.join(' ')} failed (${r.error ?? `exit ${r.status}`})`);
  }
  return r;
}

// The Rust target comes with rustup; where there is none, cargo says what is missing.
spawnSync('rustup', ['target', 'add', target], { stdio: 'ignore' });
run('cargo', ['build', '--locked', '--release', '--target', target, '-p', 'ringforge-js']);
const meta = run('cargo', ['metadata', '--format-version', '1', '--no-deps'], {
  stdio: ['ignore', 'pipe', 'inherit'],
  maxBuffer: 64 << 20,
});
const targetDir = JSON.parse(meta.stdout).target_directory;
const built = join(targetDir, target, 'release', 'ringforge_js.wasm');
const out = join(pkg, 'ringforge.wasm');
copyFileSync(built, out);
const stripped = withoutDebugSections(readFileSync(out));
writeFileSync(out, stripped);
console.log(`ringforge.wasm: ${stripped.length} bytes`);

// A WebAssembly binary is a header and sections (id, LEB128 size, contents); custom sections
// (id 0) start with their name. Drops the `.debug_*` ones, which only a debugger reads.
function withoutDebugSections(bytes) {
  const parts = [bytes.subarray(0, 8)];
  let at = 8;
  const leb = () => {
    let value = 0;
    let shift = 0;
    for (;;) {
      const b = bytes[at++];
      value += (b & 0x7f) * 2 ** shift;
      shift += 7;
      if (b < 0x80) return value;
    }
  };
  while (at < bytes.length) {
    const start = at;
    const id = bytes[at++];
    const size = leb();
    const end = at + size;
    let keep = true;
    if (id === 0) {
      const nameLen = leb();
      const name = new TextDecoder().decode(bytes.subarray(at, at + nameLen));
      keep = !name.startsWith('.debug');
    }
    if (keep) parts.push(bytes.subarray(start, end));
    at = end;
  }
  return Buffer.concat(parts);
}
