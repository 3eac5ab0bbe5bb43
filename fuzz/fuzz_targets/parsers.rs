//! Arbitrary bytes into the vector-file and hex/account parsers: they may
//! refuse, never panic.
#![no_main]

use btpow::vectors::{VectorFile, VectorKind};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&pick, rest)) = data.split_first() else {
        return;
    };
    // Most inputs get a valid header so the row parser is reached.
    let mut file = Vec::new();
    if let Some(kind) = VectorKind::ALL.get(usize::from(pick % 8)) {
        file.extend_from_slice(kind.header().join(",").as_bytes());
        file.push(b'\n');
    }
    file.extend_from_slice(rest);
    if let Ok(parsed) = VectorFile::parse("fuzz.csv", file.as_slice()) {
        // Whatever parses is well-formed enough to check without panicking.
        for (_, row) in parsed.rows.iter().take(4) {
            if let btpow::vectors::Row::LegacySolve { range, .. }
            | btpow::vectors::Row::V1Solve { range, .. } = row
            {
                if range.count > 64 {
                    continue;
                }
            }
            let _ = row.check(&btpow::engine::reference::Reference);
        }
    }
    if let Ok(text) = std::str::from_utf8(rest) {
        let _ = btpow::hex::decode_array::<32>(text);
        let _ = btpow::account::parse_account(text);
    }
});
