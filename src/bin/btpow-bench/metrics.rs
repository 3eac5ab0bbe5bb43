//! `--metrics ADDR`: what a registration run is doing, in Prometheus' text
//! format on `http://ADDR/metrics`, for a monitoring stack to scrape.
//!
//! The exposition is `prometheus-client`'s; this file holds the metric
//! families and a small HTTP server on its own thread. The server listens
//! on exactly the address given (an IP and a port, never a name to
//! resolve), answers `GET /metrics` and nothing else, and carries no secret:
//! the only label values are subnet numbers and fixed result names.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::AtomicU64;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, Result};
use btpow::chain::{Event, SubmitError};
use prometheus_client::encoding::{prometheus_text, EncodeLabelSet};
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::registry::Registry;

/// A subnet, as a label.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct Subnet {
    pub netuid: u16,
}

/// How a registration of a subnet ended, as labels.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct Registration {
    pub netuid: u16,
    /// `registered`, `registered_by_another`, `already_registered`,
    /// `registered_unknown`, `dry_run`, `stopped`, `timeout`, `error`
    /// (`Record::end_result`).
    pub result: &'static str,
}

/// How a submission ended, as a label.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct Submission {
    /// `included`, `refused`, `stale`, `status_unknown`.
    pub result: &'static str,
}

type FloatGauge = Gauge<f64, AtomicU64>;

/// The run's metrics. Cheap to update from any thread.
pub struct Metrics {
    registry: Registry,
    pub hashes: Counter,
    pub hash_rate: FloatGauge,
    pub difficulty: Family<Subnet, FloatGauge>,
    pub expected_seconds: Family<Subnet, FloatGauge>,
    pub registrations: Family<Registration, Counter>,
    pub submissions: Family<Submission, Counter>,
    pub reconnects: Counter,
    pub up: Gauge,
    /// The solver's count at its last report: its reports count from the
    /// start of each solve, the counter over the run.
    hashes_seen: AtomicU64,
}

impl Metrics {
    pub fn new() -> Metrics {
        let mut m = Metrics {
            registry: Registry::with_prefix("btpow"),
            hashes: Counter::default(),
            hash_rate: FloatGauge::default(),
            difficulty: Family::default(),
            expected_seconds: Family::default(),
            registrations: Family::default(),
            submissions: Family::default(),
            reconnects: Counter::default(),
            up: Gauge::default(),
            hashes_seen: AtomicU64::new(0),
        };
        m.registry
            .register("hashes", "Nonces hashed by this run", m.hashes.clone());
        m.registry.register(
            "hash_rate",
            "Nonces hashed per second, recent average",
            m.hash_rate.clone(),
        );
        m.registry.register(
            "difficulty",
            "The difficulty a proof of work for the subnet must meet now",
            m.difficulty.clone(),
        );
        m.registry.register(
            "expected_seconds",
            "Expected seconds to a solution for the subnet at the current rate",
            m.expected_seconds.clone(),
        );
        m.registry.register(
            "registrations",
            "Registrations ended, by subnet and result",
            m.registrations.clone(),
        );
        m.registry.register(
            "submissions",
            "Registration extrinsics submitted, by result",
            m.submissions.clone(),
        );
        m.registry.register(
            "reconnects",
            "Times the connection to the node was lost and tried again",
            m.reconnects.clone(),
        );
        m.registry
            .register("up", "1 while the run lasts", m.up.clone());
        m.up.set(1);
        m
    }

    /// What a registration event of subnet `netuid` changes.
    pub fn observe(&self, netuid: u16, event: &Event<'_>) {
        let subnet = Subnet { netuid };
        match event {
            Event::Challenge { difficulty, .. } => {
                self.difficulty
                    .get_or_create(&subnet)
                    .set(difficulty.get() as f64);
            }
            Event::Progress {
                report, difficulty, ..
            } => {
                self.count_hashes(report.hashes);
                let rate = report.recent_rate();
                self.hash_rate.set(rate);
                self.difficulty
                    .get_or_create(&subnet)
                    .set(difficulty.get() as f64);
                if rate > 0.0 {
                    self.expected_seconds
                        .get_or_create(&subnet)
                        .set(difficulty.get() as f64 / rate);
                }
            }
            Event::Solved { hashes, .. } => self.count_hashes(*hashes),
            Event::Stale { .. } => self.submission("stale"),
            Event::Included { .. } => self.submission("included"),
            Event::Refused { error } => self.submission(match error {
                SubmitError::Unknown(_) => "status_unknown",
                _ => "refused",
            }),
            Event::Reconnecting { .. } => {
                self.reconnects.inc();
            }
            _ => {}
        }
    }

    /// The registration of subnet `netuid` ended with `result`.
    pub fn ended(&self, netuid: u16, result: &'static str) {
        self.registrations
            .get_or_create(&Registration { netuid, result })
            .inc();
    }

    fn submission(&self, result: &'static str) {
        self.submissions.get_or_create(&Submission { result }).inc();
    }

    /// Adds what the solver hashed since its last report; a count lower
    /// than the last is a new solve's.
    fn count_hashes(&self, total: u64) {
        use std::sync::atomic::Ordering::Relaxed;
        let last = self.hashes_seen.swap(total, Relaxed);
        self.hashes
            .inc_by(if total >= last { total - last } else { total });
    }

    /// The exposition, in Prometheus' text format.
    pub fn render(&self) -> String {
        let mut text = String::new();
        prometheus_text::encode(&mut text, &self.registry)
            .expect("writing to a String cannot fail");
        text
    }
}

