//! The axon's accept loop: every connection is counted, capped and timed.
//!
//! A miner's address is public, so anyone can open sockets to it. Without limits a thousand
//! silent connections exhaust its file descriptors and validators can no longer connect. Here:
//! - a global cap and a per-address cap on open connections; a connection over either cap is
//!   answered at once with a short `503 connection_limit` and closed (it never reaches HTTP);
//! - a header deadline that also serves as the idle timeout: a connection must deliver a whole
//!   request head within `header_timeout` of opening, and again within `header_timeout` after
//!   each response (hyper's `header_read_timeout`, which restarts on keep-alive);
//! - the body deadline is enforced where the body is read (see `verify_layer`).
//!
//! [`raise_fd_limit`] lifts the process's soft open-file limit to its hard limit, so the caps,
//! not the OS, decide when to refuse.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Semaphore, watch};

use super::Refusal;

/// Default cap on open connections in all.
pub const DEFAULT_MAX_CONNECTIONS: usize = 768;
/// Default cap on open connections from one IP address.
pub const DEFAULT_MAX_PER_ADDRESS: usize = 32;

/// Connection limits and deadlines.
#[derive(Debug, Clone, Copy)]
pub struct ConnLimits {
    /// Open connections in all.
    pub max_connections: usize,
    /// Open connections from one IP address.
    pub max_per_address: usize,
    /// Time to receive a complete request head, from connect and after each response.
    pub header_timeout: Duration,
}

impl Default for ConnLimits {
    fn default() -> Self {
        Self {
            max_connections: DEFAULT_MAX_CONNECTIONS,
            max_per_address: DEFAULT_MAX_PER_ADDRESS,
            header_timeout: Duration::from_secs(15),
        }
    }
}

/// Open connections per address; a [`AddressSlot`] gives its place back when dropped.
#[derive(Default)]
struct AddressBook(Mutex<HashMap<IpAddr, usize>>);

struct AddressSlot {
    book: Arc<AddressBook>,
    ip: IpAddr,
}

impl AddressBook {
    fn take(self: &Arc<Self>, ip: IpAddr, limit: usize) -> Option<AddressSlot> {
        let mut m = self.0.lock().unwrap_or_else(|p| p.into_inner());
        let n = m.entry(ip).or_default();
        if *n >= limit {
            return None;
        }
        *n += 1;
        Some(AddressSlot {
            book: self.clone(),
            ip,
        })
    }
}

impl Drop for AddressSlot {
    fn drop(&mut self) {
        let mut m = self.book.0.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(n) = m.get_mut(&self.ip) {
            *n = n.saturating_sub(1);
            if *n == 0 {
                m.remove(&self.ip);
            }
        }
    }
}

/// Counts of refused connections, for `/health`.
#[derive(Debug, Default)]
pub struct ConnStats {
    pub refused_per_address: std::sync::atomic::AtomicU64,
    pub refused_global: std::sync::atomic::AtomicU64,
    pub open: std::sync::atomic::AtomicU64,
}

/// The whole HTTP response refusing a connection over a cap; built once per cap, not per
/// refused connection (under attack there are tens of thousands).
fn refusal_bytes(refusal: Refusal) -> Vec<u8> {
    let body = serde_json::to_vec(&refusal.body()).unwrap_or_default();
    let head = format!(
        "HTTP/1.1 {} {}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
        refusal.status().as_u16(),
        refusal.status().canonical_reason().unwrap_or(""),
        body.len()
    );
    let mut bytes = head.into_bytes();
    bytes.extend_from_slice(&body);
    bytes
}

/// Answers a connection over a cap without reading anything, then closes it. One non-blocking
/// write into the socket buffer: a refused peer never holds the accept loop.
fn refuse_connection(stream: TcpStream, response: &[u8]) {
    let _ = stream.try_write(response);
}

