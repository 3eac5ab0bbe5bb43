//! `compare --peers` with a peer that never answers, and `subnets`' own
//! arguments (`--rate`, the engine from `--engine`/`BTPOW_ENGINE`): what a
//! user sees, without a chain (the arguments are refused before connecting).

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

mod support;

use support::{bin, finish, start, temp_dir, NOWHERE};

/// `command` run with `args` to its end (at most a minute).
fn run(mut command: Command, args: &[&str]) -> (i32, String, String) {
    finish(start(command.args(args)), Duration::from_secs(60))
}

/// Writes `dir/ENV/bin/python` as a shell script.
fn fake_python(dir: &Path, env: &str, script: &str) {
    use std::os::unix::fs::PermissionsExt;
    let bin = dir.join(env).join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    let python = bin.join("python");
    std::fs::write(&python, format!("#!/bin/sh\n{script}\n")).unwrap();
    std::fs::set_permissions(&python, std::fs::Permissions::from_mode(0o755)).unwrap();
}

/// Running, not a zombie nobody reaps (a container's init may not).
fn alive(pid: &str) -> bool {
    std::fs::read_to_string(format!("/proc/{}/stat", pid.trim())).is_ok_and(|stat| {
        !stat
            .rsplit(')')
            .next()
            .unwrap_or("")
            .trim_start()
            .starts_with('Z')
    })
}

