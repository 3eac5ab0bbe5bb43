//! The registrar's gates: what it reads and checks before it solves a
//! block and before it submits a seal, the waits a later block ends (watch
//! mode, a full block, the hotkey's last work block), and what it reads
//! after the chain answers (why the pool refused, whose registration the uid is).

use super::*;
use crate::chain::pool_codes::custom_code;

/// How far ahead watch mode predicts the difficulty's decay: a year of
/// 12-second blocks.
const WATCH_HORIZON: u64 = 365 * 24 * 300;

impl<N: Node> Registrar<N> {
    /// Watch mode: waits block by block while the subnet refuses proof of
    /// work or asks more than `wait_for`, saying why; returns the head and
    /// state that end the wait (or, without watch mode, `head` and `state`
    /// as they are).
    pub(super) async fn watch(
        &mut self,
        mut head: Head,
        mut state: SubnetState,
    ) -> Step<(Head, SubnetState)> {
        let Some(max) = self.options.wait_for else {
            return Ok((head, state));
        };
        loop {
            let difficulty = difficulty_of(self.plan.scheme, &state);
            let reason = if state.uid.is_some() {
                return Ok((head, state));
            } else if !state.pow_allowed() {
                WaitReason::PowDisabled { block: head.number }
            } else if let Some(full) = rules::interval_full(self.plan.scheme, &state, head.number) {
                WaitReason::IntervalFull {
                    block: head.number,
                    registrations: full.registrations,
                    limit: full.limit,
                    resets_at: full.resets_at,
                }
            } else if difficulty > max {
                let reached_at = match (self.plan.scheme, state.decay()) {
                    (Scheme::V1, Some(decay)) => decay
                        .blocks_until(max.get(), WATCH_HORIZON)
                        .and_then(|k| head.number.checked_add(k)),
                    _ => None,
                };
                WaitReason::DifficultyAbove {
                    block: head.number,
                    difficulty,
                    max,
                    reached_at,
                }
            } else {
                return Ok((head, state));
            };
            self.events.event(&Event::Waiting(reason));
            self.link.next_block(&head).await?;
            head = self.link.call(async |n: &mut N| n.head().await).await?;
            state = self.state(&head).await?;
        }
    }

    /// The subnet's state at `at`; a subnet that does not exist ends the
    /// run (no block will make it, so watch mode does not wait for one).
    pub(super) async fn state(&mut self, at: &Head) -> Step<SubnetState> {
        let (netuid, hotkey) = (self.plan.netuid, self.keys.hotkey);
        // Only runtime 475 caps a coldkey's hotkeys.
        let coldkey = (self.plan.scheme == Scheme::V1).then_some(self.keys.coldkey);
        let state = self
            .link
            .call(async |n: &mut N| n.subnet_state(at, netuid, &hotkey, coldkey.as_ref()).await)
            .await?;
        if state.missing {
            return Err(RegisterError::NoSubnet { netuid }.into());
        }
        Ok(state)
    }

    /// Whether `state`'s block has used up its registrations; if so, says
    /// so and waits for the next block, which frees them.
    pub(super) async fn block_full(&mut self, head: &Head, state: &SubnetState) -> Step<bool> {
        if state.registrations_this_block() < state.max_registrations_per_block() {
            return Ok(false);
        }
        // No block frees a limit of 0: only watch mode waits (for it to change).
        if state.max_registrations_per_block() == 0 && self.options.wait_for.is_none() {
            return Err(RegisterError::NoRegistrations {
                netuid: self.plan.netuid,
                limit: "MaxRegistrationsPerBlock",
            }
            .into());
        }
        self.events.event(&Event::Waiting(WaitReason::SubnetFull {
            block: head.number,
            registrations: state.registrations_this_block(),
            limit: state.max_registrations_per_block(),
        }));
        self.link.next_block(head).await?;
        Ok(true)
    }

    /// Legacy runtimes: the interval's registrations used up ends the run,
    /// naming the block that frees them (watch mode waited for it already).
    pub(super) fn interval_open(&self, head: &Head, state: &SubnetState) -> Step<()> {
        if !self.options.precheck || self.options.dry_run {
            return Ok(()); // the chain's own answer is wanted, or none
        }
        match rules::interval_full(self.plan.scheme, state, head.number) {
            None => Ok(()),
            Some(full) if full.limit == 0 => Err(RegisterError::NoRegistrations {
                netuid: self.plan.netuid,
                limit: "TargetRegistrationsPerInterval",
            }
            .into()),
            Some(full) => Err(RegisterError::IntervalFull {
                netuid: self.plan.netuid,
                head: head.number,
                registrations: full.registrations,
                limit: full.limit,
                resets_at: full.resets_at,
            }
            .into()),
        }
    }

    /// The runtime's checks that no proof of work passes, on `state`: a
    /// failed one ends the run before any hashing, in a dry run too
    /// (unless the chain's own answer is wanted).
    pub(super) fn admissible(&self, state: &SubnetState) -> Step<()> {
        if !self.options.precheck {
            return Ok(());
        }
        let (keys, plan) = (&self.keys, &self.plan);
        admission::check(plan.scheme, plan.netuid, &keys.hotkey, &keys.coldkey, state)
            .map_err(|e| RegisterError::from(e).into())
    }

