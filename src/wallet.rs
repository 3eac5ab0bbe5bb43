//! Bittensor wallets, read the way btcli lays them out:
//! `<path>/<wallet>/coldkey`, `coldkeypub.txt`, `hotkeys/<hotkey>`.
//!
//! A keyfile is JSON (`secretPhrase`, `secretSeed`, `privateKey`,
//! `publicKey`, `ss58Address`, …), plain or encrypted. Coldkeys are usually
//! encrypted with NaCl: `$NACL` + 24-byte nonce + XSalsa20-Poly1305
//! secretbox, the key from Argon2i (libsodium's SENSITIVE limits: 8 passes,
//! 512 MiB) over the password with btwallet's fixed salt. Older formats
//! (`$ANSIBLE_VAULT`, Fernet) are recognised and refused by name.
//!
//! Secrets stay in memory only as long as needed and never reach an error
//! message or a log: errors name the file and what is wrong, nothing else.

use std::fmt;
use std::path::{Path, PathBuf};

use crypto_secretbox::aead::{Aead, KeyInit};
use crypto_secretbox::{Nonce, XSalsa20Poly1305};
use serde::Deserialize;
use subxt_signer::sr25519::Keypair;
use subxt_signer::{bip39, SecretUri};
use thiserror::Error;
use zeroize::Zeroizing;

/// btwallet's Argon2i salt for `$NACL` keyfiles.
const NACL_SALT: [u8; 16] = [
    0x13, 0x71, 0x83, 0xdf, 0xf1, 0x5a, 0x09, 0xbc, 0x9c, 0x90, 0xb5, 0x51, 0x87, 0x39, 0xe9, 0xb1,
];
const NACL_PREFIX: &[u8] = b"$NACL";

#[derive(Debug, Error)]
/// Why a wallet file cannot be used. Messages name the file, never a secret.
#[non_exhaustive]
pub enum WalletError {
    #[error("{path}: cannot read: {source}")]
    /// The file cannot be read.
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    #[error("{path}: not a keyfile ({why})")]
    /// Not a keyfile.
    Format {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        why: String,
    },
    #[error("{path}: wrong password, or the file is damaged")]
    /// The password does not open it.
    WrongPassword {
        /// The file.
        path: PathBuf,
    },
    #[error("{path}: {format} encryption is not supported; re-encrypt it with btcli (`btcli wallet update`) to the NaCl format")]
    /// An encryption btpow does not read.
    UnsupportedEncryption {
        /// The file.
        path: PathBuf,
        /// The encryption.
        format: &'static str,
    },
    #[error("{}", need_password_words(path, *key))]
    /// Encrypted, and no password was given.
    NeedPassword {
        /// The file.
        path: PathBuf,
        /// Whose keyfile it is.
        key: Signer,
    },
    #[error("{path}: {why}")]
    /// A password was given that cannot be one (not text, say).
    PasswordUnusable {
        /// The file it was for.
        path: PathBuf,
        /// What is wrong with it, and where it came from.
        why: String,
    },
    #[error("{keyfile}: this hotkey file is encrypted, and {public_file}, its public key, is missing, so the hotkey cannot be read without its password; btcli writes hotkeys unencrypted (and the public key file beside them): regenerate it from its mnemonic with `btcli wallet regen-hotkey`")]
    /// The hotkey's public key cannot be read: its keyfile is encrypted
    /// and its public key file is missing.
    HotkeyPublicUnknown {
        /// The hotkey's keyfile.
        keyfile: PathBuf,
        /// The missing public key file.
        public_file: PathBuf,
    },
    #[error("{path}: the secret gives public key {derived}, but the keyfile says {stated}")]
    /// The secret does not give the stated public key.
    PublicKeyMismatch {
        /// The file.
        path: PathBuf,
        /// The public key the secret gives (SS58).
        derived: String,
        /// The public key the file states (SS58).
        stated: String,
    },
    #[error("{}", self.message(|key| format!("the {key} URI")))]
    /// A secret URI that does not parse.
    BadUri {
        /// Whose URI it is.
        key: Signer,
    },
    #[error("{}", self.message(|key| format!("the {key} URI")))]
    /// An empty secret URI (it would give the public development root key).
    EmptyUri {
        /// Whose URI it is.
        key: Signer,
    },
    #[error("{path}: publicKey is {public_key} but ss58Address is {ss58_address}; the file is inconsistent, refusing to guess which is meant")]
    /// A key file whose two statements of its public key disagree.
    InconsistentPublic {
        /// The file.
        path: PathBuf,
        /// `publicKey`, as SS58.
        public_key: String,
        /// `ss58Address`.
        ss58_address: String,
    },
    #[error("the {what} keyfile {keyfile} holds {from_keyfile}, but {public_file} says {from_public_file}; refusing a wallet whose two files disagree (regenerate the public file from the keyfile with btcli)")]
    /// A keyfile and the wallet's public key file name different keys.
    WalletMismatch {
        /// "coldkey" or "hotkey".
        what: &'static str,
        /// The keyfile.
        keyfile: PathBuf,
        /// Its key (SS58).
        from_keyfile: String,
        /// The public key file.
        public_file: PathBuf,
        /// Its key (SS58).
        from_public_file: String,
    },
}

