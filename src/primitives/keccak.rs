//! Keccak-f\[1600\] (the Keccak reference, 24 rounds), generic over the lane
//! type. State index `x + 5*y`.

/// 64-bit lanes, one per independent state. As with
/// [`Word`](super::sha256::Word), new lanes are made from an existing one.
pub(crate) trait Lane: Copy {
    /// `x` in every lane (`self` only proves the type may be made).
    fn splat(self, x: u64) -> Self;
    /// Lane-wise xor.
    fn xor(self, o: Self) -> Self;
    /// `!self & o`
    fn andnot(self, o: Self) -> Self;
    /// Lane-wise rotation left by `n`.
    fn rotl(self, n: u32) -> Self;

    // Fused forms of what a round does. The defaults compose the ops
    // above (what x86 runs; the compiler fuses them there); ARMv8.2's SHA3
    // instructions do each in one (EOR3, RAX1, XAR, BCAX).

    /// `self ^ b ^ c`
    #[inline(always)]
    fn xor3(self, b: Self, c: Self) -> Self {
        self.xor(b).xor(c)
    }
    /// `self ^ rotl(o, 1)`: θ's D.
    #[inline(always)]
    fn xor_rotl1(self, o: Self) -> Self {
        self.xor(o.rotl(1))
    }
    /// `rotl(self ^ o, n)`: θ then ρ.
    #[inline(always)]
    fn xor_rotl(self, o: Self, n: u32) -> Self {
        self.xor(o).rotl(n)
    }
    /// `self ^ (!b & c)`: χ.
    #[inline(always)]
    fn xor_andnot(self, b: Self, c: Self) -> Self {
        self.xor(b.andnot(c))
    }
}

