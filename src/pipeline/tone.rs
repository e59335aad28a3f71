//! A finished ringtone: its samples, its bytes and its report.

use std::borrow::Cow;
use std::path::Path;

use crate::report::Report;
use crate::{sln, Result};

/// A converted ringtone: 16 kHz mono 16-bit samples and the report of how they were made.
#[derive(Clone, Debug, PartialEq)]
pub struct Tone {
    pub(super) samples: Vec<i16>,
    pub(super) report: Report,
}

impl Tone {
    /// The samples at 16 kHz, mono.
    pub fn samples(&self) -> &[i16] {
        &self.samples
    }

    /// What the conversion found and did.
    pub fn report(&self) -> &Report {
        &self.report
    }

    /// The `.sln` file contents: the samples as little-endian bytes, no header.
    pub fn sln_bytes(&self) -> Vec<u8> {
        sln::encode(&self.samples)
    }

    /// The same bytes as [`Tone::sln_bytes`], borrowed from the samples where the machine is
    /// little-endian (no copy), encoded otherwise.
    ///
    /// ```
    /// # fn main() -> ringforge::Result<()> {
    /// use ringforge::{convert_bytes, signal, Options};
    /// let wav = signal::wav_i16(16_000, 1, &signal::sine(440.0, 0.5, 16_000, 1_600));
    /// let tone = convert_bytes(&wav, Some("wav"), &Options::default())?;
    /// assert_eq!(&*tone.sln(), &tone.sln_bytes()[..]);
    /// # Ok(())
    /// # }
    /// ```
    pub fn sln(&self) -> Cow<'_, [u8]> {
        sln::as_le_bytes(&self.samples)
    }

    /// Lowercase hex MD5 of [`Tone::sln_bytes`], as the phone XML's `md5` attribute wants it.
    pub fn md5_hex(&self) -> String {
        use md5::{Digest, Md5};
        crate::manifest::hex(&Md5::digest(&*self.sln()))
    }

    /// The report as `ringforge convert --report json` gives it for one file, less what only a
    /// file on disk has (`input`, `id`, `output`): the [`Report`]'s fields, `md5`, `status`
    /// ([`Report::status`]) and `warnings_text` (each warning's message). The Python and
    /// JavaScript packages return it as the tone's report.
    ///
    /// ```
    /// # fn main() -> ringforge::Result<()> {
    /// use ringforge::{convert_bytes, signal, Options};
    /// let wav = signal::wav_i16(8_000, 1, &signal::sine(440.0, 0.5, 8_000, 800));
    /// let tone = convert_bytes(&wav, Some("wav"), &Options::default())?;
    /// let json = tone.report_json();
    /// assert_eq!(json["md5"], tone.md5_hex());
    /// assert_eq!(json["status"], "warned");
    /// assert_eq!(json["warnings"][0]["kind"], "upsampled");
    /// assert_eq!(json["bytes"], 3_200); // 0.1 s at 16 kHz, two bytes a sample
    /// # Ok(())
    /// # }
    /// ```
    pub fn report_json(&self) -> serde_json::Value {
        let report = &self.report;
        let mut v = serde_json::to_value(report).expect("a report serialises");
        if let Some(map) = v.as_object_mut() {
            map.insert("md5".into(), self.md5_hex().into());
            map.insert("status".into(), report.status().into());
            let texts: Vec<serde_json::Value> = report
                .warnings
                .iter()
                .map(|w| w.to_string().into())
                .collect();
            map.insert("warnings_text".into(), texts.into());
        }
        v
    }

    /// Writes the tone to `path` atomically (temporary file in the same folder, fsync, rename):
    /// an existing file is replaced whole or left untouched.
    pub fn write_sln(&self, path: impl AsRef<Path>) -> Result<()> {
        sln::write_atomic(path.as_ref(), &self.sln())
    }
}