/// An encrypted keyfile without a password, in words that say how to give
/// one: the coldkey's from `BTPOW_COLDKEY_PASSWORD` or a terminal; a
/// hotkey's only from a terminal (btcli writes hotkeys unencrypted, and
/// the variable is the coldkey's).
fn need_password_words(path: &Path, key: Signer) -> String {
    let path = path.display();
    match key {
        Signer::Coldkey => format!(
            "{path}: encrypted, and no password was given (set BTPOW_COLDKEY_PASSWORD or run on a \
             terminal to be asked)"
        ),
        Signer::Hotkey => format!(
            "{path}: this hotkey file is encrypted, and its password can only be typed on a \
             terminal (there is none here); btcli writes hotkeys unencrypted: regenerate it from \
             its mnemonic with `btcli wallet regen-hotkey`, or run on a terminal to be asked for \
             its password"
        ),
    }
}

/// The development root key (the dev phrase with no derivation): what an
/// empty secret URI gives.
pub(crate) const DEV_ROOT_SS58: &str = "5DfhGyQdFobKM8NsWvEeAKk5EQQgYe9AydgJ7rMB6E1EqRzV";

/// The public development mnemonic (Substrate's `DEV_PHRASE`).
pub(crate) const DEV_PHRASE: &str =
    "bottom drive obey lake curtain smoke basket hold race lonely fit walk";

/// The largest wallet file read (keyfiles are a few hundred bytes).
pub(crate) const MAX_WALLET_FILE_BYTES: u64 = 64 << 10;

/// Where a wallet's files are (btcli's `--wallet.path/name/hotkey`).
#[derive(Clone, Debug)]
pub struct WalletPaths {
    /// `--wallet.path`, `~` expanded.
    pub root: PathBuf,
    /// `--wallet.name`.
    pub name: String,
    /// `--wallet.hotkey`.
    pub hotkey: String,
}

impl WalletPaths {
    /// `root` may start with `~/`.
    pub fn new(root: &str, name: &str, hotkey: &str) -> Self {
        WalletPaths {
            root: expand_home(root),
            name: name.to_string(),
            hotkey: hotkey.to_string(),
        }
    }

    /// The coldkey's keyfile.
    pub fn coldkey(&self) -> PathBuf {
        self.root.join(&self.name).join("coldkey")
    }

    /// The coldkey's public key file.
    pub fn coldkeypub(&self) -> PathBuf {
        self.root.join(&self.name).join("coldkeypub.txt")
    }

    /// The hotkey's keyfile.
    pub fn hotkey(&self) -> PathBuf {
        self.root
            .join(&self.name)
            .join("hotkeys")
            .join(&self.hotkey)
    }

    /// The hotkey's public key file, `hotkeys/<hotkey>pub.txt`.
    pub fn hotkeypub(&self) -> PathBuf {
        self.root
            .join(&self.name)
            .join("hotkeys")
            .join(format!("{}pub.txt", self.hotkey))
    }
}

