//! Endpoints as they may be shown: a node's URL can carry credentials
//! (`wss://user:password@host/?apikey=…`), and none of them may reach a
//! terminal, a log or a JSON event.

/// Known public Bittensor networks, by genesis hash.
const PUBLIC_NETWORKS: [([u8; 32], &str); 2] = [
    (
        hex32("2f0555cc76fc2840a25a6ea3b9637146806f1f44b090c175ffde2a7e5ab36c03"),
        "finney (mainnet)",
    ),
    (
        hex32("8f9cf856bf558a14440e75569c9e58594757048d7b3a84b5d25f6bd978263105"),
        "the public testnet",
    ),
];

const fn hex32(s: &str) -> [u8; 32] {
    let b = s.as_bytes();
    let mut out = [0u8; 32];
    let mut i = 0;
    while i < 32 {
        out[i] = (nibble(b[2 * i]) << 4) | nibble(b[2 * i + 1]);
        i += 1;
    }
    out
}

const fn nibble(c: u8) -> u8 {
    match c {
        b'0'..=b'9' => c - b'0',
        b'a'..=b'f' => c - b'a' + 10,
        _ => panic!("not a lowercase hex digit"),
    }
}

/// The name of the public network with this genesis hash, if it is one:
/// a chain where keys anyone can derive must not be used.
pub(super) fn public_network(genesis: &[u8; 32]) -> Option<&'static str> {
    PUBLIC_NETWORKS
        .iter()
        .find(|(g, _)| g == genesis)
        .map(|(_, name)| *name)
}

/// Refuses, before any connection, a `url` that cannot be a node's
/// websocket endpoint (`ws://…` or `wss://…` with a host); the reason
/// shows the URL as it may be shown (credentials hidden).
pub fn check(url: &str) -> Result<(), String> {
    const LIKE: &str = "a node's endpoint is ws://HOST:PORT or wss://HOST:PORT \
                        (ws://127.0.0.1:9944, wss://entrypoint-finney.opentensor.ai:443)";
    let shown = redact(url);
    let parsed = jsonrpsee::client_transport::ws::Url::parse(url)
        .map_err(|e| format!("{shown:?} is not a URL ({e}); {LIKE}"))?;
    if !matches!(parsed.scheme(), "ws" | "wss") {
        return Err(format!(
            "{shown:?} is not a websocket URL (it does not begin with ws:// or wss://); {LIKE}"
        ));
    }
    if parsed.host_str().is_none_or(str::is_empty) {
        return Err(format!("{shown:?} names no host; {LIKE}"));
    }
    Ok(())
}

/// `url` as it may be shown: its user info, every query value, its
/// fragment and any path segment long enough to be a key (16 characters or
/// more, as providers put API keys in paths) replaced by `***`; scheme,
/// host, port and short path segments kept as written. User info ends at
/// the last `@` of the whole URL (a password may hold `/`, `?` or `#`
/// unencoded): an `@` elsewhere hides more, never less.
pub(super) fn redact(url: &str) -> String {
    let (scheme, rest) = match url.find("://") {
        Some(i) => url.split_at(i + 3),
        None => ("", url),
    };
    let (userinfo, rest) = match rest.rfind('@') {
        Some(at) => (true, &rest[at + 1..]),
        None => (false, rest),
    };
    let (before_fragment, fragment) = match rest.find('#') {
        Some(i) => (&rest[..i], Some(&rest[i + 1..])),
        None => (rest, None),
    };
    let (before_query, query) = match before_fragment.find('?') {
        Some(i) => (&before_fragment[..i], Some(&before_fragment[i + 1..])),
        None => (before_fragment, None),
    };
    let authority_end = before_query.find('/').unwrap_or(before_query.len());
    let (authority, path) = before_query.split_at(authority_end);
    let mut out = String::with_capacity(url.len());
    out.push_str(scheme);
    if userinfo {
        out.push_str("***@");
    }
    out.push_str(authority);
    let path: Vec<&str> = path
        .split('/')
        .map(|segment| {
            if segment.chars().count() >= 16 {
                "***"
            } else {
                segment
            }
        })
        .collect();
    out.push_str(&path.join("/"));
    if let Some(query) = query {
        out.push('?');
        let pairs: Vec<String> = query
            .split('&')
            .map(|pair| match pair.split_once('=') {
                Some((key, _)) => format!("{key}=***"),
                None if pair.is_empty() => String::new(),
                None => "***".to_string(),
            })
            .collect();
        out.push_str(&pairs.join("&"));
    }
    if fragment.is_some_and(|f| !f.is_empty()) {
        out.push_str("#***");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_and_query_values_are_redacted() {
        let cases = [
            ("ws://127.0.0.1:9944", "ws://127.0.0.1:9944"),
            (
                "wss://entrypoint-finney.opentensor.ai:443/",
                "wss://entrypoint-finney.opentensor.ai:443/",
            ),
            ("ws://user:password@host:9944/", "ws://***@host:9944/"),
            (
                "wss://token@host/ws?apikey=s3cr3t&x=1",
                "wss://***@host/ws?apikey=***&x=***",
            ),
            ("ws://host/?s3cr3t", "ws://host/?***"),
            ("ws://host/path#s3cr3t", "ws://host/path#***"),
            ("ws://a@b@host", "ws://***@host"),
            ("user:pw@host?k=v", "***@host?k=***"),
            // A password with characters a URL must encode, unencoded.
            ("ws://user:p/ss@host:9944", "ws://***@host:9944"),
            ("ws://user:p#s?s@host/", "ws://***@host/"),
            // A key in the path.
            (
                "wss://rpc.example.com/ws/0123456789abcdef0123",
                "wss://rpc.example.com/ws/***",
            ),
        ];
        for (url, shown) in cases {
            assert_eq!(redact(url), shown, "{url}");
        }
    }

    #[test]
    fn only_websocket_urls_with_a_host_pass_the_check() {
        for good in [
            "ws://127.0.0.1:9944",
            "wss://entrypoint-finney.opentensor.ai:443",
            "WS://host",
        ] {
            assert_eq!(check(good), Ok(()), "{good}");
        }
        for (bad, says) in [
            ("http://127.0.0.1:9944", "not a websocket URL"),
            ("127.0.0.1:9944", "not a URL"),
            ("", "not a URL"),
            ("ws://", "not a URL"),
            (
                "https://user:s3cr3t@host/",
                "\"https://***@host/\" is not a websocket URL",
            ),
        ] {
            let e = check(bad).unwrap_err();
            assert!(e.contains(says), "{bad}: {e}");
            assert!(e.contains("ws://HOST:PORT"), "{bad}: {e}");
            assert!(!e.contains("s3cr3t"), "{e}");
        }
    }

    #[test]
    fn the_public_networks_are_known_by_genesis() {
        let finney = hex32("2f0555cc76fc2840a25a6ea3b9637146806f1f44b090c175ffde2a7e5ab36c03");
        assert_eq!(public_network(&finney), Some("finney (mainnet)"));
        assert_eq!(public_network(&[0x45; 32]), None);
    }
}