    /// v1: whether the head is too early a work block for this hotkey
    /// (its last proof-of-work registration used the head or a later
    /// block): `(last, first)`, the first block the runtime takes work
    /// from being the next, or watch mode waiting for it. A later one
    /// without watch mode ends the run naming it.
    pub(super) fn too_early(&self, head: &Head, state: &SubnetState) -> Step<Option<(u64, u64)>> {
        if !self.options.precheck || self.options.dry_run {
            return Ok(None);
        }
        // A forced work block never changes: one the runtime refuses now it
        // refuses for good (the last registration's block only grows).
        if let (Some(work), Some(last)) = (self.options.work_block, state.last_pow_block) {
            if self.plan.scheme == Scheme::V1 && last >= work {
                return Err(RegisterError::Window(WindowError::NotAfterLast { work, last }).into());
            }
            return Ok(None);
        }
        if self.options.work_block.is_some() {
            return Ok(None);
        }
        let Some(first) =
            admission::first_work_block(self.plan.scheme, head.number, state.last_pow_block)
        else {
            return Ok(None);
        };
        let last = state.last_pow_block.unwrap_or_default();
        // No block comes after u64::MAX: watch mode would wait for ever.
        let never = last == u64::MAX;
        if never || (first > head.number.saturating_add(1) && self.options.wait_for.is_none()) {
            return Err(RegisterError::WorkBlockTooEarly {
                head: head.number,
                last,
                first,
            }
            .into());
        }
        Ok(Some((last, first)))
    }

    /// [`Self::too_early`], waiting for the next block if so.
    pub(super) async fn work_block_taken(
        &mut self,
        head: &Head,
        state: &SubnetState,
    ) -> Step<bool> {
        let Some((last, first)) = self.too_early(head, state)? else {
            return Ok(false);
        };
        self.events
            .event(&Event::Waiting(WaitReason::WorkBlockAfter {
                block: head.number,
                last,
                until: first,
            }));
        self.link.next_block(head).await?;
        Ok(true)
    }

    pub(super) fn disabled(&self) -> Exit {
        RegisterError::Disabled {
            netuid: self.plan.netuid,
        }
        .into()
    }

    /// Whose registration the hotkey's uid is, read at `now`: this run's
    /// if a submission was included with success, or if one whose fate
    /// the node did not tell succeeded in a block since it was submitted;
    /// another submission's otherwise. Unknown only if those blocks cannot
    /// be read, or a stop or the deadline comes while they are.
    pub(super) async fn find_registrant(&mut self, now: &Head) -> Registrant {
        if self.last_submission == Some(Registrant::Us) {
            return Registrant::Us;
        }
        let hashes: Vec<[u8; 32]> = self.unconfirmed.iter().map(|(h, _)| *h).collect();
        // Each lands in a block from the head it was sent at (a block
        // replaced since included) to its mortality's end, or never;
        // newest first, where a lost race is decided.
        let mut blocks: Vec<u64> = self
            .unconfirmed
            .iter()
            .flat_map(|&(_, at)| at..=at.saturating_add(SEARCH).min(now.number))
            .collect();
        blocks.sort_unstable_by(|a, b| b.cmp(a));
        blocks.dedup();
        for number in blocks {
            match self
                .link
                .call(async |n: &mut N| n.extrinsic_in(number, &hashes).await)
                .await
            {
                Ok(Some(true)) => return Registrant::Us,
                // Ours, refused in the block: another's registration came first.
                Ok(Some(false)) | Ok(None) => {}
                // The uid is known: a stop or an unreadable block leaves
                // only whose it is unknown.
                Err(_) => return Registrant::Unknown,
            }
        }
        Registrant::Another
    }

    /// Why runtime 475's pool would refuse `registration` (a v1 one), read
    /// from the chain now: the checks of `check_pow_registration`, in its
    /// order, on the state of the best block.
    pub(super) async fn diagnose(
        &mut self,
        registration: &Registration,
        message: &str,
    ) -> Step<PoolCause> {
        // The two refusals 475's pool names by their own code.
        match custom_code(message) {
            Some(3) => return Ok(PoolCause::NoSubnet),
            Some(25) => return Ok(PoolCause::NotOwner),
            _ => {}
        }
        let Registration::V1 {
            netuid,
            work_block,
            nonce,
            work,
            hotkey,
        } = *registration
        else {
            return Ok(PoolCause::Unknown);
        };
        let head = self.link.call(async |n: &mut N| n.head().await).await?;
        let state = self.state(&head).await?;
        let refused = Refused {
            scheme: self.plan.scheme,
            netuid,
            work_block,
            nonce,
            work,
            hotkey,
            signer: self.keys.signer.public_key().0,
            coldkey: self.keys.coldkey,
            head: head.number,
            state: &state,
        };
        if let Err(cause) = refused.before_the_seal() {
            return Ok(cause);
        }
        let work_head = self
            .link
            .call(async |n: &mut N| n.block(work_block).await)
            .await?;
        Ok(refused.at_the_seal(&work_head)?)
    }
}
