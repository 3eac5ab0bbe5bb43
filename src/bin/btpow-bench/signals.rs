//! The stop signals: SIGINT (Ctrl-C), SIGTERM (systemd, Docker,
//! Kubernetes) and SIGHUP (the terminal gone), taken by one thread of
//! btpow's with `sigwait`, never by a signal handler.
//!
//! A handler is one per process, and a library may replace it or sit
//! beneath it. PoCL compiles its kernels with LLVM, which installs a
//! handler for these signals that puts back what was there before it and
//! raises the signal again; a handler installed after it (tokio's)
//! calls it as the one it found, and the process ended by the signal's
//! default action, with no `stopped` line and the terminal's echo left
//! off. A signal blocked in every thread and taken with `sigwait` reaches
//! no handler at all, whatever a GPU runtime (the OpenCL platform, the
//! CUDA driver, loaded at run time) installs, before or after. [`take`]
//! blocks them first thing in `main`, before any thread starts: every
//! thread inherits the mask, the runtimes' own threads too. (A child
//! process started by `std::process::Command` starts with none blocked.)
//!
//! A command says what a stop does with [`on_stop`]; until it has, a stop
//! signal ends the process as its default action would.

use std::sync::Mutex;

type Action = Box<dyn Fn() + Send>;

/// What a stop signal does now (`None`: the signal's default action).
static ON_STOP: Mutex<Option<Action>> = Mutex::new(None);

/// The stop signals.
const STOP: [libc::c_int; 3] = [libc::SIGINT, libc::SIGTERM, libc::SIGHUP];

fn set_of(signals: &[libc::c_int]) -> libc::sigset_t {
    let mut set = std::mem::MaybeUninit::<libc::sigset_t>::uninit();
    // SAFETY: FFI: sigemptyset initialises the set we own; sigaddset adds
    // valid signal numbers to it.
    unsafe {
        libc::sigemptyset(set.as_mut_ptr());
        for &s in signals {
            libc::sigaddset(set.as_mut_ptr(), s);
        }
        set.assume_init()
    }
}

/// Whether `signal` was ignored when the process started (`nohup` ignores
/// SIGHUP, a shell's background job SIGINT): read before anything is
/// changed.
fn ignored_at_start(signal: libc::c_int) -> bool {
    let mut old = std::mem::MaybeUninit::<libc::sigaction>::zeroed();
    // SAFETY: FFI: sigaction with no new action only writes the current
    // one into memory we own and sized for it.
    let ok = unsafe { libc::sigaction(signal, std::ptr::null(), old.as_mut_ptr()) } == 0;
    // SAFETY: zeroed, and filled in by the successful call.
    ok && unsafe { old.assume_init() }.sa_sigaction == libc::SIG_IGN
}

/// Blocks the stop signals and starts the thread that takes them. Called
/// first in `main`, while no other thread exists.
pub fn take() {
    let ignored: Vec<libc::c_int> = STOP.into_iter().filter(|&s| ignored_at_start(s)).collect();
    let set = set_of(&STOP);
    // SAFETY: FFI: blocks the signals in `set` for this thread (and every
    // thread it starts); no other memory.
    if unsafe { libc::pthread_sigmask(libc::SIG_BLOCK, &set, std::ptr::null_mut()) } != 0 {
        return;
    }
    let waiter = std::thread::Builder::new()
        .name("stop signals".into())
        .spawn(move || loop {
            let mut signal = 0;
            // SAFETY: FFI: sigwait reads `set` and writes one int we own.
            if unsafe { libc::sigwait(&set, &mut signal) } != 0 {
                continue;
            }
            let action = ON_STOP.lock().unwrap_or_else(|e| e.into_inner());
            match action.as_ref() {
                Some(stop) => stop(),
                None if ignored.contains(&signal) => {}
                None => {
                    drop(action);
                    end_by(signal);
                }
            }
        });
    if waiter.is_err() {
        // Nothing would take them: they keep their default action.
        // SAFETY: FFI: unblocks the signals in `set` for this thread.
        unsafe { libc::pthread_sigmask(libc::SIG_UNBLOCK, &set, std::ptr::null_mut()) };
    }
}

/// From now on a stop signal calls `stop` (on the signal thread, not in a
/// handler: it may lock, print and exit). Replaces the action set before.
pub fn on_stop(stop: impl Fn() + Send + 'static) {
    *ON_STOP.lock().unwrap_or_else(|e| e.into_inner()) = Some(Box::new(stop));
}

/// Ends the process by `signal`'s default action, as if it had not been
/// taken (the exit status says which signal).
fn end_by(signal: libc::c_int) -> ! {
    // SAFETY: FFI: the default action for `signal` (whatever handler a
    // library installed is not wanted: the process ends), unblocked in this
    // thread only, then raised in this thread; no memory beyond the set.
    unsafe {
        libc::signal(signal, libc::SIG_DFL);
        let one = set_of(&[signal]);
        libc::pthread_sigmask(libc::SIG_UNBLOCK, &one, std::ptr::null_mut());
        libc::raise(signal);
    }
    // Not reached: the default action of every stop signal ends the process.
    std::process::exit(128 + signal)
}
