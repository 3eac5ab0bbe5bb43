//! `--metrics ADDR`: the run's metrics served while it lasts, on the
//! address given; a bad address refused before connecting.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::time::{Duration, Instant};

mod support;

use support::{finish, run, spawn, KEYS, NOWHERE};

/// A free port on the loopback interface.
fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// `GET /metrics` on `port`, once it answers (within `limit`).
fn scrape(port: u16, limit: Duration) -> Option<String> {
    let until = Instant::now() + limit;
    while Instant::now() < until {
        if let Ok(mut s) = TcpStream::connect(("127.0.0.1", port)) {
            s.write_all(b"GET /metrics HTTP/1.1\r\nHost: btpow\r\n\r\n")
                .ok()?;
            let mut body = String::new();
            s.read_to_string(&mut body).ok()?;
            return Some(body);
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    None
}

#[test]
fn a_run_serves_its_metrics_while_it_lasts() {
    // A node that takes the connection and never answers: the run waits
    // for it until --max-time, its metrics served meanwhile.
    let node = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("ws://{}", node.local_addr().unwrap());
    let port = free_port();
    let addr = format!("127.0.0.1:{port}");
    let mut args = vec![
        "solve",
        "--endpoint",
        &url,
        "--netuid",
        "1",
        "--yes",
        "--max-time",
        "4",
        "--metrics",
        &addr,
    ];
    args.extend(KEYS);
    let child = spawn(&args);
    let body = scrape(port, Duration::from_secs(3)).expect("the metrics port answers");
    let (code, out, err) = finish(child, Duration::from_secs(20));
    assert!(body.starts_with("HTTP/1.1 200 OK\r\n"), "{body}");
    for line in [
        "# TYPE btpow_hashes_total counter",
        "btpow_hashes_total 0",
        "btpow_reconnects_total 0",
        "btpow_up 1",
    ] {
        assert!(body.lines().any(|l| l == line), "{line:?} not in:\n{body}");
    }
    assert_eq!(code, 1, "{out}\n{err}");
    drop(node);
}

#[test]
fn a_bad_metrics_address_is_refused_before_connecting() {
    for bad in ["localhost:9184", "9184", "http://127.0.0.1:9184"] {
        let mut args = vec!["solve", "--endpoint", NOWHERE, "--netuid", "1", "--yes"];
        args.extend(KEYS);
        args.extend(["--metrics", bad]);
        let (code, out, err) = run(&args);
        assert_eq!(code, 2, "{out}\n{err}");
        assert!(
            err.contains("not an IP address and port (such as 127.0.0.1:9184)"),
            "{bad}: {err}"
        );
        assert!(!err.contains("cannot reach"), "{bad}: {err}");
    }
}

#[test]
fn an_address_in_use_is_refused_naming_it() {
    let taken = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    let mut args = vec!["solve", "--endpoint", NOWHERE, "--netuid", "1", "--yes"];
    args.extend(KEYS);
    args.extend(["--metrics", &addr]);
    let (code, out, err) = run(&args);
    assert_eq!(code, 2, "{out}\n{err}");
    assert!(err.contains(&format!("cannot listen on {addr}")), "{err}");
}

#[test]
fn metrics_are_for_a_chain_run() {
    let (code, out, err) = run(&["solve", "--offline", "--metrics", "127.0.0.1:9184"]);
    assert_eq!(code, 2, "{out}\n{err}");
    assert!(
        err.contains("--metrics is for registering on a chain"),
        "{err}"
    );
}