#[test]
fn compare_stops_a_peer_that_never_answers_names_it_and_shows_the_other_rows() {
    let dir = temp_dir("hung");
    let pids = dir.join("pids");
    // pow.py's "python" never answers, and what it started holds its
    // output open (a wrapper script, or a Python that forked): killing the
    // script alone leaves compare waiting for that output for ever.
    fake_python(
        &dir,
        "legacy",
        &format!("sleep 600 &\necho $$ $! > '{}'\nwait", pids.display()),
    );
    // bittensor-core's answers at once.
    fake_python(&dir, "v1", "echo 2000000");
    let venv = dir.to_str().unwrap();
    let common = [
        "compare",
        "--engines",
        "reference",
        "--threads",
        "1",
        "--seconds",
        "0.05",
        "--peers",
        "--peers-venv",
        venv,
        "--peer-grace",
        "0.5",
    ];
    for format in ["csv", "table"] {
        let _ = std::fs::remove_file(&pids);
        let mut args = common.to_vec();
        args.extend(["--format", format]);
        let started = Instant::now();
        let (code, out, err) = finish(start(bin().args(&args)), Duration::from_secs(30));
        // Exit 2, as for any peer that failed; the peer named, with its limit.
        assert_eq!(code, 2, "{out}\n{err}");
        assert!(
            err.contains("peer pow.py (bittensor 9.12.2) on 1 thread did not finish within 0.55 s; stopped it"),
            "{err}"
        );
        assert!(started.elapsed() < Duration::from_secs(20));
        // The other rows are still shown: both engines and the other peer.
        if format == "csv" {
            let rows: Vec<&str> = out.lines().skip(1).collect();
            assert_eq!(rows.len(), 3, "{out}");
            assert!(
                rows[0].starts_with("legacy,sequential,reference,engine,1,"),
                "{out}"
            );
            assert!(
                rows[1].starts_with("v1,high-bytes,reference,engine,1,"),
                "{out}"
            );
            assert!(
                rows[2]
                    .starts_with("v1,sequential,bittensor-core 0.1.5 pow_mine_cpu,peer,1,2000000,"),
                "{out}"
            );
        } else {
            assert!(
                out.lines().any(|l| l.starts_with("legacy  reference ")),
                "{out}"
            );
            assert!(
                out.lines()
                    .any(|l| l.contains("bittensor-core 0.1.5 pow_mine_cpu (peer)")
                        && l.contains("2.00 M")),
                "{out}"
            );
            assert!(
                out.lines()
                    .any(|l| l.contains("pow.py (bittensor 9.12.2) (peer)")
                        && l.contains("no rate (see the error)")),
                "{out}"
            );
        }
        // The peer and what it started are gone.
        let text = std::fs::read_to_string(&pids).expect("the peer started");
        std::thread::sleep(Duration::from_millis(200));
        for pid in text.split_whitespace() {
            assert!(!alive(pid), "{pid} outlived its peer's limit");
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_peers_time_limit_is_a_flag_with_a_default() {
    let (code, out, err) = run(bin(), &["compare", "--help"]);
    assert_eq!(code, 0, "{err}");
    let help = out.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(help.contains("--peer-grace <S>"), "{out}");
    assert!(help.contains("[default: 60]"), "{out}");
    assert!(help.contains("before it is stopped"), "{out}");
    let (code, _, err) = run(bin(), &["compare", "--peers", "--peer-grace", "0"]);
    assert_eq!(code, 2);
    assert!(err.contains("--peer-grace"), "{err}");
}

#[test]
fn subnets_refuses_a_rate_outside_its_range_before_connecting() {
    for rate in [
        "1e-300", "1e300", "1e-320", "0", "-1", "-0", "0.5", "inf", "-inf", "nan", "1.5e15",
    ] {
        let (code, out, err) = run(bin(), &["subnets", "--endpoint", NOWHERE, "--rate", rate]);
        assert_eq!(code, 2, "{rate}: {out}\n{err}");
        assert!(
            err.contains(&format!("invalid value '{rate}' for '--rate <N>': "))
                && err.contains("from 1 to 1e15 nonces per second"),
            "{rate}: {err}"
        );
        assert!(!err.contains("cannot reach"), "{rate}: {err}");
        assert!(out.is_empty(), "{rate}: {out}");
    }
    // The ends of the range are taken (then the node is tried).
    for rate in ["1", "1e15", "4e7"] {
        let (code, _, err) = run(bin(), &["subnets", "--endpoint", NOWHERE, "--rate", rate]);
        assert_eq!(code, 2, "{rate}: {err}");
        assert!(err.contains("cannot reach"), "{rate}: {err}");
    }
    let (_, out, _) = run(bin(), &["subnets", "--help"]);
    let help = out.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(help.contains("from 1 to 1e15"), "{out}");
}

/// The error `solve --offline` gives for this engine setting.
/// `solve`'s error for the engine `engine`, named by `BTPOW_ENGINE` or
/// by `--engine`.
fn solves_error(engine: &str, from_env: bool) -> String {
    let mut c = bin();
    let mut args = vec!["solve", "--offline", "--max-time", "0.1"];
    if from_env {
        c.env("BTPOW_ENGINE", engine);
    } else {
        args.extend(["--engine", engine]);
    }
    let (code, _, err) = run(c, &args);
    assert_eq!(code, 2, "{err}");
    err
}

#[test]
fn subnets_takes_its_engine_from_btpow_engine_as_solve_does() {
    // An engine a CPU lacks (GPUs left out: they would be opened).
    let unsupported = btpow::engine::Backend::ALL.into_iter().find(|b| {
        !b.is_supported()
            && !matches!(
                b,
                btpow::engine::Backend::Cuda | btpow::engine::Backend::OpenCl
            )
    });
    let mut names = vec!["bogus".to_string()];
    names.extend(unsupported.map(|b| b.name().to_string()));
    for name in &names {
        // From the environment, before connecting: solve's own error,
        // naming the variable.
        let want = solves_error(name, true);
        assert!(
            want.contains("BTPOW_ENGINE") && want.contains("engine"),
            "{want}"
        );
        let mut c = bin();
        c.env("BTPOW_ENGINE", name);
        let (code, out, err) = run(c, &["subnets", "--endpoint", NOWHERE]);
        assert_eq!(code, 2, "{name:?}: {out}\n{err}");
        assert_eq!(err, want, "{name:?}");
        // And from the flag.
        let want = solves_error(name, false);
        let (code, _, err) = run(bin(), &["subnets", "--endpoint", NOWHERE, "--engine", name]);
        assert_eq!(code, 2);
        assert_eq!(err, want, "{name:?}");
    }
    // An empty --engine is refused as solve refuses it.
    let (code, _, err) = run(bin(), &["subnets", "--endpoint", NOWHERE, "--engine", ""]);
    assert_eq!(code, 2);
    assert_eq!(err, solves_error("", false));
    // With --rate no engine runs, but a name that is none is still refused.
    let mut c = bin();
    c.env("BTPOW_ENGINE", "bogus");
    let (code, _, err) = run(c, &["subnets", "--endpoint", NOWHERE, "--rate", "1e6"]);
    assert_eq!(code, 2);
    assert_eq!(err, solves_error("bogus", true));
    // A good name goes on to the node.
    let mut c = bin();
    c.env("BTPOW_ENGINE", "reference");
    let (code, _, err) = run(c, &["subnets", "--endpoint", NOWHERE]);
    assert_eq!(code, 2);
    assert!(err.contains("cannot reach"), "{err}");
}