fn expand_home(path: &str) -> PathBuf {
    match (path.strip_prefix("~/"), std::env::var_os("HOME")) {
        (Some(rest), Some(home)) => Path::new(&home).join(rest),
        _ => PathBuf::from(path),
    }
}

/// The JSON fields of a keyfile; secrets are wiped when dropped.
#[derive(Deserialize)]
struct KeyfileJson {
    #[serde(rename = "secretPhrase")]
    secret_phrase: Option<Zeroizing<String>>,
    #[serde(rename = "secretSeed")]
    secret_seed: Option<Zeroizing<String>>,
    #[serde(rename = "privateKey")]
    private_key: Option<Zeroizing<String>>,
    #[serde(rename = "publicKey")]
    public_key: Option<String>,
    #[serde(rename = "ss58Address")]
    ss58_address: Option<String>,
}

/// Where an encrypted keyfile's password comes from.
pub trait PasswordSource {
    /// The password for `path`, the keyfile of `key`: `Ok(None)` if there
    /// is none to be had; `Err` with the reason when a password was given
    /// that cannot be one (the reason names where it came from, never its
    /// bytes).
    fn password(&self, path: &Path, key: Signer) -> Result<Option<Zeroizing<String>>, String>;

    /// Whether [`PasswordSource::password`] can give `key`'s password,
    /// found out without asking for it (a run checks this before it
    /// connects): `Err` as there.
    fn can_give(&self, key: Signer) -> Result<bool, String> {
        let _ = key;
        Ok(true)
    }
}

/// No password: encrypted keyfiles are refused with [`WalletError::NeedPassword`].
pub(crate) struct NoPassword;

impl PasswordSource for NoPassword {
    fn password(&self, _: &Path, _: Signer) -> Result<Option<Zeroizing<String>>, String> {
        Ok(None)
    }

    fn can_give(&self, _: Signer) -> Result<bool, String> {
        Ok(false)
    }
}

fn read(path: &Path) -> Result<Zeroizing<Vec<u8>>, WalletError> {
    crate::file::read_regular(path, MAX_WALLET_FILE_BYTES)
        .map(Zeroizing::new)
        .map_err(|source| WalletError::Read {
            path: path.to_path_buf(),
            source,
        })
}

fn format_error(path: &Path, why: impl Into<String>) -> WalletError {
    WalletError::Format {
        path: path.to_path_buf(),
        why: why.into(),
    }
}

/// Decrypts a `$NACL` keyfile body with `password`.
pub(crate) fn nacl_decrypt(
    path: &Path,
    data: &[u8],
    password: &str,
) -> Result<Zeroizing<Vec<u8>>, WalletError> {
    let body = data
        .strip_prefix(NACL_PREFIX)
        .ok_or_else(|| format_error(path, "no $NACL prefix"))?;
    if body.len() < 24 + 16 {
        return Err(format_error(path, "NaCl data too short"));
    }
    let (nonce, sealed) = body.split_at(24);
    let mut key = Zeroizing::new([0u8; 32]);
    let params = argon2::Params::new(512 * 1024, 8, 1, Some(32))
        .map_err(|e| format_error(path, e.to_string()))?;
    argon2::Argon2::new(argon2::Algorithm::Argon2i, argon2::Version::V0x13, params)
        .hash_password_into(password.as_bytes(), &NACL_SALT, key.as_mut())
        .map_err(|e| format_error(path, e.to_string()))?;
    let cipher = XSalsa20Poly1305::new(key.as_ref().into());
    cipher
        .decrypt(Nonce::from_slice(nonce), sealed)
        .map(Zeroizing::new)
        .map_err(|_| WalletError::WrongPassword {
            path: path.to_path_buf(),
        })
}

