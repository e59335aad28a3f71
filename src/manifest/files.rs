//! Writing the manifests to a folder, each atomically.

use std::path::{Path, PathBuf};
use std::str::FromStr;

use super::ManifestSet;
use crate::{sln, Error, Result};

/// File name of the phone XML manifest.
pub const XML_FILE: &str = "ringtones.xml";
/// File name of the DPMA configuration fragment.
pub const DPMA_FILE: &str = "res_digium_phone.conf";
/// File name of the JSON manifest.
pub const JSON_FILE: &str = "ringtones.json";

/// Which manifests to write. Default: all three.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Which {
    /// `ringtones.xml`, the phone XML.
    pub xml: bool,
    /// `res_digium_phone.conf`, the DPMA fragment.
    pub dpma: bool,
    /// `ringtones.json`, for provisioning tools.
    pub json: bool,
}

impl Default for Which {
    fn default() -> Self {
        Which::ALL
    }
}

impl Which {
    /// All three manifests.
    pub const ALL: Which = Which {
        xml: true,
        dpma: true,
        json: true,
    };
    /// No manifest.
    pub const NONE: Which = Which {
        xml: false,
        dpma: false,
        json: false,
    };

    /// The file names selected, in a fixed order.
    pub fn file_names(self) -> Vec<&'static str> {
        [
            (self.xml, XML_FILE),
            (self.dpma, DPMA_FILE),
            (self.json, JSON_FILE),
        ]
        .into_iter()
        .filter_map(|(on, name)| on.then_some(name))
        .collect()
    }
}

impl FromStr for Which {
    type Err = Error;

    /// Parses a comma-separated list of `xml`, `dpma`, `json` (or `all`, `none`).
    fn from_str(s: &str) -> Result<Self> {
        let mut w = Which::NONE;
        for part in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            match part.to_ascii_lowercase().as_str() {
                "xml" => w.xml = true,
                "dpma" => w.dpma = true,
                "json" => w.json = true,
                "all" => w = Which::ALL,
                "none" => {}
                other => {
                    return Err(Error::Invalid(format!(
                        "unknown manifest `{other}` — use a comma-separated list of xml, dpma, json"
                    )))
                }
            }
        }
        Ok(w)
    }
}

impl ManifestSet {
    /// Renders the selected manifests in memory, as `(file name, contents)` in the order of
    /// [`Which::file_names`]; the first invalid value stops it.
    ///
    /// ```
    /// use ringforge::manifest::{ManifestSet, ManifestTone, Which};
    /// let t = ManifestTone::new("a", "A", "a.sln", &[0; 4], None, None)?;
    /// let files = ManifestSet::new(vec![t]).render(Which::ALL)?;
    /// let names: Vec<&str> = files.iter().map(|(name, _)| name.as_str()).collect();
    /// assert_eq!(names, ["ringtones.xml", "res_digium_phone.conf", "ringtones.json"]);
    /// # Ok::<(), ringforge::Error>(())
    /// ```
    pub fn render(&self, which: Which) -> Result<Vec<(String, String)>> {
        let mut rendered = Vec::new();
        if which.xml {
            rendered.push((XML_FILE.to_string(), self.phone_xml()?));
            for l in self.sorted_logos()? {
                rendered.push((l.model.xml_file(), self.logo_xml(l.model)?));
            }
        }
        if which.dpma {
            rendered.push((DPMA_FILE.to_string(), self.dpma_conf()?));
        }
        if which.json {
            rendered.push((JSON_FILE.to_string(), self.json()?));
        }
        Ok(rendered)
    }

    /// Renders the selected manifests and writes them into `dir`, each atomically (a reader sees
    /// the old file or the new one, never a mix). Everything is rendered before anything is
    /// written, so an invalid set writes nothing. Returns the paths written.
    pub fn write_to(&self, dir: &Path, which: Which) -> Result<Vec<PathBuf>> {
        let mut written = Vec::new();
        for (name, text) in self.render(which)? {
            let path = dir.join(name);
            sln::write_atomic(&path, text.as_bytes())?;
            written.push(path);
        }
        Ok(written)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::manifest::ManifestTone;

    #[test]
    fn which_parses_lists() {
        assert_eq!(
            "xml,json".parse::<Which>().unwrap().file_names(),
            [XML_FILE, JSON_FILE]
        );
        assert_eq!("all".parse::<Which>().unwrap(), Which::ALL);
        assert!("xml,wav".parse::<Which>().is_err());
    }

    #[test]
    fn writes_selected_files_and_nothing_when_invalid() {
        let dir = tempfile::tempdir().unwrap();
        let t = ManifestTone::new("a", "A", "a.sln", &[0; 4], None, None).unwrap();
        let set = ManifestSet::new(vec![t.clone(), t]);
        assert!(
            set.write_to(dir.path(), Which::ALL).is_err(),
            "duplicate ids"
        );
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
        let t = ManifestTone::new("a", "A", "a.sln", &[0; 4], None, None).unwrap();
        let written = ManifestSet::new(vec![t])
            .write_to(dir.path(), Which::ALL)
            .unwrap();
        assert_eq!(written.len(), 3);
    }
}
