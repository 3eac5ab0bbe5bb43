//! Writing for people: stdout that ends quietly when its reader goes away
//! (`btpow-bench … | head -1`), error chains without repeats, and names
//! with their control bytes escaped.

use std::fmt;
use std::io::Write;

/// Writes one line to stdout. When the reader has gone (a closed pipe),
/// the process ends at once with exit 0, as ripgrep does: there is no one
/// left to tell.
pub fn out(line: fmt::Arguments<'_>) {
    let mut stdout = std::io::stdout().lock();
    let result = stdout
        .write_fmt(line)
        .and_then(|()| stdout.write_all(b"\n"))
        .and_then(|()| stdout.flush());
    if let Err(e) = result {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            std::process::exit(0);
        }
        // Any other failure to write: report it once, as an error exit.
        err(format_args!("error: writing to stdout: {e}"));
        std::process::exit(2);
    }
}

/// Writes one line to stderr. A stderr that cannot be written (a full
/// disk, a closed descriptor) is not worth a panic: the line is dropped,
/// and the exit code still tells.
pub fn err(line: fmt::Arguments<'_>) {
    let mut stderr = std::io::stderr().lock();
    let _ = stderr
        .write_fmt(line)
        .and_then(|()| stderr.write_all(b"\n"))
        .and_then(|()| stderr.flush());
}

/// Writes to stderr without a newline (a status line, a prompt), as [`err`].
pub fn err_part(text: fmt::Arguments<'_>) {
    let mut stderr = std::io::stderr().lock();
    let _ = stderr.write_fmt(text).and_then(|()| stderr.flush());
}

/// `eprintln!` through [`err`].
macro_rules! errln {
    ($($arg:tt)*) => {
        $crate::output::err(format_args!($($arg)*))
    };
}

/// Whether descriptor 1 was closed when the process started (`>&-`).
/// Read before Rust's start-up code runs, since that code puts `/dev/null`
/// in place of a closed descriptor, where every write would vanish without
/// an error.
static STDOUT_CLOSED_AT_START: std::sync::atomic::AtomicBool =
    std::sync::atomic::AtomicBool::new(false);

#[cfg(target_os = "linux")]
extern "C" fn note_closed_stdout() {
    // SAFETY: FFI: fcntl(F_GETFD) on descriptor 1 only reads its flags; no
    // memory is passed. Runs once, single-threaded, before main.
    let closed = unsafe { libc::fcntl(1, libc::F_GETFD) } == -1;
    STDOUT_CLOSED_AT_START.store(closed, std::sync::atomic::Ordering::Relaxed);
}

/// Run by the dynamic loader with the other constructors, before Rust's
/// runtime initialises the standard descriptors.
#[cfg(target_os = "linux")]
#[used]
#[link_section = ".init_array"]
static NOTE_CLOSED_STDOUT: extern "C" fn() = note_closed_stdout;

/// Whether standard output was open when the process started.
pub fn stdout_is_open() -> bool {
    !STDOUT_CLOSED_AT_START.load(std::sync::atomic::Ordering::Relaxed)
}

/// `println!` through [`out`].
macro_rules! outln {
    ($($arg:tt)*) => {
        $crate::output::out(format_args!($($arg)*))
    };
}

/// `--verbose`: errors with every source, the RPC client's internals too.
static VERBOSE: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Shows errors in full from now on.
#[cfg(feature = "chain")]
pub fn set_verbose() {
    VERBOSE.store(true, std::sync::atomic::Ordering::Relaxed);
}

/// Whether a brief message (no `--verbose`) ends at `e`: a chain error
/// that names what happened itself ends it (its sources are the RPC
/// client's internals); one whose cause is its source goes on.
fn ends_message(e: &(dyn std::error::Error + 'static)) -> bool {
    #[cfg(feature = "chain")]
    if let Some(c) = e.downcast_ref::<btpow::chain::ChainError>() {
        return !c.cause_is_in_source();
    }
    let _ = e;
    false
}

/// An error and its sources, joined by ": ", leaving out a source whose
/// text the message before it already contains, and (unless `--verbose`)
/// the RPC client's internals below a chain error that says what happened.
pub fn error_text(e: &(dyn std::error::Error + 'static)) -> String {
    chain_text(e, !VERBOSE.load(std::sync::atomic::Ordering::Relaxed))
}

/// [`error_text`] with every source (for JSON events).
#[cfg(feature = "chain")]
pub fn full_error_text(e: &(dyn std::error::Error + 'static)) -> String {
    chain_text(e, false)
}

fn chain_text(e: &(dyn std::error::Error + 'static), brief: bool) -> String {
    let mut text = e.to_string();
    let mut last = text.clone();
    let mut next = if brief && ends_message(e) {
        None
    } else {
        e.source()
    };
    while let Some(source) = next {
        let s = source.to_string();
        if !last.contains(&s) && !s.is_empty() {
            text.push_str(": ");
            text.push_str(&s);
        }
        last = s;
        next = if brief && ends_message(source) {
            None
        } else {
            source.source()
        };
    }
    text
}

/// An anyhow error and its chain, as [`error_text`] joins them, with
/// control characters escaped.
pub fn anyhow_text(e: &anyhow::Error) -> String {
    let e: &(dyn std::error::Error + 'static) = e.as_ref();
    printable(&error_text(e))
}

/// `s` with control characters escaped (`\u{1b}`), so that a file name or
/// an answer from a node cannot move the cursor or recolour the terminal.
pub fn printable(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if c.is_control() && c != '\n' {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug)]
    struct E(&'static str, Option<Box<E>>);
    impl fmt::Display for E {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str(self.0)
        }
    }
    impl std::error::Error for E {
        fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
            self.1.as_deref().map(|e| e as _)
        }
    }

    #[test]
    fn repeated_sources_are_shown_once() {
        let e = E(
            "cannot reach ws://x",
            Some(Box::new(E(
                "RPC error: client error: refused (os error 111)",
                Some(Box::new(E("refused (os error 111)", None))),
            ))),
        );
        assert_eq!(
            error_text(&e),
            "cannot reach ws://x: RPC error: client error: refused (os error 111)"
        );
        let a = anyhow::Error::new(e).context("solve");
        assert_eq!(
            anyhow_text(&a),
            "solve: cannot reach ws://x: RPC error: client error: refused (os error 111)"
        );
    }

    #[test]
    fn control_bytes_are_escaped() {
        assert_eq!(printable("a\u{1b}[31mb\rc"), "a\\u{1b}[31mb\\rc");
        assert_eq!(printable("plain/ünïcode"), "plain/ünïcode");
    }
}
