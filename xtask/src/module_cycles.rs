//! The import-cycle check of `cargo xtask test`: within each crate, no module uses one that uses
//! it back. Modules are compared as siblings (children of one parent, a whole subtree each): a
//! path from `a::x` to `b::y` is an edge `a -> b`; a module using its parent or its own children
//! is layering, not a cycle. Paths are read from the source (`crate::`, `super::`, `self::`,
//! `use` trees included), so the check needs nothing but the files.

use std::{
    collections::{BTreeMap, BTreeSet},
    path::{Path, PathBuf},
};

use anyhow::{Context as _, Result};

/// The source folders of the workspace's crates, relative to its root.
pub const CRATE_SOURCES: [&str; 9] = [
    "common/src",
    "freebsd-dtrace/src",
    "tests/src",
    "userspace/src",
    "userspace/core/src",
    "userspace/freebsd/src",
    "userspace/linux/src",
    "vm/src",
    "xtask/src",
];

/// A module's path inside its crate: `["linux", "programs"]`; the root is empty.
type ModulePath = Vec<String>;

/// One cycle: the modules in it, and the file of each edge that closes it.
#[derive(Debug, PartialEq, Eq)]
pub struct Cycle {
    /// The modules that use one another, as `a::b` paths.
    pub modules: Vec<String>,
    /// `a -> b (file)` for every edge among them.
    pub edges: Vec<String>,
}

/// Checks every crate of the workspace at `root`; an error lists each cycle with its edges.
pub fn check_workspace(root: &Path) -> Result<()> {
    let mut report = String::new();
    for source in CRATE_SOURCES {
        let dir = root.join(source);
        for cycle in crate_cycles(&dir)? {
            report.push_str(&format!(
                "{source}: {} use one another:\n",
                cycle.modules.join(", ")
            ));
            for edge in cycle.edges {
                report.push_str(&format!("    {edge}\n"));
            }
        }
    }
    if report.is_empty() {
        eprintln!("xtask: no import cycles among the modules of any crate");
        Ok(())
    } else {
        anyhow::bail!("import cycles (move what both sides need to a lower module):\n{report}")
    }
}

/// The cycles among the modules of the crate whose sources are in `src`.
pub fn crate_cycles(src: &Path) -> Result<Vec<Cycle>> {
    let modules = crate_modules(src)?;
    let mut edges: BTreeMap<ModulePath, BTreeMap<ModulePath, BTreeSet<String>>> = BTreeMap::new();
    for (module, file) in &modules {
        let text =
            std::fs::read_to_string(file).with_context(|| format!("reading {}", file.display()))?;
        let relative = file.strip_prefix(src).unwrap_or(file).display().to_string();
        for target in referenced_modules(&text, module, &modules) {
            if let Some((from, to)) = sibling_edge(module, &target) {
                edges
                    .entry(from)
                    .or_default()
                    .entry(to)
                    .or_default()
                    .insert(relative.clone());
            }
        }
    }
    Ok(strongly_connected(&edges)
        .into_iter()
        .map(|component| {
            let mut described = Vec::new();
            for from in &component {
                for (to, files) in &edges[from] {
                    if component.contains(to) {
                        let files: Vec<_> = files.iter().cloned().collect();
                        described.push(format!(
                            "{} -> {} ({})",
                            display(from),
                            display(to),
                            files.join(", ")
                        ));
                    }
                }
            }
            Cycle {
                modules: component.iter().map(display).collect(),
                edges: described,
            }
        })
        .collect())
}

fn display(module: &ModulePath) -> String {
    if module.is_empty() {
        "crate".into()
    } else {
        module.join("::")
    }
}

/// Every module file of the crate in `src`, by module path (`lib.rs`/`main.rs` is the root,
/// `a/mod.rs` and `a.rs` are `a`).
fn crate_modules(src: &Path) -> Result<BTreeMap<ModulePath, PathBuf>> {
    let mut files = Vec::new();
    collect_rust_files(src, &mut files)?;
    let mut modules = BTreeMap::new();
    for file in files {
        let relative = file.strip_prefix(src).expect("collected under src");
        let mut parts: Vec<String> = relative
            .with_extension("")
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect();
        if parts.last().is_some_and(|last| last == "mod") {
            parts.pop();
        }
        if parts == ["lib"] || parts == ["main"] {
            parts.clear();
        }
        modules.insert(parts, file);
    }
    Ok(modules)
}