/// The keyfile's JSON (`key`'s), decrypted if it must be.
fn keyfile_json(
    path: &Path,
    key: Signer,
    passwords: &dyn PasswordSource,
) -> Result<KeyfileJson, WalletError> {
    let raw = read(path)?;
    let encrypted = raw.starts_with(NACL_PREFIX);
    let plain = if encrypted {
        let password = passwords
            .password(path, key)
            .map_err(|why| WalletError::PasswordUnusable {
                path: path.to_path_buf(),
                why,
            })?
            .ok_or_else(|| WalletError::NeedPassword {
                path: path.to_path_buf(),
                key,
            })?;
        nacl_decrypt(path, &raw, &password)?
    } else if raw.starts_with(b"$ANSIBLE_VAULT") {
        return Err(WalletError::UnsupportedEncryption {
            path: path.to_path_buf(),
            format: "Ansible Vault",
        });
    } else if raw.starts_with(b"gAAAAA") {
        return Err(WalletError::UnsupportedEncryption {
            path: path.to_path_buf(),
            format: "Fernet (legacy)",
        });
    } else {
        raw
    };
    // serde_json's own messages may quote a value (a secret) and name
    // this module's types: the file's shape is said in words instead.
    serde_json::from_slice(&plain)
        .map_err(|e| format_error(path, json_fault(&plain, &e, encrypted)))
}

/// What kind of JSON value a text is, without keeping any of it (a
/// keyfile's values are secrets).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct JsonKind(&'static str);

