//! The little 256-bit arithmetic the acceptance rules need: read a seal as an
//! integer (either byte order), compare, and divide `2^256 - 1` by a 64-bit
//! difficulty. Nothing else, so nothing else to get wrong.

use std::cmp::Ordering;
use std::fmt;

/// An unsigned 256-bit integer; `limbs[0]` is the most significant 64 bits.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct U256 {
    limbs: [u64; 4],
}

impl U256 {
    /// Zero.
    pub const ZERO: U256 = U256 { limbs: [0; 4] };
    /// `L = 2^256 - 1`, the `limit` of pow.py and the chain's overflow bound.
    pub const MAX: U256 = U256 {
        limbs: [u64::MAX; 4],
    };

    /// From most-significant-first limbs.
    pub const fn from_limbs(limbs: [u64; 4]) -> Self {
        U256 { limbs }
    }

    /// The four 64-bit limbs, least significant first.
    pub const fn limbs(&self) -> [u64; 4] {
        self.limbs
    }

    /// `v` as a 256-bit number.
    pub const fn from_u64(v: u64) -> Self {
        U256 {
            limbs: [0, 0, 0, v],
        }
    }

    /// Big-endian: byte 0 is the most significant (`int.from_bytes(b, "big")`).
    pub fn from_be_bytes(bytes: &[u8; 32]) -> Self {
        let mut limbs = [0u64; 4];
        for (i, limb) in limbs.iter_mut().enumerate() {
            *limb = u64::from_be_bytes(bytes[i * 8..i * 8 + 8].try_into().unwrap());
        }
        U256 { limbs }
    }

    /// Little-endian: byte 31 is the most significant (`int.from_bytes(b, "little")`).
    pub fn from_le_bytes(bytes: &[u8; 32]) -> Self {
        let mut reversed = *bytes;
        reversed.reverse();
        Self::from_be_bytes(&reversed)
    }

    /// The value, most significant byte first.
    pub fn to_be_bytes(&self) -> [u8; 32] {
        let mut out = [0u8; 32];
        for (i, limb) in self.limbs.iter().enumerate() {
            out[i * 8..i * 8 + 8].copy_from_slice(&limb.to_be_bytes());
        }
        out
    }

    /// `floor(self / d)` by schoolbook long division; `None` when `d == 0`.
    pub fn checked_div_u64(&self, d: u64) -> Option<U256> {
        if d == 0 {
            return None;
        }
        let mut quotient = [0u64; 4];
        let mut rem: u128 = 0;
        for (q, &limb) in quotient.iter_mut().zip(self.limbs.iter()) {
            let acc = (rem << 64) | limb as u128;
            *q = (acc / d as u128) as u64;
            rem = acc % d as u128;
        }
        Some(U256 { limbs: quotient })
    }

    /// `self - 1`, or `None` for zero.
    pub fn checked_dec(&self) -> Option<U256> {
        if *self == U256::ZERO {
            return None;
        }
        let mut limbs = self.limbs;
        for limb in limbs.iter_mut().rev() {
            let (v, borrow) = limb.overflowing_sub(1);
            *limb = v;
            if !borrow {
                break;
            }
        }
        Some(U256 { limbs })
    }

    /// `self + 1`, or `None` on overflow.
    pub fn checked_inc(&self) -> Option<U256> {
        if *self == U256::MAX {
            return None;
        }
        let mut limbs = self.limbs;
        for limb in limbs.iter_mut().rev() {
            let (v, carry) = limb.overflowing_add(1);
            *limb = v;
            if !carry {
                break;
            }
        }
        Some(U256 { limbs })
    }
}

impl Ord for U256 {
    fn cmp(&self, other: &Self) -> Ordering {
        self.limbs.cmp(&other.limbs)
    }
}

impl PartialOrd for U256 {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl fmt::Debug for U256 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "0x{}", crate::hex::encode(&self.to_be_bytes()))
    }
}

impl fmt::LowerHex for U256 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&crate::hex::encode(&self.to_be_bytes()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn byte_orders() {
        let mut b = [0u8; 32];
        b[31] = 1;
        assert_eq!(U256::from_be_bytes(&b), U256::from_u64(1));
        assert_eq!(
            U256::from_le_bytes(&b),
            U256::from_limbs([1 << 56, 0, 0, 0])
        );
        assert_eq!(U256::from_be_bytes(&b).to_be_bytes(), b);
    }

    #[test]
    fn division_of_max() {
        assert_eq!(U256::MAX.checked_div_u64(1), Some(U256::MAX));
        assert_eq!(U256::MAX.checked_div_u64(0), None);
        // 2^256 - 1 = 3 * 0x5555...55
        assert_eq!(
            U256::MAX.checked_div_u64(3),
            Some(U256::from_limbs([0x5555_5555_5555_5555; 4]))
        );
        assert_eq!(
            U256::MAX.checked_div_u64(2),
            Some(U256::from_limbs([
                u64::MAX >> 1,
                u64::MAX,
                u64::MAX,
                u64::MAX
            ]))
        );
    }

    #[test]
    fn inc_dec() {
        assert_eq!(U256::ZERO.checked_dec(), None);
        assert_eq!(U256::MAX.checked_inc(), None);
        assert_eq!(
            U256::from_limbs([0, 1, 0, 0]).checked_dec(),
            Some(U256::from_limbs([0, 0, u64::MAX, u64::MAX]))
        );
        assert_eq!(
            U256::from_limbs([0, 0, u64::MAX, u64::MAX]).checked_inc(),
            Some(U256::from_limbs([0, 1, 0, 0]))
        );
    }
}
