//! The signer's password: from `BTPOW_COLDKEY_PASSWORD`, or asked on the
//! terminal, never echoed.

use std::io::IsTerminal;
use std::path::Path;

use btpow::chain::Signer;
use btpow::wallet::PasswordSource;
use zeroize::Zeroizing;

/// The coldkey's password, when not asked for on the terminal.
const PASSWORD_VAR: &str = "BTPOW_COLDKEY_PASSWORD";

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
    let bytes = Zeroizing::new(value?.into_vec());
    Some(match std::str::from_utf8(&bytes) {
        Ok(p) => Ok(Zeroizing::new(p.to_string())),
        Err(_) => Err(format!(
            "{PASSWORD_VAR} is set, but not to UTF-8 text, so it cannot be this coldkey's \
             password (btcli encrypts with the password as UTF-8 text); set it to the password \
             as text, or unset it to be asked on a terminal"
        )),
    })
}

impl PasswordSource for Passwords {
    fn can_give(&self, key: Signer) -> Result<bool, String> {
        match password_from_var(key, std::env::var_os(PASSWORD_VAR)) {
            Some(p) => p.map(|_| true),
            None => Ok(std::io::stdin().is_terminal()),
        }
    }

    fn password(&self, path: &Path, key: Signer) -> Result<Option<Zeroizing<String>>, String> {
        if let Some(p) = password_from_var(key, std::env::var_os(PASSWORD_VAR)) {
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
}
