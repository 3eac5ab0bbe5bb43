//! Messages a user understands: each error says what is wrong with the
//! user's input (a flag, a variable, a wallet file, the node's answer) in
//! the user's terms and what to do, exits 2, never panics and never shows
//! a secret; what can be checked without a node is refused before
//! connecting.

#![cfg(feature = "chain")]

mod support;

use std::ffi::OsStr;
use std::io::{Read, Write};
use std::net::TcpListener;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use support::{bin, KEYS, NOWHERE};

/// The fixture wallet's coldkey password (a public test value).
const FIXTURE_PASSWORD: &str = "btpow fixture password";

/// Runs `args` with `env` set: its exit code, stdout and stderr.
fn run_env(args: &[&str], env: &[(&str, &OsStr)]) -> (i32, String, String) {
    let mut c = bin();
    c.args(args);
    for (k, v) in env {
        c.env(k, v);
    }
    let t = Instant::now();
    let out = c.output().expect("binary runs");
    assert!(
        t.elapsed() < Duration::from_secs(20),
        "{args:?} took {:?}",
        t.elapsed()
    );
    (
        out.status.code().expect("exited, not killed"),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// `args` refused with exit 2: its stderr, checked to be one plain
/// `error:` line without a panic or clap's usage lines.
fn refused_env(args: &[&str], env: &[(&str, &OsStr)]) -> String {
    let (code, out, err) = run_env(args, env);
    assert_eq!(code, 2, "{args:?}\n{out}\n{err}");
    assert!(err.starts_with("error: "), "{args:?}: {err}");
    assert_eq!(err.trim_end().lines().count(), 1, "{args:?}: {err}");
    for internal in ["panicked", "Usage:", "For more information"] {
        assert!(!err.contains(internal), "{args:?}: {err}");
    }
    err
}

fn refused(args: &[&str]) -> String {
    refused_env(args, &[])
}

/// Refused before any connection was tried.
fn refused_offline(args: &[&str], env: &[(&str, &OsStr)]) -> String {
    let err = refused_env(args, env);
    assert!(!err.contains("cannot reach"), "{args:?}: {err}");
    assert!(!err.contains("connection"), "{args:?}: {err}");
    err
}

/// `solve --endpoint NOWHERE --netuid 1` and `extra`.
fn on_chain(extra: &[&str]) -> Vec<String> {
    let mut args: Vec<String> = ["solve", "--endpoint", NOWHERE, "--netuid", "1", "--yes"]
        .map(String::from)
        .to_vec();
    args.extend(extra.iter().map(|s| s.to_string()));
    args
}

fn strs(v: &[String]) -> Vec<&str> {
    v.iter().map(String::as_str).collect()
}

/// A copy of the fixture wallet (`fixture`, hotkey `hot`) to alter: its
/// root.
fn wallet(name: &str) -> PathBuf {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/wallets/fixture");
    let root = std::env::temp_dir().join(format!("btpow-messages-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    let dst = root.join("fixture");
    std::fs::create_dir_all(dst.join("hotkeys")).unwrap();
    for f in [
        "coldkey",
        "coldkeypub.txt",
        "hotkeys/hot",
        "hotkeys/hotpub.txt",
    ] {
        std::fs::copy(src.join(f), dst.join(f)).unwrap();
    }
    root
}

/// [`on_chain`] with the wallet [`wallet`] made at `root`, and `extra`.
fn with_wallet(root: &Path, extra: &[&str]) -> Vec<String> {
    let mut args = vec![
        "--wallet.path",
        root.to_str().unwrap(),
        "--wallet.name",
        "fixture",
        "--wallet.hotkey",
        "hot",
    ];
    args.extend(extra);
    on_chain(&args)
}

#[test]
fn values_checkable_offline_are_refused_before_connecting() {
    for (extra, says) in [
        (
            &["--wait", "--max-difficulty", "0"][..],
            "--max-difficulty 0: a difficulty is at least 1",
        ),
        (
            &["--scheme", "legacy", "--rule", "v1"][..],
            "rule v1 belongs to the v1 scheme",
        ),
    ] {
        let mut args = on_chain(extra);
        args.extend(KEYS.map(String::from));
        let err = refused_offline(&strs(&args), &[]);
        assert!(err.contains(says), "{extra:?}: {err}");
    }
    // An endpoint that cannot be a node's websocket.
    for (url, says) in [
        ("http://127.0.0.1:1", "is not a websocket URL"),
        ("127.0.0.1:9944", "is not a URL"),
    ] {
        let mut args = vec!["solve", "--endpoint", url, "--netuid", "1"];
        args.extend(KEYS);
        let err = refused_offline(&args, &[]);
        assert!(err.contains(says), "{url}: {err}");
        assert!(err.contains("ws://HOST:PORT"), "{url}: {err}");
        let err = refused_offline(&["subnets", "--endpoint", url, "--rate", "1000"], &[]);
        assert!(err.contains(says), "{url}: {err}");
    }
}

#[test]
fn flags_that_need_another_flag_say_so_in_one_sentence() {
    let mut max = on_chain(&["--max-difficulty", "5"]);
    max.extend(KEYS.map(String::from));
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (
            strs(&max),
            "error: --max-difficulty needs --wait: it is the highest difficulty watch mode waits for",
        ),
        (
            vec!["solve", "--offline", "--devices", "0"],
            "error: --devices needs --cuda or --opencl",
        ),
        (
            vec!["compare", "--devices", "0", "--seconds", "0.05"],
            "error: --devices needs --cuda or --opencl",
        ),
    ];
    for (args, starts) in cases {
        let err = refused_offline(&args, &[]);
        assert!(err.starts_with(starts), "{args:?}: {err}");
        assert!(!err.contains("required"), "{args:?}: {err}");
    }
}

#[test]
fn a_broken_v1_coldkey_is_reported_before_connecting() {
    let root = wallet("broken-coldkey");
    let coldkey = root.join("fixture/coldkey");
    // Not a keyfile.
    std::fs::write(&coldkey, "this is not a keyfile").unwrap();
    for scheme in [&["--scheme", "v1"][..], &["--rule", "v1"][..]] {
        let err = refused_offline(&strs(&with_wallet(&root, scheme)), &[]);
        assert!(err.contains(coldkey.to_str().unwrap()), "{err}");
        assert!(err.contains("not a keyfile"), "{err}");
        assert!(err.contains("neither encrypted (NaCl) nor JSON"), "{err}");
    }
    // Not a file at all.
    std::fs::remove_file(&coldkey).unwrap();
    std::fs::create_dir(&coldkey).unwrap();
    let err = refused_offline(&strs(&with_wallet(&root, &["--scheme", "v1"])), &[]);
    assert!(err.contains("a directory, not a regular file"), "{err}");
    let _ = std::fs::remove_dir_all(&root);
}

#[test]
fn an_empty_hotkey_is_called_empty() {
    let block = "ab".repeat(32);
    for hotkey in ["", "  "] {
        for args in [
            vec![
                "seal",
                "--scheme",
                "legacy",
                "--block-hash",
                &block,
                "--hotkey",
                hotkey,
                "--nonce",
                "1",
            ],
            vec![
                "solve",
                "--offline",
                "--scheme",
                "legacy",
                "--block-hash",
                &block,
                "--hotkey",
                hotkey,
                "--difficulty",
                "1",
            ],
        ] {
            let err = refused(&args);
            assert!(
                err.contains(&format!("--hotkey {hotkey:?}: empty")),
                "{args:?}: {err}"
            );
            assert!(err.contains("SS58 address"), "{err}");
            assert!(!err.contains("decodes to"), "{err}");
        }
    }
}

#[test]
fn keyfiles_that_are_not_keyfiles_are_described_without_internals_or_secrets() {
    let root = wallet("shapes");
    let hotkey = root.join("fixture/hotkeys/hot");
    let phrase = "senior section sunset blue space olive mimic joke moon inflict metal jar";
    for (body, says, secret) in [
        (
            format!("{phrase:?}"),
            "it holds a string, not a JSON object",
            phrase,
        ),
        (
            r#"{"secretPhrase": 123456789}"#.to_string(),
            "its secretPhrase is a number, where a keyfile has a string",
            "123456789",
        ),
        (
            "secretPhrase = 987654321".to_string(),
            "it is neither encrypted (NaCl) nor JSON",
            "987654321",
        ),
        (
            "[31415926, 2718281]".to_string(),
            "it holds an array, not a JSON object",
            "31415926",
        ),
    ] {
        std::fs::write(&hotkey, &body).unwrap();
        let args = with_wallet(&root, &["--scheme", "legacy"]);
        let err = refused_offline(&strs(&args), &[]);
        assert!(err.contains(hotkey.to_str().unwrap()), "{err}");
        assert!(err.contains(says), "{body}: {err}");
        assert!(
            err.contains("a btcli keyfile is a JSON object") || err.contains("secretPhrase is")
        );
        for internal in ["KeyfileJson", "struct", "invalid type", secret] {
            assert!(!err.contains(internal), "{body}: {internal} in {err}");
        }
    }
    let _ = std::fs::remove_dir_all(&root);
}

#[test]
fn an_encrypted_hotkey_is_not_told_to_set_the_coldkey_password() {
    let root = wallet("encrypted-hotkey");
    let dir = root.join("fixture");
    // The hotkey encrypted as btcli encrypts a coldkey.
    std::fs::copy(dir.join("coldkey"), dir.join("hotkeys/hot")).unwrap();
    let password = [("BTPOW_COLDKEY_PASSWORD", OsStr::new(FIXTURE_PASSWORD))];
    // Legacy signs with the hotkey: no terminal here to ask its password on.
    let args = with_wallet(&root, &["--scheme", "legacy"]);
    let err = refused_offline(&strs(&args), &password);
    assert!(
        err.contains("hotkeys/hot: this hotkey file is encrypted"),
        "{err}"
    );
    assert!(err.contains("btcli wallet regen-hotkey"), "{err}");
    assert!(!err.contains("BTPOW_COLDKEY_PASSWORD"), "{err}");
    // Without its public key file, its public key cannot be read either.
    std::fs::remove_file(dir.join("hotkeys/hotpub.txt")).unwrap();
    let err = refused_offline(&strs(&with_wallet(&root, &[])), &password);
    assert!(err.contains("this hotkey file is encrypted"), "{err}");
    assert!(
        err.contains("hotpub.txt, its public key, is missing"),
        "{err}"
    );
    assert!(err.contains("btcli wallet regen-hotkey"), "{err}");
    assert!(!err.contains("BTPOW_COLDKEY_PASSWORD"), "{err}");
    let _ = std::fs::remove_dir_all(&root);
}

#[test]
fn a_coldkey_password_comes_from_the_file_its_variable_names() {
    let root = wallet("password-file");
    let args = with_wallet(&root, &["--scheme", "v1"]);
    let file = root.join("coldkey-password");
    let var = "BTPOW_COLDKEY_PASSWORD_FILE";
    // Without it there is no password to be had here (no terminal)...
    let err = refused_offline(&strs(&args), &[]);
    assert!(err.contains("no password was given"), "{err}");
    // ...with it, the run goes on to the (absent) node. (scripts/e2e
    // decrypts a coldkey with a password from such a file.)
    std::fs::write(&file, format!("{FIXTURE_PASSWORD}\n")).unwrap();
    let err = refused_env(&strs(&args), &[(var, file.as_os_str())]);
    assert!(err.contains("cannot reach ws://127.0.0.1:1"), "{err}");
    // A file that is not there, or a directory, is named.
    let absent = root.join("absent");
    let err = refused_offline(&strs(&args), &[(var, absent.as_os_str())]);
    assert!(
        err.contains("BTPOW_COLDKEY_PASSWORD_FILE names") && err.contains("absent"),
        "{err}"
    );
    let err = refused_offline(&strs(&args), &[(var, root.as_os_str())]);
    assert!(err.contains("it is not a regular file"), "{err}");
    // Both sources at once: which one is meant is not guessed.
    let both = [
        (var, file.as_os_str()),
        ("BTPOW_COLDKEY_PASSWORD", OsStr::new(FIXTURE_PASSWORD)),
    ];
    let err = refused_offline(&strs(&args), &both);
    assert!(err.contains("are both set; set one"), "{err}");
    let _ = std::fs::remove_dir_all(&root);
}

#[test]
fn a_coldkey_password_that_is_not_utf8_is_said_to_be_so() {
    let root = wallet("password");
    let args = with_wallet(&root, &["--scheme", "v1"]);
    let bad = OsStr::from_bytes(b"btpow \xff\xfe password");
    let err = refused_offline(&strs(&args), &[("BTPOW_COLDKEY_PASSWORD", bad)]);
    assert!(
        err.contains("BTPOW_COLDKEY_PASSWORD is set, but not to UTF-8 text"),
        "{err}"
    );
    assert!(err.contains("fixture/coldkey"), "{err}");
    assert!(!err.contains("no password was given"), "{err}");
    assert!(!err.contains("password\u{fffd}"), "{err}");
    // No password at all, and no terminal to ask on: said as such, before
    // connecting too.
    let err = refused_offline(&strs(&args), &[]);
    assert!(
        err.contains("encrypted, and no password was given (set BTPOW_COLDKEY_PASSWORD"),
        "{err}"
    );
    // --signer alone: whether the runtime's scheme takes that signer (its
    // pre-check) is known only once connected, and comes first.
    let err = refused(&strs(&with_wallet(&root, &["--signer", "coldkey"])));
    assert!(err.contains("cannot reach ws://127.0.0.1:1"), "{err}");
    let _ = std::fs::remove_dir_all(&root);
}

#[test]
fn a_bad_btpow_engine_names_the_variable() {
    let nonesuch = [("BTPOW_ENGINE", OsStr::new("nonesuch"))];
    let vectors = Path::new(env!("CARGO_MANIFEST_DIR")).join("vectors/legacy_seal.csv");
    for args in [
        &["solve", "--offline", "--max-time", "1"][..],
        &["verify", "--vectors", vectors.to_str().unwrap()][..],
    ] {
        let err = refused_env(args, &nonesuch);
        assert!(
            err.contains("BTPOW_ENGINE (set in the environment): unknown engine \"nonesuch\""),
            "{args:?}: {err}"
        );
    }
    let err = refused_env(
        &["solve", "--offline", "--cuda"],
        &[("BTPOW_ENGINE", OsStr::new("portable"))],
    );
    assert!(
        err.contains("--cuda and BTPOW_ENGINE=\"portable\" are exclusive"),
        "{err}"
    );
    let err = refused_env(
        &["solve", "--offline"],
        &[("BTPOW_ENGINE", OsStr::from_bytes(b"\xffx"))],
    );
    assert!(
        err.contains("BTPOW_ENGINE (set in the environment) is not UTF-8"),
        "{err}"
    );
    // The flag's own value is the flag's, and the flag wins over the variable.
    let err = refused(&["solve", "--offline", "--engine", "nonesuch"]);
    assert!(!err.contains("BTPOW_ENGINE"), "{err}");
    let (code, out, err) = run_env(
        &[
            "solve",
            "--offline",
            "--scheme",
            "legacy",
            "--difficulty",
            "1",
            "--engine",
            "portable",
        ],
        &nonesuch,
    );
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(out.contains("engine     portable"), "{out}");
}

/// SHA-1, for the websocket handshake of the nodes below.
fn sha1(data: &[u8]) -> [u8; 20] {
    let mut h: [u32; 5] = [0x67452301, 0xEFCDAB89, 0x98BADCFE, 0x10325476, 0xC3D2E1F0];
    let mut msg = data.to_vec();
    msg.push(0x80);
    while msg.len() % 64 != 56 {
        msg.push(0);
    }
    msg.extend_from_slice(&(data.len() as u64 * 8).to_be_bytes());
    for block in msg.chunks(64) {
        let mut w = [0u32; 80];
        for i in 0..16 {
            w[i] = u32::from_be_bytes(block[4 * i..4 * i + 4].try_into().unwrap());
        }
        for i in 16..80 {
            w[i] = (w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16]).rotate_left(1);
        }
        let [mut a, mut b, mut c, mut d, mut e] = h;
        for (i, wi) in w.iter().enumerate() {
            let (f, k) = match i {
                0..=19 => ((b & c) | (!b & d), 0x5A827999),
                20..=39 => (b ^ c ^ d, 0x6ED9EBA1),
                40..=59 => ((b & c) | (b & d) | (c & d), 0x8F1BBCDC),
                _ => (b ^ c ^ d, 0xCA62C1D6),
            };
            let t = a
                .rotate_left(5)
                .wrapping_add(f)
                .wrapping_add(e)
                .wrapping_add(k)
                .wrapping_add(*wi);
            (e, d, c, b, a) = (d, c, b.rotate_left(30), a, t);
        }
        for (x, y) in h.iter_mut().zip([a, b, c, d, e]) {
            *x = x.wrapping_add(y);
        }
    }
    let mut out = [0u8; 20];
    for (i, x) in h.iter().enumerate() {
        out[4 * i..4 * i + 4].copy_from_slice(&x.to_be_bytes());
    }
    out
}

fn base64(data: &[u8]) -> String {
    const A: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in data.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(A[(n >> (18 - 6 * i)) as usize & 63] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// The `Sec-WebSocket-Accept` for a client's key (RFC 6455).
fn accept(key: &str) -> String {
    base64(&sha1(
        format!("{key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11").as_bytes(),
    ))
}

/// What a websocket server that is not a node does after the handshake.
#[derive(Clone, Copy)]
enum Answer {
    /// Sends this text frame.
    Text(&'static str),
    /// Sends this binary frame.
    Binary(&'static [u8]),
    /// Sends these bytes, which are no websocket frame.
    Raw(&'static [u8]),
}

/// One websocket frame from the server (unmasked), payload under 64 KiB.
fn frame(opcode: u8, payload: &[u8]) -> Vec<u8> {
    let mut f = vec![0x80 | opcode];
    if payload.len() < 126 {
        f.push(payload.len() as u8);
    } else {
        f.push(126);
        f.extend_from_slice(&(payload.len() as u16).to_be_bytes());
    }
    f.extend_from_slice(payload);
    f
}

/// A websocket server on a free port that completes the handshake and
/// then answers as `answer` says (every connection, for a few seconds).
fn not_a_node(answer: Answer) -> (String, std::thread::JoinHandle<()>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("ws://127.0.0.1:{}", listener.local_addr().unwrap().port());
    let handle = std::thread::spawn(move || {
        listener.set_nonblocking(true).unwrap();
        let until = Instant::now() + Duration::from_secs(15);
        let mut held = Vec::new();
        while Instant::now() < until {
            let Ok((mut s, _)) = listener.accept() else {
                std::thread::sleep(Duration::from_millis(20));
                continue;
            };
            s.set_nonblocking(false).unwrap();
            s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
            let mut request = Vec::new();
            let mut byte = [0u8; 1];
            while !request.ends_with(b"\r\n\r\n") && s.read_exact(&mut byte).is_ok() {
                request.push(byte[0]);
            }
            let request = String::from_utf8_lossy(&request).into_owned();
            let Some(key) = request.lines().find_map(|l| {
                let (name, value) = l.split_once(':')?;
                name.eq_ignore_ascii_case("sec-websocket-key")
                    .then(|| value.trim().to_string())
            }) else {
                continue;
            };
            let _ = write!(
                s,
                "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: {}\r\n\r\n",
                accept(&key)
            );
            let reply = match answer {
                Answer::Text(t) => frame(0x1, t.as_bytes()),
                Answer::Binary(b) => frame(0x2, b),
                Answer::Raw(b) => b.to_vec(),
            };
            let _ = s.write_all(&reply);
            held.push(s);
        }
    });
    (url, handle)
}

#[test]
fn the_websocket_handshake_of_the_test_nodes_is_rfc_6455s() {
    assert_eq!(
        sha1(b"abc"),
        *b"\xa9\x99\x3e\x36\x47\x06\x81\x6a\xba\x3e\x25\x71\x78\x50\xc2\x6c\x9c\xd0\xd8\x9d"
    );
    assert_eq!(
        accept("dGhlIHNhbXBsZSBub25jZQ=="),
        "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="
    );
}

#[test]
fn an_http_server_is_said_to_give_an_answer_that_cannot_be_read() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("ws://127.0.0.1:{}", listener.local_addr().unwrap().port());
    let server = std::thread::spawn(move || {
        if let Ok((mut s, _)) = listener.accept() {
            let mut buf = [0u8; 1024];
            let _ = s.read(&mut buf);
            let _ = s.write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nhi");
        }
    });
    let mut args = vec![
        "solve",
        "--endpoint",
        &url,
        "--netuid",
        "1",
        "--rpc-timeout",
        "5",
    ];
    args.extend(KEYS);
    let err = refused(&args);
    server.join().unwrap();
    assert!(
        err.contains(&format!(
            "cannot reach {url}: it did not answer as a websocket server: its answer cannot be \
             read as a websocket handshake (is this a node's RPC port?)"
        )),
        "{err}"
    );
    assert!(!err.contains("closed"), "{err}");
}

#[test]
fn a_node_whose_answer_is_not_json_rpc_cannot_be_read() {
    for answer in [
        Answer::Text("<html><body>Welcome to nginx!</body></html>"),
        Answer::Text("{\"hello\": \"world\"}"),
        Answer::Binary(b"\x00\x01\x02garbage\xff"),
        // JSON-RPC, but an answer to no request sent.
        Answer::Text(r#"{"jsonrpc":"2.0","id":"nobody asked","result":"0x00"}"#),
        // An HTTP answer after the handshake: no websocket frame.
        Answer::Raw(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nhi"),
        // A text frame that is not UTF-8.
        Answer::Raw(b"\x81\x03\xff\xfe\xfd"),
    ] {
        let (url, _server) = not_a_node(answer);
        let mut args = vec![
            "solve",
            "--endpoint",
            &url,
            "--netuid",
            "1",
            "--yes",
            "--rpc-timeout",
            "5",
        ];
        args.extend(KEYS);
        let t = Instant::now();
        let err = refused(&args);
        assert!(
            err.contains(
                "the node's answer to chain_getBlockHash(0) cannot be read (it is not what a \
                 subtensor node sends)"
            ),
            "{err}"
        );
        assert!(!err.contains("closed"), "{err}");
        // Not retried as a lost connection: the node would answer alike.
        assert!(t.elapsed() < Duration::from_secs(4), "{:?}", t.elapsed());
    }
}

#[test]
fn several_hotkeys_and_subnets_are_refused_by_name_before_connecting_when_given_twice() {
    const ALICE: &str = "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY";
    let chain = ["solve", "--endpoint", NOWHERE, "--yes"];
    fn with<'a>(chain: &[&'a str], extra: &[&'a str]) -> Vec<&'a str> {
        [chain, extra].concat()
    }
    let err = refused(&with(&chain, &["--netuid", "1,5,1", "--hotkey-uri", "//A"]));
    assert!(err.contains("--netuid names subnet 1 twice"), "{err}");
    let err = refused(&with(
        &chain,
        &["--netuid", "1", "--wallet.hotkey", "a,b,a"],
    ));
    assert!(
        err.contains("--wallet.hotkey names hotkey \"a\" twice"),
        "{err}"
    );
    let err = refused(&with(&chain, &["--netuid", "1", "--wallet.hotkey", "a,,b"]));
    assert!(err.contains("a hotkey name is empty"), "{err}");
    // A URI is a secret: the message does not repeat it.
    let secret = "//Secret//Hotkey";
    let err = refused(&with(
        &chain,
        &[
            "--netuid",
            "1",
            "--hotkey-uri",
            secret,
            "--hotkey-uri",
            secret,
        ],
    ));
    assert!(err.contains("the same URI twice"), "{err}");
    assert!(!err.contains("Secret"), "{err}");
    // Two URIs for one key.
    let err = refused(&with(
        &chain,
        &[
            "--netuid",
            "1,2",
            "--coldkey-uri",
            "//Eve",
            "--hotkey-uri",
            "//Ferdie",
            "--hotkey-uri",
            "bottom drive obey lake curtain smoke basket hold race lonely fit walk//Ferdie",
        ],
    ));
    assert!(
        err.contains("is given twice (two names or URIs for one key)"),
        "{err}"
    );
    // Offline, a challenge is for one subnet.
    let err = refused(&[
        "solve",
        "--offline",
        "--scheme",
        "v1",
        "--netuid",
        "1,2",
        "--block-hash",
        "0x0000000000000000000000000000000000000000000000000000000000000001",
        "--hotkey",
        ALICE,
        "--coldkey",
        ALICE,
        "--difficulty",
        "1",
    ]);
    assert!(
        err.contains("--netuid: a challenge is for one subnet"),
        "{err}"
    );
}
