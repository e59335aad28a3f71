/** An error from ringforge; `kind` names what went wrong (e.g. "corrupt_file"). */
export class RingforgeError extends Error {
  kind: string;
}

/** Conversion options: the ringforge.toml names, and the source's file extension. */
export interface Options {
  hint?: string | null;
  dither?: 'tpdf' | 'none';
  allow_upsample?: boolean;
  start?: number | string;
  length?: number | string;
  gain_db?: number;
  normalize?: string;
  trim_silence?: boolean | number;
  channel?: 'mix' | 'left' | 'right' | 'mid';
  on_oversize?: 'fit' | 'error';
  fade_out_seconds?: number;
  clip?: boolean;
  limiter?: boolean;
  max_bytes?: number;
  max_input_bytes?: number;
  max_decoded_seconds?: number;
  max_channels?: number;
  max_sample_rate?: number;
  min_sample_rate?: number;
  max_frames_per_packet?: number;
}

export interface Tone {
  /** The .sln file: 16 kHz mono signed 16-bit little-endian samples, no header. */
  sln: Uint8Array;
  /** Lowercase hex MD5 of `sln`. */
  md5: string;
  /** The fields of one file of `ringforge convert --report json`. */
  report: Record<string, any> & { warnings: Array<{ kind: string } & Record<string, any>> };
}

export function init(source?: string | URL | Response | BufferSource | WebAssembly.Module): Promise<void>;
export function convert(data: Uint8Array | ArrayBuffer | ArrayBufferView, options?: Options): Tone;
export function inspect(data: Uint8Array | ArrayBuffer | ArrayBufferView, options?: Options): Record<string, any>;
export function manifests(
  tones: Array<{ id: string; display?: string; tone: Tone }>,
  options?: { url_prefix?: string; alerts?: string[]; builtin_tones?: boolean; which?: string },
): Record<string, string>;
export function toneName(fileName: string): { id: string; display: string };
