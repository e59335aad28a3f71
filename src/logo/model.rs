//! The D-series models and what each wants of an idle-screen logo: pixel size, colour or grey,
//! and the byte limit.
//!
//! | model | logo size (px) | display | byte limit |
//! |---|---|---|---|
//! | D40, D45, D50 | 150 × 45 | mono | under 10,000 |
//! | D60, D62, D65 | 296 × 128 | colour | under 10,000 |
//! | D70 | 205 × 85 | mono | under 10,000 |
//! | D80 | 800 × 1280 | colour | none documented |
//!
//! D60/D62/D65 firmware before 2017 used 280 × 128; current firmware wants 296 × 128, which is
//! what ringforge writes.

use std::fmt;
use std::str::FromStr;

use super::LogoError;

/// The byte limit of the D40–D70 logos: a logo must be smaller than this (the vendor's
/// "less than 10k", read as 10,000 to be safe).
pub const LEGACY_MAX_BYTES: u64 = 10_000;

/// A D-series phone model with a logo of its own.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Model {
    /// D40: 150 × 45, mono.
    D40,
    /// D45: 150 × 45, mono.
    D45,
    /// D50: 150 × 45, mono.
    D50,
    /// D60: 296 × 128, colour.
    D60,
    /// D62: 296 × 128, colour.
    D62,
    /// D65: 296 × 128, colour.
    D65,
    /// D70: 205 × 85, mono.
    D70,
    /// D80: 800 × 1280, colour, no documented byte limit.
    D80,
}

impl Model {
    /// Every model, in the vendor's order.
    pub const ALL: [Model; 8] = [
        Model::D40,
        Model::D45,
        Model::D50,
        Model::D60,
        Model::D62,
        Model::D65,
        Model::D70,
        Model::D80,
    ];

    /// The lowercase name used in file names, flags and the DPMA keys: `d40` … `d80`.
    pub fn as_str(self) -> &'static str {
        match self {
            Model::D40 => "d40",
            Model::D45 => "d45",
            Model::D50 => "d50",
            Model::D60 => "d60",
            Model::D62 => "d62",
            Model::D65 => "d65",
            Model::D70 => "d70",
            Model::D80 => "d80",
        }
    }

    /// The logo's width and height in pixels.
    ///
    /// ```
    /// use ringforge::logo::Model;
    /// assert_eq!(Model::D40.size(), (150, 45));
    /// assert_eq!(Model::D80.size(), (800, 1280));
    /// ```
    pub fn size(self) -> (u32, u32) {
        match self {
            Model::D40 | Model::D45 | Model::D50 => (150, 45),
            Model::D60 | Model::D62 | Model::D65 => (296, 128),
            Model::D70 => (205, 85),
            Model::D80 => (800, 1280),
        }
    }

    /// Whether the model's display is monochrome (its logo is an 8-bit greyscale PNG).
    pub fn is_mono(self) -> bool {
        matches!(self, Model::D40 | Model::D45 | Model::D50 | Model::D70)
    }

    /// The exclusive byte limit of the model's logo: [`LEGACY_MAX_BYTES`] for D40–D70, none
    /// for the D80.
    pub fn max_bytes(self) -> Option<u64> {
        (self != Model::D80).then_some(LEGACY_MAX_BYTES)
    }

    /// The logo's file name: `logo-d40.png`.
    pub fn png_file(self) -> String {
        format!("logo-{}.png", self.as_str())
    }

    /// The phone XML fragment's file name: `logo-d40.xml`.
    pub fn xml_file(self) -> String {
        format!("logo-{}.xml", self.as_str())
    }

    /// The DPMA key naming the logo in a phone section: `d40_logo_file`.
    pub fn dpma_key(self) -> String {
        format!("{}_logo_file", self.as_str())
    }

    /// Parses a comma-separated list (`d40,d60`, `D80`, `all`), sorted, without repeats.
    ///
    /// # Errors
    ///
    /// [`LogoError::UnknownModel`] for a name that is not a model; an empty list is refused
    /// the same way.
    ///
    /// ```
    /// use ringforge::logo::Model;
    /// assert_eq!(Model::parse_list("d60, D40,d60")?, [Model::D40, Model::D60]);
    /// assert_eq!(Model::parse_list("all")?.len(), 8);
    /// assert!(Model::parse_list("p330").is_err());
    /// # Ok::<(), ringforge::logo::LogoError>(())
    /// ```
    pub fn parse_list(s: &str) -> Result<Vec<Model>, LogoError> {
        let mut out = Vec::new();
        for part in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            if part.eq_ignore_ascii_case("all") {
                out.extend(Model::ALL);
            } else {
                out.push(part.parse()?);
            }
        }
        if out.is_empty() {
            return Err(LogoError::UnknownModel {
                name: s.to_string(),
            });
        }
        out.sort();
        out.dedup();
        Ok(out)
    }
}

impl fmt::Display for Model {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Model {
    type Err = LogoError;

    /// Parses `d40` … `d80`, ignoring ASCII case.
    fn from_str(s: &str) -> Result<Self, LogoError> {
        Model::ALL
            .into_iter()
            .find(|m| m.as_str().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| LogoError::UnknownModel {
                name: s.to_string(),
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_matches_the_spec() {
        let mono: Vec<_> = Model::ALL.into_iter().filter(|m| m.is_mono()).collect();
        assert_eq!(mono, [Model::D40, Model::D45, Model::D50, Model::D70]);
        assert_eq!(Model::D65.size(), (296, 128));
        assert_eq!(Model::D70.size(), (205, 85));
        assert_eq!(Model::D80.max_bytes(), None);
        assert_eq!(Model::D70.max_bytes(), Some(10_000));
        assert_eq!(Model::D62.png_file(), "logo-d62.png");
        assert_eq!(Model::D62.dpma_key(), "d62_logo_file");
        for m in Model::ALL {
            assert_eq!(m.as_str().parse::<Model>().unwrap(), m);
        }
    }
}
