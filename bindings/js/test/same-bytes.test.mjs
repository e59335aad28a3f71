// Same bytes everywhere: the package makes the tones the command line and the native library
// make, on every golden case (every good fixture and asset, with and without options).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
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
