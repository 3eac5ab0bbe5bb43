//! `btpow-bench` against hostile input and signals: no key the user did not
//! choose, no secret printed, flags that mean nothing in a mode refused,
//! and every state ended promptly by `--max-time`, SIGTERM and Ctrl-C.

use std::net::TcpListener;
use std::process::Stdio;
use std::time::{Duration, Instant};

mod support;

use support::{bin, finish, run, signal, spawn, KEYS};

const DEV_ROOT: &str = "5DfhGyQdFobKM8NsWvEeAKk5EQQgYe9AydgJ7rMB6E1EqRzV";

/// A TCP port that accepts connections and never says a word.
fn silent_server() -> (String, std::thread::JoinHandle<()>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("ws://127.0.0.1:{}", listener.local_addr().unwrap().port());
    let handle = std::thread::spawn(move || {
        // Hold each connection open, silent, for longer than any test waits.
        let mut held = Vec::new();
        listener.set_nonblocking(true).unwrap();
        let until = Instant::now() + Duration::from_secs(30);
        while Instant::now() < until {
            match listener.accept() {
                Ok((s, _)) => held.push(s),
                Err(_) => std::thread::sleep(Duration::from_millis(20)),
            }
            if held.len() >= 4 {
                break;
            }
        }
        std::thread::sleep(until.saturating_duration_since(Instant::now()));
    });
    (url, handle)
}

#[test]
fn an_empty_uri_is_refused_before_anything_naming_the_key_it_would_be() {
    for (flag, other) in [
        ("--hotkey-uri", "--coldkey-uri"),
        ("--coldkey-uri", "--hotkey-uri"),
    ] {
        // Port 9 (discard) is closed here: a refusal before connecting
        // cannot be a connection error.
        let (code, out, err) = run(&[
            "solve",
            "--endpoint",
            "ws://127.0.0.1:9",
            "--netuid",
            "1",
            "--yes",
            flag,
            "",
            other,
            "//Bob",
        ]);
        assert_eq!(code, 2, "{out}\n{err}");
        assert!(err.contains(&format!("{flag} is empty")), "{err}");
        assert!(err.contains(DEV_ROOT), "{err}");
        assert!(!err.contains("cannot reach"), "{err}");
    }
}

#[test]
fn credentials_in_an_endpoint_are_never_shown() {
    let url = "ws://miner:hunter2@127.0.0.1:9/rpc?apikey=s3cr3t&tier=gold";
    for format in ["text", "json"] {
        let mut args = vec![
            "solve",
            "--endpoint",
            url,
            "--netuid",
            "1",
            "--yes",
            "--format",
            format,
        ];
        args.extend(KEYS);
        let (code, out, err) = run(&args);
        assert_eq!(code, 2, "{out}\n{err}");
        let all = format!("{out}{err}");
        assert!(
            all.contains("ws://***@127.0.0.1:9/rpc?apikey=***&tier=***"),
            "{all}"
        );
        for secret in ["miner", "hunter2", "s3cr3t", "gold"] {
            assert!(!all.contains(secret), "{secret} shown: {all}");
        }
    }
}

#[test]
fn max_time_ends_a_connection_that_never_answers() {
    let (url, _server) = silent_server();
    let mut args = vec![
        "solve",
        "--endpoint",
        &url,
        "--netuid",
        "1",
        "--yes",
        "--max-time",
        "1.5",
        "--rpc-timeout",
        "60",
    ];
    args.extend(KEYS);
    let t = Instant::now();
    let (code, out, err) = finish(spawn(&args), Duration::from_secs(20));
    assert_eq!(code, 1, "{out}\n{err}");
    assert!(
        out.contains("no registration within --max-time"),
        "{out}\n{err}"
    );
    assert!(
        t.elapsed() < Duration::from_secs(4),
        "took {:?}",
        t.elapsed()
    );
}