impl<'de> Deserialize<'de> for JsonKind {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde::de::{IgnoredAny, MapAccess, SeqAccess, Visitor};
        struct Kind;
        impl<'de> Visitor<'de> for Kind {
            type Value = JsonKind;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_bool<E>(self, _: bool) -> Result<JsonKind, E> {
                Ok(JsonKind("true or false"))
            }
            fn visit_i64<E>(self, _: i64) -> Result<JsonKind, E> {
                Ok(JsonKind("a number"))
            }
            fn visit_u64<E>(self, _: u64) -> Result<JsonKind, E> {
                Ok(JsonKind("a number"))
            }
            fn visit_f64<E>(self, _: f64) -> Result<JsonKind, E> {
                Ok(JsonKind("a number"))
            }
            fn visit_str<E>(self, _: &str) -> Result<JsonKind, E> {
                Ok(JsonKind("a string"))
            }
            fn visit_unit<E>(self) -> Result<JsonKind, E> {
                Ok(JsonKind("null"))
            }
            fn visit_none<E>(self) -> Result<JsonKind, E> {
                Ok(JsonKind("null"))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<JsonKind, A::Error> {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(JsonKind("an array"))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<JsonKind, A::Error> {
                while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(JsonKind("an object"))
            }
        }
        d.deserialize_any(Kind)
    }
}

/// The kinds of a keyfile's fields (which must be strings).
#[derive(Deserialize)]
struct KeyfileKinds {
    #[serde(rename = "secretPhrase")]
    secret_phrase: Option<JsonKind>,
    #[serde(rename = "secretSeed")]
    secret_seed: Option<JsonKind>,
    #[serde(rename = "privateKey")]
    private_key: Option<JsonKind>,
    #[serde(rename = "publicKey")]
    public_key: Option<JsonKind>,
    #[serde(rename = "ss58Address")]
    ss58_address: Option<JsonKind>,
}

/// Why `plain` (the keyfile, or its decrypted content) is not a keyfile's
/// JSON, in words: no value of it, no type of this module.
fn json_fault(plain: &[u8], e: &serde_json::Error, encrypted: bool) -> String {
    use serde_json::error::Category;
    let what = if encrypted {
        "it decrypts, but to"
    } else {
        "it holds"
    };
    const SHAPE: &str = "a btcli keyfile is a JSON object with secretPhrase, secretSeed, \
                         publicKey or ss58Address";
    if matches!(
        e.classify(),
        Category::Syntax | Category::Eof | Category::Io
    ) {
        let not_json = if encrypted {
            "its decrypted content is not JSON"
        } else {
            "it is neither encrypted (NaCl) nor JSON"
        };
        return format!(
            "{not_json} (line {}, column {}); {SHAPE}",
            e.line(),
            e.column()
        );
    }
    match serde_json::from_slice::<JsonKind>(plain) {
        Ok(kind) if kind != JsonKind("an object") => {
            return format!("{what} {}, not a JSON object; {SHAPE}", kind.0)
        }
        _ => {}
    }
    if let Ok(k) = serde_json::from_slice::<KeyfileKinds>(plain) {
        let fields = [
            ("secretPhrase", k.secret_phrase),
            ("secretSeed", k.secret_seed),
            ("privateKey", k.private_key),
            ("publicKey", k.public_key),
            ("ss58Address", k.ss58_address),
        ];
        for (name, kind) in fields {
            if let Some(kind) = kind.filter(|k| *k != JsonKind("a string")) {
                return format!("its {name} is {}, where a keyfile has a string", kind.0);
            }
        }
    }
    format!("{what} a JSON object that is not a keyfile's (a field given twice?); {SHAPE}")
}

fn hex_field<const N: usize>(
    path: &Path,
    field: &str,
    value: &str,
) -> Result<[u8; N], WalletError> {
    crate::hex::decode_array(value).map_err(|e| format_error(path, format!("{field}: {e}")))
}

/// The public key a keyfile states, from `publicKey` or `ss58Address`.
/// When the file states both, they must agree.
fn stated_public(path: &Path, json: &KeyfileJson) -> Result<Option<[u8; 32]>, WalletError> {
    let public_key = match &json.public_key {
        Some(pk) => Some(hex_field::<32>(path, "publicKey", pk)?),
        None => None,
    };
    let ss58 = match &json.ss58_address {
        Some(addr) => Some(
            crate::account::parse_account(addr)
                .map_err(|e| format_error(path, format!("ss58Address: {e}")))?,
        ),
        None => None,
    };
    match (public_key, ss58) {
        (Some(pk), Some(addr)) if pk != addr => Err(WalletError::InconsistentPublic {
            path: path.to_path_buf(),
            public_key: crate::account::ss58_encode(&pk),
            ss58_address: crate::account::ss58_encode(&addr),
        }),
        (pk, addr) => Ok(pk.or(addr)),
    }
}

/// A public key file (`coldkeypub.txt`, `<hotkey>pub.txt`) or any keyfile's
/// stated public key (`key`'s). Never needs a password.
pub(crate) fn read_public(path: &Path, key: Signer) -> Result<[u8; 32], WalletError> {
    let json = keyfile_json(path, key, &NoPassword)?;
    stated_public(path, &json)?.ok_or_else(|| format_error(path, "no publicKey or ss58Address"))
}

/// The sr25519 keypair of `key`'s keyfile: from `secretPhrase`, else
/// `secretSeed` (a keyfile with only `privateKey` is refused by name);
/// checked against the keyfile's stated public key.
pub(crate) fn read_keypair(
    path: &Path,
    key: Signer,
    passwords: &dyn PasswordSource,
) -> Result<Keypair, WalletError> {
    let json = keyfile_json(path, key, passwords)?;
    let pair = if let Some(phrase) = &json.secret_phrase {
        let mnemonic = bip39::Mnemonic::parse(phrase.as_str())
            .map_err(|_| format_error(path, "secretPhrase is not a valid mnemonic"))?;
        Keypair::from_phrase(&mnemonic, None)
            .map_err(|_| format_error(path, "secretPhrase gives no key"))?
    } else if let Some(seed) = &json.secret_seed {
        let seed = Zeroizing::new(hex_field::<32>(path, "secretSeed", seed)?);
        Keypair::from_secret_key(*seed)
            .map_err(|_| format_error(path, "secretSeed gives no key"))?
    } else if json.private_key.is_some() {
        // An expanded 64-byte secret cannot be turned back into the mini
        // secret the signer is built from.
        return Err(format_error(
            path,
            "holds only privateKey; a keyfile with secretPhrase or secretSeed is needed \
             (regenerate it with btcli from the mnemonic)",
        ));
    } else {
        return Err(format_error(
            path,
            "no secretPhrase, secretSeed or privateKey",
        ));
    };
    if let Some(stated) = stated_public(path, &json)? {
        let derived = pair.public_key().0;
        if derived != stated {
            return Err(WalletError::PublicKeyMismatch {
                path: path.to_path_buf(),
                derived: crate::account::ss58_encode(&derived),
                stated: crate::account::ss58_encode(&stated),
            });
        }
    }
    Ok(pair)
}

/// A keypair from a secret URI (`//Alice`, a mnemonic, `mnemonic//hard/soft`,
/// `0x` seed), for test chains.
pub(crate) fn keypair_from_uri(key: Signer, uri: &str) -> Result<Keypair, WalletError> {
    if uri.trim().is_empty() {
        return Err(WalletError::EmptyUri { key });
    }
    let uri: SecretUri = uri.parse().map_err(|_| WalletError::BadUri { key })?;
    Keypair::from_uri(&uri).map_err(|_| WalletError::BadUri { key })
}

impl WalletError {
    /// The message, with a secret URI named by `uri_name` (a front end
    /// names it by its own flag or keyword; the library says "the hotkey
    /// URI").
    pub fn message(&self, uri_name: impl Fn(Signer) -> String) -> String {
        match self {
            WalletError::BadUri { key } => {
                format!("{}: invalid secret key URI or mnemonic", uri_name(*key))
            }
            WalletError::EmptyUri { key } => format!(
                "{} is empty: refused, since an empty URI is the well-known development root key \
                 {DEV_ROOT_SS58}, which anyone can sign for (is a shell variable unset?)",
                uri_name(*key)
            ),
            other => other.to_string(),
        }
    }
}

/// The keys a registration uses: both public keys, and the signer's keypair.
#[derive(Clone)]
pub struct Keys {
    /// The hotkey being registered.
    pub hotkey: [u8; 32],
    /// Its coldkey.
    pub coldkey: [u8; 32],
    /// The keypair that signs the extrinsic (the hotkey's or the coldkey's).
    pub(crate) signer: Keypair,
}

impl Keys {
    /// The public key of the keypair that signs.
    pub fn signer_public(&self) -> [u8; 32] {
        self.signer.public_key().0
    }