fn collect_rust_files(dir: &Path, out: &mut Vec<PathBuf>) -> Result<()> {
    for entry in std::fs::read_dir(dir).with_context(|| format!("reading {}", dir.display()))? {
        let path = entry?.path();
        if path.is_dir() {
            collect_rust_files(&path, out)?;
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
    Ok(())
}

/// The edge a reference from `from` to `to` adds between siblings, if it is not a module using
/// itself, its parent or its own children.
fn sibling_edge(from: &ModulePath, to: &ModulePath) -> Option<(ModulePath, ModulePath)> {
    let common = from.iter().zip(to).take_while(|(a, b)| a == b).count();
    if common == from.len() || common == to.len() {
        return None;
    }
    Some((from[..=common].to_vec(), to[..=common].to_vec()))
}

/// The modules of `modules` that the text of `module`'s file names by path.
fn referenced_modules(
    text: &str,
    module: &ModulePath,
    modules: &BTreeMap<ModulePath, PathBuf>,
) -> BTreeSet<ModulePath> {
    let mut targets = BTreeSet::new();
    for (scope, path) in rooted_paths(&tokens(text)) {
        // `scope` is the inline modules (`mod tests { .. }`) the path was written in.
        let mut resolved: Vec<String> = Vec::new();
        let mut rest = path.as_slice();
        match rest.first().map(String::as_str) {
            Some("crate") => rest = &rest[1..],
            _ => {
                resolved = module.iter().chain(&scope).cloned().collect();
                while let Some(first) = rest.first() {
                    match first.as_str() {
                        "super" => {
                            resolved.pop();
                        }
                        "self" => {}
                        _ => break,
                    }
                    rest = &rest[1..];
                }
            }
        }
        resolved.extend(rest.iter().cloned());
        // The longest prefix that is a module file: items and inline modules belong to it.
        while !resolved.is_empty() && !modules.contains_key(&resolved) {
            resolved.pop();
        }
        targets.insert(resolved);
    }
    targets
}

/// A token of Rust source that paths are made of; everything else is `Other`.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Token {
    Ident(String),
    PathSeparator,
    OpenBrace,
    CloseBrace,
    Comma,
    Glob,
    Other,
}

/// The tokens of `text`, with comments, strings and character literals left out.
fn tokens(text: &str) -> Vec<Token> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    let at = |i: usize| chars.get(i).copied().unwrap_or('\0');
    while i < chars.len() {
        let c = chars[i];
        if c == '/' && at(i + 1) == '/' {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
        } else if c == '/' && at(i + 1) == '*' {
            let mut depth = 0;
            while i < chars.len() {
                if chars[i] == '/' && at(i + 1) == '*' {
                    depth += 1;
                    i += 2;
                } else if chars[i] == '*' && at(i + 1) == '/' {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    i += 1;
                }
            }
        } else if c == '"' {
            i = skip_string(&chars, i + 1);
        } else if (c == 'r' || c == 'b') && starts_raw_string(&chars, i) {
            i = skip_raw_string(&chars, i);
        } else if c == 'b' && at(i + 1) == '"' {
            i = skip_string(&chars, i + 2);
        } else if c == '\'' {
            // A character literal ('a', '\n', '"') or a lifetime ('a).
            if at(i + 1) == '\\' {
                i += 2;
                while i < chars.len() && chars[i] != '\'' {
                    i += 1;
                }
                i += 1;
            } else if at(i + 2) == '\'' {
                i += 3;
            } else {
                i += 1;
            }
        } else if c.is_alphabetic() || c == '_' {
            let start = i;
            while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
                i += 1;
            }
            out.push(Token::Ident(chars[start..i].iter().collect()));
        } else if c == ':' && at(i + 1) == ':' {
            out.push(Token::PathSeparator);
            i += 2;
        } else {
            out.push(match c {
                '{' => Token::OpenBrace,
                '}' => Token::CloseBrace,
                ',' => Token::Comma,
                '*' => Token::Glob,
                c if c.is_whitespace() => {
                    i += 1;
                    continue;
                }
                _ => Token::Other,
            });
            i += 1;
        }
    }
    out
}

