//! A minimal HTTP/1.0 health check for container runtimes (`HEALTHCHECK CMD ["oms-probe"]`):
//! the runtime image has no curl, and Kubernetes uses its own httpGet probes anyway.

use std::io::{Read as _, Write as _};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, TcpStream};
use std::time::Duration;

/// Where to ask: a wildcard listen address (`0.0.0.0`, `::`) is asked on loopback.
pub fn target_addr(listen: SocketAddr) -> SocketAddr {
    let ip = match listen.ip() {
        IpAddr::V4(ip) if ip.is_unspecified() => IpAddr::V4(Ipv4Addr::LOCALHOST),
        IpAddr::V6(ip) if ip.is_unspecified() => IpAddr::V6(Ipv6Addr::LOCALHOST),
        ip => ip,
    };
    SocketAddr::new(ip, listen.port())
}

/// `GET path` on `addr`; `Ok(status)` when an HTTP status line came back within `timeout`.
pub fn get_status(addr: SocketAddr, path: &str, timeout: Duration) -> std::io::Result<u16> {
    let mut stream = TcpStream::connect_timeout(&addr, timeout)?;
    stream.set_read_timeout(Some(timeout))?;
    stream.set_write_timeout(Some(timeout))?;
    // One write: `write!` on an unbuffered stream sends each fragment separately, and a
    // server that answers after the first one and closes makes the next write fail (EPIPE).
    let request = format!("GET {path} HTTP/1.0\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes())?;
    let mut head = [0_u8; 64];
    let mut read = 0;
    while read < 12 {
        let n = stream.read(&mut head[read..])?;
        if n == 0 {
            break;
        }
        read += n;
    }
    parse_status(&head[..read]).ok_or_else(|| {
        std::io::Error::new(std::io::ErrorKind::InvalidData, "not an HTTP status line")
    })
}

fn parse_status(head: &[u8]) -> Option<u16> {
    let line = std::str::from_utf8(head).ok()?;
    let mut parts = line.split_whitespace();
    parts
        .next()
        .filter(|version| version.starts_with("HTTP/"))?;
    parts.next()?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::TcpListener;

    fn answer_once(response: &'static str) -> SocketAddr {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let addr = listener.local_addr().expect("addr");
        std::thread::spawn(move || {
            let (mut conn, _) = listener.accept().expect("accept");
            // the whole request head, as a server reads it before it answers
            let mut request = Vec::new();
            let mut chunk = [0_u8; 256];
            while !request.windows(4).any(|w| w == b"\r\n\r\n") {
                match conn.read(&mut chunk) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => request.extend_from_slice(&chunk[..n]),
                }
            }
            let _ = conn.write_all(response.as_bytes());
        });
        addr
    }

    #[test]
    fn reads_the_status_of_a_live_and_of_an_unready_service() {
        let timeout = Duration::from_secs(2);
        let live = answer_once("HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n");
        assert_eq!(get_status(live, "/health/live", timeout).unwrap(), 200);
        let unready = answer_once("HTTP/1.1 503 Service Unavailable\r\n\r\n");
        assert_eq!(get_status(unready, "/health/ready", timeout).unwrap(), 503);
    }

    #[test]
    fn a_closed_port_or_garbage_is_an_error() {
        let closed = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("addr");
        assert!(get_status(closed, "/health/live", Duration::from_secs(1)).is_err());
        let garbage = answer_once("SSH-2.0-OpenSSH\r\n");
        assert!(get_status(garbage, "/health/live", Duration::from_secs(1)).is_err());
    }

    #[test]
    fn wildcard_listen_addresses_are_asked_on_loopback() {
        let any: SocketAddr = "0.0.0.0:8083".parse().unwrap();
        assert_eq!(target_addr(any).to_string(), "127.0.0.1:8083");
        let any6: SocketAddr = "[::]:8083".parse().unwrap();
        assert_eq!(target_addr(any6).to_string(), "[::1]:8083");
        let fixed: SocketAddr = "10.1.2.3:8080".parse().unwrap();
        assert_eq!(target_addr(fixed), fixed);
    }
}
