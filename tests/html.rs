//! The self-contained HTML report, opened in headless Chromium (installed by
//! `cargo xtask setup`): the page parses, its rows are in the DOM, and it renders.

use std::{path::Path, process::Command};

use probecost_integration_tests::{have_root, probecost_bin, short_run_with_baselines};

/// Debian's Chromium, as `cargo xtask setup` installs it.
const CHROMIUM: &str = "/usr/bin/chromium";

/// Runs headless Chromium on `page` with `args`, under a timeout; a missing Chromium fails the
/// test with what to do (the set-up installs it, so CI always has it).
fn chromium(page: &Path, args: &[&str]) -> std::process::Output {
    assert!(
        Path::new(CHROMIUM).exists(),
        "{CHROMIUM} is missing: run `cargo xtask setup` (it installs Debian's chromium)"
    );
    let profile = std::env::temp_dir().join(format!("probecost-chromium-{}", std::process::id()));
    let output = Command::new("timeout")
        .args([
            "120",
            CHROMIUM,
            "--headless",
            "--disable-gpu",
            "--no-sandbox",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args([
            "--no-first-run",
            "--disable-extensions",
            "--disable-dev-shm-usage",
        ])
        .args(args)
        .arg(format!("file://{}", page.display()))
        .output()
        .expect("running chromium");
    let _ = std::fs::remove_dir_all(profile);
    assert!(
        output.status.success(),
        "chromium failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

/// The DOM Chromium built from `page`.
fn dom(page: &Path) -> String {
    String::from_utf8(chromium(page, &["--dump-dom"]).stdout).expect("UTF-8 DOM")
}

/// The cells of each row of the table `id` in `dom`, as Chromium serialized them.
fn table_rows(dom: &str, id: &str) -> Vec<String> {
    let start = dom
        .find(&format!("<table id=\"{id}\">"))
        .unwrap_or_else(|| panic!("no table {id} in the DOM:\n{dom}"));
    let table = &dom[start..start + dom[start..].find("</table>").expect("table end")];
    let body = &table[table.find("<tbody>").expect("tbody")..];
    body.split("<tr>").skip(1).map(String::from).collect()
}

fn temp_dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("probecost-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn a_comparison_page_opens_in_chromium_with_every_row_and_its_chart() {
    let dir = temp_dir("html-compare");
    let report = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../docs/results/2026-11-30-estimator/benchmark1-run-1.json"
    );
    let page = dir.join("compare.html");
    let output = Command::new(probecost_bin())
        .args(["compare", report, report, "--export-html"])
        .arg(&page)
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    let dom = dom(&page);
    let rows = table_rows(&dom, "results");
    // benchmark1-run-1.json: 19 scenarios, each with aya, libbpf and bpftrace.
    assert_eq!(rows.len(), 57, "{rows:?}");
    assert!(
        rows.iter().any(|r| r.contains("<td>map</td><td>aya</td>")),
        "{rows:?}"
    );
    // Every measured row; aya-log through libbpf is unsupported, so not comparable.
    assert!(
        rows.iter().all(|r| r.contains("no change")
            || (r.contains("not comparable") && r.contains("per-event-aya-log"))),
        "{rows:?}"
    );
    assert!(
        dom.contains("<figure id=\"results-chart\"><svg"),
        "no inline chart"
    );

    let png = dir.join("compare.png");
    chromium(
        &page,
        &[
            "--window-size=1400,1800",
            &format!("--screenshot={}", png.display()),
        ],
    );
    let bytes = std::fs::read(&png).expect("a screenshot");
    assert!(
        bytes.starts_with(b"\x89PNG") && bytes.len() > 10_000,
        "{} bytes",
        bytes.len()
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[cfg_attr(probecost_not_root, ignore = "needs root")]
#[test]
fn a_run_page_opens_in_chromium_with_its_rows_and_the_baseline_comparison() {
    if !have_root("a_run_page_opens_in_chromium_with_its_rows_and_the_baseline_comparison") {
        return;
    }
    let dir = temp_dir("html-run");
    let run = |extra: &[&str]| {
        let output = short_run_with_baselines(&dir, extra);
        assert!(output.status.success(), "{output:?}");
    };
    run(&["--save-baseline", "before"]);
    let page = dir.join("run.html");
    run(&[
        "--baseline",
        "before",
        "--export-html",
        page.to_str().unwrap(),
    ]);
    let dom = dom(&page);
    let rows = table_rows(&dom, "results");
    assert_eq!(rows.len(), 2, "{rows:?}");
    assert!(
        rows[1].contains("<code>tracepoint-entry</code>"),
        "{rows:?}"
    );
    let compared = table_rows(&dom, "comparison");
    assert_eq!(compared.len(), 2, "{compared:?}");
    assert!(
        compared[1].contains("<td>tracepoint-entry</td><td>aya</td><td>this run</td>"),
        "{compared:?}"
    );
    assert!(
        dom.contains("<pre class=\"environment\">kernel "),
        "no environment"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}
