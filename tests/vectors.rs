//! Every golden row, through the library, with every engine this machine runs.

mod support;

use std::collections::HashMap;
use std::path::Path;

use btpow::vectors::{VectorFile, VectorKind};

#[test]
fn every_row_passes_with_every_available_engine() {
    let files = VectorFile::load(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("vectors")
            .as_path(),
    )
    .expect("committed vectors parse");
    let mut rows_by_kind: HashMap<VectorKind, usize> = HashMap::new();
    for f in &files {
        *rows_by_kind.entry(f.kind).or_default() += f.rows.len();
    }
    for kind in VectorKind::ALL {
        let n = rows_by_kind.get(&kind).copied().unwrap_or(0);
        assert!(
            n >= 200,
            "{}: only {n} rows; hundreds expected",
            kind.name()
        );
    }

    let mut failures = Vec::new();
    let mut checked = 0;
    for e in support::engines::engines() {
        for f in &files {
            for (line, row) in &f.rows {
                checked += 1;
                if let Err(why) = row.check(e.as_ref()) {
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
