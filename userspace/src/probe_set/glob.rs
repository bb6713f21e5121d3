//! Shell-style globs (`*`, `?`) as tracers use them for probe names.

/// Whether `text` matches `pattern`, where `*` matches any run of characters and `?` any one.
pub fn glob_match(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    // Iterative matching with backtracking to the last `*`.
    let (mut pi, mut ti) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == t[ti]) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some((pi, ti));
            pi += 1;
        } else if let Some((sp, st)) = star {
            pi = sp + 1;
            ti = st + 1;
            star = Some((sp, st + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|c| *c == '*')
}

#[cfg(test)]
mod tests {
    use super::glob_match;

    #[test]
    fn stars_and_question_marks() {
        assert!(glob_match("*", ""));
        assert!(glob_match("sched_*", "sched_switch"));
        assert!(glob_match("*_exit_*", "sys_exit_read"));
        assert!(glob_match("vfs_?ead", "vfs_read"));
        assert!(glob_match("a*b*c", "axxbyyc"));
        assert!(!glob_match("sched_*", "sch_switch"));
        assert!(!glob_match("vfs_read", "vfs_readv"));
        assert!(!glob_match("a*b*c", "axxbyy"));
    }
}
