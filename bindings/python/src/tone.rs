//! `ringforge.Tone`: a converted ringtone, its bytes and its report.

use pyo3::prelude::*;
use pyo3::types::PyBytes;

/// A converted ringtone: 16 kHz mono signed 16-bit samples and the report of how they were made.
#[pyclass(frozen, module = "ringforge")]
pub struct Tone {
    pub(crate) inner: ringforge::Tone,
}

#[pymethods]
impl Tone {
    /// The `.sln` file, exactly: little-endian 16-bit samples, no header.
    #[getter]
    fn sln<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, &self.inner.sln())
    }

    /// Lowercase hex MD5 of `sln`, as the phone XML lists it.
    #[getter]
    fn md5(&self) -> String {
        self.inner.md5_hex()
    }

    /// The samples as an `array.array('h')` (machine byte order), 16,000 per second.
    #[getter]
    fn samples<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let array = py.import("array")?.getattr("array")?.call1(("h",))?;
        // `frombytes` reads the machine's order; `sln()` is little-endian.
        let native: Vec<u8> = self
            .inner
            .samples()
            .iter()
            .flat_map(|s| s.to_ne_bytes())
            .collect();
        array.call_method1("frombytes", (PyBytes::new(py, &native),))?;
        Ok(array)
    }

    /// Number of samples (the tone lasts `len(tone) / 16000` seconds).
    fn __len__(&self) -> usize {
        self.inner.samples().len()
    }

    /// What the conversion found and did: the fields of one file of the command line's
    /// `--report json` (`source`, `duration_seconds`, `peak_dbfs`, `loudness_lufs`, `warnings`,
    /// …, `md5`, `status`, `warnings_text`).
    #[getter]
    fn report<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        crate::json_to_py(py, &self.inner.report_json())
    }

    /// The warnings, each a dict with a `kind` (e.g. `"upsampled"`), its fields and a `message`
    /// saying what to do.
    #[getter]
    fn warnings<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let list: Vec<serde_json::Value> = self
            .inner
            .report()
            .warnings
            .iter()
            .map(|w| {
                let mut v = serde_json::to_value(w).unwrap_or_default();
                if let Some(map) = v.as_object_mut() {
                    map.insert("message".into(), w.to_string().into());
                }
                v
            })
            .collect();
        crate::json_to_py(py, &serde_json::Value::Array(list))
    }

    fn __repr__(&self) -> String {
        let r = self.inner.report();
        format!(
            "<ringforge.Tone {:.3} s, {} bytes, md5 {}, {} warning(s)>",
            r.duration_seconds,
            r.bytes,
            self.inner.md5_hex(),
            r.warnings.len()
        )
    }
}