/// The round constants.
pub(crate) const RC: [u64; 24] = [
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
/// Keccak-f\[1600\] on `a`, in place. The engines run their own last-round
/// shortcuts; the whole permutation is what the roofline (feature `tools`)
/// times.
#[cfg_attr(not(feature = "tools"), allow(dead_code))]
pub(crate) fn keccak_f<L: Lane>(a: &mut [L; 25]) {
    for rc in RC {
        round(a, rc);
    }
}

/// One round with round constant `rc`, unrolled: literal indices and
/// rotation counts, so every lane lives in a register and every rotation
/// is by an immediate.
#[inline(always)]
#[rustfmt::skip]
pub(crate) fn round<L: Lane>(a: &mut [L; 25], rc: u64) {
    // θ
    let c0 = a[0].xor3(a[5], a[10]).xor3(a[15], a[20]);
    let c1 = a[1].xor3(a[6], a[11]).xor3(a[16], a[21]);
    let c2 = a[2].xor3(a[7], a[12]).xor3(a[17], a[22]);
    let c3 = a[3].xor3(a[8], a[13]).xor3(a[18], a[23]);
    let c4 = a[4].xor3(a[9], a[14]).xor3(a[19], a[24]);
    let d0 = c4.xor_rotl1(c1);
    let d1 = c0.xor_rotl1(c2);
    let d2 = c1.xor_rotl1(c3);
    let d3 = c2.xor_rotl1(c4);
    let d4 = c3.xor_rotl1(c0);
    // ρ and π: B[y, 2x+3y] = rot(A[x, y] ^ D[x], r[x, y])
    let b0 = a[0].xor(d0);
    let b1 = a[6].xor_rotl(d1, 44);
    let b2 = a[12].xor_rotl(d2, 43);
    let b3 = a[18].xor_rotl(d3, 21);
    let b4 = a[24].xor_rotl(d4, 14);
    let b5 = a[3].xor_rotl(d3, 28);
    let b6 = a[9].xor_rotl(d4, 20);
    let b7 = a[10].xor_rotl(d0, 3);
    let b8 = a[16].xor_rotl(d1, 45);
    let b9 = a[22].xor_rotl(d2, 61);
    let b10 = a[1].xor_rotl(d1, 1);
    let b11 = a[7].xor_rotl(d2, 6);
    let b12 = a[13].xor_rotl(d3, 25);
    let b13 = a[19].xor_rotl(d4, 8);
    let b14 = a[20].xor_rotl(d0, 18);
    let b15 = a[4].xor_rotl(d4, 27);
    let b16 = a[5].xor_rotl(d0, 36);
    let b17 = a[11].xor_rotl(d1, 10);
    let b18 = a[17].xor_rotl(d2, 15);
    let b19 = a[23].xor_rotl(d3, 56);
    let b20 = a[2].xor_rotl(d2, 62);
    let b21 = a[8].xor_rotl(d3, 55);
    let b22 = a[14].xor_rotl(d4, 39);
    let b23 = a[15].xor_rotl(d0, 41);
    let b24 = a[21].xor_rotl(d1, 2);
    // χ
    a[0] = b0.xor_andnot(b1, b2);
    a[1] = b1.xor_andnot(b2, b3);
    a[2] = b2.xor_andnot(b3, b4);
    a[3] = b3.xor_andnot(b4, b0);
    a[4] = b4.xor_andnot(b0, b1);
    a[5] = b5.xor_andnot(b6, b7);
    a[6] = b6.xor_andnot(b7, b8);
    a[7] = b7.xor_andnot(b8, b9);
    a[8] = b8.xor_andnot(b9, b5);
    a[9] = b9.xor_andnot(b5, b6);
    a[10] = b10.xor_andnot(b11, b12);
    a[11] = b11.xor_andnot(b12, b13);
    a[12] = b12.xor_andnot(b13, b14);
    a[13] = b13.xor_andnot(b14, b10);
    a[14] = b14.xor_andnot(b10, b11);
    a[15] = b15.xor_andnot(b16, b17);
    a[16] = b16.xor_andnot(b17, b18);
    a[17] = b17.xor_andnot(b18, b19);
    a[18] = b18.xor_andnot(b19, b15);
    a[19] = b19.xor_andnot(b15, b16);
    a[20] = b20.xor_andnot(b21, b22);
    a[21] = b21.xor_andnot(b22, b23);
    a[22] = b22.xor_andnot(b23, b24);
    a[23] = b23.xor_andnot(b24, b20);
    a[24] = b24.xor_andnot(b20, b21);
    // ι
    a[0] = a[0].xor(a[0].splat(rc));
}

/// The state Keccak-256 starts from for a 32-byte message given as four
/// little-endian lanes: the rest of the single block is the constant
/// padding (0x01 ... 0x80).
#[inline(always)]
fn absorb_32<L: Lane>(input: [L; 4]) -> [L; 25] {
    let zero = input[0].splat(0);
    let mut a = [zero; 25];
    a[..4].copy_from_slice(&input);
    a[4] = zero.splat(0x01);
    a[16] = zero.splat(0x80 << 56);
    a
}

/// Rounds 1 to 23 of the permutation of [`absorb_32`]'s state. Round 1 is
/// written out on its own so that, inlined, its 19 zero lanes and two
/// constant ones fold away (21 of its 25 input lanes are constants).
#[inline(always)]
fn first_23_rounds<L: Lane>(a: &mut [L; 25]) {
    round(a, RC[0]);
    for &rc in &RC[1..23] {
        round(a, rc);
    }
}

/// Keccak-256 of a 32-byte message given as four little-endian lanes.
#[inline(always)]
pub(crate) fn keccak256_32<L: Lane>(input: [L; 4]) -> [L; 4] {
    let mut a = absorb_32(input);
    first_23_rounds(&mut a);
    round(&mut a, RC[23]);
    [a[0], a[1], a[2], a[3]]
}

/// Output lane `lane` (0 or 3) of [`keccak256_32`] alone: the word an
/// early reject reads. Round 24 computes θ in full (every lane feeds it) but
/// ρ, π and χ only for that lane: 3 of 25 lanes, and ι only for lane 0.
#[inline(always)]
#[rustfmt::skip]
pub(crate) fn keccak256_32_lane<L: Lane>(input: [L; 4], lane: usize) -> L {
    let mut a = absorb_32(input);
    first_23_rounds(&mut a);
    let c0 = a[0].xor3(a[5], a[10]).xor3(a[15], a[20]);
    let c1 = a[1].xor3(a[6], a[11]).xor3(a[16], a[21]);
    let c2 = a[2].xor3(a[7], a[12]).xor3(a[17], a[22]);
    let c3 = a[3].xor3(a[8], a[13]).xor3(a[18], a[23]);
    let c4 = a[4].xor3(a[9], a[14]).xor3(a[19], a[24]);
    let d0 = c4.xor_rotl1(c1);
    let b0 = a[0].xor(d0);
    if lane == 0 {
        let d1 = c0.xor_rotl1(c2);
        let d2 = c1.xor_rotl1(c3);
        let b1 = a[6].xor_rotl(d1, 44);
        let b2 = a[12].xor_rotl(d2, 43);
        b0.xor_andnot(b1, b2).xor(b0.splat(RC[23]))
    } else {
        debug_assert_eq!(lane, 3, "an early reject reads lane 0 or 3");
        let d3 = c2.xor_rotl1(c4);
        let d4 = c3.xor_rotl1(c0);
        let b3 = a[18].xor_rotl(d3, 21);
        let b4 = a[24].xor_rotl(d4, 14);
        b3.xor_andnot(b4, b0)
    }
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
    fn one_lane_is_that_lane_of_the_whole() {
        for seed in 0..50u64 {
            let input: [u64; 4] =
                std::array::from_fn(|i| (seed * 4 + i as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15));
            let full = keccak256_32(input);
            assert_eq!(keccak256_32_lane(input, 0), full[0]);
            assert_eq!(keccak256_32_lane(input, 3), full[3]);
        }
    }

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
