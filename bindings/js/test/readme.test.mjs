// The README's "Use from JavaScript" example, extracted and run as it is written.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

import { REPO } from './helpers.mjs';

const PKG = join(dirname(fileURLToPath(import.meta.url)), '..');

test('the README example runs', () => {
  const readme = readFileSync(join(REPO, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Use from JavaScript\n'));
  const code = /```js\n([\s\S]*?)```/.exec(section)[1];
  // Inside the package, `import … from 'ringforge'` resolves to it (a package's self-reference).
  const script = join(PKG, '.readme-example.mjs');
  const dir = mkdtempSync(join(tmpdir(), 'ringforge-js-'));
  try {
    writeFileSync(script, code);
    copyFileSync(join(REPO, 'assets', 'office', 'front-desk-chime.mp3'), join(dir, 'front-desk-chime.mp3'));
    const run = spawnSync(process.execPath, [script], { cwd: dir, encoding: 'utf8' });
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /unsupported_format/);
    for (const name of ['front-desk.sln', 'ringtones.xml']) {
      assert.ok(statSync(join(dir, name)).size > 0, name);
    }
  } finally {
    rmSync(script, { force: true });
    rmSync(dir, { recursive: true, force: true });
  }
});
