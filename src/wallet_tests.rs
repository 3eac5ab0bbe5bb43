//! Wallets made by the real btwallet: the `$NACL` coldkey decrypts with its
//! password, every key derives the public key btwallet printed, and errors
//! name the file without a secret in them.

use std::path::{Path, PathBuf};

use zeroize::Zeroizing;

use super::{self as wallet, KeySource, NoPassword, PasswordSource, WalletError, WalletPaths};
use crate::account::ss58_encode;
use crate::wallet::Signer;

fn fixture() -> WalletPaths {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/wallets");
    WalletPaths::new(root.to_str().unwrap(), "fixture", "hot")
}

fn printed(which: &str) -> String {
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/wallets/keys.json"),
    )
    .unwrap();
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    match which {
        "coldkey" => v["coldkey"].as_str().unwrap().to_string(),
        hot => v["hotkeys"][hot].as_str().unwrap().to_string(),
    }
}

struct Fixed(&'static str);

impl PasswordSource for Fixed {
    fn password(&self, _: &Path, _: Signer) -> Result<Option<Zeroizing<String>>, String> {
        Ok(Some(Zeroizing::new(self.0.to_string())))
    }
}

#[test]
fn the_nacl_coldkey_decrypts_to_its_public_key() {
    let w = fixture();
    let pair = wallet::read_keypair(
        &w.coldkey(),
        Signer::Coldkey,
        &Fixed("btpow fixture password"),
    )
    .unwrap();
    assert_eq!(ss58_encode(&pair.public_key().0), printed("coldkey"));
    assert_eq!(
        wallet::read_public(&w.coldkeypub(), Signer::Coldkey).unwrap(),
        pair.public_key().0
    );
}

#[test]
fn the_plain_hotkey_derives_its_public_key() {
    let w = fixture();
    let pair = wallet::read_keypair(&w.hotkey(), Signer::Hotkey, &NoPassword).unwrap();
    assert_eq!(ss58_encode(&pair.public_key().0), printed("hot"));
    assert_eq!(
        wallet::read_public(&w.hotkey(), Signer::Hotkey).unwrap(),
        pair.public_key().0
    );
}

#[test]
fn refusals_are_named_and_hold_no_secret() {
    let w = fixture();
    let wrong = wallet::read_keypair(&w.coldkey(), Signer::Coldkey, &Fixed("not the password"))
        .unwrap_err();
    assert!(
        matches!(wrong, WalletError::WrongPassword { .. }),
        "{wrong}"
    );
    let none = wallet::read_keypair(&w.coldkey(), Signer::Coldkey, &NoPassword).unwrap_err();
    assert!(matches!(none, WalletError::NeedPassword { .. }), "{none}");
    let hot_json = std::fs::read_to_string(w.hotkey()).unwrap();
    let phrase: serde_json::Value = serde_json::from_str(&hot_json).unwrap();
    let phrase = phrase["secretPhrase"].as_str().unwrap();
    for e in [wrong, none] {
        let text = e.to_string();
        assert!(text.contains("coldkey"), "{text}");
        assert!(
            !text.contains(phrase) && !text.contains("fixture password"),
            "{text}"
        );
    }
}

#[test]
fn a_tampered_public_key_is_caught() {
    let dir = std::env::temp_dir().join(format!("btpow-wallet-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(fixture().hotkey()).unwrap()).unwrap();
    json["publicKey"] = serde_json::json!(format!("0x{}", "11".repeat(32)));
    // (With ss58Address left as it was, the file would contradict itself.)
    json.as_object_mut().unwrap().remove("ss58Address");
    let path: PathBuf = dir.join("hot");
    std::fs::write(&path, json.to_string()).unwrap();
    let e = wallet::read_keypair(&path, Signer::Hotkey, &NoPassword).unwrap_err();
    assert!(matches!(e, WalletError::PublicKeyMismatch { .. }), "{e}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn other_formats_and_garbage_are_refused_by_name() {
    let dir = std::env::temp_dir().join(format!("btpow-wallet-fmt-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for (body, says) in [
        (&b"$ANSIBLE_VAULT;1.1;AES256\n0000"[..], "Ansible Vault"),
        (&b"gAAAAABkZXJuZXQ="[..], "Fernet"),
        (&b"{not json"[..], "not a keyfile"),
        (&b"{\"publicKey\": \"0x12\"}"[..], "not a keyfile"),
    ] {
        let path = dir.join("k");
        std::fs::write(&path, body).unwrap();
        let e = wallet::read_keypair(&path, Signer::Hotkey, &NoPassword)
            .unwrap_err()
            .to_string();
        assert!(e.contains(says), "{says}: {e}");
    }
    let e = wallet::read_keypair(&dir.join("missing"), Signer::Hotkey, &NoPassword).unwrap_err();
    assert!(matches!(e, WalletError::Read { .. }));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn dev_uris() {
    let alice = wallet::keypair_from_uri(Signer::Hotkey, "//Alice").unwrap();
    assert_eq!(
        ss58_encode(&alice.public_key().0),
        "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY"
    );
    assert!(wallet::keypair_from_uri(Signer::Hotkey, "not a uri at all //x///").is_err());
}

/// A copy of the fixture wallet in a fresh directory, to alter.
fn fixture_copy(name: &str) -> (PathBuf, WalletPaths) {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/wallets/fixture");
    let root = std::env::temp_dir().join(format!("btpow-wallet-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    let dst = root.join("fixture");
    std::fs::create_dir_all(dst.join("hotkeys")).unwrap();
    for f in [
        "coldkey",
        "coldkeypub.txt",
        "hotkeys/hot",
        "hotkeys/hotpub.txt",
    ] {
        std::fs::copy(src.join(f), dst.join(f)).unwrap();
    }
    let paths = WalletPaths::new(root.to_str().unwrap(), "fixture", "hot");
    (root, paths)
}

fn source(paths: WalletPaths) -> KeySource {
    KeySource {
        paths,
        hotkey_uri: None,
        coldkey_uri: None,
    }
}

#[test]
fn a_coldkey_that_disagrees_with_coldkeypub_is_refused_naming_both() {
    let (root, paths) = fixture_copy("mismatch");
    // coldkeypub.txt now names the hotkey's key.
    std::fs::copy(paths.hotkeypub(), paths.coldkeypub()).unwrap();
    let e = source(paths.clone())
        .load(Signer::Coldkey, &Fixed("btpow fixture password"))
        .unwrap_err();
    assert!(matches!(e, WalletError::WalletMismatch { .. }), "{e}");
    let text = e.to_string();
    assert!(text.contains(&printed("coldkey")), "{text}");
    assert!(text.contains(&printed("hot")), "{text}");
    assert!(text.contains("coldkeypub.txt"), "{text}");
    let _ = std::fs::remove_dir_all(&root);
}

#[test]
fn a_public_key_file_whose_two_fields_disagree_is_refused() {
    let (root, paths) = fixture_copy("inconsistent");
    let mut json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(paths.coldkeypub()).unwrap()).unwrap();
    json["ss58Address"] = serde_json::json!(printed("hot"));
    std::fs::write(paths.coldkeypub(), json.to_string()).unwrap();
    let e = wallet::read_public(&paths.coldkeypub(), Signer::Coldkey).unwrap_err();
    assert!(matches!(e, WalletError::InconsistentPublic { .. }), "{e}");
    let text = e.to_string();
    assert!(
        text.contains(&printed("coldkey")) && text.contains(&printed("hot")),
        "{text}"
    );
    // Before any chain is reached, and for the legacy scheme too.
    assert!(matches!(
        source(paths.clone()).check().unwrap_err(),
        WalletError::InconsistentPublic { .. }
    ));
    assert!(source(paths).load(Signer::Hotkey, &NoPassword).is_err());
    let _ = std::fs::remove_dir_all(&root);
}

#[test]
fn wallet_files_that_are_not_regular_files_are_refused_at_once() {
    let (root, paths) = fixture_copy("kinds");
    // A FIFO with no writer as the hotkey: a plain read would block for ever.
    std::fs::remove_file(paths.hotkey()).unwrap();
    let c = std::ffi::CString::new(paths.hotkey().to_str().unwrap()).unwrap();
    // SAFETY: FFI call with a valid NUL-terminated path.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
    let t = std::time::Instant::now();
    let e = source(paths.clone())
        .load(Signer::Hotkey, &NoPassword)
        .unwrap_err();
    assert!(
        e.to_string()
            .contains("a FIFO (named pipe), not a regular file"),
        "{e}"
    );
    assert!(source(paths.clone()).check().is_err());
    // An endless device as coldkeypub.txt.
    std::fs::remove_file(paths.coldkeypub()).unwrap();
    std::os::unix::fs::symlink("/dev/zero", paths.coldkeypub()).unwrap();
    let e = wallet::read_public(&paths.coldkeypub(), Signer::Coldkey).unwrap_err();
    assert!(
        e.to_string()
            .contains("a character device, not a regular file"),
        "{e}"
    );
    assert!(t.elapsed() < std::time::Duration::from_secs(5));
    let _ = std::fs::remove_dir_all(&root);
}

#[test]
fn empty_uris_are_refused_before_anything_else() {
    let (root, paths) = fixture_copy("empty-uri");
    for (hot, cold) in [(Some(""), None), (None, Some(" "))] {
        let s = KeySource {
            paths: paths.clone(),
            hotkey_uri: hot.map(String::from),
            coldkey_uri: cold.map(String::from),
        };
        let e = s.check().unwrap_err();
        assert!(matches!(e, WalletError::EmptyUri { .. }), "{e}");
        assert!(e.to_string().contains(wallet::DEV_ROOT_SS58), "{e}");
        assert!(s.load(Signer::Hotkey, &NoPassword).is_err());
    }
    let _ = std::fs::remove_dir_all(&root);
}

#[test]
fn an_encrypted_hotkey_is_told_what_fixes_it_not_the_coldkey_variable() {
    let (root, paths) = fixture_copy("encrypted-hotkey");
    // The hotkey encrypted as btcli encrypts a coldkey.
    std::fs::copy(paths.coldkey(), paths.hotkey()).unwrap();
    let e = wallet::read_keypair(&paths.hotkey(), Signer::Hotkey, &NoPassword).unwrap_err();
    assert!(
        matches!(
            e,
            WalletError::NeedPassword {
                key: Signer::Hotkey,
                ..
            }
        ),
        "{e}"
    );
    let text = e.to_string();
    assert!(text.contains("this hotkey file is encrypted"), "{text}");
    assert!(text.contains("btcli wallet regen-hotkey"), "{text}");
    assert!(!text.contains("BTPOW_COLDKEY_PASSWORD"), "{text}");
    // The coldkey's own says how to give its password.
    let e = wallet::read_keypair(&paths.coldkey(), Signer::Coldkey, &NoPassword).unwrap_err();
    assert!(e.to_string().contains("set BTPOW_COLDKEY_PASSWORD"), "{e}");
    // Before connecting: refused when no password can be had, passed when
    // one can (and opened with it later).
    let s = source(paths.clone());
    assert!(matches!(
        s.check_signer(Signer::Hotkey, &NoPassword),
        Err(WalletError::NeedPassword {
            key: Signer::Hotkey,
            ..
        })
    ));
    assert!(s
        .check_signer(Signer::Hotkey, &Fixed("btpow fixture password"))
        .is_ok());
    struct NotText;
    impl PasswordSource for NotText {
        fn password(&self, _: &Path, _: Signer) -> Result<Option<Zeroizing<String>>, String> {
            Err("the variable is not text".into())
        }
        fn can_give(&self, _: Signer) -> Result<bool, String> {
            Err("the variable is not text".into())
        }
    }
    for e in [
        s.check_signer(Signer::Coldkey, &NotText).unwrap_err(),
        wallet::read_keypair(&paths.coldkey(), Signer::Coldkey, &NotText).unwrap_err(),
    ] {
        assert!(matches!(e, WalletError::PasswordUnusable { .. }), "{e}");
        assert!(
            e.to_string().ends_with("coldkey: the variable is not text"),
            "{e}"
        );
    }
    // Without its public key file, the hotkey's public key is unknown.
    std::fs::remove_file(paths.hotkeypub()).unwrap();
    let e = s.check().unwrap_err();
    assert!(matches!(e, WalletError::HotkeyPublicUnknown { .. }), "{e}");
    assert!(!e.to_string().contains("BTPOW_COLDKEY_PASSWORD"), "{e}");
    let _ = std::fs::remove_dir_all(&root);
}

#[test]
fn a_plain_signer_keyfile_is_checked_in_full_before_connecting() {
    let (root, paths) = fixture_copy("check-signer");
    let s = source(paths.clone());
    assert!(s.check_signer(Signer::Hotkey, &NoPassword).is_ok());
    // A secret that gives another key than the wallet's public file.
    let mut json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(paths.hotkey()).unwrap()).unwrap();
    let obj = json.as_object_mut().unwrap();
    for stated in ["publicKey", "ss58Address", "accountId"] {
        obj.remove(stated);
    }
    obj.insert(
        "secretSeed".into(),
        serde_json::json!(format!("0x{}", "42".repeat(32))),
    );
    obj.remove("secretPhrase");
    std::fs::write(paths.hotkey(), json.to_string()).unwrap();
    let e = s.check_signer(Signer::Hotkey, &NoPassword).unwrap_err();
    assert!(matches!(e, WalletError::WalletMismatch { .. }), "{e}");
    let _ = std::fs::remove_dir_all(&root);
}

#[test]
fn a_decrypted_keyfile_that_is_not_json_is_said_so_without_its_content() {
    let fault = |body: &[u8], encrypted| {
        let e = serde_json::from_slice::<serde_json::Value>(body).unwrap_err();
        wallet::json_fault(body, &e, encrypted)
    };
    let text = fault(b"hunter2 is the secret", true);
    assert!(
        text.starts_with("its decrypted content is not JSON (line 1, column 1)"),
        "{text}"
    );
    assert!(!text.contains("hunter2"), "{text}");
    let text = fault(b"hunter2 is the secret", false);
    assert!(
        text.starts_with("it is neither encrypted (NaCl) nor JSON"),
        "{text}"
    );
}
