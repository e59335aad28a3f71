//! The ringforge library as a plain WebAssembly module for the `ringforge` npm package.
//!
//! No generated glue: the module exports an allocator and three calls that take bytes and JSON
//! and leave their answer in an output area the JavaScript side reads (`index.js` is the whole
//! wrapper).
//!
//! | export | does |
//! |---|---|
//! | `rf_alloc(len) -> ptr`, `rf_free(ptr, len)` | memory for the inputs |
//! | `rf_convert(data, data_len, options, options_len) -> status` | JSON out: the report; bytes out: the `.sln` |
//! | `rf_inspect(data, data_len, options, options_len) -> status` | JSON out: the inspection |
//! | `rf_manifests(request, request_len, slns, slns_len) -> status` | JSON out: `{file name: text}` |
//! | `rf_tone_name(name, name_len) -> status` | JSON out: `{id, display}` for a file name |
//! | `rf_out_json_ptr/len`, `rf_out_bytes_ptr/len` | where the last answer is |
//! | `rf_panicked() -> 0/1` | whether the last call panicked (its error is then the JSON out) |
//!
//! Status 0 is success; 1 means the JSON output is an error, `{"kind": …, "message": …}`.
//! Options are a JSON object of `ringforge.toml` names (`{"normalize": "loudness:-16"}`) plus
//! `hint`, the source's file extension. A panic aborts the instance (WebAssembly has no
//! unwinding here): just before, the panic hook leaves the error the library would have
//! returned (`decoder_panic` for a decoder's panic, `internal_error` for any other) as the JSON
//! out, and the wrapper reads it and then starts a fresh instance.

use std::cell::RefCell;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Once;

use ringforge::manifest::{Alert, ManifestSet, ManifestTone, Which};
use serde_json::{json, Value};

/// The answer of the last call.
#[derive(Default)]
struct Output {
    json: Vec<u8>,
    bytes: Vec<u8>,
}

thread_local! {
    static OUTPUT: RefCell<Output> = RefCell::new(Output::default());
}

/// Whether the current call panicked: its instance is about to abort.
static PANICKED: AtomicBool = AtomicBool::new(false);

/// At the start of every call: the panic hook is in place, and no panic recorded yet.
fn watch_panics() {
    static HOOK: Once = Once::new();
    HOOK.call_once(|| {
        std::panic::set_hook(Box::new(|info| {
            let message = ringforge::panic_message(info.payload());
            // What the library returns for a panic it can catch, as `ringforge::convert_bytes`
            // would where panics unwind.
            let error = if ringforge::panic_is_in_decoder() {
                ringforge::Error::Panicked { message }
            } else {
                ringforge::Error::Internal { message }
            };
            let json = json!({ "kind": error.kind(), "message": error.to_string() });
            OUTPUT.with(|o| {
                if let Ok(mut o) = o.try_borrow_mut() {
                    o.json = serde_json::to_vec(&json).unwrap_or_default();
                    o.bytes.clear();
                    PANICKED.store(true, Ordering::Relaxed);
                }
            });
        }));
    });
    PANICKED.store(false, Ordering::Relaxed);
}

/// An error as the wrapper throws it: a `kind` and a message.
#[derive(Debug, PartialEq)]
pub struct Failure {
    /// [`ringforge::Error::kind`], or `unknown_option` / `bad_request`.
    pub kind: &'static str,
    /// What went wrong and what to do.
    pub message: String,
}

impl From<ringforge::Error> for Failure {
    fn from(e: ringforge::Error) -> Self {
        Failure {
            kind: e.kind(),
            message: e.to_string(),
        }
    }
}

fn bad_request(message: impl Into<String>) -> Failure {
    Failure {
        kind: "bad_request",
        message: message.into(),
    }
}

