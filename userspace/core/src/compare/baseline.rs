//! Saved baselines: `run` reports kept by name under the user's cache directory (as criterion
//! keeps its baselines), so `run --baseline NAME` and `compare --baseline NAME` can compare
//! against them later.

use std::path::{Path, PathBuf};

use super::ReportFile;
use crate::error::{Error, Result};

/// Where baselines are kept.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BaselineStore {
    dir: PathBuf,
}

impl BaselineStore {
    /// The user's store: `$PROBECOST_BASELINE_DIR`, else `$XDG_CACHE_HOME/probecost/baselines`,
    /// else `~/.cache/probecost/baselines`.
    pub fn user() -> Result<Self> {
        let var = |name: &str| std::env::var_os(name).filter(|v| !v.is_empty());
        let dir = if let Some(dir) = var("PROBECOST_BASELINE_DIR") {
            PathBuf::from(dir)
        } else if let Some(cache) = var("XDG_CACHE_HOME") {
            PathBuf::from(cache).join("probecost/baselines")
        } else if let Some(home) = var("HOME") {
            PathBuf::from(home).join(".cache/probecost/baselines")
        } else {
            return Err(Error::Input(
                "no place for baselines: set PROBECOST_BASELINE_DIR, XDG_CACHE_HOME or HOME".into(),
            ));
        };
        Ok(Self { dir })
    }

    /// A store in `dir`.
    pub fn at(dir: &Path) -> Self {
        Self {
            dir: dir.to_path_buf(),
        }
    }

    /// The file of baseline `name`; a name that is not a plain word is refused.
    pub fn path(&self, name: &str) -> Result<PathBuf> {
        let plain = !name.is_empty()
            && !name.starts_with('.')
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
        if !plain {
            return Err(Error::Input(format!(
                "baseline name `{name}`: use letters, digits, `-`, `_` and `.` only"
            )));
        }
        Ok(self.dir.join(format!("{name}.json")))
    }

    /// Saves a report's JSON as baseline `name` (replacing one of that name).
    pub fn save(&self, name: &str, json: &[u8]) -> Result<PathBuf> {
        let path = self.path(name)?;
        std::fs::create_dir_all(&self.dir)
            .map_err(Error::io(format!("creating {}", self.dir.display())))?;
        std::fs::write(&path, json).map_err(Error::io(format!("writing {}", path.display())))?;
        Ok(path)
    }

    /// Baseline `name`, read; a missing one names the saved ones.
    pub fn load(&self, name: &str) -> Result<(String, ReportFile)> {
        let path = self.path(name)?;
        if !path.exists() {
            return Err(Error::Input(format!(
                "no baseline `{name}` in {} (saved: {}): save one with `probecost run \
                 --save-baseline {name}`",
                self.dir.display(),
                self.names().join(", ")
            )));
        }
        Ok((format!("baseline {name}"), ReportFile::read(&path)?))
    }

    /// The names of the saved baselines, sorted.
    pub fn names(&self) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(&self.dir)
            .into_iter()
            .flatten()
            .filter_map(|entry| {
                let name = entry.ok()?.file_name().into_string().ok()?;
                name.strip_suffix(".json").map(String::from)
            })
            .collect();
        names.sort();
        names
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::Report as _;

    #[test]
    fn a_saved_baseline_loads_back_and_a_missing_one_names_the_saved() {
        let dir = std::env::temp_dir().join(format!("probecost-baselines-{}", std::process::id()));
        let store = BaselineStore::at(&dir);
        let report = crate::report::suite::tests::sample_report();
        store.save("before-patch", &report.json().unwrap()).unwrap();
        let (label, file) = store.load("before-patch").unwrap();
        assert_eq!(label, "baseline before-patch");
        assert_eq!(file.samples.len(), 4);
        let missing = store.load("other").unwrap_err().to_string();
        assert!(missing.starts_with("no baseline `other`"), "{missing}");
        assert!(missing.contains("(saved: before-patch)"), "{missing}");
        for bad in ["", "../x", "a/b", ".hidden"] {
            assert!(store.path(bad).is_err(), "{bad:?}");
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
