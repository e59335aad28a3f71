// Same bytes everywhere: the package makes the tones the command line and the native library
// make, on every golden case (every good fixture and asset, with and without options).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';

import { convert } from '../index.js';
import { REPO, extension, goldenCases } from './helpers.mjs';

const cases = goldenCases();

test('the golden set is all there', () => {
  assert.ok(cases.length > 100);
  assert.ok(cases.filter((c) => !c.variant).length >= 50);
});

test('every golden case gives the golden MD5', () => {
  const differ = [];
  for (const c of cases) {
    const data = readFileSync(join(REPO, c.path));
    const tone = convert(data, { hint: extension(c.path), ...c.options });
    if (tone.md5 !== c.md5) differ.push(`${c.path} ${c.variant}: ${tone.md5} != ${c.md5}`);
    assert.equal(tone.sln.length, tone.report.bytes);
  }
  assert.deepEqual(differ, []);
});

// The command line's own files, when its binary has been built (CI runs `cargo test` first).
const CLI = process.env.RINGFORGE_BIN ?? join(REPO, 'target', 'debug', 'ringforge');

test('the command line writes the same files', { skip: !existsSync(CLI) && 'the ringforge binary is not built' }, () => {
  const out = mkdtempSync(join(tmpdir(), 'ringforge-cli-'));
  try {
    const run = spawnSync(CLI, ['convert', join(REPO, 'tests', 'fixtures'), '-o', out, '--report', 'json', '--quiet', '--no-manifests'], {
      encoding: 'utf8',
      maxBuffer: 64 << 20,
    });
    assert.ok(run.status === 0 || run.status === 1, run.stderr);
    let compared = 0;
    for (const file of JSON.parse(run.stdout).files) {
      if (file.status === 'failed') continue;
      const tone = convert(readFileSync(file.input), { hint: extension(file.input) });
      assert.ok(Buffer.from(tone.sln).equals(readFileSync(file.output)), file.input);
      assert.deepEqual(Object.keys(tone.report).sort(), Object.keys(file).filter((k) => !['input', 'id', 'output', 'error'].includes(k)).sort());
      compared += 1;
    }
    assert.ok(compared >= 40, `${compared} files compared`);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});
