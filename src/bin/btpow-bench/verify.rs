//! `btpow-bench verify`: every golden row through every engine.

use anyhow::Result;
use btpow::engine::{self, Backend, Engine};
use btpow::vectors::VectorFile;
use rayon::prelude::*;

use crate::args::VerifyArgs;
use crate::CmdResult;

const SHOWN_FAILURES: usize = 10;

pub fn run(args: &VerifyArgs) -> CmdResult {
    // Read and parse everything first: a malformed file stops the run before
    // any checking, with its file:line.
    let files = VectorFile::load(&args.vectors)?;
    let engines = select(&args.engines)?;

    let width = files.iter().map(|f| f.name.len()).max().unwrap_or(0);
    let (mut passed, mut failed, mut shown) = (0u64, 0u64, 0usize);
    for file in &files {
        let per_engine = file.rows.iter().any(|(_, r)| r.uses_engine());
        let labels: Vec<Option<&dyn Engine>> = if per_engine {
            engines.iter().map(|e| Some(e.as_ref())).collect()
        } else {
            vec![None]
        };
        for engine in labels {
            let label = engine.map_or("(rules)", |e| e.name());
            let (mut ok, mut bad) = (0u64, 0u64);
            // Rows are independent: checked on every core, reported in order.
            let results: Vec<_> = file
                .rows
                .par_iter()
                .map(|(line, row)| {
                    let result = match engine {
                        Some(e) => row.check(e),
                        // Rule-only rows ignore the engine; any engine will do.
                        None => row.check(&engine::reference::Reference),
                    };
                    (line, result)
                })
                .collect();
            for (line, result) in results {
                match result {
                    Ok(()) => ok += 1,
                    Err(why) => {
                        bad += 1;
                        if args.all_failures || shown < SHOWN_FAILURES {
                            errln!("FAIL {}:{line} [{label}]: {why}", file.name);
                            shown += 1;
                        }
                    }
                }
            }
            outln!(
                "{:<width$}  {:<18} {:<10} {:>6} passed, {} failed",
                file.name,
                format!("({})", file.kind.name()),
                label,
                ok,
                bad
            );
            passed += ok;
            failed += bad;
        }
    }
    if failed as usize > shown {
        errln!(
            "({} more failures not shown; --all-failures shows them)",
            failed as usize - shown
        );
    }
    outln!("{passed} passed, {failed} failed");
    Ok(failed == 0)
}

/// The engines named, or every engine this machine supports; the ones it
/// cannot run are reported as skipped, never counted as passing.
fn select(names: &[String]) -> Result<Vec<Box<dyn Engine>>> {
    if names.is_empty() {
        if let Some(list) = crate::args::engine_var()? {
            let var = crate::args::ENGINE_VAR;
            return list
                .split(',')
                .map(|n| {
                    Backend::from_name(n)
                        .and_then(|b| b.engine())
                        .map_err(|e| anyhow::anyhow!("{var} (set in the environment): {e}"))
                })
                .collect();
        }
        for b in Backend::ALL.iter().filter(|b| !b.is_supported()) {
            outln!("skipped engine {}: needs {}", b.name(), b.needs());
        }
        return engine::Backend::available()
            .into_iter()
            .map(|b| Ok(b.engine()?))
            .collect();
    }
    names
        .iter()
        .map(|n| Ok(Backend::from_name(n)?.engine()?))
        .collect()
}
