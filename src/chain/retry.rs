//! How a registration run waits and retries: the node behind a [`Link`]
//! that retries a lost connection with backoff and cuts every wait short
//! at a stop asked from anywhere or the deadline, and the one way a step
//! leaves the run early ([`Exit`]).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::error::{ChainError, RegisterError};
use super::events::{Event, Events, RegisterOutcome};
use super::node::Node;
use super::Head;

/// Retrying a lost connection: waits `first`, doubling up to `max`, and
/// gives up when the connection has been lost for `give_up`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Backoff {
    /// The first wait.
    pub first: Duration,
    /// The longest wait.
    pub max: Duration,
    /// How long a lost connection is retried before the node counts as gone.
    pub give_up: Duration,
}

impl Default for Backoff {
    /// 1, 2, 4, 8, 8, … s; gone after 60 s.
    fn default() -> Self {
        Backoff {
            first: Duration::from_secs(1),
            max: Duration::from_secs(8),
            give_up: Duration::from_secs(60),
        }
    }
}

/// A stop request, set from anywhere (a Ctrl-C handler).
#[derive(Clone, Debug, Default)]
pub struct Stop(Arc<AtomicBool>);

impl Stop {
    /// Asks the run to end with [`RegisterOutcome::Stopped`].
    pub fn stop(&self) {
        self.0.store(true, Ordering::SeqCst);
    }

    /// Whether a stop was asked for.
    pub fn is_stopped(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }

    /// Resolves once a stop is asked for (checked every 20 ms).
    pub async fn stopped(&self) {
        while !self.is_stopped() {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Resolves when a stop is asked for or `deadline` passes, with the
    /// outcome that ends the run.
    pub async fn interrupted(&self, deadline: Option<Instant>) -> RegisterOutcome {
        let Some(deadline) = deadline else {
            self.stopped().await;
            return RegisterOutcome::Stopped;
        };
        tokio::select! {
            _ = self.stopped() => RegisterOutcome::Stopped,
            _ = tokio::time::sleep_until(deadline.into()) => RegisterOutcome::TimedOut,
        }
    }
}

/// How a step leaves the run early.
pub(super) enum Exit {
    /// The run ends with this outcome (a stop, the deadline).
    Done(RegisterOutcome),
    /// The run ends with this error.
    Fail(RegisterError),
    /// The chain changed while solving so that the seal cannot be used
    /// (the hotkey got registered, a limit was reached): the solver was
    /// stopped, and the next pass reads the chain again.
    Again,
}

impl<E: Into<RegisterError>> From<E> for Exit {
    fn from(e: E) -> Self {
        Exit::Fail(e.into())
    }
}

/// A step of the run: its value, or how the run leaves it.
pub(super) type Step<T> = Result<T, Exit>;

/// The node as a run uses it: each request retried through a lost
/// connection with backoff until [`Backoff::give_up`], and every request
/// and wait cut short by a stop or the deadline.
pub(super) struct Link<N> {
    pub(super) node: N,
    events: Arc<dyn Events>,
    stop: Stop,
    deadline: Option<Instant>,
    backoff: Backoff,
    /// How often the head is polled while waiting for a block.
    poll: Duration,
}

impl<N: Node> Link<N> {
    pub(super) fn new(
        node: N,
        events: Arc<dyn Events>,
        stop: Stop,
        deadline: Option<Instant>,
        backoff: Backoff,
        poll: Duration,
    ) -> Self {
        Link {
            node,
            events,
            stop,
            deadline,
            backoff,
            poll,
        }
    }

    /// `request`, once (a submission is not repeated blindly), cut short by
    /// a stop or the deadline.
    pub(super) async fn once<T>(&mut self, request: impl AsyncFnOnce(&mut N) -> T) -> Step<T> {
        tokio::select! {
            r = request(&mut self.node) => Ok(r),
            outcome = self.stop.interrupted(self.deadline) => Err(Exit::Done(outcome)),
        }
    }

    /// Resolves at a stop or the deadline, with the outcome that ends the run.
    pub(super) async fn interrupted(&self) -> RegisterOutcome {
        self.stop.interrupted(self.deadline).await
    }

    /// Waits until the head moves past `head`.
    pub(super) async fn next_block(&mut self, head: &Head) -> Step<()> {
        loop {
            self.pause(self.poll).await?;
            let now = self.call(async |n: &mut N| n.head().await).await?;
            if now.number > head.number || (now.number == head.number && now.hash != head.hash) {
                return Ok(());
            }
        }
    }

    /// A stop or the deadline, if either has come.
    pub(super) fn interruption(&self) -> Option<RegisterOutcome> {
        if self.stop.is_stopped() {
            Some(RegisterOutcome::Stopped)
        } else if self.deadline.is_some_and(|d| Instant::now() >= d) {
            Some(RegisterOutcome::TimedOut)
        } else {
            None
        }
    }

    /// Sleeps `d`, or less if a stop or the deadline comes first.
    pub(super) async fn pause(&self, d: Duration) -> Step<()> {
        tokio::select! {
            _ = tokio::time::sleep(d) => Ok(()),
            outcome = self.stop.interrupted(self.deadline) => Err(Exit::Done(outcome)),
        }
    }

    /// One node request, retried through reconnects with backoff while the
    /// connection is lost, and cut short by a stop or the deadline.
    pub(super) async fn call<T, F>(&mut self, mut request: F) -> Step<T>
    where
        F: AsyncFnMut(&mut N) -> Result<T, ChainError>,
    {
        let mut lost: Option<Instant> = None;
        let mut delay = self.backoff.first;
        loop {
            let result = tokio::select! {
                r = request(&mut self.node) => r,
                outcome = self.stop.interrupted(self.deadline) => return Err(Exit::Done(outcome)),
            };
            let error = match result {
                Ok(value) => {
                    if let Some(since) = lost {
                        self.events.event(&Event::Reconnected {
                            after: since.elapsed(),
                        });
                    }
                    return Ok(value);
                }
                Err(e) if e.is_connection() => e,
                Err(e) => return Err(e.into()),
            };
            let since = *lost.get_or_insert_with(Instant::now);
            let after = since.elapsed();
            if after >= self.backoff.give_up {
                return Err(RegisterError::Gone {
                    endpoint: self.node.endpoint().to_string(),
                    after,
                    last: error,
                }
                .into());
            }
            let delay_now = delay.min(self.backoff.give_up - after);
            self.events.event(&Event::Reconnecting {
                error: &error,
                delay: delay_now,
            });
            self.pause(delay_now).await?;
            delay = (delay.saturating_mul(2)).min(self.backoff.max);
            // A failed reconnect shows as the next request's failure.
            tokio::select! {
                _ = self.node.reconnect() => {}
                outcome = self.stop.interrupted(self.deadline) => return Err(Exit::Done(outcome)),
            }
        }
    }
}

/// Stops the solver when dropped, so that no early return leaves it hashing.
pub(super) struct StopSolver(pub(super) crate::solver::Control);

impl Drop for StopSolver {
    fn drop(&mut self) {
        self.0.stop();
    }
}