/// The options and the hint an options object describes.
pub fn options(options_json: &[u8]) -> Result<(ringforge::Options, Option<String>), Failure> {
    let value: Value = if options_json.is_empty() {
        Value::Object(Default::default())
    } else {
        serde_json::from_slice(options_json).map_err(|e| bad_request(e.to_string()))?
    };
    let Value::Object(map) = value else {
        return Err(bad_request("options must be an object"));
    };
    let mut table = toml::Table::new();
    let mut hint = None;
    for (name, v) in map {
        let value = match v {
            Value::Null => continue,
            Value::String(s) if name == "hint" => {
                hint = Some(s);
                continue;
            }
            Value::Bool(b) => toml::Value::Boolean(b),
            Value::Number(n) => match n.as_i64() {
                Some(i) => toml::Value::Integer(i),
                None => toml::Value::Float(n.as_f64().unwrap_or(f64::NAN)),
            },
            Value::String(s) => toml::Value::String(s),
            other => {
                return Err(Failure {
                    kind: "invalid_options",
                    message: format!("`{name}` is {other} — give a string, number or boolean"),
                })
            }
        };
        table.insert(name, value);
    }
    let opts = ringforge::keywords::options(&table).map_err(|e| match e {
        ringforge::keywords::KeywordError::Invalid(e) => Failure::from(e),
        other => Failure {
            kind: "unknown_option",
            message: other.to_string(),
        },
    })?;
    Ok((opts, hint))
}

/// Converts `data`: the report as JSON and the `.sln` bytes.
pub fn convert(data: &[u8], options_json: &[u8]) -> Result<(Value, Vec<u8>), Failure> {
    let (opts, hint) = options(options_json)?;
    let tone = ringforge::convert_bytes(data, hint.as_deref(), &opts)?;
    Ok((tone.report_json(), tone.sln_bytes()))
}

/// Inspects `data` (a source, or a raw tone when the hint is `sln`).
pub fn inspect(data: &[u8], options_json: &[u8]) -> Result<Value, Failure> {
    let (opts, hint) = options(options_json)?;
    let inspection = ringforge::inspect::inspect_bytes(data, hint.as_deref(), &opts)?;
    serde_json::to_value(&inspection).map_err(|e| bad_request(e.to_string()))
}

/// One tone of a manifests request; its `.sln` is the next `bytes` of the blob.
#[derive(serde::Deserialize)]
struct RequestTone {
    id: String,
    display: Option<String>,
    bytes: usize,
    report: Option<ringforge::Report>,
}

#[derive(serde::Deserialize)]
struct Request {
    tones: Vec<RequestTone>,
    url_prefix: Option<String>,
    #[serde(default)]
    alerts: Vec<String>,
    builtin_tones: Option<bool>,
    which: Option<String>,
}

/// Renders the manifests a request describes, the tones' `.sln` files one after another in
/// `slns`: `{file name: text}`.
pub fn manifests(request: &[u8], slns: &[u8]) -> Result<Value, Failure> {
    let req: Request = serde_json::from_slice(request).map_err(|e| bad_request(e.to_string()))?;
    let which: Which = req.which.as_deref().unwrap_or("xml,dpma,json").parse()?;
    let mut rest = slns;
    let mut tones = Vec::with_capacity(req.tones.len());
    for t in req.tones {
        if t.bytes > rest.len() {
            return Err(bad_request("the tones' bytes are shorter than declared"));
        }
        let (sln, tail) = rest.split_at(t.bytes);
        rest = tail;
        let display = t
            .display
            .unwrap_or_else(|| ringforge::id::display_from_stem(&t.id));
        let file_name = format!("{}.sln", t.id);
        tones.push(ManifestTone::new(
            t.id, display, file_name, sln, t.report, None,
        )?);
    }
    let alerts = req
        .alerts
        .iter()
        .map(|a| a.parse::<Alert>())
        .collect::<ringforge::Result<Vec<_>>>()?;
    let set = ManifestSet {
        tones,
        alerts,
        url_prefix: req.url_prefix,
        builtin_tones: req.builtin_tones.unwrap_or(true),
        logos: Vec::new(),
    };
    let files = set.render(which)?;
    Ok(Value::Object(
        files
            .into_iter()
            .map(|(name, text)| (name.to_string(), Value::String(text)))
            .collect(),
    ))
}

/// The tone id and display name the command line gives a file called `file_name`
/// (`Front Desk.mp3` → `front-desk`, `Front Desk`).
pub fn tone_name(file_name: &[u8]) -> Result<Value, Failure> {
    let name = std::str::from_utf8(file_name).map_err(|e| bad_request(e.to_string()))?;
    let path = std::path::Path::new(name);
    let id = ringforge::id::id_from_relative_path(path)?;
    let stem = path
        .file_stem()
        .map_or(String::new(), |s| s.to_string_lossy().into_owned());
    Ok(json!({ "id": id, "display": ringforge::id::display_from_stem(&stem) }))
}

