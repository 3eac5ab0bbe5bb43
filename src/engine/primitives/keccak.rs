//! Keccak-f[1600] (the Keccak reference, 24 rounds), generic over the lane
//! type. State index `x + 5*y`.

/// 64-bit lanes, one per independent state. As with
/// [`Word`](super::sha256::Word), new lanes are made from an existing one.
pub trait Lane: Copy {
    /// `x` in every lane (`self` only proves the type may be made).
    fn splat(self, x: u64) -> Self;
    /// Lane-wise xor.
    fn xor(self, o: Self) -> Self;
    /// `!self & o`
    fn andnot(self, o: Self) -> Self;
    /// Lane-wise rotation left by `n`.
    fn rotl(self, n: u32) -> Self;
}

/// The round constants.
pub const RC: [u64; 24] = [
    0x0000000000000001,
    0x0000000000008082,
    0x800000000000808a,
    0x8000000080008000,
    0x000000000000808b,
    0x0000000080000001,
    0x8000000080008081,
    0x8000000000008009,
    0x000000000000008a,
    0x0000000000000088,
    0x0000000080008009,
    0x000000008000000a,
    0x000000008000808b,
    0x800000000000008b,
    0x8000000000008089,
    0x8000000000008003,
    0x8000000000008002,
    0x8000000000000080,
    0x000000000000800a,
    0x800000008000000a,
    0x8000000080008081,
    0x8000000000008080,
    0x0000000080000001,
    0x8000000080008008,
];

#[inline(always)]
/// Keccak-f[1600] on `a`, in place.
pub fn keccak_f<L: Lane>(a: &mut [L; 25]) {
    for rc in RC {
        round(a, rc);
    }
}

/// One round, unrolled: literal indices and rotation counts, so every
/// lane lives in a register and every rotation is by an immediate.
#[inline(always)]
#[rustfmt::skip]
fn round<L: Lane>(a: &mut [L; 25], rc: u64) {
    // θ
    let c0 = a[0].xor(a[5]).xor(a[10]).xor(a[15]).xor(a[20]);
    let c1 = a[1].xor(a[6]).xor(a[11]).xor(a[16]).xor(a[21]);
    let c2 = a[2].xor(a[7]).xor(a[12]).xor(a[17]).xor(a[22]);
    let c3 = a[3].xor(a[8]).xor(a[13]).xor(a[18]).xor(a[23]);
    let c4 = a[4].xor(a[9]).xor(a[14]).xor(a[19]).xor(a[24]);
    let d0 = c4.xor(c1.rotl(1));
    let d1 = c0.xor(c2.rotl(1));
    let d2 = c1.xor(c3.rotl(1));
    let d3 = c2.xor(c4.rotl(1));
    let d4 = c3.xor(c0.rotl(1));
    // ρ and π: B[y, 2x+3y] = rot(A[x, y] ^ D[x], r[x, y])
    let b0 = a[0].xor(d0);
    let b1 = a[6].xor(d1).rotl(44);
    let b2 = a[12].xor(d2).rotl(43);
    let b3 = a[18].xor(d3).rotl(21);
    let b4 = a[24].xor(d4).rotl(14);
    let b5 = a[3].xor(d3).rotl(28);
    let b6 = a[9].xor(d4).rotl(20);
    let b7 = a[10].xor(d0).rotl(3);
    let b8 = a[16].xor(d1).rotl(45);
    let b9 = a[22].xor(d2).rotl(61);
    let b10 = a[1].xor(d1).rotl(1);
    let b11 = a[7].xor(d2).rotl(6);
    let b12 = a[13].xor(d3).rotl(25);
    let b13 = a[19].xor(d4).rotl(8);
    let b14 = a[20].xor(d0).rotl(18);
    let b15 = a[4].xor(d4).rotl(27);
    let b16 = a[5].xor(d0).rotl(36);
    let b17 = a[11].xor(d1).rotl(10);
    let b18 = a[17].xor(d2).rotl(15);
    let b19 = a[23].xor(d3).rotl(56);
    let b20 = a[2].xor(d2).rotl(62);
    let b21 = a[8].xor(d3).rotl(55);
    let b22 = a[14].xor(d4).rotl(39);
    let b23 = a[15].xor(d0).rotl(41);
    let b24 = a[21].xor(d1).rotl(2);
    // χ
    a[0] = b0.xor(b1.andnot(b2));
    a[1] = b1.xor(b2.andnot(b3));
    a[2] = b2.xor(b3.andnot(b4));
    a[3] = b3.xor(b4.andnot(b0));
    a[4] = b4.xor(b0.andnot(b1));
    a[5] = b5.xor(b6.andnot(b7));
    a[6] = b6.xor(b7.andnot(b8));
    a[7] = b7.xor(b8.andnot(b9));
    a[8] = b8.xor(b9.andnot(b5));
    a[9] = b9.xor(b5.andnot(b6));
    a[10] = b10.xor(b11.andnot(b12));
    a[11] = b11.xor(b12.andnot(b13));
    a[12] = b12.xor(b13.andnot(b14));
    a[13] = b13.xor(b14.andnot(b10));
    a[14] = b14.xor(b10.andnot(b11));
    a[15] = b15.xor(b16.andnot(b17));
    a[16] = b16.xor(b17.andnot(b18));
    a[17] = b17.xor(b18.andnot(b19));
    a[18] = b18.xor(b19.andnot(b15));
    a[19] = b19.xor(b15.andnot(b16));
    a[20] = b20.xor(b21.andnot(b22));
    a[21] = b21.xor(b22.andnot(b23));
    a[22] = b22.xor(b23.andnot(b24));
    a[23] = b23.xor(b24.andnot(b20));
    a[24] = b24.xor(b20.andnot(b21));
    // ι
    a[0] = a[0].xor(a[0].splat(rc));
}

/// Keccak-256 of a 32-byte message given as four little-endian lanes: the
/// rest of the single block is the constant padding (0x01 ... 0x80).
#[inline(always)]
pub fn keccak256_32<L: Lane>(input: [L; 4]) -> [L; 4] {
    let zero = input[0].splat(0);
    let mut a = [zero; 25];
    a[..4].copy_from_slice(&input);
    a[4] = zero.splat(0x01);
    a[16] = zero.splat(0x80 << 56);
    keccak_f(&mut a);
    [a[0], a[1], a[2], a[3]]
}

impl Lane for u64 {
    #[inline(always)]
    fn splat(self, x: u64) -> Self {
        x
    }
    #[inline(always)]
    fn xor(self, o: Self) -> Self {
        self ^ o
    }
    #[inline(always)]
    fn andnot(self, o: Self) -> Self {
        !self & o
    }
    #[inline(always)]
    fn rotl(self, n: u32) -> Self {
        self.rotate_left(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_the_reference_keccak256() {
        let msg: [u8; 32] = std::array::from_fn(|i| i as u8 * 7 + 1);
        let lanes: [u64; 4] =
            std::array::from_fn(|i| u64::from_le_bytes(msg[8 * i..8 * i + 8].try_into().unwrap()));
        let out = keccak256_32(lanes);
        let bytes: Vec<u8> = out.iter().flat_map(|l| l.to_le_bytes()).collect();
        assert_eq!(bytes, crate::hash::keccak256(&msg));
    }
}
