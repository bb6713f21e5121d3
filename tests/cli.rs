//! What a user sees on bad input: one clear line and a non-zero exit, never a panic.

use std::process::Command;

use probecost_integration_tests::{have_root, probecost_bin};

fn stderr_lines(output: &std::process::Output) -> Vec<String> {
    String::from_utf8_lossy(&output.stderr)
        .lines()
        .map(str::to_string)
        .collect()
}

#[test]
fn unknown_scenario_is_one_line_listing_valid_names() {
    let output = Command::new(probecost_bin())
        .args(["run", "--scenario", "map,no-such-scenario"])
        .output()
        .unwrap();
    assert!(!output.status.success());
    let lines = stderr_lines(&output);
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert!(
        lines[0].contains("unknown scenario `no-such-scenario`"),
        "{}",
        lines[0]
    );
    assert!(
        lines[0].contains("valid scenarios: control, kprobe"),
        "{}",
        lines[0]
    );
    assert!(!lines[0].contains("panicked"));
}

#[test]
fn without_privileges_run_says_so_in_one_line() {
    let mut command = if have_root("(as root: the check runs as nobody through setpriv)") {
        let mut c = Command::new("setpriv");
        c.args([
            "--reuid=65534",
            "--regid=65534",
            "--clear-groups",
            "--inh-caps=-all",
        ])
        .arg(probecost_bin());
        c
    } else {
        Command::new(probecost_bin())
    };
    let output = command.args(["run", "--scenario", "map"]).output().unwrap();
    assert!(!output.status.success());
    let lines = stderr_lines(&output);
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert!(
        lines[0].contains("needs root (or CAP_BPF and CAP_PERFMON)"),
        "{}",
        lines[0]
    );
}

#[test]
fn list_names_every_scenario_and_its_support() {
    if !have_root("list_names_every_scenario_and_its_support") {
        return;
    }
    let output = Command::new(probecost_bin()).arg("list").output().unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    for scenario in probecost::scenario::ScenarioCatalog.all() {
        let line = stdout
            .lines()
            .find(|l| l.split_whitespace().nth(1) == Some(scenario.name))
            .unwrap_or_else(|| panic!("{} missing from:\n{stdout}", scenario.name));
        assert!(
            line.contains("yes") || line.contains("substituted:") || line.contains("unsupported:"),
            "{line}"
        );
    }
}
