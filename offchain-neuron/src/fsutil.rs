//! Crash-safe file writes.

use std::io::Write;
use std::path::Path;

use anyhow::{Context, Result};

/// Writes `bytes` to `path` atomically: a temp file in the same directory is written, synced
/// and renamed over `path`, then the directory is synced. Readers see the old or the new file,
/// never a torn one.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let name = path.file_name().context("path has no file name")?;
    let mut tmp_name = name.to_owned();
    tmp_name.push(format!(".{}.tmp", std::process::id()));
    let tmp = dir.join(tmp_name);
    {
        let mut f =
            std::fs::File::create(&tmp).with_context(|| format!("creating {}", tmp.display()))?;
        f.write_all(bytes)?;
        f.sync_all()?;
    }
    std::fs::rename(&tmp, path)
        .with_context(|| format!("renaming {} to {}", tmp.display(), path.display()))?;
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

/// Creates `path` with mode 0600 and writes `bytes`; refuses to overwrite an existing file.
pub fn write_secret(path: &Path, bytes: &[u8]) -> Result<()> {
    if let Some(d) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(d).with_context(|| format!("creating {}", d.display()))?;
    }
    let mut o = std::fs::OpenOptions::new();
    o.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        o.mode(0o600);
    }
    let mut f = o.open(path).with_context(|| {
        format!(
            "creating {} (refusing to overwrite an existing key file)",
            path.display()
        )
    })?;
    f.write_all(bytes)?;
    f.sync_all()?;
    Ok(())
}

/// Refuses a secret file that other users can read or write: the key in it must be treated as
/// already leaked.
pub fn check_private(path: &Path) -> Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let m = std::fs::metadata(path)
            .with_context(|| format!("cannot read key file {}", path.display()))?;
        let mode = m.permissions().mode() & 0o777;
        if mode & 0o077 != 0 {
            anyhow::bail!(
                "key file {} has mode {mode:o}: other users can read it. Run `chmod 600 {}` \
                 (and consider the key exposed if the machine is shared)",
                path.display(),
                path.display()
            );
        }
    }
    Ok(())
}
