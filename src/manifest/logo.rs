//! Logos in the manifests: one phone XML fragment per model (`logo-<model>.xml`), a DPMA
//! template section, and the `logos` array of the JSON manifest.
//!
//! The phone XML fragment (merge its `<setting>` into the phone's `<config>`; the XML
//! configuration is per phone, so each model has its own URL):
//!
//! ```xml
//! <?xml version="1.0" encoding="UTF-8"?>
//! <config>
//!   <setting id="logo_file" value="user" path="/user_image.png" url="http://pbx/digium_phones/logo-d60.png" md5="…"/>
//! </config>
//! ```
//!
//! The DPMA template, after the ringtone and alert sections (a phone section inherits it with
//! `[1001](ringforge-logos)`):
//!
//! ```ini
//! [ringforge-logos](!)
//! d40_logo_file=logo-d40.png
//! d60_logo_file=logo-d60.png
//! ```

use quick_xml::events::{BytesDecl, Event};
use quick_xml::Writer;

use super::{Digests, ManifestSet};
use crate::logo::Model;
use crate::{Error, Result};

/// The DPMA template section holding the logo keys.
pub const LOGO_TEMPLATE: &str = "ringforge-logos";

/// One model's logo as the manifests describe it.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct ManifestLogo {
    /// The model.
    pub model: Model,
    /// The PNG's file name, `logo-<model>.png`.
    pub file_name: String,
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// Size, MD5 and SHA-256 of the file.
    pub digests: Digests,
    /// The source image as the user named it.
    pub source_path: Option<String>,
}

impl ManifestLogo {
    /// Describes `model`'s logo whose file holds `png`.
    ///
    /// ```
    /// use ringforge::logo::Model;
    /// let l = ringforge::manifest::ManifestLogo::new(Model::D70, b"", None);
    /// assert_eq!((l.file_name.as_str(), l.width, l.height), ("logo-d70.png", 205, 85));
    /// ```
    pub fn new(model: Model, png: &[u8], source_path: Option<String>) -> Self {
        Self::with_digests(model, Digests::of(png), source_path)
    }

    /// Like [`ManifestLogo::new`], with the digests computed already.
    pub fn with_digests(model: Model, digests: Digests, source_path: Option<String>) -> Self {
        let (width, height) = model.size();
        ManifestLogo {
            model,
            file_name: model.png_file(),
            width,
            height,
            digests,
            source_path,
        }
    }
}

impl ManifestSet {
    /// The logos sorted by model, refusing two of one model.
    pub(crate) fn sorted_logos(&self) -> Result<Vec<&ManifestLogo>> {
        let mut logos: Vec<&ManifestLogo> = self.logos.iter().collect();
        logos.sort_by_key(|l| l.model);
        if let Some(w) = logos.windows(2).find(|w| w[0].model == w[1].model) {
            return Err(Error::Duplicate {
                what: "logo model",
                value: w[0].model.to_string(),
                first: format!("logo {}", w[0].file_name),
                second: format!("logo {}", w[1].file_name),
                hint: "give each model one logo",
            });
        }
        Ok(logos)
    }

    /// Renders the phone XML fragment (`logo-<model>.xml`) of the set's logo for `model`.
    ///
    /// # Errors
    ///
    /// Those of [`ManifestSet::validate`], and [`Error::Invalid`] when the set has no logo
    /// for `model`.
    ///
    /// ```
    /// use ringforge::logo::Model;
    /// use ringforge::manifest::{ManifestLogo, ManifestSet};
    /// let set = ManifestSet {
    ///     logos: vec![ManifestLogo::new(Model::D60, b"png", None)],
    ///     url_prefix: Some("http://pbx/p".into()),
    ///     ..ManifestSet::default()
    /// };
    /// let xml = set.logo_xml(Model::D60)?;
    /// assert!(xml.contains(r#"url="http://pbx/p/logo-d60.png""#));
    /// # Ok::<(), ringforge::Error>(())
    /// ```
    pub fn logo_xml(&self, model: Model) -> Result<String> {
        self.validate()?;
        let logo = self
            .sorted_logos()?
            .into_iter()
            .find(|l| l.model == model)
            .ok_or_else(|| Error::Invalid(format!("no {model} logo in the set")))?;
        let url = self.url_for(&logo.file_name);
        let mut w = Writer::new_with_indent(Vec::new(), b' ', 2);
        let written = (|| -> std::io::Result<()> {
            w.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
            w.create_element("config").write_inner_content(|w| {
                w.create_element("setting")
                    .with_attribute(("id", "logo_file"))
                    .with_attribute(("value", "user"))
                    .with_attribute(("path", "/user_image.png"))
                    .with_attribute(("url", url.as_str()))
                    .with_attribute(("md5", logo.digests.md5.as_str()))
                    .write_empty()?;
                Ok(())
            })?;
            Ok(())
        })();
        written.map_err(|e| Error::Invalid(format!("writing the logo XML failed: {e}")))?;
        let mut bytes = w.into_inner();
        bytes.push(b'\n');
        String::from_utf8(bytes).map_err(|e| Error::Invalid(format!("logo XML not UTF-8: {e}")))
    }
}

/// The DPMA template section for the logos (empty when there are none).
pub(crate) fn dpma_template(logos: &[&ManifestLogo]) -> String {
    if logos.is_empty() {
        return String::new();
    }
    let mut out = format!("\n[{LOGO_TEMPLATE}](!)\n");
    for l in logos {
        out.push_str(&format!("{}={}\n", l.model.dpma_key(), l.file_name));
    }
    out
}

/// The comment lines showing a phone section inheriting the template.
pub(crate) fn dpma_comment(logos: &[&ManifestLogo]) -> String {
    if logos.is_empty() {
        return String::new();
    }
    format!(
        ";\n; The logos ({}) are in the template [{LOGO_TEMPLATE}](!): a phone section\n\
         ; inherits them by naming it, e.g.\n;\n;   [1001]({LOGO_TEMPLATE})\n;   type=phone\n",
        logos
            .iter()
            .map(|l| l.file_name.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    )
}

/// A logo as the JSON manifest lists it.
#[derive(serde::Serialize)]
pub(crate) struct JsonLogo<'a> {
    model: &'static str,
    file: &'a str,
    url: String,
    width: u32,
    height: u32,
    bytes: u64,
    md5: &'a str,
    sha256: &'a str,
    source: Option<&'a str>,
}

pub(crate) fn json_logos<'a>(
    url_prefix: Option<&str>,
    logos: &[&'a ManifestLogo],
) -> Vec<JsonLogo<'a>> {
    logos
        .iter()
        .map(|l| JsonLogo {
            model: l.model.as_str(),
            file: &l.file_name,
            url: format!("{}{}", url_prefix.unwrap_or(""), l.file_name),
            width: l.width,
            height: l.height,
            bytes: l.digests.bytes,
            md5: &l.digests.md5,
            sha256: &l.digests.sha256,
            source: l.source_path.as_deref(),
        })
        .collect()
}