/// Stores an answer for the wrapper and returns the call's status.
fn answer(result: Result<(Value, Vec<u8>), Failure>) -> u32 {
    let (json, bytes, status) = match result {
        Ok((json, bytes)) => (json, bytes, 0),
        Err(f) => (
            json!({ "kind": f.kind, "message": f.message }),
            Vec::new(),
            1,
        ),
    };
    OUTPUT.with(|o| {
        let mut o = o.borrow_mut();
        o.json = serde_json::to_vec(&json).unwrap_or_default();
        o.bytes = bytes;
    });
    status
}

/// # Safety
/// `ptr` and `len` must describe `len` readable bytes (or `len` is 0).
unsafe fn slice<'a>(ptr: *const u8, len: usize) -> &'a [u8] {
    if len == 0 {
        &[]
    } else {
        // SAFETY: the caller gives a region it allocated with `rf_alloc` and filled.
        unsafe { std::slice::from_raw_parts(ptr, len) }
    }
}

/// Allocates `len` bytes for an input; give them back with [`rf_free`].
#[no_mangle]
pub extern "C" fn rf_alloc(len: usize) -> *mut u8 {
    let mut v = Vec::<u8>::with_capacity(len.max(1));
    let ptr = v.as_mut_ptr();
    std::mem::forget(v);
    ptr
}

/// Frees what [`rf_alloc`] gave.
///
/// # Safety
/// `ptr` must come from `rf_alloc(len)` and not have been freed.
#[no_mangle]
pub unsafe extern "C" fn rf_free(ptr: *mut u8, len: usize) {
    // SAFETY: as the caller promises, this is the allocation `rf_alloc(len)` made.
    drop(unsafe { Vec::from_raw_parts(ptr, 0, len.max(1)) });
}

/// Converts a source; see the module's documentation.
///
/// # Safety
/// Each pointer and length must describe readable bytes.
#[no_mangle]
pub unsafe extern "C" fn rf_convert(
    data: *const u8,
    data_len: usize,
    opts: *const u8,
    opts_len: usize,
) -> u32 {
    watch_panics();
    // SAFETY: forwarded from the caller.
    let (data, opts) = unsafe { (slice(data, data_len), slice(opts, opts_len)) };
    answer(convert(data, opts))
}

/// Inspects a source or a tone; see the module's documentation.
///
/// # Safety
/// Each pointer and length must describe readable bytes.
#[no_mangle]
pub unsafe extern "C" fn rf_inspect(
    data: *const u8,
    data_len: usize,
    opts: *const u8,
    opts_len: usize,
) -> u32 {
    watch_panics();
    // SAFETY: forwarded from the caller.
    let (data, opts) = unsafe { (slice(data, data_len), slice(opts, opts_len)) };
    answer(inspect(data, opts).map(|v| (v, Vec::new())))
}

/// Renders manifests; see the module's documentation.
///
/// # Safety
/// Each pointer and length must describe readable bytes.
#[no_mangle]
pub unsafe extern "C" fn rf_manifests(
    request: *const u8,
    request_len: usize,
    slns: *const u8,
    slns_len: usize,
) -> u32 {
    watch_panics();
    // SAFETY: forwarded from the caller.
    let (request, slns) = unsafe { (slice(request, request_len), slice(slns, slns_len)) };
    answer(manifests(request, slns).map(|v| (v, Vec::new())))
}

/// The id and display name of a file; see [`tone_name`].
///
/// # Safety
/// `name` and `len` must describe readable bytes.
#[no_mangle]
pub unsafe extern "C" fn rf_tone_name(name: *const u8, len: usize) -> u32 {
    watch_panics();
    // SAFETY: forwarded from the caller.
    let name = unsafe { slice(name, len) };
    answer(tone_name(name).map(|v| (v, Vec::new())))
}

/// Where the last answer's JSON is.
#[no_mangle]
pub extern "C" fn rf_out_json_ptr() -> *const u8 {
    OUTPUT.with(|o| o.borrow().json.as_ptr())
}

/// Length of the last answer's JSON.
#[no_mangle]
pub extern "C" fn rf_out_json_len() -> usize {
    OUTPUT.with(|o| o.borrow().json.len())
}

/// Where the last answer's bytes (a `.sln`) are.
#[no_mangle]
pub extern "C" fn rf_out_bytes_ptr() -> *const u8 {
    OUTPUT.with(|o| o.borrow().bytes.as_ptr())
}

/// Length of the last answer's bytes.
#[no_mangle]
pub extern "C" fn rf_out_bytes_len() -> usize {
    OUTPUT.with(|o| o.borrow().bytes.len())
}

