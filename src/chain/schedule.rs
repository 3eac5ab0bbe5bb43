//! The order in which one run registers several (hotkey, subnet) pairs:
//! cheapest first, by the difficulty each subnet will have when the pair's
//! turn comes. On runtime 475 that difficulty decays every block and each
//! registration of the run raises its subnet's by `BurnIncreaseMult`, so
//! the order is found by playing the run forward in the runtime's own
//! arithmetic ([`Decay`]): at each turn, the pair whose subnet is cheapest
//! then goes next; its solve takes the blocks its difficulty predicts at
//! the run's rate; its registration bumps its subnet. On the legacy
//! runtimes the difficulty stays put between adjustments, so the order is
//! by difficulty alone.
//!
//! A run reads the chain again before each turn and asks for the order
//! afresh, so the prediction steers only the next pair; the whole order is
//! what the run reports (at its start, a block per solve, no rate being
//! known yet; after each turn, at the rate the solver measured).

use super::difficulty::Decay;

/// A subnet as the schedule sees it now.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SubnetNow {
    /// The subnet.
    pub netuid: u16,
    /// The difficulty a submission must meet now.
    pub difficulty: u64,
    /// How it moves each block, on a runtime that decays it (475).
    pub decay: Option<Decay>,
    /// `BurnIncreaseMult` (U64F64 bits), on a runtime that raises the
    /// difficulty after each proof-of-work registration.
    pub bump: Option<u128>,
    /// Whether the subnet takes proof-of-work registrations now; one that
    /// does not goes after every one that does.
    pub open: bool,
}

/// One pair's place in the order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Turn {
    /// The pair: its index in the list the schedule was given.
    pub pair: usize,
    /// Its subnet.
    pub netuid: u16,
    /// The difficulty predicted for it when its turn comes.
    pub difficulty: u64,
    /// In how many blocks its turn is predicted to come; `None`: it waits
    /// for a difficulty its subnet is not predicted to reach.
    pub in_blocks: Option<u64>,
}

/// How far ahead a wait for `--max-difficulty` is looked for.
const HORIZON: u64 = 1_000_000;

/// A subnet played forward: its decay as of block `since` of the run.
#[derive(Clone, Copy, Debug)]
struct Played {
    now: SubnetNow,
    since: u64,
}

impl Played {
    /// The difficulty at block `t` of the run (`t >= since`).
    fn at(&self, t: u64) -> u64 {
        match self.now.decay {
            Some(decay) => decay.after(t.saturating_sub(self.since)),
            None => self.now.difficulty,
        }
    }

    /// The first block from `t` on at which the difficulty is at most
    /// `max`, if it gets there.
    fn ready_at(&self, t: u64, max: u64) -> Option<u64> {
        if self.at(t) <= max {
            return Some(t);
        }
        let decay = self.now.decay?;
        let from_since = decay.blocks_until(max, HORIZON.saturating_add(t - self.since))?;
        Some(self.since.saturating_add(from_since).max(t))
    }

    /// A registration at block `t`: the difficulty as decayed to `t`, then
    /// raised by the bump.
    fn register_at(&mut self, t: u64) {
        let (Some(decay), Some(mult)) = (self.now.decay, self.now.bump) else {
            return;
        };
        let decayed = Decay {
            stored: decay.stored_after(t.saturating_sub(self.since)),
            ..decay
        };
        let stored = decayed.bumped(mult);
        let decay = Decay { stored, ..decay };
        self.now.decay = Some(decay);
        self.now.difficulty = decay.effective();
        self.since = t;
    }
}

