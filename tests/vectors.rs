//! Every golden row, through the library, with every engine this machine runs.

use std::collections::HashMap;
use std::path::Path;

use btpow::engine;
use btpow::vectors::{self, check, Kind};

#[test]
fn every_row_passes_with_every_available_engine() {
    let files = vectors::load(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("vectors")
            .as_path(),
    )
    .expect("committed vectors parse");
    let mut rows_by_kind: HashMap<Kind, usize> = HashMap::new();
    for f in &files {
        *rows_by_kind.entry(f.kind).or_default() += f.rows.len();
    }
    for kind in Kind::ALL {
        let n = rows_by_kind.get(&kind).copied().unwrap_or(0);
        assert!(
            n >= 200,
            "{}: only {n} rows; hundreds expected",
            kind.name()
        );
    }

    let engines = engine::available();
    assert!(!engines.is_empty());
    let mut failures = Vec::new();
    let mut checked = 0;
    for backend in engines {
        let e = backend.engine().unwrap();
        for f in &files {
            for (line, row) in &f.rows {
                checked += 1;
                if let Err(why) = check::check_row(e.as_ref(), row) {
                    failures.push(format!("{}:{line} [{}]: {why}", f.name, e.name()));
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {checked} failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
