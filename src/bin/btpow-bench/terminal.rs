//! The terminal's settings, kept across a password prompt: a prompt cut
//! short by a stop signal or `--max-time` must not leave the terminal
//! without echo.

/// The settings of the terminal on standard input, as they were.
pub struct Saved(libc::termios);

impl Saved {
    /// The settings now, if standard input is a terminal.
    pub fn now() -> Option<Saved> {
        use std::io::IsTerminal;
        if !std::io::stdin().is_terminal() {
            return None;
        }
        let mut t = std::mem::MaybeUninit::<libc::termios>::zeroed();
        // SAFETY: FFI: tcgetattr writes one termios into memory we own and
        // sized for it; on success it is fully initialised.
        let ok = unsafe { libc::tcgetattr(0, t.as_mut_ptr()) } == 0;
        // SAFETY: initialised by the successful tcgetattr above.
        ok.then(|| Saved(unsafe { t.assume_init() }))
    }

    /// Puts the settings back.
    pub fn restore(&self) {
        // SAFETY: FFI: tcsetattr reads the termios we hold; no other memory.
        unsafe {
            libc::tcsetattr(0, libc::TCSANOW, &self.0);
        }
    }
}
