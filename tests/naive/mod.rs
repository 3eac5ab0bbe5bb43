//! An independent, deliberately naive implementation of both schemes,
//! written from the definitions (the README's scheme table, FIPS 180-4, the Keccak
//! reference) and sharing no code with the library: its own SHA-256, its own
//! Keccak-f[1600] (round constants and rotations derived from the spec's
//! LFSR and formula, not copied tables), pow.py's hex-string path for the
//! legacy message, and big-integer arithmetic for the rules.
//!
//! Used by the property tests and the differential fuzz target.

// Index loops mirror the specs' notation on purpose.
#![allow(dead_code, clippy::needless_range_loop)]

use num_bigint::BigUint;

// ---------------------------------------------------------------- SHA-256

const K: [u32; 64] = [
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
];

pub fn sha256(data: &[u8]) -> [u8; 32] {
    let mut h: [u32; 8] = [
        0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab,
        0x5be0cd19,
    ];
    let mut msg = data.to_vec();
    msg.push(0x80);
    while msg.len() % 64 != 56 {
        msg.push(0);
    }
    msg.extend_from_slice(&((data.len() as u64) * 8).to_be_bytes());
    for block in msg.chunks(64) {
        let mut w = [0u32; 64];
        for t in 0..16 {
            w[t] = u32::from_be_bytes([
                block[4 * t],
                block[4 * t + 1],
                block[4 * t + 2],
                block[4 * t + 3],
            ]);
        }
        for t in 16..64 {
            let s0 = w[t - 15].rotate_right(7) ^ w[t - 15].rotate_right(18) ^ (w[t - 15] >> 3);
            let s1 = w[t - 2].rotate_right(17) ^ w[t - 2].rotate_right(19) ^ (w[t - 2] >> 10);
            w[t] = w[t - 16]
                .wrapping_add(s0)
                .wrapping_add(w[t - 7])
                .wrapping_add(s1);
        }
        let mut v = h;
        for t in 0..64 {
            let [a, b, c, d, e, f, g, hh] = v;
            let s1 = e.rotate_right(6) ^ e.rotate_right(11) ^ e.rotate_right(25);
            let ch = (e & f) ^ (!e & g);
            let t1 = hh
                .wrapping_add(s1)
                .wrapping_add(ch)
                .wrapping_add(K[t])
                .wrapping_add(w[t]);
            let s0 = a.rotate_right(2) ^ a.rotate_right(13) ^ a.rotate_right(22);
            let maj = (a & b) ^ (a & c) ^ (b & c);
            let t2 = s0.wrapping_add(maj);
            v = [t1.wrapping_add(t2), a, b, c, d.wrapping_add(t1), e, f, g];
        }
        for i in 0..8 {
            h[i] = h[i].wrapping_add(v[i]);
        }
    }
    let mut out = [0u8; 32];
    for i in 0..8 {
        out[4 * i..4 * i + 4].copy_from_slice(&h[i].to_be_bytes());
    }
    out
}

// ---------------------------------------------------------------- Keccak

/// The spec's rc(t): an LFSR over GF(2) with x^8 + x^6 + x^5 + x^4 + 1.
fn rc_bit(t: usize) -> u64 {
    if t.is_multiple_of(255) {
        return 1;
    }
    let mut r: u16 = 1;
    for _ in 0..t % 255 {
        r <<= 1;
        if r & 0x100 != 0 {
            r ^= 0x171;
        }
    }
    (r & 1) as u64
}

fn round_constant(round: usize) -> u64 {
    let mut rc = 0u64;
    for j in 0..7 {
        rc |= rc_bit(j + 7 * round) << ((1 << j) - 1);
    }
    rc
}

/// Rotation offsets from the spec: (x, y) walks (1, 0) → (y, 2x + 3y).
fn rotations() -> [[u32; 5]; 5] {
    let mut r = [[0u32; 5]; 5];
    let (mut x, mut y) = (1usize, 0usize);
    for t in 0..24 {
        r[x][y] = (((t + 1) * (t + 2) / 2) % 64) as u32;
        (x, y) = (y, (2 * x + 3 * y) % 5);
    }
    r
}

