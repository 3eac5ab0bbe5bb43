//! `btpow-bench` as a user runs it: exit codes, the closing line, errors
//! that name file:line and field, and solutions the library confirms.

use std::fs;
use std::path::{Path, PathBuf};

mod support;

use btpow::engine::{reference, Engine, Order};
use btpow::hex::{decode_array, encode};
use btpow::{Challenge, Difficulty, Job, LegacyChallenge, Rule, V1Challenge};
use support::{bin, run, temp_dir};

fn vectors_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("vectors")
}

/// `key   value` lines of solve's output.
fn field<'a>(out: &'a str, key: &str) -> &'a str {
    out.lines()
        .find_map(|l| l.strip_prefix(key).map(str::trim))
        .unwrap_or_else(|| panic!("no {key} in:\n{out}"))
}

#[test]
fn verify_committed_vectors_ends_with_zero_failed() {
    let (code, out, err) = run(&["verify", "--vectors", vectors_dir().to_str().unwrap()]);
    assert_eq!(code, 0, "{out}\n{err}");
    let last = out.lines().last().unwrap();
    let (passed, failed) = last.split_once(" passed, ").expect(last);
    assert!(passed.parse::<u64>().unwrap() >= 1000, "{last}");
    assert_eq!(failed, "0 failed");
    for kind in [
        "legacy_seal",
        "legacy_difficulty",
        "legacy_solve",
        "v1_seal",
        "v1_solve",
    ] {
        assert!(out.contains(&format!("({kind})")), "{kind} missing:\n{out}");
    }
}

#[test]
fn a_wrong_expectation_fails_with_exit_1() {
    let dir = temp_dir("wrong");
    let text = fs::read_to_string(vectors_dir().join("v1_seal.csv")).unwrap();
    let mut lines: Vec<String> = text.lines().take(4).map(String::from).collect();
    // Flip row 3's verdict (line 3 of the file).
    let flipped = match lines[2].rsplit_once(',') {
        Some((head, "true")) => format!("{head},false"),
        Some((head, _)) => format!("{head},true"),
        None => unreachable!(),
    };
    lines[2] = flipped;
    fs::write(dir.join("v1_seal.csv"), lines.join("\n") + "\n").unwrap();
    let (code, out, err) = run(&["verify", "--vectors", dir.to_str().unwrap()]);
    assert_eq!(code, 1, "{out}\n{err}");
    // Every engine sees the same wrong row.
    let engines = out.lines().filter(|l| l.contains("(v1_seal)")).count();
    assert!(engines >= 2, "{out}");
    assert_eq!(
        out.lines()
            .filter(|l| l.ends_with("2 passed, 1 failed"))
            .count(),
        engines,
        "{out}"
    );
    assert!(
        out.trim_end()
            .ends_with(&format!("{} passed, {} failed", 2 * engines, engines)),
        "{out}"
    );
    assert!(err.contains("v1_seal.csv:3 [reference]: meets"), "{err}");
}

