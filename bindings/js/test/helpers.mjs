// Paths and the golden set shared by the package's tests.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const FIXTURES = join(REPO, 'tests', 'fixtures');

// The golden set's option variants (tests/golden/cases.rs), as options.
export const VARIANTS = {
  'dither=none': { dither: 'none' },
  'normalize=loudness': { normalize: 'loudness' },
  'normalize=peak:-3': { normalize: 'peak:-3' },
  'start=0.1 length=0.12': { start: 0.1, length: 0.12 },
  'max_bytes=16000': { max_bytes: 16000 },
  'trim_silence=-50 gain=-4': { trim_silence: -50, gain_db: -4 },
  // cases.rs adds 3 dB of gain to this variant, so that something clips.
  'channel=left clip': { channel: 'left', clip: true, gain_db: 3 },
};

/** Every line of tests/golden/MD5SUMS: { md5, path, variant, options }. */
export function goldenCases() {
  const text = readFileSync(join(REPO, 'tests', 'golden', 'MD5SUMS'), 'utf8');
  return text
    .split('\n')
    .filter((l) => l.trim() && !l.startsWith('#'))
    .map((line) => {
      const md5 = line.slice(0, 32);
      const name = line.slice(34);
      const space = name.indexOf(' ');
      const file = space < 0 ? name : name.slice(0, space);
      const variant = space < 0 ? '' : name.slice(space + 1);
      if (variant && !(variant in VARIANTS)) {
        throw new Error(`golden variant ${variant} has no options in test/helpers.mjs`);
      }
      return { md5, path: file, variant, options: VARIANTS[variant] ?? {} };
    });
}

export function extension(path) {
  return path.slice(path.lastIndexOf('.') + 1);
}