    /// The same coldkey signing for another hotkey: `None` when these
    /// keys are signed by their hotkey (whose secret the other hotkey's
    /// keys need instead).
    pub fn for_hotkey(&self, hotkey: [u8; 32]) -> Option<Keys> {
        (self.signer_public() == self.coldkey).then(|| Keys {
            hotkey,
            ..self.clone()
        })
    }
}

impl fmt::Debug for Keys {
    /// Public keys only.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Keys")
            .field("hotkey", &crate::account::ss58_encode(&self.hotkey))
            .field("coldkey", &crate::account::ss58_encode(&self.coldkey))
            .field(
                "signer",
                &crate::account::ss58_encode(&self.signer.public_key().0),
            )
            .finish()
    }
}

/// Where the keys come from: a wallet's files, or secret URIs (test chains).
#[derive(Clone, Debug)]
pub struct KeySource {
    /// The wallet.
    pub paths: WalletPaths,
    /// The hotkey from a URI or mnemonic instead of the wallet.
    pub hotkey_uri: Option<String>,
    /// The coldkey from a URI or mnemonic instead of the wallet.
    pub coldkey_uri: Option<String>,
}

impl KeySource {
    /// Whether `uri` is one of the public development keys: a bare derivation
    /// path (`//Alice`, `//Bob//stash`, which derive from the public development phrase) or
    /// the dev phrase itself. Anyone can sign for those keys.
    pub fn is_dev_uri(uri: &str) -> bool {
        let uri = uri.trim();
        uri.starts_with('/') || {
            let phrase = uri.split('/').next().unwrap_or("");
            phrase.split_whitespace().eq(DEV_PHRASE.split_whitespace())
        }
    }

    /// Checks, without any secret and before a chain is reached, what
    /// either scheme needs: the URIs given parse, and the hotkey's and the
    /// coldkey's public keys can be read.
    pub fn check(&self) -> Result<(), WalletError> {
        match &self.hotkey_uri {
            Some(uri) => drop(keypair_from_uri(Signer::Hotkey, uri)?),
            None => drop(self.hotkey_public()?),
        }
        match &self.coldkey_uri {
            Some(uri) => drop(keypair_from_uri(Signer::Coldkey, uri)?),
            None => {
                // The public key file, or else the keyfile (which may be
                // encrypted, so only read and recognised here).
                let public = self.paths.coldkeypub();
                if let Err(e) = read_public(&public, Signer::Coldkey) {
                    if !is_missing(&e) {
                        return Err(e);
                    }
                    drop(read(&self.paths.coldkey())?);
                }
            }
        }
        Ok(())
    }