#[test]
fn sigterm_ends_every_command_with_its_stopped_line() {
    // Connecting, in JSON: a stopped event.
    let (url, _server) = silent_server();
    let mut args = vec![
        "solve",
        "--endpoint",
        &url,
        "--netuid",
        "1",
        "--yes",
        "--format",
        "json",
    ];
    args.extend(KEYS);
    let child = spawn(&args);
    std::thread::sleep(Duration::from_millis(700));
    let t = Instant::now();
    signal(&child, libc::SIGTERM);
    let (code, out, err) = finish(child, Duration::from_secs(10));
    assert_eq!(code, 1, "{out}\n{err}");
    assert!(out.contains(r#""event":"stopped""#), "{out}\n{err}");
    assert!(
        t.elapsed() < Duration::from_secs(2),
        "took {:?}",
        t.elapsed()
    );
    // Solving offline (a difficulty nothing meets in time).
    let child = spawn(&[
        "solve",
        "--offline",
        "--difficulty",
        "18446744073709551615",
        "--threads",
        "1",
    ]);
    std::thread::sleep(Duration::from_millis(700));
    signal(&child, libc::SIGTERM);
    let (code, out, err) = finish(child, Duration::from_secs(10));
    assert_eq!(code, 1, "{out}\n{err}");
    assert!(
        out.lines().any(|l| l.starts_with("stopped (")),
        "{out}\n{err}"
    );
}

#[test]
fn compare_stops_its_peer_and_limits_its_time() {
    let dir = std::env::temp_dir().join(format!("btpow-hardening-peers-{}", std::process::id()));
    let bin_dir = dir.join("v1").join("bin");
    std::fs::create_dir_all(&bin_dir).unwrap();
    let pid_file = dir.join("pid");
    // A "python" that records its pid and then hangs, as a stuck peer would.
    let python = bin_dir.join("python");
    std::fs::write(
        &python,
        format!(
            "#!/bin/sh\necho $$ > '{}'\nexec sleep 60\n",
            pid_file.display()
        ),
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&python, std::fs::Permissions::from_mode(0o755)).unwrap();
    let venv = dir.to_str().unwrap();
    let common = [
        "compare",
        "--scheme",
        "v1",
        "--engines",
        "reference",
        "--threads",
        "1",
        "--seconds",
        "0.05",
        "--peers",
        "--peers-venv",
        venv,
    ];
    // Running, not a zombie nobody reaps (a container's init may not).
    let alive = |pid: &str| {
        std::fs::read_to_string(format!("/proc/{}/stat", pid.trim())).is_ok_and(|stat| {
            !stat
                .rsplit(')')
                .next()
                .unwrap_or("")
                .trim_start()
                .starts_with('Z')
        })
    };
    // SIGTERM while the peer runs: the peer goes too.
    let child = spawn(&common);
    let t = Instant::now();
    while !pid_file.exists() && t.elapsed() < Duration::from_secs(30) {
        std::thread::sleep(Duration::from_millis(20));
    }
    let pid = std::fs::read_to_string(&pid_file).expect("the peer started");
    signal(&child, libc::SIGTERM);
    let (code, out, err) = finish(child, Duration::from_secs(10));
    assert_eq!(code, 1, "{out}\n{err}");
    assert!(err.contains("stopped"), "{err}");
    std::thread::sleep(Duration::from_millis(200));
    assert!(!alive(&pid), "the peer {pid} outlived compare");
    // A peer past its time limit is stopped, with a clear error.
    std::fs::remove_file(&pid_file).unwrap();
    let mut args = common.to_vec();
    args.extend(["--peer-grace", "1"]);
    let t = Instant::now();
    let (code, out, err) = finish(spawn(&args), Duration::from_secs(30));
    assert_eq!(code, 2, "{out}\n{err}");
    assert!(
        err.contains("did not finish within 1.05 s; stopped it"),
        "{err}"
    );
    assert!(t.elapsed() < Duration::from_secs(15));
    let pid = std::fs::read_to_string(&pid_file).unwrap();
    assert!(!alive(&pid), "the peer {pid} outlived its limit");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_full_stderr_or_a_closed_stdout_is_an_error_exit_not_a_panic() {
    if std::path::Path::new("/dev/full").exists() {
        for args in [
            &["verify", "--vectors", "/nonexistent.csv"][..],
            &["solve", "--netuid", "x"][..],
        ] {
            let full = std::fs::OpenOptions::new()
                .write(true)
                .open("/dev/full")
                .unwrap();
            let out = bin().args(args).stderr(full).output().unwrap();
            assert_eq!(out.status.code(), Some(2), "{args:?}");
        }
    }
    use std::os::unix::process::CommandExt;
    let mut c = bin();
    c.arg("engines").stderr(Stdio::piped());
    // SAFETY: FFI: close(2) of descriptor 1 in the child before exec; async-signal-safe.
    unsafe {
        c.pre_exec(|| {
            libc::close(1);
            Ok(())
        });
    }
    let out = c.output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("standard output is closed"));
    // /dev/null read-write (Python's subprocess.DEVNULL) is an open stdout.
    let null = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open("/dev/null")
        .unwrap();
    let out = bin().arg("engines").stdout(null).output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn flags_that_mean_nothing_in_a_mode_are_refused() {
    let offline: &[&[&str]] = &[
        &["--hotkey-uri", "//Bob"],
        &["--coldkey-uri", "//Bob"],
        &["--wallet.name", "w"],
        &["--wallet.hotkey", "h"],
        &["--wallet.path", "/tmp"],
        &["--wait"],
        &["--reconnect-for", "5"],
        &["--rpc-timeout", "5"],
        &["--yes"],
    ];
    for extra in offline {
        let mut args = vec!["solve", "--offline"];
        args.extend(*extra);
        let (code, out, err) = run(&args);
        assert_eq!(code, 2, "{args:?}\n{out}\n{err}");
        assert!(
            err.contains(&format!("{} is for registering on a chain", extra[0])),
            "{err}"
        );
        assert!(out.is_empty(), "{args:?} solved something: {out}");
    }
    for extra in [&["--difficulty", "5"][..], &["--start", "7"][..]] {
        let mut args = vec!["solve", "--endpoint", "ws://127.0.0.1:9", "--netuid", "1"];
        args.extend(extra);
        args.extend(KEYS);
        let (code, out, err) = run(&args);
        assert_eq!(code, 2, "{out}\n{err}");
        assert!(
            err.contains(&format!("{} is for --offline", extra[0])),
            "{err}"
        );
        assert!(!err.contains("cannot reach"), "{err}");
    }
}

#[test]
fn wallet_errors_come_before_connecting() {
    let (code, out, err) = run(&[
        "solve",
        "--endpoint",
        "ws://127.0.0.1:9",
        "--netuid",
        "1",
        "--yes",
        "--wallet.path",
        "/nonexistent-btpow-wallets",
    ]);
    assert_eq!(code, 2, "{out}\n{err}");
    assert!(
        err.contains("/nonexistent-btpow-wallets/default/hotkeys/default"),
        "{err}"
    );
    assert!(!err.contains("cannot reach"), "{err}");
}

#[test]
fn control_characters_are_escaped_and_ranges_named_in_argument_errors() {
    let (code, _, err) = run(&["solve", "--offline", "--netuid", "\u{1b}[31mred"]);
    assert_eq!(code, 2);
    assert!(!err.contains('\u{1b}'), "{err:?}");
    assert!(err.contains("\\u{1b}[31mred"), "{err}");
    // Only the user's control characters: clap's own text is plain.
    assert!(err.starts_with("error: invalid value"), "{err}");
    assert_eq!(err.matches("\\u{1b}").count(), 1, "{err}");
    let (code, _, err) = run(&[
        "seal", "--scheme", "v1", "--netuid", "70000", "--nonce", "1",
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("out of range: 0 to 65535"), "{err}");
    // Help still prints as help, exit 0.
    let (code, out, _) = run(&["solve", "--help"]);
    assert_eq!(code, 0);
    assert!(out.contains("--allow-dev-keys-anyone-can-sign"));
}
