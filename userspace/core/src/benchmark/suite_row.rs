//! What one row of a suite measures: a scenario of the catalog, which every tracer backend
//! prepares, or a user's compiled object (`measure --object`), whose own backend knows its
//! programs.

use crate::scenario::Scenario;

/// One row the runner measures.
#[derive(Clone, Copy, Debug)]
pub enum SuiteRow<'a> {
    /// A scenario of the catalog.
    Scenario(&'static Scenario),
    /// A user's object.
    Object(&'a ObjectRow),
}

/// A user's compiled object as a row of its own.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ObjectRow {
    /// The row's name: the object's file name.
    pub name: String,
    /// What a reader of the row needs to know about how it was measured (empty: nothing).
    pub note: &'static str,
}

impl SuiteRow<'_> {
    /// The row's name.
    pub fn name(&self) -> &str {
        match self {
            Self::Scenario(scenario) => scenario.name,
            Self::Object(object) => &object.name,
        }
    }

    /// The catalog's scenario, when the row is one.
    pub fn scenario(&self) -> Option<&'static Scenario> {
        match self {
            Self::Scenario(scenario) => Some(scenario),
            Self::Object(_) => None,
        }
    }

    /// The row in the talk's table, when it is one of the talk's.
    pub fn row(&self) -> Option<u32> {
        self.scenario().and_then(|s| s.row)
    }

    /// Whether nothing is attached (the control row).
    pub fn is_control(&self) -> bool {
        self.scenario().is_some_and(Scenario::is_control)
    }

    /// The note on the row's mechanism, if any.
    pub fn note(&self) -> Option<&'static str> {
        match self {
            Self::Scenario(scenario) => (!scenario.note.is_empty()).then_some(scenario.note),
            Self::Object(object) => (!object.note.is_empty()).then_some(object.note),
        }
    }

    /// Where the talk attached the row's programs (`none` for a user's object).
    pub fn talk_attach_points(&self) -> String {
        self.scenario()
            .map_or_else(|| "none".to_string(), Scenario::talk_attach_points)
    }
}