fn skip_string(chars: &[char], mut i: usize) -> usize {
    while i < chars.len() {
        match chars[i] {
            '\\' => i += 2,
            '"' => return i + 1,
            _ => i += 1,
        }
    }
    i
}

fn starts_raw_string(chars: &[char], i: usize) -> bool {
    let mut j = i;
    if chars.get(j) == Some(&'b') {
        j += 1;
    }
    if chars.get(j) != Some(&'r') {
        return false;
    }
    if i > 0 && (chars[i - 1].is_alphanumeric() || chars[i - 1] == '_') {
        return false;
    }
    j += 1;
    while chars.get(j) == Some(&'#') {
        j += 1;
    }
    chars.get(j) == Some(&'"')
}

fn skip_raw_string(chars: &[char], mut i: usize) -> usize {
    while chars[i] != '#' && chars[i] != '"' {
        i += 1;
    }
    let mut hashes = 0;
    while chars[i] == '#' {
        hashes += 1;
        i += 1;
    }
    i += 1;
    while i < chars.len() {
        if chars[i] == '"' && (1..=hashes).all(|k| chars.get(i + k) == Some(&'#')) {
            return i + 1 + hashes;
        }
        i += 1;
    }
    i
}

/// Every path that starts at `crate`, `super` or `self`, `use` trees expanded, with the inline
/// modules it was written in.
fn rooted_paths(tokens: &[Token]) -> Vec<(Vec<String>, Vec<String>)> {
    let mut out = Vec::new();
    // Inline modules open around the current token: (name, brace depth inside it).
    let mut inline: Vec<(String, usize)> = Vec::new();
    let mut depth = 0;
    let mut i = 0;
    while i < tokens.len() {
        match &tokens[i] {
            Token::OpenBrace => depth += 1,
            Token::CloseBrace => {
                if inline.last().is_some_and(|(_, d)| *d == depth) {
                    inline.pop();
                }
                depth -= 1;
            }
            Token::Ident(word) if word == "mod" => {
                if let (Some(Token::Ident(name)), Some(Token::OpenBrace)) =
                    (tokens.get(i + 1), tokens.get(i + 2))
                {
                    inline.push((name.clone(), depth + 1));
                }
            }
            Token::Ident(word)
                if matches!(word.as_str(), "crate" | "super" | "self")
                    && tokens.get(i + 1) == Some(&Token::PathSeparator)
                    && (i == 0 || tokens[i - 1] != Token::PathSeparator) =>
            {
                let scope: Vec<String> = inline.iter().map(|(name, _)| name.clone()).collect();
                let mut paths = Vec::new();
                i = use_tree(tokens, i, Vec::new(), &mut paths);
                out.extend(paths.into_iter().map(|p| (scope.clone(), p)));
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    out
}

/// Reads one path or `use` tree from `tokens[i]` onwards, below `prefix`; returns where it
/// ended.
fn use_tree(
    tokens: &[Token],
    mut i: usize,
    prefix: Vec<String>,
    out: &mut Vec<Vec<String>>,
) -> usize {
    let mut path = prefix;
    loop {
        match tokens.get(i) {
            Some(Token::Ident(word)) => {
                path.push(word.clone());
                i += 1;
                if tokens.get(i) == Some(&Token::PathSeparator) {
                    i += 1;
                    continue;
                }
                out.push(path);
                return i;
            }
            Some(Token::OpenBrace) => {
                i += 1;
                while i < tokens.len() && tokens[i] != Token::CloseBrace {
                    i = use_tree(tokens, i, path.clone(), out);
                    if tokens.get(i) == Some(&Token::Comma) {
                        i += 1;
                    }
                }
                return i + 1;
            }
            _ => {
                out.push(path);
                return i;
            }
        }
    }
}

/// The strongly connected components of more than one module (Tarjan's algorithm).
fn strongly_connected(
    edges: &BTreeMap<ModulePath, BTreeMap<ModulePath, BTreeSet<String>>>,
) -> Vec<Vec<ModulePath>> {
    struct Search<'a> {
        edges: &'a BTreeMap<ModulePath, BTreeMap<ModulePath, BTreeSet<String>>>,
        index: BTreeMap<ModulePath, usize>,
        low: BTreeMap<ModulePath, usize>,
        stack: Vec<ModulePath>,
        components: Vec<Vec<ModulePath>>,
    }
    impl Search<'_> {
        fn visit(&mut self, node: &ModulePath) {
            let n = self.index.len();
            self.index.insert(node.clone(), n);
            self.low.insert(node.clone(), n);
            self.stack.push(node.clone());
            for next in self.edges.get(node).into_iter().flat_map(|e| e.keys()) {
                if !self.index.contains_key(next) {
                    self.visit(next);
                    let low = self.low[node].min(self.low[next]);
                    self.low.insert(node.clone(), low);
                } else if self.stack.contains(next) {
                    let low = self.low[node].min(self.index[next]);
                    self.low.insert(node.clone(), low);
                }
            }
            if self.low[node] == self.index[node] {
                let mut component = Vec::new();
                while let Some(top) = self.stack.pop() {
                    let done = &top == node;
                    component.push(top);
                    if done {
                        break;
                    }
                }
                if component.len() > 1 {
                    component.sort();
                    self.components.push(component);
                }
            }
        }
    }
    let mut search = Search {
        edges,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        components: Vec::new(),
    };
    for node in edges.keys() {
        if !search.index.contains_key(node) {
            search.visit(node);
        }
    }
    search.components
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A crate in a temporary folder with `files` (path, text).
    fn crate_with(name: &str, files: &[(&str, &str)]) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("xtask-cycles-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        for (path, text) in files {
            let path = dir.join(path);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
        dir
    }

    #[test]
    fn two_modules_that_use_each_other_are_a_cycle() {
        let dir = crate_with(
            "pair",
            &[
                ("lib.rs", "mod a; mod b;"),
                ("a.rs", "use crate::b::Thing;"),
                ("b/mod.rs", "mod inner;"),
                ("b/inner.rs", "pub fn f() { crate::a::g() }"),
            ],
        );
        let cycles = crate_cycles(&dir).unwrap();
        assert_eq!(cycles.len(), 1);
        assert_eq!(cycles[0].modules, ["a", "b"]);
        assert_eq!(
            cycles[0].edges,
            ["a -> b (a.rs)", "b -> a (b/inner.rs)"],
            "{cycles:?}"
        );
    }

    #[test]
    fn use_trees_and_super_paths_are_followed() {
        let dir = crate_with(
            "trees",
            &[
                ("lib.rs", "mod a; mod b; mod c;"),
                ("a.rs", "use crate::{c, b::{x::{Y, Z}, w}};"),
                ("b/mod.rs", "mod x;"),
                ("b/x.rs", "use super::super::a::Thing;"),
                ("c.rs", ""),
            ],
        );
        let cycles = crate_cycles(&dir).unwrap();
        assert_eq!(cycles.len(), 1, "{cycles:?}");
        assert_eq!(cycles[0].modules, ["a", "b"]);
    }

    #[test]
    fn parents_children_tests_and_literals_are_not_cycles() {
        let dir = crate_with(
            "layers",
            &[
                ("lib.rs", "mod a; mod b; pub struct Root;"),
                (
                    "a/mod.rs",
                    "mod child; use child::X; use crate::b::Y;\n\
                     mod tests { use super::*; use super::super::a::child::X; }",
                ),
                ("a/child.rs", "use super::Parent; use crate::Root;"),
                (
                    "b.rs",
                    "// crate::a::X in a comment\n\
                     const S: &str = \"crate::a::X\"; const C: char = '\"';\n\
                     const R: &str = r#\"crate::a::X\"#; fn f<'a>(x: &'a str) {}",
                ),
            ],
        );
        assert_eq!(crate_cycles(&dir).unwrap(), []);
    }

    #[test]
    fn the_workspace_has_no_cycles() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        check_workspace(&root).unwrap();
    }
}
