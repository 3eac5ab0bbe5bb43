//! What the test binaries that hold engines to the reference share: the
//! list of engines under test, and how many random cases a property gets.

use std::sync::OnceLock;

use btpow::engine::{Backend, Engine};

/// Every backend of this build that runs on this machine, the reference
/// first, built once per test binary (a GPU engine compiles its kernels when
/// built). A backend this machine cannot run is printed as skipped, once,
/// and is not counted as passing; `BTPOW_REQUIRE_ENGINES=a,b` names engines
/// that must run here (CI names the ones its machine or emulator must
/// exercise).
pub fn engines() -> &'static [Box<dyn Engine>] {
    static ENGINES: OnceLock<Vec<Box<dyn Engine>>> = OnceLock::new();
    ENGINES.get_or_init(|| {
        let mut out = Vec::new();
        for b in Backend::ALL {
            match b.engine() {
                Ok(e) => out.push(e),
                Err(why) => eprintln!("SKIPPED engine {}: {why}", b.name()),
            }
        }
        for always in ["reference", "portable"] {
            assert!(
                out.iter().any(|e| e.name() == always),
                "the {always} engine runs everywhere"
            );
        }
        if let Ok(required) = std::env::var("BTPOW_REQUIRE_ENGINES") {
            for name in required.split(',').filter(|n| !n.is_empty()) {
                assert!(
                    out.iter().any(|e| e.name() == name),
                    "engine {name} is required (BTPOW_REQUIRE_ENGINES) but does not run here"
                );
            }
        }
        out
    })
}

/// [`engines`] without the reference: the engines held to it.
#[allow(dead_code)] // not every test binary holds engines to the reference
pub fn engines_but_the_reference() -> impl Iterator<Item = &'static dyn Engine> {
    engines()
        .iter()
        .map(|e| e.as_ref())
        .filter(|e| e.name() != "reference")
}

/// 10,000 cases per property unless `PROPTEST_CASES` says otherwise.
pub fn proptest_config() -> proptest::prelude::ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000);
    proptest::prelude::ProptestConfig::with_cases(cases)
}
