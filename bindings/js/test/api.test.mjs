// The JavaScript surface: options by their ringforge.toml names, typed errors that leave the
// module working, inspect and manifests.
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

import { RingforgeError, _convertWithFailingReader, _panicOutsideDecoders, convert, inspect, manifests, toneName } from '../index.js';
import { FIXTURES, REPO } from './helpers.mjs';

const SINE = readFileSync(join(FIXTURES, 'sine1k_48k_s16_mono.wav'));
const OLD = readFileSync(join(REPO, 'assets', 'legacy', 'old-pbx-8k.wav'));
const GOOD_MD5 = convert(SINE, { hint: 'wav' }).md5;

function kindOf(fn) {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof Error && e instanceof RingforgeError, String(e));
    assert.ok(e.message.length > 0);
    return e.kind;
  }
  return null;
}

test('convert returns the file, its md5 and the report', () => {
  const tone = convert(SINE);
  assert.ok(tone.sln instanceof Uint8Array);
  assert.equal(tone.sln.length, tone.report.bytes);
  assert.equal(tone.md5, tone.report.md5);
  assert.equal(tone.report.source.sample_rate, 48000);
  assert.equal(tone.report.status, 'ok');
  const old = convert(OLD, { hint: 'wav' });
  assert.equal(old.report.warnings[0].kind, 'upsampled');
  assert.equal(old.report.status, 'warned');
  assert.match(old.report.warnings_text[0], /16 kHz/);
});

test('options use the ringforge.toml names and values', () => {
  const part = convert(SINE, { start: '0:00.1', length: 0.2, dither: 'none' });
  assert.equal(part.sln.length, 6400);
  assert.equal(convert(SINE, { start: 0.1, length: 0.2, dither: 'none' }).md5, part.md5);
  const loud = convert(SINE, { normalize: 'loudness:-20' });
  assert.ok(Math.abs(loud.report.loudness_lufs + 20) < 0.5);
  assert.equal(convert(SINE, { start: null, normalize: undefined }).md5, GOOD_MD5);
  assert.equal(kindOf(() => convert(SINE, { loudness: -16 })), 'unknown_option');
  for (const bad of [
    { normalize: 'louder' },
    { dither: 'yes' },
    { gain_db: 99 },
    { clip: 'yes' },
    { max_bytes: 2 },
    { channel: ['left'] },
  ]) {
    assert.equal(kindOf(() => convert(SINE, bad)), 'invalid_options', JSON.stringify(bad));
  }
});

test('every bad fixture is a typed error or a warned tone, and the next call works', () => {
  const kinds = new Set(['unsupported_format', 'no_audio_track', 'corrupt_file', 'empty', 'limit_exceeded', 'decoder_panic']);
  let failed = 0;
  const bad = readdirSync(join(FIXTURES, 'bad'));
  assert.ok(bad.length >= 10);
  for (const name of bad) {
    const data = readFileSync(join(FIXTURES, 'bad', name));
    for (const options of [{ hint: name.split('.').pop() }, {}]) {
      let tone = null;
      const kind = kindOf(() => {
        tone = convert(data, options);
      });
      if (kind === null) {
        assert.ok(tone.report.warnings.length > 0, `${name} converted without a warning`);
      } else {
        assert.ok(kinds.has(kind), `${name}: ${kind}`);
        failed += 1;
      }
      assert.equal(convert(SINE).md5, GOOD_MD5, `after ${name}`);
    }
  }
  assert.ok(failed >= 2 * (bad.length - 3));
});

test('a panic aborts only its call: a fresh instance takes over', () => {
  assert.throws(() => _convertWithFailingReader(SINE), (e) => {
    assert.equal(e.kind, 'decoder_panic');
    assert.match(e.message, /^the decoder failed on this file; it may be corrupt \(simulated decoder bug\)/);
    return true;
  });
  assert.equal(convert(SINE).md5, GOOD_MD5);
  assert.throws(() => _panicOutsideDecoders(), (e) => {
    assert.equal(e.kind, 'internal_error');
    assert.match(e.message, /index out of bounds/);
    assert.match(e.message, /a bug in ringforge, not a fault of the file/);
    return true;
  });
  assert.equal(convert(SINE).md5, GOOD_MD5);
  assert.equal(kindOf(() => _convertWithFailingReader(SINE)), 'decoder_panic');
  assert.equal(kindOf(() => convert(new Uint8Array(100))), 'unsupported_format');
  assert.equal(convert(SINE).md5, GOOD_MD5);
});

test('limits apply', () => {
  const long = readFileSync(join(REPO, 'assets', 'melodies', 'morning_melody.flac'));
  assert.equal(kindOf(() => convert(long, { max_decoded_seconds: 1 })), 'limit_exceeded');
  assert.equal(kindOf(() => convert(SINE, { max_input_bytes: 100 })), 'limit_exceeded');
  assert.equal(kindOf(() => convert(long, { max_bytes: 32000, on_oversize: 'error' })), 'too_large');
  assert.ok(convert(long, { max_decoded_seconds: 3600 }).sln.length > 0);
});

test('inspect describes sources and tones', () => {
  const src = inspect(OLD, { hint: 'wav' });
  assert.equal(src.kind, 'source');
  assert.equal(src.sample_rate, 8000);
  const tone = inspect(convert(SINE).sln, { hint: 'sln' });
  assert.equal(tone.kind, 'tone');
  assert.equal(tone.valid, true);
});

test('manifests come from the library renderers', () => {
  const a = convert(SINE);
  const b = convert(OLD);
  const files = manifests(
    [
      { id: 'front-desk', display: 'Front Desk', tone: a },
      { id: 'old-pbx', tone: b },
    ],
    { url_prefix: 'http://pbx.example.com/digium_phones/', alerts: ['frontdesk=front-desk'] },
  );
  assert.deepEqual(Object.keys(files).sort(), ['res_digium_phone.conf', 'ringtones.json', 'ringtones.xml']);
  assert.ok(files['ringtones.xml'].includes(`md5="${a.md5}"`));
  assert.ok(files['ringtones.xml'].includes('url="http://pbx.example.com/digium_phones/front-desk.sln"'));
  assert.ok(files['res_digium_phone.conf'].includes('[old-pbx]\ntype=ringtone\nalias=Old Pbx\n'));
  assert.equal(kindOf(() => manifests([{ id: 'digium', tone: a }])), 'builtin_collision');
  assert.equal(kindOf(() => manifests([{ id: 'a', tone: a }], { alerts: ['x=nosuch'] })), 'unknown_tone');
  assert.throws(() => manifests([{ id: 'a', tone: 'no' }]), TypeError);
});

test('tone names are made as the command line makes them', () => {
  assert.deepEqual(toneName('Office/Front Desk.mp3'), { id: 'office-front-desk', display: 'Front Desk' });
  assert.deepEqual(toneName('Café Crème.wav'), { id: 'cafe-creme', display: 'Café Crème' });
  assert.equal(kindOf(() => toneName('日本.wav')), 'invalid_id');
  assert.equal(kindOf(() => toneName('digium.wav')), 'builtin_collision');
});