#[test]
fn malformed_rows_name_file_line_and_field() {
    let dir = temp_dir("malformed");
    let text = fs::read_to_string(vectors_dir().join("legacy_solve.csv")).unwrap();
    let good: Vec<&str> = text.lines().take(3).collect();
    let cases = [
        // (line 3 replaced by, field named)
        (good[2].replacen(',', ",zz", 1), "hotkey"),
        (good[2].replace(",1,", ",one,"), "difficulty"),
        (format!("{},extra", good[2]), "expected 6 fields"),
    ];
    for (bad, what) in cases {
        let path = dir.join("legacy_solve.csv");
        fs::write(&path, format!("{}\n{}\n{bad}\n", good[0], good[1])).unwrap();
        let (code, _out, err) = run(&["verify", "--vectors", path.to_str().unwrap()]);
        assert_eq!(code, 2, "{bad}: {err}");
        assert!(err.contains("legacy_solve.csv:3: "), "{err}");
        assert!(err.contains(what), "{what} not in {err}");
        assert!(!err.contains("panicked"), "{err}");
    }
    let path = dir.join("other.csv");
    fs::write(&path, "a,b\n1,2\n").unwrap();
    let (code, _, err) = run(&["verify", "--vectors", path.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(err.contains("other.csv:1: unknown header"), "{err}");
}

#[test]
fn solve_offline_sample_is_a_real_solution() {
    for scheme in ["legacy", "v1"] {
        let (code, out, err) = run(&["solve", "--offline", "--scheme", scheme]);
        assert_eq!(code, 0, "{out}\n{err}");
        let nonce: u64 = field(&out, "nonce").parse().unwrap();
        let seal: [u8; 32] = decode_array(field(&out, "seal")).unwrap();
        let block: [u8; 32] = decode_array(field(&out, "block")).unwrap();
        let hotkey: [u8; 32] = decode_array(field(&out, "hotkey")).unwrap();
        let target = field(&out, "target");
        let difficulty: u64 = target.rsplit(' ').next().unwrap().parse().unwrap();
        let (challenge, rule) = if scheme == "v1" {
            let coldkey = decode_array(field(&out, "coldkey")).unwrap();
            let netuid = field(&out, "netuid").parse().unwrap();
            (
                Challenge::V1(V1Challenge::new(netuid, block, hotkey, coldkey)),
                Rule::V1,
            )
        } else {
            (
                Challenge::Legacy(LegacyChallenge::new(block, hotkey)),
                Rule::Python,
            )
        };
        let job = Job::new(&challenge, rule, Difficulty::new(difficulty).unwrap()).unwrap();
        assert!(difficulty >= 100_000, "the sample should be real work");
        assert_eq!(reference::seal(&job, nonce), seal);
        assert!(job.target().meets(&seal));
        // The first in the solver's order from nonce 0: the lowest for
        // legacy, the first in the midstate order for v1.
        let order = if scheme == "v1" {
            assert!(field(&out, "engine").contains("high-bytes order"));
            Order::HighBytes
        } else {
            Order::Sequential
        };
        let before = order.index(nonce);
        assert_eq!(
            reference::Reference
                .search_in(&job, order, 0, before)
                .unwrap(),
            None
        );
        assert!(field(&out, "rate").contains("nonces/s"));
    }
}

#[test]
fn solve_a_given_challenge() {
    let block = "11".repeat(32);
    let (code, out, err) = run(&[
        "solve",
        "--offline",
        "--scheme",
        "legacy",
        "--block-hash",
        &block,
        "--hotkey",
        "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY",
        "--difficulty",
        "5000",
        "--rule",
        "chain-le",
        "--start",
        "1000",
    ]);
    assert_eq!(code, 0, "{out}\n{err}");
    let nonce: u64 = field(&out, "nonce").parse().unwrap();
    let alice =
        btpow::account::parse_account("5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY").unwrap();
    let c = Challenge::Legacy(LegacyChallenge::new([0x11; 32], alice));
    let job = Job::new(&c, Rule::ChainLe, Difficulty::new(5000).unwrap()).unwrap();
    assert!(nonce >= 1000);
    assert_eq!(field(&out, "seal"), encode(&reference::seal(&job, nonce)));
    assert!(job.target().meets(&reference::seal(&job, nonce)));

    // Bad input: specific errors, exit 2, no panic.
    for (args, says) in [
        (
            vec![
                "--scheme",
                "v1",
                "--block-hash",
                &block,
                "--hotkey",
                &block,
                "--difficulty",
                "5",
            ],
            "--netuid",
        ),
        (
            vec![
                "--scheme",
                "legacy",
                "--block-hash",
                "12",
                "--hotkey",
                &block,
                "--difficulty",
                "5",
            ],
            "--block-hash",
        ),
        (
            vec![
                "--scheme",
                "legacy",
                "--block-hash",
                &block,
                "--hotkey",
                &block,
                "--difficulty",
                "0",
            ],
            "difficulty must be at least 1",
        ),
        (
            vec![
                "--scheme",
                "legacy",
                "--block-hash",
                &block,
                "--hotkey",
                &block,
                "--difficulty",
                "5",
                "--rule",
                "v1",
            ],
            "rule v1 belongs to the v1 scheme",
        ),
        (
            vec![
                "--scheme",
                "legacy",
                "--block-hash",
                &block,
                "--hotkey",
                "5Grwva",
                "--difficulty",
                "5",
            ],
            "--hotkey",
        ),
    ] {
        let mut full = vec!["solve", "--offline"];
        full.extend(args);
        let (code, _, err) = run(&full);
        assert_eq!(code, 2, "{full:?}: {err}");
        assert!(err.contains(says), "{says} not in {err}");
        assert!(!err.contains("panicked"), "{err}");
    }
}

#[test]
fn seal_prints_the_reference_seal_and_every_legacy_rule() {
    let ff = "ff".repeat(32);
    let (code, out, _) = run(&[
        "seal",
        "--scheme",
        "legacy",
        "--block-hash",
        &ff,
        "--hotkey",
        &ff,
        "--nonce",
        "0",
    ]);
    assert_eq!(code, 0);
    let c = Challenge::Legacy(LegacyChallenge::new([0xff; 32], [0xff; 32]));
    let job = Job::new(&c, Rule::Python, Difficulty::MIN).unwrap();
    assert_eq!(field(&out, "seal"), encode(&reference::seal(&job, 0)));
    for rule in ["python", "chain-be", "chain-le"] {
        assert!(out.contains(&format!("rule {rule}")), "{out}");
    }
}

#[test]
fn compare_prints_json_rows_per_engine_and_thread_count() {
    let (code, out, err) = run(&[
        "compare",
        "--seconds",
        "0.05",
        "--threads",
        "1,2",
        "--format",
        "json",
        "--scheme",
        "legacy",
        "--engines",
        "portable",
    ]);
    assert_eq!(code, 0, "{out}\n{err}");
    let rows: Vec<serde_json::Value> = serde_json::from_str(&out).expect("one JSON array");
    // reference (the yardstick, always included) and portable, at 1 and 2 threads
    assert_eq!(rows.len(), 4, "{out}");
    for row in &rows {
        assert_eq!(row["scheme"], "legacy");
        assert!(row["nonces_per_sec"].as_f64().unwrap() > 0.0);
        assert!(row["engine"].is_string() && row["threads"].is_u64());
    }
    assert_eq!(rows[3]["threads"], 2);
    assert!(rows[3]["speedup_over_first_threads"].as_f64().unwrap() > 0.0);
}

#[test]
fn compare_gives_every_engine_its_ratio_wherever_the_reference_is_listed() {
    // Listed after portable, the reference is still measured first: the
    // yardstick of every ratio.
    let (code, out, err) = run(&[
        "compare",
        "--seconds",
        "0.05",
        "--threads",
        "1",
        "--format",
        "csv",
        "--scheme",
        "legacy",
        "--engines",
        "portable,reference",
    ]);
    assert_eq!(code, 0, "{out}\n{err}");
    let lines: Vec<&str> = out.lines().collect();
    assert!(
        lines[0].starts_with("scheme,order,engine,kind,threads,"),
        "{out}"
    );
    assert_eq!(
        lines.len(),
        3,
        "a header and two rows, the reference once: {out}"
    );
    let column = lines[0]
        .split(',')
        .position(|c| c == "ratio_to_reference")
        .unwrap();
    for (engine, line) in ["reference", "portable"].into_iter().zip(&lines[1..]) {
        let fields: Vec<&str> = line.split(',').collect();
        assert_eq!(fields[2], engine, "{out}");
        assert_eq!(fields[3], "engine", "{out}");
        let ratio: f64 = fields[column]
            .parse()
            .unwrap_or_else(|_| panic!("no ratio: {line}"));
        assert!(ratio > 0.0, "{line}");
    }
}

#[test]
fn compare_with_peers_fails_when_their_environment_is_missing() {
    // A table without the peers it was asked for would read as a comparison.
    let (code, out, err) = run(&[
        "compare",
        "--seconds",
        "0.05",
        "--scheme",
        "legacy",
        "--engines",
        "portable",
        "--peers",
        "--peers-venv",
        "/nonexistent",
    ]);
    assert_eq!(code, 2, "{out}\n{err}");
    assert!(
        err.contains("/nonexistent/legacy/bin/python is missing"),
        "{err}"
    );
}

#[test]
fn cuda_without_a_gpu_is_one_clear_error() {
    let (code, out, err) = run(&[
        "solve",
        "--offline",
        "--cuda",
        "--scheme",
        "legacy",
        "--difficulty",
        "1000",
    ]);
    match btpow::engine::cuda::CudaGpu::count() {
        // No GPU here: say what is missing, exit 2, never panic.
        Err(why) => {
            assert_eq!(code, 2, "{out}\n{err}");
            assert_eq!(err.trim(), format!("error: --cuda: {why}"));
            assert!(!err.contains("panicked"));
        }
        // A GPU machine: the CUDA engine must solve it.
        Ok(_) => assert_eq!(code, 0, "{out}\n{err}"),
    }
}

#[test]
fn compare_cuda_without_a_gpu_is_one_clear_refusal() {
    let (code, out, err) = run(&["compare", "--cuda", "--seconds", "0.05"]);
    match btpow::engine::cuda::CudaGpu::count() {
        Err(why) => {
            assert_eq!(code, 2, "{out}\n{err}");
            assert_eq!(err.trim(), format!("error: --cuda: {why}"));
        }
        Ok(_) => assert_eq!(code, 0, "{out}\n{err}"),
    }
}

/// Bad values a user might type: each a clear error with exit 2, no panic.
#[test]
fn bad_values_are_clear_errors() {
    let cases: &[(&[&str], &str)] = &[
        (&["solve", "--offline", "--max-time", "1e300"], "too long"),
        (
            &["solve", "--offline", "--max-time", "-1"],
            "must not be negative",
        ),
        (&["solve", "--offline", "--max-time", "nan"], "not a number"),
        (&["compare", "--seconds", "1e300"], "too long"),
        (&["compare", "--seconds", "0"], "more than 0 seconds"),
        (
            &[
                "solve",
                "--endpoint",
                "ws://127.0.0.1:9",
                "--netuid",
                "1",
                "--rpc-timeout",
                "1e300",
            ],
            "too long",
        ),
        (
            &["seal", "--scheme", "legacy", "--nonce", "-1"],
            "must not be negative",
        ),
        (
            &["solve", "--offline", "--start", "-5"],
            "must not be negative",
        ),
        (&["solve", "--offline", "--threads", "0"], "at least 1"),
        (
            &["solve", "--offline", "--threads", "100000"],
            "16 per core",
        ),
        (&["compare", "--threads", "1,100000"], "16 per core"),
        (
            &["solve", "--offline", "--format", "json"],
            "--format json is for registering on a chain",
        ),
        (
            &["solve", "--offline", "--dry-run"],
            "--dry-run is for registering on a chain",
        ),
        (
            &[
                "seal",
                "--scheme",
                "legacy",
                "--nonce",
                "1",
                "--block-hash",
                &"ab".repeat(32),
                "--hotkey",
                &"ab".repeat(31),
            ],
            "expected 64 hex digits (32 bytes), got 62",
        ),
    ];
    for (args, needle) in cases {
        let t = std::time::Instant::now();
        let (code, out, err) = run(args);
        assert_eq!(code, 2, "{args:?}\n{out}\n{err}");
        assert!(err.contains(needle), "{args:?}: no {needle:?} in {err}");
        assert!(!err.contains("panicked"), "{args:?}: {err}");
        assert!(
            t.elapsed() < std::time::Duration::from_secs(10),
            "{args:?} took {:?}",
            t.elapsed()
        );
    }
}

/// Output into a pipe whose reader has gone (`| head -1`): a quiet exit 0.
#[test]
fn a_closed_pipe_ends_quietly() {
    for args in [
        &["engines"][..],
        &[
            "verify",
            "--vectors",
            vectors_dir().join("legacy_seal.csv").to_str().unwrap(),
            "--engine",
            "reference",
        ][..],
        &[
            "seal",
            "--scheme",
            "legacy",
            "--nonce",
            "1",
            "--block-hash",
            &"ab".repeat(32),
            "--hotkey",
            &"cd".repeat(32),
        ][..],
    ] {
        let (reader, writer) = std::io::pipe().unwrap();
        drop(reader);
        let out = bin()
            .args(args)
            .stdout(writer)
            .stderr(std::process::Stdio::piped())
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(0), "{args:?}: {err}");
        assert!(err.is_empty(), "{args:?}: {err}");
    }
}

#[test]
fn vector_files_that_check_nothing_or_never_end_are_refused() {
    let dir = temp_dir("empty-vectors");
    let path = dir.join("legacy_seal.csv");
    fs::write(
        &path,
        "block_hash,hotkey,nonce,block_and_hotkey_hash,seal,difficulty,meets\n",
    )
    .unwrap();
    let (code, out, err) = run(&["verify", "--vectors", path.to_str().unwrap()]);
    assert_eq!(code, 2, "{out}\n{err}");
    assert!(err.contains("a header but no rows"), "{err}");
    // An endless file is refused by its kind, before a byte is read.
    if Path::new("/dev/zero").exists() {
        let (code, _, err) = run(&["verify", "--vectors", "/dev/zero"]);
        assert_eq!(code, 2, "{err}");
        assert!(
            err.contains("/dev/zero: a character device, not a regular file"),
            "{err}"
        );
    }
    // Control bytes in a file name are shown escaped.
    let (code, _, err) = run(&["verify", "--vectors", "no\u{1b}[31mfile.csv"]);
    assert_eq!(code, 2);
    assert!(err.contains("no\\u{1b}[31mfile.csv"), "{err}");
    assert!(!err.contains('\u{1b}'));
}

/// A server that is not a node (here: one that answers plain HTTP) is named
/// as such; a closed port as a TCP failure. Neither panics.
#[cfg(feature = "chain")]
#[test]
fn endpoints_that_are_not_nodes_are_named_clearly() {
    use std::io::{Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let server = std::thread::spawn(move || {
        if let Ok((mut s, _)) = listener.accept() {
            let mut buf = [0u8; 1024];
            let _ = s.read(&mut buf);
            let _ = s.write_all(b"HTTP/1.0 200 OK\r\ncontent-length: 2\r\n\r\nhi");
        }
    });
    let url = format!("ws://127.0.0.1:{port}");
    let (code, out, err) = run(&[
        "solve",
        "--endpoint",
        &url,
        "--netuid",
        "1",
        "--yes",
        "--hotkey-uri",
        "//Alice",
        "--coldkey-uri",
        "//Bob",
        "--rpc-timeout",
        "5",
    ]);
    server.join().unwrap();
    assert_eq!(code, 2, "{out}\n{err}");
    assert!(
        err.contains(&format!(
            "cannot reach {url}: it did not answer as a websocket server"
        )),
        "{err}"
    );
    // Each part of the chain once.
    assert_eq!(err.matches("cannot reach").count(), 1, "{err}");
    let (code, _, err) = run(&[
        "solve",
        "--endpoint",
        "ws://127.0.0.1:9",
        "--netuid",
        "1",
        "--yes",
        "--hotkey-uri",
        "//Alice",
        "--coldkey-uri",
        "//Bob",
    ]);
    assert_eq!(code, 2);
    assert!(
        err.contains("cannot reach ws://127.0.0.1:9: the TCP connection failed"),
        "{err}"
    );
}

#[test]
fn subnets_refuses_bad_input_and_an_unreachable_node_in_one_line_without_secrets() {
    for (args, needle) in [
        (
            &["subnets", "--endpoint", "ws://127.0.0.1:9", "--rate", "0"][..],
            "above 0",
        ),
        (&["subnets", "--rate", "1000"][..], "--endpoint"),
        (
            &[
                "subnets",
                "--endpoint",
                "ws://127.0.0.1:9",
                "--netuid",
                "70000",
            ][..],
            "out of range",
        ),
        (
            &[
                "subnets",
                "--endpoint",
                "ws://127.0.0.1:9",
                "--netuid",
                "-1",
            ][..],
            "must not be negative",
        ),
    ] {
        let (code, out, err) = run(args);
        assert_eq!(code, 2, "{args:?}: {out}{err}");
        assert!(err.contains(needle), "{args:?}: {err}");
    }
    let (code, out, err) = run(&[
        "subnets",
        "--endpoint",
        "ws://miner:hunter2@127.0.0.1:9",
        "--rate",
        "1000",
        "--rpc-timeout",
        "5",
    ]);
    assert_eq!(code, 2, "{out}{err}");
    assert!(err.contains("cannot reach"), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(!format!("{out}{err}").contains("hunter2"), "{err}");
}