/// Listens on `addr` (an IP and a port, `127.0.0.1:9184`) and serves the
/// metrics from a thread of its own until the process ends. Fails at once
/// when the address is not one or cannot be listened on.
pub fn serve(addr: &str, metrics: Arc<Metrics>) -> Result<SocketAddr> {
    let parsed: SocketAddr = addr.parse().map_err(|_| {
        anyhow::anyhow!(
            "--metrics {}: not an IP address and port (such as 127.0.0.1:9184)",
            crate::output::printable(addr)
        )
    })?;
    let listener = TcpListener::bind(parsed)
        .with_context(|| format!("--metrics: cannot listen on {parsed}"))?;
    let bound = listener.local_addr()?;
    std::thread::Builder::new()
        .name("metrics".into())
        .spawn(move || {
            for stream in listener.incoming().flatten() {
                // One scrape at a time; a client that stalls is cut off.
                let _ = answer(stream, &metrics);
            }
        })
        .context("--metrics: cannot start its thread")?;
    Ok(bound)
}

/// Answers one HTTP/1 request: `GET /metrics` gets the exposition.
fn answer(mut stream: TcpStream, metrics: &Metrics) -> std::io::Result<()> {
    stream.set_read_timeout(Some(Duration::from_secs(2)))?;
    stream.set_write_timeout(Some(Duration::from_secs(2)))?;
    let mut request = Vec::with_capacity(1024);
    let mut buf = [0u8; 1024];
    while !request.windows(4).any(|w| w == b"\r\n\r\n") && request.len() < 16 * 1024 {
        let n = stream.read(&mut buf)?;
        if n == 0 {
            break;
        }
        request.extend_from_slice(&buf[..n]);
    }
    let line = request.split(|&b| b == b'\r').next().unwrap_or_default();
    let mut parts = line.split(|&b| b == b' ');
    let (method, path) = (
        parts.next().unwrap_or_default(),
        parts.next().unwrap_or_default(),
    );
    let path = path.split(|&b| b == b'?').next().unwrap_or_default();
    let (status, content_type, body) = match (method, path) {
        (b"GET", b"/metrics") => ("200 OK", prometheus_text::CONTENT_TYPE, metrics.render()),
        (b"GET", _) => (
            "404 Not Found",
            "text/plain; charset=utf-8",
            "btpow serves /metrics only\n".to_string(),
        ),
        _ => (
            "405 Method Not Allowed",
            "text/plain; charset=utf-8",
            "GET /metrics\n".to_string(),
        ),
    };
    write!(
        stream,
        "HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )?;
    stream.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn get(addr: SocketAddr, request: &str) -> String {
        let mut s = TcpStream::connect(addr).unwrap();
        s.write_all(request.as_bytes()).unwrap();
        let mut out = String::new();
        s.read_to_string(&mut out).unwrap();
        out
    }

    #[test]
    fn every_metric_is_exposed_with_its_labels() {
        let m = Metrics::new();
        m.hashes.inc_by(1234);
        m.hash_rate.set(5.5e6);
        m.difficulty.get_or_create(&Subnet { netuid: 5 }).set(1e7);
        m.expected_seconds
            .get_or_create(&Subnet { netuid: 5 })
            .set(1.8);
        m.registrations
            .get_or_create(&Registration {
                netuid: 5,
                result: "registered",
            })
            .inc();
        m.submissions
            .get_or_create(&Submission { result: "included" })
            .inc();
        m.reconnects.inc();
        let text = m.render();
        for line in [
            "# TYPE btpow_hashes_total counter",
            "btpow_hashes_total 1234",
            "btpow_hash_rate 5500000.0",
            "btpow_difficulty{netuid=\"5\"} 10000000.0",
            "btpow_expected_seconds{netuid=\"5\"} 1.8",
            "btpow_registrations_total{netuid=\"5\",result=\"registered\"} 1",
            "btpow_submissions_total{result=\"included\"} 1",
            "btpow_reconnects_total 1",
            "btpow_up 1",
        ] {
            assert!(text.lines().any(|l| l == line), "{line:?} not in:\n{text}");
        }
        assert!(
            !text.contains("# EOF"),
            "Prometheus' format, not OpenMetrics"
        );
    }

    #[test]
    fn the_server_answers_get_metrics_and_nothing_else() {
        let m = Arc::new(Metrics::new());
        m.hashes.inc_by(7);
        let addr = serve("127.0.0.1:0", m).unwrap();
        let ok = get(addr, "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n");
        assert!(ok.starts_with("HTTP/1.1 200 OK\r\n"), "{ok}");
        assert!(
            ok.contains("Content-Type: text/plain; version=0.0.4"),
            "{ok}"
        );
        assert!(ok.contains("\nbtpow_hashes_total 7\n"), "{ok}");
        let other = get(addr, "GET / HTTP/1.1\r\n\r\n");
        assert!(other.starts_with("HTTP/1.1 404"), "{other}");
        let post = get(addr, "POST /metrics HTTP/1.1\r\n\r\n");
        assert!(post.starts_with("HTTP/1.1 405"), "{post}");
    }

    #[test]
    fn an_address_must_be_an_ip_and_a_port() {
        let m = Arc::new(Metrics::new());
        for bad in [
            "localhost:9184",
            "9184",
            "127.0.0.1",
            "http://127.0.0.1:9184",
            "",
        ] {
            let e = serve(bad, m.clone()).unwrap_err().to_string();
            assert!(e.contains("not an IP address and port"), "{bad}: {e}");
        }
    }

    #[test]
    fn an_address_in_use_is_refused_with_its_reason() {
        let taken = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = taken.local_addr().unwrap().to_string();
        let e = format!("{:#}", serve(&addr, Arc::new(Metrics::new())).unwrap_err());
        assert!(e.contains(&format!("cannot listen on {addr}")), "{e}");
    }
}