/// Runs the accept loop until `shutdown` flips to true, then lets open connections finish
/// their current request (at most `drain` long).
pub async fn run(
    listener: TcpListener,
    app: Router,
    limits: ConnLimits,
    stats: Arc<ConnStats>,
    mut shutdown: watch::Receiver<bool>,
    drain: Duration,
) {
    use std::sync::atomic::Ordering::Relaxed;
    let global = Arc::new(Semaphore::new(limits.max_connections));
    let book = Arc::new(AddressBook::default());
    let over_global = refusal_bytes(Refusal::ConnectionLimit {
        per_address: false,
        limit: limits.max_connections,
    });
    let over_address = refusal_bytes(Refusal::ConnectionLimit {
        per_address: true,
        limit: limits.max_per_address,
    });
    let mut http = http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(limits.header_timeout)
        .keep_alive(true);
    loop {
        let (stream, peer) = tokio::select! {
            _ = shutdown.changed() => break,
            r = listener.accept() => match r {
                Ok(x) => x,
                Err(e) => {
                    // EMFILE and friends: back off briefly instead of spinning.
                    tracing::warn!("accept failed: {e}");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
        };
        let Ok(permit) = global.clone().try_acquire_owned() else {
            stats.refused_global.fetch_add(1, Relaxed);
            refuse_connection(stream, &over_global);
            continue;
        };
        let Some(slot) = book.take(peer.ip(), limits.max_per_address) else {
            stats.refused_per_address.fetch_add(1, Relaxed);
            refuse_connection(stream, &over_address);
            continue;
        };
        let _ = stream.set_nodelay(true);
        let service = TowerToHyperService::new(app.clone());
        let conn = http.serve_connection(TokioIo::new(stream), service);
        let mut stop = shutdown.clone();
        let stats = stats.clone();
        stats.open.fetch_add(1, Relaxed);
        tokio::spawn(async move {
            let _held = (permit, slot);
            let mut conn = std::pin::pin!(conn);
            tokio::select! {
                r = conn.as_mut() => {
                    if let Err(e) = r {
                        tracing::trace!("connection ended: {e}");
                    }
                }
                _ = stop.changed() => {
                    conn.as_mut().graceful_shutdown();
                    let _ = conn.await;
                }
            }
            stats.open.fetch_sub(1, Relaxed);
        });
    }
    drop(listener);
    // Every open connection holds a global permit: all of them back means all are closed.
    let all = u32::try_from(limits.max_connections).unwrap_or(u32::MAX);
    let _ = tokio::time::timeout(drain, global.acquire_many(all)).await;
}

/// Raises the soft limit on open files to the hard limit. Returns the new soft limit.
pub fn raise_fd_limit() -> std::io::Result<u64> {
    #[cfg(unix)]
    {
        let mut lim = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        // SAFETY: getrlimit/setrlimit only read and write the struct we pass.
        if unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim) } != 0 {
            return Err(std::io::Error::last_os_error());
        }
        if lim.rlim_cur < lim.rlim_max {
            let want = libc::rlimit {
                rlim_cur: lim.rlim_max,
                rlim_max: lim.rlim_max,
            };
            // SAFETY: as above.
            if unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &want) } != 0 {
                return Err(std::io::Error::last_os_error());
            }
            lim.rlim_cur = lim.rlim_max;
        }
        Ok(lim.rlim_cur as u64)
    }
    #[cfg(not(unix))]
    {
        Ok(u64::MAX)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn address_slots_are_counted_and_released() {
        let book = Arc::new(AddressBook::default());
        let ip: IpAddr = "127.0.0.2".parse().unwrap();
        let other: IpAddr = "127.0.0.3".parse().unwrap();
        let a = book.take(ip, 2).unwrap();
        let _b = book.take(ip, 2).unwrap();
        assert!(
            book.take(ip, 2).is_none(),
            "third connection from one address"
        );
        assert!(book.take(other, 2).is_some(), "other addresses unaffected");
        drop(a);
        assert!(
            book.take(ip, 2).is_some(),
            "a closed connection frees its place"
        );
    }

    #[test]
    fn fd_limit_is_raised_to_the_hard_limit() {
        let soft = raise_fd_limit().unwrap();
        assert!(soft >= 1024, "soft limit {soft}");
    }
}
