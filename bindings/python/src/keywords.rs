//! Python keyword arguments → conversion options, through the library's reader of
//! `ringforge.toml` settings ([`ringforge::keywords`]).

use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyFloat, PyInt, PyString};

use crate::errors;

/// The options the keywords describe. `None` values count as not given.
pub fn options(py: Python<'_>, kwargs: Option<&Bound<'_, PyDict>>) -> PyResult<ringforge::Options> {
    let mut table = toml::Table::new();
    if let Some(kwargs) = kwargs {
        for (k, v) in kwargs.iter() {
            let name: String = k.extract()?;
            if v.is_none() {
                continue;
            }
            let value = value(&name, &v).map_err(|e| errors::to_py(py, &e))?;
            table.insert(name, value);
        }
    }
    ringforge::keywords::options(&table).map_err(|e| match e {
        ringforge::keywords::KeywordError::Unknown { .. } => errors::unknown_keyword(e.to_string()),
        ringforge::keywords::KeywordError::Invalid(e) => errors::to_py(py, &e),
        other => errors::unknown_keyword(other.to_string()),
    })
}

/// A keyword's value as the TOML value it stands for.
fn value(name: &str, v: &Bound<'_, PyAny>) -> Result<toml::Value, ringforge::Error> {
    // `bool` before `int`: in Python, True is an int.
    if let Ok(b) = v.cast::<PyBool>() {
        return Ok(toml::Value::Boolean(b.is_true()));
    }
    if v.is_instance_of::<PyInt>() {
        return v.extract::<i64>().map(toml::Value::Integer).map_err(|_| {
            ringforge::Error::Invalid(format!("`{name}` is {v}, too large a number"))
        });
    }
    if let Ok(f) = v.cast::<PyFloat>() {
        return Ok(toml::Value::Float(f.value()));
    }
    if let Ok(s) = v.cast::<PyString>() {
        return Ok(toml::Value::String(s.to_string()));
    }
    let type_name = v
        .get_type()
        .name()
        .map_or_else(|_| "?".to_string(), |n| n.to_string());
    Err(ringforge::Error::Invalid(format!(
        "`{name}` is a {type_name} — give a str, int, float or bool"
    )))
}