    /// Checks, before a chain is reached and without asking for a
    /// password, the keyfile whose secret will sign (`signer`'s, when it
    /// comes from the wallet): it can be read and is in a format btpow
    /// reads; unencrypted, its secret gives the key its files state;
    /// encrypted, `passwords` can give its password.
    pub fn check_signer(
        &self,
        signer: Signer,
        passwords: &dyn PasswordSource,
    ) -> Result<(), WalletError> {
        let (uri, keyfile, public_file) = match signer {
            Signer::Hotkey => (
                &self.hotkey_uri,
                self.paths.hotkey(),
                self.paths.hotkeypub(),
            ),
            Signer::Coldkey => (
                &self.coldkey_uri,
                self.paths.coldkey(),
                self.paths.coldkeypub(),
            ),
        };
        if uri.is_some() {
            return Ok(()); // checked by `check`
        }
        match read_keypair(&keyfile, signer, &NoPassword) {
            Ok(pair) => agree(signer, &keyfile, pair.public_key().0, &public_file),
            // Encrypted: opened with its password once the run needs it.
            Err(e @ WalletError::NeedPassword { .. }) => match passwords.can_give(signer) {
                Ok(true) => Ok(()),
                Ok(false) => Err(e),
                Err(why) => Err(WalletError::PasswordUnusable { path: keyfile, why }),
            },
            Err(e) => Err(e),
        }
    }

    /// The hotkey's public key: from its URI, or from the wallet (its
    /// keyfile or its `…pub.txt`), with no password asked.
    pub fn hotkey(&self) -> Result<[u8; 32], WalletError> {
        match &self.hotkey_uri {
            Some(uri) => Ok(keypair_from_uri(Signer::Hotkey, uri)?.public_key().0),
            None => self.hotkey_public(),
        }
    }

    /// The hotkey's public key from its keyfile, or from its `…pub.txt`
    /// when the keyfile is missing; both, when both are there, must agree.
    fn hotkey_public(&self) -> Result<[u8; 32], WalletError> {
        let (keyfile, public_file) = (self.paths.hotkey(), self.paths.hotkeypub());
        match read_public(&keyfile, Signer::Hotkey) {
            Ok(key) => {
                agree(Signer::Hotkey, &keyfile, key, &public_file)?;
                Ok(key)
            }
            // Missing, or encrypted (a public key needs no password).
            Err(e) if is_missing(&e) || matches!(e, WalletError::NeedPassword { .. }) => {
                read_public(&public_file, Signer::Hotkey).map_err(|pe| match (is_missing(&pe), e) {
                    (true, WalletError::NeedPassword { .. }) => WalletError::HotkeyPublicUnknown {
                        keyfile: keyfile.clone(),
                        public_file: public_file.clone(),
                    },
                    (true, e) => e,
                    (false, _) => pe,
                })
            }
            Err(e) => Err(e),
        }
    }