/// Whether the last call panicked (its instance then aborted): its error, as the library
/// reports a panic it catches, is the JSON out.
#[no_mangle]
pub extern "C" fn rf_panicked() -> u32 {
    u32::from(PANICKED.load(Ordering::Relaxed))
}

/// Panics outside any decoder, the path a bug in ringforge's own processing takes: in
/// WebAssembly the panic aborts the instance. For the package's tests of how it is told.
#[no_mangle]
pub extern "C" fn rf_panic_outside_decoders() -> u32 {
    watch_panics();
    let index = std::hint::black_box(3usize);
    u32::from([0u8; 2][index])
}

/// Converts through a reader that panics once decoding has begun, the path a decoder bug takes:
/// in WebAssembly the panic aborts the instance. For the package's tests of its recovery.
///
/// # Safety
/// `data` and `len` must describe readable bytes.
#[no_mangle]
pub unsafe extern "C" fn rf_convert_with_failing_reader(data: *const u8, len: usize) -> u32 {
    struct Failing(std::io::Cursor<Vec<u8>>);
    impl std::io::Read for Failing {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            if self.0.position() > 64 {
                panic!("simulated decoder bug");
            }
            self.0.read(buf)
        }
    }
    impl std::io::Seek for Failing {
        fn seek(&mut self, pos: std::io::SeekFrom) -> std::io::Result<u64> {
            self.0.seek(pos)
        }
    }
    watch_panics();
    // SAFETY: forwarded from the caller.
    let data = unsafe { slice(data, len) }.to_vec();
    let result = ringforge::convert_reader(
        Failing(std::io::Cursor::new(data)),
        None,
        &ringforge::Options::default(),
    );
    answer(
        result
            .map(|t| (t.report_json(), t.sln_bytes()))
            .map_err(Failure::from),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wav() -> Vec<u8> {
        ringforge::signal::wav_i16(
            48_000,
            1,
            &ringforge::signal::sine(440.0, 0.5, 48_000, 4_800),
        )
    }

    #[test]
    fn converts_with_named_options() {
        let (report, sln) =
            convert(&wav(), br#"{"hint":"wav","dither":"none","start":null}"#).expect("converts");
        assert_eq!(sln.len(), 3_200);
        assert_eq!(report["bytes"], 3_200);
        assert_eq!(report["dithered"], false);
        assert_eq!(report["md5"].as_str().unwrap().len(), 32);
    }

    #[test]
    fn errors_carry_a_kind() {
        let kind = |data: &[u8], opts: &[u8]| convert(data, opts).unwrap_err().kind;
        assert_eq!(kind(b"not audio", b""), "unsupported_format");
        assert_eq!(kind(&wav(), br#"{"loudness": -16}"#), "unknown_option");
        assert_eq!(
            kind(&wav(), br#"{"normalize": "louder"}"#),
            "invalid_options"
        );
        assert_eq!(kind(&wav(), br#"{"channel": ["left"]}"#), "invalid_options");
        assert_eq!(
            kind(&wav(), br#"{"max_input_bytes": 10}"#),
            "limit_exceeded"
        );
        assert_eq!(kind(&wav(), b"[1]"), "bad_request");
    }

    #[test]
    fn renders_manifests_from_tones_and_their_bytes() {
        let (report, sln) = convert(&wav(), b"").unwrap();
        let request = json!({
            "tones": [{ "id": "front-desk", "display": "Front Desk", "bytes": sln.len(), "report": report }],
            "url_prefix": "http://pbx/tones/",
            "alerts": ["frontdesk=front-desk"],
        });
        let files = manifests(&serde_json::to_vec(&request).unwrap(), &sln).unwrap();
        let xml = files["ringtones.xml"].as_str().unwrap();
        assert!(xml.contains(report["md5"].as_str().unwrap()));
        assert!(xml.contains("http://pbx/tones/front-desk.sln"));
        assert!(files["ringtones.json"]
            .as_str()
            .unwrap()
            .contains("\"sample_rate\": 48000"));
        let named = tone_name("Front Desk.mp3".as_bytes()).unwrap();
        assert_eq!(
            named,
            json!({ "id": "front-desk", "display": "Front Desk" })
        );
        assert_eq!(
            tone_name("日本.wav".as_bytes()).unwrap_err().kind,
            "invalid_id"
        );
        let short = manifests(&serde_json::to_vec(&request).unwrap(), &sln[..10]);
        assert_eq!(short.unwrap_err().kind, "bad_request");
    }
}