/// The order for `pairs` (each given as its subnet's netuid; a netuid
/// missing from `subnets` goes last), cheapest first. `blocks_for` says
/// how many blocks a solve at a difficulty takes at the run's rate (at
/// least one is counted: a registration takes a block); with `max`, a
/// pair's turn comes only once its subnet is at most `max`, and pairs
/// ready sooner go first. Ties keep the order given.
pub fn cheapest_first(
    subnets: &[SubnetNow],
    pairs: &[u16],
    blocks_for: impl Fn(u64) -> u64,
    max: Option<u64>,
) -> Vec<Turn> {
    let mut played: Vec<Played> = subnets
        .iter()
        .map(|&now| Played { now, since: 0 })
        .collect();
    let mut left: Vec<usize> = (0..pairs.len()).collect();
    let mut turns = Vec::with_capacity(pairs.len());
    let mut t = 0u64;
    while !left.is_empty() {
        // (closed or never ready, ready at, difficulty then, place) per pair.
        let key = |pair: usize| {
            let Some(s) = played.iter().find(|s| s.now.netuid == pairs[pair]) else {
                return (true, u64::MAX, u64::MAX);
            };
            let ready = match max {
                Some(max) => s.ready_at(t, max),
                None => Some(t),
            };
            match ready {
                Some(ready) if s.now.open => (false, ready, s.at(ready)),
                _ => (true, u64::MAX, s.at(t)),
            }
        };
        let Some((place, (closed, ready, difficulty))) = left
            .iter()
            .map(|&pair| key(pair))
            .enumerate()
            .min_by_key(|&(place, k)| (k, place))
        else {
            break;
        };
        let pair = left.remove(place);
        if closed {
            turns.push(Turn {
                pair,
                netuid: pairs[pair],
                difficulty,
                in_blocks: None,
            });
            continue;
        }
        t = ready;
        turns.push(Turn {
            pair,
            netuid: pairs[pair],
            difficulty,
            in_blocks: Some(t),
        });
        t = t.saturating_add(blocks_for(difficulty).max(1));
        if let Some(s) = played.iter_mut().find(|s| s.now.netuid == pairs[pair]) {
            s.register_at(t);
        }
    }
    turns
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 1.25 in U64F64 bits.
    const MULT: u128 = (1 << 64) + (1 << 62);

    fn v1(netuid: u16, difficulty: u64, half_life: u16) -> SubnetNow {
        let decay = Decay {
            stored: difficulty,
            min: 1,
            max: u64::MAX >> 2,
            half_life,
        };
        SubnetNow {
            netuid,
            difficulty: decay.effective(),
            decay: Some(decay),
            bump: Some(MULT),
            open: true,
        }
    }

    fn order(turns: &[Turn]) -> Vec<(usize, u16, u64)> {
        turns
            .iter()
            .map(|t| (t.pair, t.netuid, t.difficulty))
            .collect()
    }

    #[test]
    fn each_registration_raises_its_subnet_so_the_cheaper_subnet_goes_until_it_is_not() {
        // No decay (a half-life of 0): subnet 1 at 400 is bumped 400, 500, 625,
        // 781; subnet 5 stays at 700 until its turn.
        let subnets = [v1(1, 400, 0), v1(5, 700, 0)];
        let pairs = [1, 1, 1, 5, 5];
        let turns = cheapest_first(&subnets, &pairs, |_| 1, None);
        assert_eq!(
            order(&turns),
            [
                (0, 1, 400),
                (1, 1, 500),
                (2, 1, 625),
                (3, 5, 700),
                (4, 5, 875)
            ]
        );
        assert_eq!(
            turns.iter().map(|t| t.in_blocks).collect::<Vec<_>>(),
            [Some(0), Some(1), Some(2), Some(3), Some(4)]
        );
    }

    #[test]
    fn the_decay_during_the_solves_is_counted() {
        // Subnet 2 halves every 10 blocks: after subnet 1's first solve
        // (20 blocks) it is at 1000 / 4 = 250, below subnet 1's bumped 375.
        let subnets = [v1(1, 300, 0), v1(2, 1000, 10)];
        let turns = cheapest_first(&subnets, &[1, 1, 2], |_| 20, None);
        assert_eq!(order(&turns)[0], (0, 1, 300));
        assert_eq!(turns[1].netuid, 2, "{turns:?}");
        assert_eq!(turns[1].in_blocks, Some(20));
        let expected = Decay {
            stored: 1000,
            min: 1,
            max: u64::MAX >> 2,
            half_life: 10,
        }
        .after(20);
        assert_eq!(turns[1].difficulty, expected);
        // A quarter, less what flooring at each block takes.
        assert!((240..=250).contains(&expected), "{expected}");
        assert_eq!(order(&turns)[2], (1, 1, 375));
    }

    #[test]
    fn legacy_subnets_keep_their_difficulty_and_go_by_it() {
        let flat = |netuid, difficulty| SubnetNow {
            netuid,
            difficulty,
            decay: None,
            bump: None,
            open: true,
        };
        let subnets = [flat(3, 10_000), flat(1, 5_000)];
        let turns = cheapest_first(&subnets, &[3, 1, 3, 1], |d| d / 1000, None);
        assert_eq!(
            order(&turns),
            [(1, 1, 5000), (3, 1, 5000), (0, 3, 10_000), (2, 3, 10_000)]
        );
        assert_eq!(turns[3].in_blocks, Some(5 + 5 + 10));
    }

    #[test]
    fn with_a_most_accepted_difficulty_the_pair_ready_first_goes_first() {
        // Subnet 1 is at 4000, halving every 5 blocks: at most 1000 in 10.
        // Subnet 2 is at 1200, halving every 100: at most 1000 in about 27.
        let subnets = [v1(1, 4000, 5), v1(2, 1200, 100)];
        let turns = cheapest_first(&subnets, &[2, 1], |_| 1, Some(1000));
        assert_eq!(turns[0].netuid, 1);
        assert_eq!(turns[0].in_blocks, Some(10));
        assert!(turns[0].difficulty <= 1000);
        assert_eq!(turns[1].netuid, 2);
        assert!(turns[1].in_blocks.unwrap() > 11);
        assert!(turns[1].difficulty <= 1000);
    }

    #[test]
    fn closed_subnets_and_unreachable_difficulties_go_last_with_no_block() {
        let mut closed = v1(4, 10, 0);
        closed.open = false;
        let legacy_high = SubnetNow {
            netuid: 6,
            difficulty: 5000,
            decay: None,
            bump: None,
            open: true,
        };
        let subnets = [closed, legacy_high, v1(1, 900, 0)];
        let turns = cheapest_first(&subnets, &[4, 6, 1, 9], |_| 1, Some(1000));
        assert_eq!(turns[0].netuid, 1);
        assert_eq!(turns[0].in_blocks, Some(0));
        for t in &turns[1..] {
            assert_eq!(t.in_blocks, None, "{t:?}");
        }
        // Among those, by difficulty; the unknown subnet 9 last.
        assert_eq!(
            turns.iter().map(|t| t.netuid).collect::<Vec<_>>(),
            [1, 4, 6, 9]
        );
    }
}
