//! Every way out of a run leaves none of probecost's programs in the kernel.

use std::{
    io::Read as _,
    process::{Child, Command, Stdio},
    thread::sleep,
    time::{Duration, Instant},
};

use probecost_integration_tests::{
    have_root, loaded_probecost_programs, probecost_bin, settled_probecost_programs,
    wait_with_timeout,
};

fn start_long_run() -> Child {
    Command::new(probecost_bin())
        .args(["run", "--scenario", "map,per-event", "--runs", "40"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

/// Waits until the child has its programs loaded (so the signal lands mid-run).
fn wait_until_loaded(before: usize) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while loaded_probecost_programs() <= before {
        assert!(
            Instant::now() < deadline,
            "probecost never loaded its programs"
        );
        sleep(Duration::from_millis(50));
    }
    sleep(Duration::from_millis(700));
}

fn signal_mid_run(signal: libc::c_int, name: &str) {
    if !have_root(name) {
        return;
    }
    let before = loaded_probecost_programs();
    let mut child = start_long_run();
    wait_until_loaded(before);
    // SAFETY: sending a signal to our own child.
    assert_eq!(unsafe { libc::kill(child.id() as libc::pid_t, signal) }, 0);
    let status = wait_with_timeout(&mut child, Duration::from_secs(30));
    let mut stdout = String::new();
    child
        .stdout
        .take()
        .unwrap()
        .read_to_string(&mut stdout)
        .unwrap();
    assert_eq!(status.code(), Some(130), "stdout:\n{stdout}");
    assert!(
        stdout.contains("(interrupted)"),
        "the partial table is printed:\n{stdout}"
    );
    assert_eq!(
        settled_probecost_programs(before),
        before,
        "programs left behind"
    );
}

#[test]
fn sigint_mid_run_reports_and_leaves_nothing() {
    signal_mid_run(libc::SIGINT, "sigint_mid_run_reports_and_leaves_nothing");
}

#[test]
fn sigterm_mid_run_reports_and_leaves_nothing() {
    signal_mid_run(libc::SIGTERM, "sigterm_mid_run_reports_and_leaves_nothing");
}

#[test]
fn sigkill_leaves_nothing_either() {
    if !have_root("sigkill_leaves_nothing_either") {
        return;
    }
    let before = loaded_probecost_programs();
    let mut child = start_long_run();
    wait_until_loaded(before);
    child.kill().unwrap();
    child.wait().unwrap();
    assert_eq!(
        settled_probecost_programs(before),
        before,
        "programs left behind"
    );
}
