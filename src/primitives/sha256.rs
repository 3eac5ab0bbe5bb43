//! SHA-256 compression (FIPS 180-4 §6.2.2), generic over the word type.

/// 32-bit words, one per lane. A SIMD word type can only be made where its
/// CPU feature was detected, so new words are made from an existing one
/// ([`Word::splat`] takes `self`), never from nothing.
pub(crate) trait Word: Copy {
    /// `x` in every lane (`self` only proves the type may be made).
    fn splat(self, x: u32) -> Self;
    /// Lane-wise wrapping addition.
    fn add(self, o: Self) -> Self;
    /// Lane-wise xor.
    fn xor(self, o: Self) -> Self;
    /// Lane-wise and.
    fn and(self, o: Self) -> Self;
    /// `!self & o`
    fn andnot(self, o: Self) -> Self;
    /// Lane-wise rotation right by `n`.
    fn rotr(self, n: u32) -> Self;
    /// Lane-wise shift right by `n`.
    fn shr(self, n: u32) -> Self;
}

/// The round constants.
pub(crate) const K: [u32; 64] = [
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
];

/// The initial state.
pub(crate) const IV: [u32; 8] = [
    0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
];

/// [`K`] in four blocks of 16: the rounds run sixteen at a time.
const K16: [[u32; 16]; 4] = {
    let mut t = [[0u32; 16]; 4];
    let mut i = 0;
    while i < 64 {
        t[i / 16][i % 16] = K[i];
        i += 1;
    }
    t
};

/// One compression of the 16-word block `w` into `state`.
///
/// The rounds are written out sixteen at a time (each one's schedule slot a
/// constant) so that the 16 schedule words live in registers: as one loop
/// over the 64 rounds the compiler kept them in memory, indexed at run
/// time, which made a compression on 16 AVX-512 lanes 20–30 % slower and
/// a scalar one twice as slow (PERFORMANCE.md; `compare` prints this
/// function's time in its roofline line).
#[inline(always)]
pub(crate) fn compress<W: Word>(state: &mut [W; 8], mut w: [W; 16]) {
    let mut s = *state;
    macro_rules! sixteen {
        ($extend:literal, $k:expr; $($i:literal)*) => {
            $( round::<W, $i, $extend>(&mut s, &mut w, $k[$i]); )*
        };
    }
    sixteen!(false, K16[0]; 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15);
    for k in &K16[1..] {
        sixteen!(true, k; 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15);
    }
    for (st, v) in state.iter_mut().zip(s) {
        *st = st.add(v);
    }
}

/// One round on the working state `[a, b, c, d, e, f, g, h]` with round
/// constant `k`; `w[I]` is this round's schedule word, first extended in
/// place (`W[t] = σ1(W[t-2]) + W[t-7] + σ0(W[t-15]) + W[t-16]`) in every
/// round after the sixteenth.
#[inline(always)]
fn round<W: Word, const I: usize, const EXTEND: bool>(s: &mut [W; 8], w: &mut [W; 16], k: u32) {
    let [a, b, c, d, e, f, g, h] = *s;
    if EXTEND {
        let w15 = w[(I + 1) % 16];
        let w2 = w[(I + 14) % 16];
        let s0 = w15.rotr(7).xor(w15.rotr(18)).xor(w15.shr(3));
        let s1 = w2.rotr(17).xor(w2.rotr(19)).xor(w2.shr(10));
        w[I] = w[I].add(s0).add(w[(I + 9) % 16]).add(s1);
    }
    let big_s1 = e.rotr(6).xor(e.rotr(11)).xor(e.rotr(25));
    let ch = e.and(f).xor(e.andnot(g));
    let t1 = h.add(big_s1).add(ch).add(h.splat(k)).add(w[I]);
    let big_s0 = a.rotr(2).xor(a.rotr(13)).xor(a.rotr(22));
    // maj(a, b, c) = (a & b) ^ (c & (a ^ b))
    let maj = a.and(b).xor(c.and(a.xor(b)));
    let t2 = big_s0.add(maj);
    *s = [t1.add(t2), a, b, c, d.add(t1), e, f, g];
}

impl Word for u32 {
    #[inline(always)]
    fn splat(self, x: u32) -> Self {
        x
    }
    #[inline(always)]
    fn add(self, o: Self) -> Self {
        self.wrapping_add(o)
    }
    #[inline(always)]
    fn xor(self, o: Self) -> Self {
        self ^ o
    }
    #[inline(always)]
    fn and(self, o: Self) -> Self {
        self & o
    }
    #[inline(always)]
    fn andnot(self, o: Self) -> Self {
        !self & o
    }
    #[inline(always)]
    fn rotr(self, n: u32) -> Self {
        self.rotate_right(n)
    }
    #[inline(always)]
    fn shr(self, n: u32) -> Self {
        self >> n
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn abc() {
        let mut block = [0u32; 16];
        block[0] = 0x6162_6380;
        block[15] = 24;
        let mut state = IV;
        compress(&mut state, block);
        let digest: Vec<u8> = state.iter().flat_map(|w| w.to_be_bytes()).collect();
        assert_eq!(digest, crate::hash::sha256(b"abc"));
    }
}
