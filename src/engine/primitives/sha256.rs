//! SHA-256 compression (FIPS 180-4 §6.2.2), generic over the word type.

/// 32-bit words, one per lane. A SIMD word type can only be made where its
/// CPU feature was detected, so new words are made from an existing one
/// ([`Word::splat`] takes `self`), never from nothing.
pub trait Word: Copy {
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
pub const K: [u32; 64] = [
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
pub const IV: [u32; 8] = [
    0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
];

/// One compression of the 16-word block `w` into `state`.
#[inline(always)]
pub fn compress<W: Word>(state: &mut [W; 8], mut w: [W; 16]) {
    let [mut a, mut b, mut c, mut d, mut e, mut f, mut g, mut h] = *state;
    for (i, &k) in K.iter().enumerate() {
        if i >= 16 {
            let w15 = w[(i + 1) % 16];
            let w2 = w[(i + 14) % 16];
            let s0 = w15.rotr(7).xor(w15.rotr(18)).xor(w15.shr(3));
            let s1 = w2.rotr(17).xor(w2.rotr(19)).xor(w2.shr(10));
            w[i % 16] = w[i % 16].add(s0).add(w[(i + 9) % 16]).add(s1);
        }
        let big_s1 = e.rotr(6).xor(e.rotr(11)).xor(e.rotr(25));
        let ch = e.and(f).xor(e.andnot(g));
        let t1 = h.add(big_s1).add(ch).add(h.splat(k)).add(w[i % 16]);
        let big_s0 = a.rotr(2).xor(a.rotr(13)).xor(a.rotr(22));
        // maj(a, b, c) = (a & b) ^ (c & (a ^ b))
        let maj = a.and(b).xor(c.and(a.xor(b)));
        let t2 = big_s0.add(maj);
        h = g;
        g = f;
        f = e;
        e = d.add(t1);
        d = c;
        c = b;
        b = a;
        a = t1.add(t2);
    }
    let out = [a, b, c, d, e, f, g, h];
    for (s, v) in state.iter_mut().zip(out) {
        *s = s.add(v);
    }
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
