//! The on-disk shape of a catalog file (TOML), exactly as an operator writes it.
//!
//! Everything an operator can get wrong is read as text with its position (`Spanned`) and
//! checked by `load`, so an unknown system or action becomes a coded, positioned error
//! rather than a generic "unknown variant" from the parser. Unknown fields are refused
//! (`deny_unknown_fields`): a typo such as `depend_on` must not silently drop a dependency.
//! `docs/catalog.md` documents the format for operators.

use serde::Deserialize;
use toml::Spanned;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawCatalog {
    pub catalog: RawHeader,
    #[serde(default)]
    pub rule: Vec<RawRule>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawHeader {
    pub version: Spanned<i64>,
    pub description: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawRule {
    pub offerings: Spanned<Vec<Spanned<String>>>,
    pub versions: Spanned<RawVersions>,
    pub action: Spanned<String>,
    pub asset_effect: Option<Spanned<String>>,
    pub milestone: Option<Spanned<String>>,
    #[serde(default)]
    pub independent_of_parent: bool,
    pub description: Option<String>,
    #[serde(default)]
    pub task: Vec<RawTask>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawVersions {
    pub from: i64,
    pub to: Option<i64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawTask {
    pub key: Spanned<String>,
    #[serde(rename = "type")]
    pub task_type: Spanned<String>,
    pub system: Spanned<String>,
    #[serde(default)]
    pub depends_on: Vec<Spanned<String>>,
    #[serde(default)]
    pub after_parent: bool,
    #[serde(default)]
    pub after_prerequisites: bool,
    pub reversibility: Spanned<String>,
    pub external_effect_level: Spanned<String>,
    pub compensation: Option<Spanned<String>>,
    /// Item inputs the task uses (`SERVICE_LOCATION`, ...); absent: all of them.
    #[serde(default)]
    pub inputs: Option<Vec<Spanned<String>>>,
}
