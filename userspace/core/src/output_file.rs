//! Result files, created before anything is measured (as hyperfine does), so a path that
//! cannot be written fails in a second with the flag named, not after minutes of measuring.

use crate::error::Error;
use std::{
    fs::File,
    io::Write as _,
    path::{Path, PathBuf},
};

/// A result file, created and empty until the report is written.
#[derive(Debug)]
pub struct OutputFile {
    flag: &'static str,
    path: PathBuf,
    file: File,
}

impl OutputFile {
    /// Creates (truncates) `path` for `flag`; the error is one line naming both.
    pub fn create(flag: &'static str, path: &Path) -> crate::error::Result<Self> {
        let file = File::create(path).map_err(|e| {
            Error::Input(format!("{flag} {}: cannot create it ({e})", path.display()))
        })?;
        Ok(Self {
            flag,
            path: path.to_path_buf(),
            file,
        })
    }

    /// Each `(flag, path, what)` whose path is given, created, with its `what` (the exporter
    /// that will fill it).
    pub fn create_all<T: Copy>(
        requested: &[(&'static str, Option<&PathBuf>, T)],
    ) -> crate::error::Result<Vec<(Self, T)>> {
        requested
            .iter()
            .filter_map(|(flag, path, what)| {
                path.map(|p| Self::create(flag, p).map(|f| (f, *what)))
            })
            .collect()
    }

    /// Writes the report and says where.
    pub fn write(mut self, bytes: &[u8]) -> crate::error::Result<()> {
        self.file
            .write_all(bytes)
            .and_then(|()| self.file.flush())
            .map_err(Error::io(format!("{} {}", self.flag, self.path.display())))?;
        println!("wrote {}", self.path.display());
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_path_that_cannot_be_created_names_the_flag() {
        let error = OutputFile::create("--export-json", Path::new("/nonexistent/dir/r.json"))
            .unwrap_err()
            .to_string();
        assert!(
            error.starts_with("--export-json /nonexistent/dir/r.json: cannot create it"),
            "{error}"
        );
    }

    #[test]
    fn files_are_created_before_anything_is_written() {
        let dir = std::env::temp_dir().join(format!("probecost-out-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let json = dir.join("r.json");
        let files =
            OutputFile::create_all(&[("--export-json", Some(&json), 1), ("--plot", None, 2)])
                .unwrap();
        assert_eq!(files.len(), 1);
        assert!(json.exists());
        let (file, what) = files.into_iter().next().unwrap();
        assert_eq!(what, 1);
        file.write(b"{}\n").unwrap();
        assert_eq!(std::fs::read(&json).unwrap(), b"{}\n");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
