//! The signer's password: from `BTPOW_COLDKEY_PASSWORD`, from the file
//! `BTPOW_COLDKEY_PASSWORD_FILE` names (a service manager's credential),
//! or asked on the terminal, never echoed.

use std::io::IsTerminal;
use std::path::Path;

use btpow::chain::Signer;
use btpow::wallet::PasswordSource;
use zeroize::Zeroizing;

/// The coldkey's password, when not asked for on the terminal.
const PASSWORD_VAR: &str = "BTPOW_COLDKEY_PASSWORD";
/// A file holding the coldkey's password (systemd's `LoadCredential=`).
const PASSWORD_FILE_VAR: &str = "BTPOW_COLDKEY_PASSWORD_FILE";
/// A password file is read up to this size.
const PASSWORD_FILE_LIMIT: u64 = 64 * 1024;

/// The coldkey's password from `BTPOW_COLDKEY_PASSWORD`, else asked on the
/// terminal; a hotkey's (btcli writes hotkeys unencrypted) only asked.
pub struct Passwords;

/// `key`'s password from the value of `BTPOW_COLDKEY_PASSWORD` (`None`
/// for a hotkey: the variable is the coldkey's only).
fn password_from_var(
    key: Signer,
    value: Option<std::ffi::OsString>,
) -> Option<Result<Zeroizing<String>, String>> {
    use std::os::unix::ffi::OsStringExt;
    if key != Signer::Coldkey {
        return None;
    }
    Some(password_text(
        &format!("{PASSWORD_VAR} is set, but not to UTF-8 text"),
        Zeroizing::new(value?.into_vec()),
    ))
}

/// The password in `bytes`: UTF-8 text, as btcli encrypts with it;
/// `not_text` says where the bytes came from when they are not.
fn password_text(not_text: &str, bytes: Zeroizing<Vec<u8>>) -> Result<Zeroizing<String>, String> {
    match std::str::from_utf8(&bytes) {
        Ok(p) => Ok(Zeroizing::new(p.to_string())),
        Err(_) => Err(format!(
            "{not_text}, so it cannot be this coldkey's password (btcli encrypts with the \
             password as UTF-8 text); set it to the password as text, or unset it to be asked \
             on a terminal"
        )),
    }
}

/// The coldkey's password from the file at `path`: a regular file of at
/// most 64 KiB, one trailing line break dropped (as `echo` and editors
/// leave one).
fn password_from_file(path: &Path) -> Result<Zeroizing<String>, String> {
    let shown = crate::output::printable(&path.display().to_string());
    let unreadable = |why: String| {
        format!("{PASSWORD_FILE_VAR} names {shown}, which cannot be read as a password: {why}")
    };
    let meta = std::fs::metadata(path).map_err(|e| unreadable(e.to_string()))?;
    if !meta.is_file() {
        return Err(unreadable("it is not a regular file".into()));
    }
    if meta.len() > PASSWORD_FILE_LIMIT {
        return Err(unreadable(format!(
            "it holds {} bytes, more than a password's 64 KiB",
            meta.len()
        )));
    }
    let mut bytes = Zeroizing::new(std::fs::read(path).map_err(|e| unreadable(e.to_string()))?);
    if bytes.ends_with(b"\n") {
        bytes.pop();
        if bytes.ends_with(b"\r") {
            bytes.pop();
        }
    }
    password_text(
        &format!("{PASSWORD_FILE_VAR} names {shown}, which does not hold UTF-8 text"),
        bytes,
    )
}

/// The coldkey's password from the environment: `BTPOW_COLDKEY_PASSWORD`
/// or the file `BTPOW_COLDKEY_PASSWORD_FILE` names (not both); `None`
/// for a hotkey or when neither is set.
fn password_from_env(key: Signer) -> Option<Result<Zeroizing<String>, String>> {
    let value = std::env::var_os(PASSWORD_VAR);
    let file = std::env::var_os(PASSWORD_FILE_VAR);
    if key != Signer::Coldkey {
        return None;
    }
    match (value, file) {
        (Some(_), Some(_)) => Some(Err(format!(
            "{PASSWORD_VAR} and {PASSWORD_FILE_VAR} are both set; set one"
        ))),
        (None, Some(path)) => Some(password_from_file(Path::new(&path))),
        (value, None) => password_from_var(key, value),
    }
}

impl PasswordSource for Passwords {
    fn can_give(&self, key: Signer) -> Result<bool, String> {
        match password_from_env(key) {
            Some(p) => p.map(|_| true),
            None => Ok(std::io::stdin().is_terminal()),
        }
    }

    fn password(&self, path: &Path, key: Signer) -> Result<Option<Zeroizing<String>>, String> {
        if let Some(p) = password_from_env(key) {
            return p.map(Some);
        }
        if !std::io::stdin().is_terminal() {
            return Ok(None);
        }
        let shown = crate::output::printable(&path.display().to_string());
        rpassword::prompt_password(format!("password for the {key} {shown}: "))
            .map(|p| Some(Zeroizing::new(p)))
            .map_err(|e| format!("the password typed cannot be read ({e})"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_password_variable_is_the_coldkeys_and_must_be_text() {
        use std::os::unix::ffi::OsStringExt;
        let text = || Some(std::ffi::OsString::from("pass word"));
        let p = password_from_var(Signer::Coldkey, text()).unwrap().unwrap();
        assert_eq!(p.as_str(), "pass word");
        // A hotkey's password never comes from the coldkey's variable.
        assert!(password_from_var(Signer::Hotkey, text()).is_none());
        assert!(password_from_var(Signer::Coldkey, None).is_none());
        let bytes = std::ffi::OsString::from_vec(b"sesame\xffopen".to_vec());
        let e = password_from_var(Signer::Coldkey, Some(bytes))
            .unwrap()
            .unwrap_err();
        assert!(
            e.starts_with("BTPOW_COLDKEY_PASSWORD is set, but not to UTF-8 text"),
            "{e}"
        );
        assert!(!e.contains("sesame") && !e.contains("open"), "{e}");
    }

    #[test]
    fn a_password_file_gives_its_text_without_the_line_break() {
        let dir = std::env::temp_dir().join(format!("btpow-pw-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        for (content, want) in [
            (&b"pass word\n"[..], "pass word"),
            (b"pass word\r\n", "pass word"),
            (b"pass word", "pass word"),
            (b" spaced \n\n", " spaced \n"),
        ] {
            let f = dir.join("password");
            std::fs::write(&f, content).unwrap();
            assert_eq!(password_from_file(&f).unwrap().as_str(), want);
        }
        let f = dir.join("binary");
        std::fs::write(&f, b"sesame\xffopen").unwrap();
        let e = password_from_file(&f).unwrap_err();
        assert!(e.contains("which does not hold UTF-8 text"), "{e}");
        assert!(!e.contains("sesame"), "{e}");
        let e = password_from_file(&dir).unwrap_err();
        assert!(e.contains("is not a regular file"), "{e}");
        let e = password_from_file(&dir.join("absent")).unwrap_err();
        assert!(e.contains("cannot be read as a password"), "{e}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