fn keccak_f(a: &mut [[u64; 5]; 5]) {
    let rot = rotations();
    for round in 0..24 {
        let c: Vec<u64> = (0..5)
            .map(|x| a[x][0] ^ a[x][1] ^ a[x][2] ^ a[x][3] ^ a[x][4])
            .collect();
        for x in 0..5 {
            let d = c[(x + 4) % 5] ^ c[(x + 1) % 5].rotate_left(1);
            for y in 0..5 {
                a[x][y] ^= d;
            }
        }
        let mut b = [[0u64; 5]; 5];
        for x in 0..5 {
            for y in 0..5 {
                b[y][(2 * x + 3 * y) % 5] = a[x][y].rotate_left(rot[x][y]);
            }
        }
        for x in 0..5 {
            for y in 0..5 {
                a[x][y] = b[x][y] ^ (!b[(x + 1) % 5][y] & b[(x + 2) % 5][y]);
            }
        }
        a[0][0] ^= round_constant(round);
    }
}

/// Keccak[r=1088, c=512] with the original 0x01 padding, 256-bit output.
pub fn keccak256(data: &[u8]) -> [u8; 32] {
    const RATE: usize = 136;
    let mut msg = data.to_vec();
    msg.push(0x01);
    while !msg.len().is_multiple_of(RATE) {
        msg.push(0);
    }
    *msg.last_mut().unwrap() |= 0x80;
    let mut a = [[0u64; 5]; 5];
    for block in msg.chunks(RATE) {
        for i in 0..RATE / 8 {
            let lane = u64::from_le_bytes(block[8 * i..8 * i + 8].try_into().unwrap());
            a[i % 5][i / 5] ^= lane;
        }
        keccak_f(&mut a);
    }
    let mut out = [0u8; 32];
    for i in 0..4 {
        out[8 * i..8 * i + 8].copy_from_slice(&a[i % 5][i / 5].to_le_bytes());
    }
    out
}

// ---------------------------------------------------------------- schemes

fn hexlify(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhexlify(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

/// pow.py `_hash_block_with_hotkey`.
pub fn legacy_block_and_hotkey_hash(block_hash: &[u8; 32], hotkey: &[u8; 32]) -> [u8; 32] {
    let mut v = block_hash.to_vec();
    v.extend_from_slice(hotkey);
    keccak256(&v)
}

/// pow.py `_create_seal_hash`, the hex-string way it is written there.
pub fn legacy_seal_from_hash(block_and_hotkey_hash: &[u8; 32], nonce: u64) -> [u8; 32] {
    let nonce_hex = hexlify(&nonce.to_le_bytes());
    let pre_seal = nonce_hex + &hexlify(block_and_hotkey_hash)[..64];
    keccak256(&sha256(&unhexlify(&pre_seal)))
}

pub fn legacy_seal(block_hash: &[u8; 32], hotkey: &[u8; 32], nonce: u64) -> [u8; 32] {
    legacy_seal_from_hash(&legacy_block_and_hotkey_hash(block_hash, hotkey), nonce)
}

/// SDK 11 `registration_prefix` + `registration_seal`.
pub fn v1_seal(
    netuid: u16,
    block_hash: &[u8; 32],
    hotkey: &[u8; 32],
    coldkey: &[u8; 32],
    nonce: u64,
) -> [u8; 32] {
    let mut m = b"subtensor-pow-register-v1".to_vec();
    m.extend_from_slice(&netuid.to_le_bytes());
    m.extend_from_slice(block_hash);
    m.extend_from_slice(hotkey);
    m.extend_from_slice(coldkey);
    m.extend_from_slice(&nonce.to_le_bytes());
    assert_eq!(m.len(), 131);
    keccak256(&sha256(&m))
}

// ---------------------------------------------------------------- rules

fn limit() -> BigUint {
    (BigUint::from(1u8) << 256u32) - 1u8
}

/// `python`: `int_be(seal) * d < 2^256 - 1`.
pub fn python_meets(seal: &[u8; 32], d: u64) -> bool {
    BigUint::from_bytes_be(seal) * d < limit()
}

/// `chain-be`: `int_be(seal) * d` does not overflow 256 bits.
pub fn chain_be_meets(seal: &[u8; 32], d: u64) -> bool {
    BigUint::from_bytes_be(seal) * d <= limit()
}

/// `chain-le`: `int_le(seal) * d` does not overflow 256 bits.
pub fn chain_le_meets(seal: &[u8; 32], d: u64) -> bool {
    BigUint::from_bytes_le(seal) * d <= limit()
}

/// `v1`: `int_le(seal) <= (2^256 - 1) // d`.
pub fn v1_meets(seal: &[u8; 32], d: u64) -> bool {
    BigUint::from_bytes_le(seal) <= limit() / d
}
