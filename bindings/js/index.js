// ringforge for JavaScript: the ringforge library compiled to WebAssembly, and this wrapper.
//
// In Node the module is ready when `import` returns. In a browser, `await init()` once first
// (it fetches ringforge.wasm next to this file, or the URL, Response or bytes you give it).

const WASM_URL = new URL('./ringforge.wasm', import.meta.url);
const isNode = typeof process !== 'undefined' && !!process.versions?.node;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

let compiled = null; // the compiled WebAssembly.Module, kept to start fresh instances
let wasm = null; // the current instance's exports

/** An error from ringforge: `kind` names what went wrong (e.g. "corrupt_file"). */
export class RingforgeError extends Error {
  constructor(kind, message, options) {
    super(message, options);
    this.name = 'RingforgeError';
    this.kind = kind;
  }
}

async function compile(source) {
  if (source instanceof WebAssembly.Module) return source;
  if (source instanceof ArrayBuffer || ArrayBuffer.isView(source)) {
    return WebAssembly.compile(source);
  }
  if (typeof Response !== 'undefined' && source instanceof Response) {
    return WebAssembly.compile(await source.arrayBuffer());
  }
  const url = source ? new URL(source, WASM_URL) : WASM_URL;
  if (isNode && url.protocol === 'file:') {
    const { readFile } = await import('node:fs/promises');
    return WebAssembly.compile(await readFile(url));
  }
  const response = await fetch(url);
  if (!response.ok) throw new RingforgeError('io', `cannot load ${url}: HTTP ${response.status}`);
  return WebAssembly.compile(await response.arrayBuffer());
}

/**
 * Loads the WebAssembly module. Node does it on import; a browser calls it once before the
 * first conversion. `source`: a URL, Response, bytes or WebAssembly.Module (default: the
 * ringforge.wasm beside this file). Calling it again without a source does nothing.
 */
export async function init(source) {
  if (compiled && source === undefined) return;
  compiled = await compile(source);
  wasm = new WebAssembly.Instance(compiled, {}).exports;
}

if (isNode) await init();

// Calls export `name` with each input copied into the instance's memory; returns the answer's
// JSON and bytes, or throws its error. A trap (a panic, or memory exhausted) leaves the instance
// unusable: a fresh one replaces it before the error is thrown, so the next call works.
function call(name, inputs) {
  if (!wasm) {
    throw new RingforgeError('not_initialized', 'ringforge: call `await init()` before the first use');
  }
  const ex = wasm;
  const held = [];
  try {
    const args = [];
    for (const input of inputs) {
      const ptr = ex.rf_alloc(input.length);
      held.push([ptr, input.length]);
      new Uint8Array(ex.memory.buffer, ptr, input.length).set(input);
      args.push(ptr, input.length);
    }
    const status = ex[name](...args);
    const json = JSON.parse(
      decoder.decode(new Uint8Array(ex.memory.buffer, ex.rf_out_json_ptr(), ex.rf_out_json_len())),
    );
    if (status !== 0) throw new RingforgeError(json.kind, json.message);
    const bytes = new Uint8Array(ex.memory.buffer, ex.rf_out_bytes_ptr(), ex.rf_out_bytes_len()).slice();
    return { json, bytes };
  } catch (e) {
    if (e instanceof WebAssembly.RuntimeError) {
      // A panic left its error, as the library reports a panic it catches, before the abort.
      let failure = null;
      try {
        if (ex.rf_panicked() === 1) {
          failure = JSON.parse(
            decoder.decode(new Uint8Array(ex.memory.buffer, ex.rf_out_json_ptr(), ex.rf_out_json_len())),
          );
        }
      } catch {
        // The aborted instance could not say; the trap itself is all there is.
      }
      wasm = new WebAssembly.Instance(compiled, {}).exports;
      if (failure) throw new RingforgeError(failure.kind, failure.message, { cause: e });
      throw new RingforgeError(
        'decoder_panic',
        `the decoder failed on this input; it may be corrupt (${e.message})`,
        { cause: e },
      );
    }
    throw e;
  } finally {
    if (ex === wasm) for (const [ptr, len] of held) ex.rf_free(ptr, len);
  }
}

function bytesOf(data) {
  if (data instanceof Uint8Array) return data;
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  throw new TypeError('data must be a Uint8Array, ArrayBuffer or typed array');
}

function optionsJson(options) {
  return encoder.encode(JSON.stringify(options ?? {}));
}

/**
 * Converts audio held in memory into a phone ringtone.
 * `options`: `hint` (the file extension, e.g. "mp3") and the ringforge.toml option names
 * (`normalize: "loudness:-16"`, `start`, `length`, `dither`, `max_bytes`, …).
 * Returns `{ sln, md5, report }`: the .sln file's bytes, their MD5, and the fields of one file
 * of `ringforge convert --report json`.
 */
export function convert(data, options = {}) {
  const { json, bytes } = call('rf_convert', [bytesOf(data), optionsJson(options)]);
  return { sln: bytes, md5: json.md5, report: json };
}

/** What a source (or, with `hint: "sln"`, a raw tone) is and what converting it would do. */
export function inspect(data, options = {}) {
  return call('rf_inspect', [bytesOf(data), optionsJson(options)]).json;
}

/**
 * Renders the provisioning manifests of converted tones as `{ "ringtones.xml": text, … }`.
 * `tones`: `[{ id, display?, tone }]` with `tone` what `convert` returned (its file is
 * `<id>.sln`; the display name is made from the id when not given).
 * `options`: `url_prefix`, `alerts` (["INFO=TONE[:RING_TYPE]"]), `builtin_tones` (default
 * true), `which` (default "xml,dpma,json").
 */
export function manifests(tones, options = {}) {
  const slns = [];
  const list = tones.map(({ id, display, tone }) => {
    if (!tone || !(tone.sln instanceof Uint8Array)) {
      throw new TypeError(`tone ${id}: give what convert() returned`);
    }
    slns.push(tone.sln);
    return { id, display: display ?? null, bytes: tone.sln.length, report: tone.report ?? null };
  });
  const blob = new Uint8Array(slns.reduce((n, s) => n + s.length, 0));
  let at = 0;
  for (const s of slns) {
    blob.set(s, at);
    at += s.length;
  }
  const request = encoder.encode(JSON.stringify({ ...options, tones: list }));
  return call('rf_manifests', [request, blob]).json;
}

/**
 * The tone id and display name the command line gives a file of this name:
 * `toneName('Front Desk.mp3')` is `{ id: 'front-desk', display: 'Front Desk' }`. Throws
 * (`kind: "invalid_id"`) for a name with no usable letters or digits.
 */
export function toneName(fileName) {
  return call('rf_tone_name', [encoder.encode(String(fileName))]).json;
}

/** For the package's tests: a conversion whose reader panics, to show the recovery. */
export function _convertWithFailingReader(data) {
  return call('rf_convert_with_failing_reader', [bytesOf(data)]).json;
}

/** For the package's tests: a panic outside the decoders, as a bug in ringforge would raise. */
export function _panicOutsideDecoders() {
  return call('rf_panic_outside_decoders', []).json;
}
