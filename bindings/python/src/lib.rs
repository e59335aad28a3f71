//! The `ringforge` Python package's native module (`ringforge._ringforge`): conversion,
//! inspection and manifests from the ringforge library, with the GIL released while it works.

mod errors;
mod keywords;
mod tone;

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::PathBuf;

use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict};
use ringforge::manifest::{Alert, ManifestSet, ManifestTone, Which};

use tone::Tone;

/// Runs `f` without the GIL; a panic that escapes the library's own containment (a bug) is a
/// `ringforge.InternalError`, never a `PanicException`.
fn run<T: Send>(py: Python<'_>, f: impl FnOnce() -> ringforge::Result<T> + Send) -> PyResult<T> {
    let outcome = py.detach(|| catch_unwind(AssertUnwindSafe(f)));
    match outcome {
        Ok(Ok(v)) => Ok(v),
        Ok(Err(e)) => Err(errors::to_py(py, &e)),
        Err(payload) => Err(errors::panicked(py, ringforge::panic_message(&*payload))),
    }
}

/// A JSON value as Python objects (dicts, lists, str, int, float, bool, None).
pub(crate) fn json_to_py<'py>(
    py: Python<'py>,
    value: &serde_json::Value,
) -> PyResult<Bound<'py, PyAny>> {
    let text = serde_json::to_string(value).map_err(|e| errors::Error::new_err(e.to_string()))?;
    py.import("json")?.call_method1("loads", (text,))
}

/// Converts audio held in memory (see the package's `convert`).
#[pyfunction]
#[pyo3(signature = (data, hint=None, **options))]
fn convert(
    py: Python<'_>,
    data: &[u8],
    hint: Option<&str>,
    options: Option<&Bound<'_, PyDict>>,
) -> PyResult<Tone> {
    let opts = keywords::options(py, options)?;
    let inner = run(py, || ringforge::convert_bytes(data, hint, &opts))?;
    Ok(Tone { inner })
}

/// Converts the audio file at `path`, reading it as it decodes.
#[pyfunction]
#[pyo3(signature = (path, **options))]
fn convert_path(
    py: Python<'_>,
    path: PathBuf,
    options: Option<&Bound<'_, PyDict>>,
) -> PyResult<Tone> {
    let opts = keywords::options(py, options)?;
    let inner = run(py, || ringforge::convert_path(&path, &opts))?;
    Ok(Tone { inner })
}

/// What a source (or a raw `.sln` tone) is and what converting it would do, as a dict.
#[pyfunction]
#[pyo3(signature = (source, hint=None, **options))]
fn inspect<'py>(
    py: Python<'py>,
    source: &Bound<'py, PyAny>,
    hint: Option<&str>,
    options: Option<&Bound<'py, PyDict>>,
) -> PyResult<Bound<'py, PyAny>> {
    let opts = keywords::options(py, options)?;
    let inspection = if let Ok(bytes) = source.cast::<PyBytes>() {
        let data = bytes.as_bytes();
        run(py, || ringforge::inspect::inspect_bytes(data, hint, &opts))?
    } else {
        let path: PathBuf = source.extract()?;
        run(py, || ringforge::inspect::inspect_path(&path, &opts))?
    };
    let value = serde_json::to_value(&inspection).unwrap_or_default();
    json_to_py(py, &value)
}

