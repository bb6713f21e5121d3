//! Shell-style globs (`*`, `?`, `[abc]`) as tracers use them for probe names, compiled once by
//! `globset`.

use globset::{Glob, GlobMatcher};

use crate::error::{Error, Result};

/// A compiled probe-name glob.
#[derive(Clone, Debug)]
pub struct ProbeGlob {
    matcher: GlobMatcher,
}

impl ProbeGlob {
    /// Compiles `pattern`; a malformed one (an unclosed `[`) is an input error naming it.
    pub fn new(pattern: &str) -> Result<Self> {
        // Probe names have no path separators: `*` matches any run of characters.
        let glob = Glob::new(pattern)
            .map_err(|e| Error::Input(format!("bad probe glob `{pattern}`: {}", e.kind())))?;
        Ok(Self {
            matcher: glob.compile_matcher(),
        })
    }

    /// Whether `name` matches.
    pub fn matches(&self, name: &str) -> bool {
        self.matcher.is_match(name)
    }
}

/// Compiles every glob of `patterns`.
pub fn compile_all(patterns: &[String]) -> Result<Vec<ProbeGlob>> {
    patterns.iter().map(|p| ProbeGlob::new(p)).collect()
}

#[cfg(test)]
mod tests {
    use super::ProbeGlob;

    fn glob_match(pattern: &str, text: &str) -> bool {
        ProbeGlob::new(pattern).unwrap().matches(text)
    }

    #[test]
    fn stars_and_question_marks() {
        assert!(glob_match("*", ""));
        assert!(glob_match("sched_*", "sched_switch"));
        assert!(glob_match("*_exit_*", "sys_exit_read"));
        assert!(glob_match("vfs_?ead", "vfs_read"));
        assert!(glob_match("a*b*c", "axxbyyc"));
        assert!(glob_match("sched:*", "sched:sched_switch"));
        assert!(!glob_match("sched_*", "sch_switch"));
        assert!(!glob_match("vfs_read", "vfs_readv"));
        assert!(!glob_match("a*b*c", "axxbyy"));
    }

    #[test]
    fn a_malformed_glob_is_named() {
        let error = ProbeGlob::new("vfs_[").unwrap_err().to_string();
        assert!(error.starts_with("bad probe glob `vfs_[`"), "{error}");
    }
}
