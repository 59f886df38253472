//! Playbooks: the TOML format, loading with located errors, and finding
//! playbooks by name.
//!
//! - [`model`]: the serde types; [`values`]: sizes, durations, versions...
//! - [`load`]: TOML text -> [`model::Playbook`] or a list of [`diagnostic::Diagnostic`]s
//! - [`validate`]: checks across steps (ids, references)
//! - [`source`]: shipped playbooks and the search path
//! - [`schema`]: the JSON Schema for editors

pub mod diagnostic;
pub mod load;
pub mod model;
pub mod schema;
pub mod source;
pub mod validate;

pub use load::{SourceFile, load};
pub use model::{Playbook, StepDef};
