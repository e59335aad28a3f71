//! A repository of phone assets: the `ringforge.toml` that describes it ([`config`]), the
//! incremental build that makes its tones, logos and manifests ([`build`]), and the check a CI
//! job runs on what is committed ([`check`]).

pub mod build;
mod cache;
pub mod check;
pub mod config;
