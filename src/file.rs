//! Reading the files btpow is given (keyfiles, public key files, vector
//! files): regular files only, opened without blocking, and read up to a
//! bound. A FIFO, a device such as `/dev/zero` or a directory is refused by
//! kind before a byte is read, so no read can hang the tool or fill its
//! memory.

use std::fs::{File, Metadata};
use std::io::{self, Read};
use std::path::Path;

/// What kind of file `meta` describes, in a user's words.
fn kind(meta: &Metadata) -> &'static str {
    let t = meta.file_type();
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if t.is_fifo() {
            return "a FIFO (named pipe)";
        }
        if t.is_char_device() {
            return "a character device";
        }
        if t.is_block_device() {
            return "a block device";
        }
        if t.is_socket() {
            return "a socket";
        }
    }
    if t.is_dir() {
        "a directory"
    } else if t.is_file() {
        "a regular file"
    } else {
        "not a regular file"
    }
}

fn not_regular(meta: &Metadata) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidInput,
        format!("{}, not a regular file", kind(meta)),
    )
}

/// Opens `path` for reading if it is a regular file. The open itself does
/// not block (a FIFO with no writer would block a plain open), and the kind
/// is checked again on the opened file, so a file swapped in between is
/// refused too.
pub(crate) fn open_regular(path: &Path) -> io::Result<File> {
    let meta = std::fs::metadata(path)?;
    if !meta.is_file() {
        return Err(not_regular(&meta));
    }
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NONBLOCK);
    }
    let file = options.open(path)?;
    let meta = file.metadata()?;
    if !meta.is_file() {
        return Err(not_regular(&meta));
    }
    Ok(file)
}

#[cfg_attr(not(any(feature = "chain", feature = "cuda")), allow(dead_code))]
/// The whole of the regular file `path`, refused when it is larger than
/// `limit` bytes.
pub(crate) fn read_regular(path: &Path, limit: u64) -> io::Result<Vec<u8>> {
    let file = open_regular(path)?;
    let mut data = Vec::new();
    // One byte past the limit tells a file that is too large.
    file.take(limit.saturating_add(1)).read_to_end(&mut data)?;
    if data.len() as u64 > limit {
        return Err(too_large(limit));
    }
    Ok(data)
}

#[cfg_attr(not(any(feature = "chain", feature = "cuda")), allow(dead_code))]
/// The error for a file larger than `limit` bytes.
pub(crate) fn too_large(limit: u64) -> io::Error {
    let size = if limit >= 1 << 20 && limit.is_multiple_of(1 << 20) {
        format!("{} MiB", limit >> 20)
    } else if limit >= 1 << 10 && limit.is_multiple_of(1 << 10) {
        format!("{} KiB", limit >> 10)
    } else {
        format!("{limit} bytes")
    };
    io::Error::new(
        io::ErrorKind::InvalidData,
        format!("larger than {size}, the most this file may have"),
    )
}

/// Writes `bytes` to a temporary file beside `path` and renames it into
/// place, so that a reader never sees half a file (the GPU kernels' cache).
#[cfg(any(feature = "cuda", feature = "opencl"))]
pub(crate) fn write_atomically(path: &Path, bytes: impl AsRef<[u8]>) -> io::Result<()> {
    let dir = path.parent().ok_or(io::ErrorKind::NotFound)?;
    std::fs::create_dir_all(dir)?;
    let tmp = dir.join(format!(
        ".{}.{}.tmp",
        path.file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("kernels"),
        std::process::id()
    ));
    std::fs::write(&tmp, bytes)?;
    std::fs::rename(&tmp, path).inspect_err(|_| {
        let _ = std::fs::remove_file(&tmp);
    })
}

/// btpow's cache directory: `$XDG_CACHE_HOME/btpow`, or `~/.cache/btpow`.
#[cfg(any(feature = "cuda", feature = "opencl"))]
pub(crate) fn cache_dir() -> Option<std::path::PathBuf> {
    let base = std::env::var_os("XDG_CACHE_HOME")
        .map(std::path::PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| std::path::PathBuf::from(h).join(".cache")))?;
    Some(base.join("btpow"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp(name: &str) -> std::path::PathBuf {
        let dir = std::env::temp_dir().join(format!("btpow-file-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn regular_files_are_read_up_to_the_bound() {
        let dir = temp("bound");
        let path = dir.join("f");
        std::fs::write(&path, b"12345").unwrap();
        assert_eq!(read_regular(&path, 5).unwrap(), b"12345");
        let e = read_regular(&path, 4).unwrap_err();
        assert!(e.to_string().contains("larger than 4 bytes"), "{e}");
        assert_eq!(
            too_large(64 << 20).to_string(),
            "larger than 64 MiB, the most this file may have"
        );
    }

    #[test]
    fn devices_directories_and_fifos_are_refused_without_reading() {
        let dir = temp("kinds");
        let e = read_regular(&dir, 10).unwrap_err();
        assert_eq!(e.to_string(), "a directory, not a regular file");
        #[cfg(unix)]
        {
            if Path::new("/dev/zero").exists() {
                let e = read_regular(Path::new("/dev/zero"), 10).unwrap_err();
                assert_eq!(e.to_string(), "a character device, not a regular file");
            }
            // A FIFO with no writer: a plain open would block for ever.
            let fifo = dir.join("fifo");
            let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
            // SAFETY: FFI call with a valid NUL-terminated path; no CPU feature involved.
            assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
            let e = read_regular(&fifo, 10).unwrap_err();
            assert_eq!(e.to_string(), "a FIFO (named pipe), not a regular file");
        }
    }

    #[cfg(any(feature = "cuda", feature = "opencl"))]
    #[test]
    fn the_cache_is_replaced_whole() {
        let dir = temp("cache");
        let path = dir.join("kernels-x.bin");
        write_atomically(&path, "first").unwrap();
        write_atomically(&path, b"second").unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "second");
        // No temporary file is left behind.
        assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 1);
    }
}