    /// The keys, with `signer`'s secret: only the signing key is decrypted;
    /// the other key's public half comes from its keyfile, or from its
    /// `…pub.txt` when the hotkey's keyfile is missing or unreadable.
    pub fn load(
        &self,
        signer: Signer,
        passwords: &dyn PasswordSource,
    ) -> Result<Keys, WalletError> {
        let paths = &self.paths;
        let pair = |uri: &Option<String>, what, file: PathBuf| match uri {
            Some(uri) => keypair_from_uri(what, uri),
            None => read_keypair(&file, what, passwords),
        };
        let (hotkey, coldkey, signer) = match signer {
            Signer::Hotkey => {
                let pair = pair(&self.hotkey_uri, Signer::Hotkey, paths.hotkey())?;
                if self.hotkey_uri.is_none() {
                    agree(
                        Signer::Hotkey,
                        &paths.hotkey(),
                        pair.public_key().0,
                        &paths.hotkeypub(),
                    )?;
                }
                let coldkey = match &self.coldkey_uri {
                    Some(uri) => keypair_from_uri(Signer::Coldkey, uri)?.public_key().0,
                    None => read_public(&paths.coldkeypub(), Signer::Coldkey)?,
                };
                (pair.public_key().0, coldkey, pair)
            }
            Signer::Coldkey => {
                let pair = pair(&self.coldkey_uri, Signer::Coldkey, paths.coldkey())?;
                if self.coldkey_uri.is_none() {
                    // So that both schemes report one coldkey for a wallet.
                    agree(
                        Signer::Coldkey,
                        &paths.coldkey(),
                        pair.public_key().0,
                        &paths.coldkeypub(),
                    )?;
                }
                let hotkey = match &self.hotkey_uri {
                    Some(uri) => keypair_from_uri(Signer::Hotkey, uri)?.public_key().0,
                    None => self.hotkey_public()?,
                };
                (hotkey, pair.public_key().0, pair)
            }
        };
        Ok(Keys {
            hotkey,
            coldkey,
            signer,
        })
    }
}

/// Whether a wallet error says the file is not there at all.
fn is_missing(e: &WalletError) -> bool {
    matches!(e, WalletError::Read { source, .. } if source.kind() == std::io::ErrorKind::NotFound)
}

/// `key`, read from `keyfile`, must be what `public_file` states, if that
/// file is there.
fn agree(
    what: Signer,
    keyfile: &Path,
    key: [u8; 32],
    public_file: &Path,
) -> Result<(), WalletError> {
    match read_public(public_file, what) {
        Ok(stated) if stated != key => Err(WalletError::WalletMismatch {
            what: what.name(),
            keyfile: keyfile.to_path_buf(),
            from_keyfile: crate::account::ss58_encode(&key),
            public_file: public_file.to_path_buf(),
            from_public_file: crate::account::ss58_encode(&stated),
        }),
        Ok(_) => Ok(()),
        Err(e) if is_missing(&e) => Ok(()),
        Err(e) => Err(e),
    }
}

/// Who signs the registration.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Signer {
    /// The hotkey being registered.
    Hotkey,
    /// Its coldkey.
    Coldkey,
}

impl Signer {
    /// `hotkey` or `coldkey`.
    pub fn name(self) -> &'static str {
        match self {
            Signer::Hotkey => "hotkey",
            Signer::Coldkey => "coldkey",
        }
    }
}

impl std::fmt::Display for Signer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl std::str::FromStr for Signer {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "hotkey" => Ok(Signer::Hotkey),
            "coldkey" => Ok(Signer::Coldkey),
            _ => Err(format!("expected hotkey or coldkey, got {s:?}")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_uri_is_refused_naming_the_key_it_would_give() {
        for uri in ["", "  "] {
            let e = keypair_from_uri(Signer::Coldkey, uri)
                .unwrap_err()
                .to_string();
            assert!(e.starts_with("the coldkey URI is empty"), "{e}");
            assert!(e.contains(DEV_ROOT_SS58), "{e}");
        }
        // What the empty URI would have given: the dev root key.
        let root = Keypair::from_uri(&"".parse().unwrap()).unwrap();
        assert_eq!(
            crate::account::ss58_encode(&root.public_key().0),
            DEV_ROOT_SS58
        );
    }

    #[test]
    fn dev_uris_are_recognised() {
        for uri in [
            "//Alice",
            "/soft",
            "//Bob//stash",
            DEV_PHRASE,
            &format!("{DEV_PHRASE}//Alice"),
        ] {
            assert!(KeySource::is_dev_uri(uri), "{uri}");
        }
        let other = "legal winner thank year wave sausage worth useful legal winner thank yellow";
        for uri in [
            other,
            &format!("{other}//Alice"),
            "0x0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
        ] {
            assert!(!KeySource::is_dev_uri(uri), "{uri}");
        }
    }
}

#[cfg(test)]
#[path = "wallet_tests.rs"]
mod btwallet_fixtures;