/// Renders the manifests of `tones`, given as `(id, display or None, Tone)` triples.
#[pyfunction]
#[pyo3(signature = (tones, url_prefix=None, alerts=Vec::new(), builtin_tones=true, which="xml,dpma,json"))]
fn manifests<'py>(
    py: Python<'py>,
    tones: Vec<(String, Option<String>, PyRef<'py, Tone>)>,
    url_prefix: Option<String>,
    alerts: Vec<String>,
    builtin_tones: bool,
    which: &str,
) -> PyResult<Bound<'py, PyDict>> {
    let build = || -> ringforge::Result<Vec<(String, String)>> {
        let which: Which = which.parse()?;
        let mut list = Vec::with_capacity(tones.len());
        for (id, display, tone) in &tones {
            let display = display
                .clone()
                .unwrap_or_else(|| ringforge::id::display_from_stem(id));
            let file_name = format!("{id}.sln");
            let t = &tone.inner;
            list.push(ManifestTone::new(
                id.as_str(),
                display,
                file_name,
                &t.sln(),
                Some(t.report().clone()),
                None,
            )?);
        }
        let alerts = alerts
            .iter()
            .map(|a| a.parse::<Alert>())
            .collect::<ringforge::Result<Vec<_>>>()?;
        ManifestSet {
            tones: list,
            alerts,
            url_prefix,
            builtin_tones,
            logos: Vec::new(),
        }
        .render(which)
    };
    let files = match catch_unwind(AssertUnwindSafe(build)) {
        Ok(Ok(files)) => files,
        Ok(Err(e)) => return Err(errors::to_py(py, &e)),
        Err(_) => return Err(errors::panicked(py, "rendering the manifests".into())),
    };
    let out = PyDict::new(py);
    for (name, text) in files {
        out.set_item(name, PyBytes::new(py, text.as_bytes()))?;
    }
    Ok(out)
}

/// The tone id and display name the command line gives a file of this name:
/// `Front Desk.mp3` → `("front-desk", "Front Desk")`.
#[pyfunction]
fn tone_name(py: Python<'_>, file_name: PathBuf) -> PyResult<(String, String)> {
    let id = ringforge::id::id_from_relative_path(&file_name).map_err(|e| errors::to_py(py, &e))?;
    let stem = file_name
        .file_stem()
        .map_or(String::new(), |s| s.to_string_lossy().into_owned());
    Ok((id, ringforge::id::display_from_stem(&stem)))
}

/// Converts through a reader that panics once decoding has begun: the path a decoder bug takes
/// through the library's containment. For the package's tests only.
#[pyfunction]
fn _convert_with_failing_reader(py: Python<'_>, data: Vec<u8>) -> PyResult<Tone> {
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
    let reader = Failing(std::io::Cursor::new(data));
    let opts = ringforge::Options::default();
    let inner = run(py, || ringforge::convert_reader(reader, None, &opts))?;
    Ok(Tone { inner })
}

/// Panics outside any decoder: the path a bug in ringforge takes. For the package's tests only.
#[pyfunction]
fn _panic_outside_decoders(py: Python<'_>) -> PyResult<u8> {
    run(py, || {
        let index = std::hint::black_box(3usize);
        Ok([0u8; 2][index])
    })
}

#[pymodule]
fn _ringforge(m: &Bound<'_, PyModule>) -> PyResult<()> {
    quiet_contained_panics();
    errors::register(m)?;
    m.add_class::<Tone>()?;
    m.add_function(wrap_pyfunction!(convert, m)?)?;
    m.add_function(wrap_pyfunction!(convert_path, m)?)?;
    m.add_function(wrap_pyfunction!(inspect, m)?)?;
    m.add_function(wrap_pyfunction!(manifests, m)?)?;
    m.add_function(wrap_pyfunction!(tone_name, m)?)?;
    m.add_function(wrap_pyfunction!(_convert_with_failing_reader, m)?)?;
    m.add_function(wrap_pyfunction!(_panic_outside_decoders, m)?)?;
    m.add("SOUND_VERSION", ringforge::SOUND_VERSION)?;
    m.add("OPTION_NAMES", ringforge::keywords::NAMES.to_vec())?;
    Ok(())
}

/// A decoder panic the library contains is reported as that call's exception; the panic hook
/// stays quiet about it instead of printing a backtrace to standard error. Any other panic is a
/// bug, whose location the previous hook prints for the report.
fn quiet_contained_panics() {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if !(ringforge::panic_is_contained() && ringforge::panic_is_in_decoder()) {
            previous(info);
        }
    }));
}
