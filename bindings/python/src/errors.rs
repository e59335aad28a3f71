//! The exception classes, one per kind of library error, and the mapping onto them.

use pyo3::create_exception;
use pyo3::exceptions::{PyException, PyTypeError};
use pyo3::prelude::*;
use pyo3::types::PyModule;

create_exception!(
    ringforge,
    Error,
    PyException,
    "Every ringforge failure. `kind` is the library's error kind (e.g. \"corrupt_file\")."
);
create_exception!(ringforge, FileError, Error, "A file could not be read.");
create_exception!(
    ringforge,
    UnsupportedFormat,
    Error,
    "Not an audio format ringforge reads, or no decodable audio track."
);
create_exception!(
    ringforge,
    CorruptFile,
    Error,
    "The audio data is damaged beyond what can be skipped."
);
create_exception!(ringforge, EmptySource, Error, "The source holds no audio.");
create_exception!(
    ringforge,
    TooLarge,
    Error,
    "The tone would exceed the size cap (max_bytes) and on_oversize is \"error\"."
);
create_exception!(
    ringforge,
    LimitExceeded,
    Error,
    "A safety limit (max_input_bytes, max_decoded_seconds, …) was exceeded."
);
create_exception!(
    ringforge,
    InvalidOptions,
    Error,
    "An option's value cannot be used."
);
create_exception!(
    ringforge,
    DecoderPanic,
    Error,
    "A decoder failed unexpectedly on this input (contained; the next call works)."
);
create_exception!(
    ringforge,
    InternalError,
    Error,
    "ringforge itself failed on this input: a bug, not a fault of the input (contained; the next \
     call works)."
);
create_exception!(
    ringforge,
    InvalidManifest,
    Error,
    "A tone id, display name, alert or URL prefix cannot go into the manifests."
);

/// Adds the classes to the module.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add("Error", py.get_type::<Error>())?;
    m.add("FileError", py.get_type::<FileError>())?;
    m.add("UnsupportedFormat", py.get_type::<UnsupportedFormat>())?;
    m.add("CorruptFile", py.get_type::<CorruptFile>())?;
    m.add("EmptySource", py.get_type::<EmptySource>())?;
    m.add("TooLarge", py.get_type::<TooLarge>())?;
    m.add("LimitExceeded", py.get_type::<LimitExceeded>())?;
    m.add("InvalidOptions", py.get_type::<InvalidOptions>())?;
    m.add("DecoderPanic", py.get_type::<DecoderPanic>())?;
    m.add("InternalError", py.get_type::<InternalError>())?;
    m.add("InvalidManifest", py.get_type::<InvalidManifest>())?;
    Ok(())
}

/// The exception for a library error, its message the library's and its `kind` attribute the
/// library's [`ringforge::Error::kind`].
pub fn to_py(py: Python<'_>, e: &ringforge::Error) -> PyErr {
    let message = e.to_string();
    let kind = e.kind();
    let err = match kind {
        "io" => FileError::new_err(message),
        "unsupported_format" | "no_audio_track" => UnsupportedFormat::new_err(message),
        "corrupt_file" => CorruptFile::new_err(message),
        "empty" => EmptySource::new_err(message),
        "too_large" => TooLarge::new_err(message),
        "limit_exceeded" => LimitExceeded::new_err(message),
        "invalid_options" => InvalidOptions::new_err(message),
        "decoder_panic" => DecoderPanic::new_err(message),
        "internal_error" => InternalError::new_err(message),
        "invalid_id" | "builtin_collision" | "unsafe_value" | "duplicate" | "unknown_tone"
        | "invalid_ring_type" | "invalid_alert" => InvalidManifest::new_err(message),
        _ => Error::new_err(message),
    };
    with_kind(py, err, kind)
}

/// An option keyword that is no option: Python's own error for an unexpected keyword.
pub fn unknown_keyword(message: String) -> PyErr {
    PyTypeError::new_err(message)
}

/// A panic outside the library's own containment (a bug in the package): still a
/// `ringforge.Error`, an `InternalError`.
pub fn panicked(py: Python<'_>, message: String) -> PyErr {
    with_kind(
        py,
        InternalError::new_err(format!(
            "ringforge failed with an internal error ({message}) — this is a bug in ringforge; \
             please report it with the input"
        )),
        "internal_error",
    )
}

fn with_kind(py: Python<'_>, err: PyErr, kind: &str) -> PyErr {
    // Setting an attribute on a fresh exception object cannot fail in practice; if it did, the
    // exception would still be the right class.
    let _ = err.value(py).setattr("kind", kind);
    err
}
