//! Request bodies under attack: limits applied while reading (chunked too), stalled uploads,
//! concurrent large bodies. Raw sockets, since an HTTP client would not stall on purpose.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use reqwest::StatusCode;

use crate::helpers::*;
use crate::throttle::rss_mib;

/// A connection that has sent the head of a chunked POST to `path`.
pub fn start_chunked(address: &str, path: &str, token: Option<&str>) -> TcpStream {
    let host = address.trim_start_matches("http://").to_string();
    let mut stream = TcpStream::connect(&host).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    let auth = token
        .map(|t| format!("Authorization: Bearer {t}\r\n"))
        .unwrap_or_default();
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: {host}\r\n{auth}Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
    );
    stream.write_all(head.as_bytes()).expect("head");
    stream
}

/// Sends `data` as chunks of at most 16 KiB; false once the server stopped listening.
pub fn send_chunks(stream: &mut TcpStream, data: &[u8]) -> bool {
    for piece in data.chunks(16 * 1024) {
        let chunk = [format!("{:x}\r\n", piece.len()).as_bytes(), piece, b"\r\n"].concat();
        if stream.write_all(&chunk).is_err() {
            return false;
        }
    }
    true
}

/// The status code of the response on `stream`.
pub fn status_of(stream: &mut TcpStream) -> u16 {
    let mut buf = [0u8; 12];
    let mut got = 0;
    while got < buf.len() {
        match stream.read(&mut buf[got..]) {
            Ok(0) | Err(_) => break,
            Ok(n) => got += n,
        }
    }
    std::str::from_utf8(&buf[9..got.max(9)])
        .ok()
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(0)
}

#[tokio::test]
async fn a_chunked_body_past_the_route_limit_is_refused_while_it_is_read() {
    let app = spawn_app().await;
    let before = rss_mib();
    let address = app.address.clone();
    let statuses = tokio::task::spawn_blocking(move || {
        // 8 MiB of a JSON string: far past the 256 KiB limit, under the batch's; sent by 32.
        let mut body = b"{\"username\":\"".to_vec();
        body.extend(std::iter::repeat_n(b'a', 8 << 20));
        let body = std::sync::Arc::new(body);
        let handles: Vec<_> = (0..32)
            .map(|_| {
                let mut stream = start_chunked(&address, "/api/v1/auth/token", None);
                let body = body.clone();
                std::thread::spawn(move || {
                    send_chunks(&mut stream, &body);
                    status_of(&mut stream)
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap())
            .collect::<Vec<u16>>()
    })
    .await
    .unwrap();
    assert!(statuses.iter().all(|s| *s == 413), "{statuses:?}");
    let growth = rss_mib().saturating_sub(before);
    assert!(growth < 100, "RSS grew by {growth} MiB");
}

#[tokio::test]
async fn stalled_uploads_hold_little_memory_and_are_answered_408() {
    let app = spawn_app().await;
    let before = rss_mib();
    let mut stalled: Vec<TcpStream> = (0..32)
        .map(|_| {
            let mut s = start_chunked(&app.address, "/api/v1/auth/token", None);
            assert!(send_chunks(&mut s, &vec![b' '; 250 * 1024]));
            s
        })
        .collect();
    let started = Instant::now();
    // Others are still served meanwhile.
    let res = app.get("/api/v1/me", &app.admin_token).await;
    assert_eq!(res.status(), StatusCode::OK);
    let growth = rss_mib().saturating_sub(before);
    eprintln!("32 stalled uploads: RSS +{growth} MiB");
    assert!(growth < 100, "RSS grew by {growth} MiB");
    let statuses = tokio::task::spawn_blocking(move || {
        stalled.iter_mut().map(status_of).collect::<Vec<u16>>()
    })
    .await
    .unwrap();
    assert!(statuses.iter().all(|s| *s == 408), "{statuses:?}");
    let waited = started.elapsed();
    assert!(
        waited < Duration::from_secs(20),
        "answered after {waited:?}"
    );
}

#[tokio::test]
async fn large_bodies_are_received_a_few_at_a_time() {
    let app = spawn_app().await;
    let permits = std::thread::available_parallelism()
        .map_or(2, |n| n.get())
        .max(2);
    let token = app.admin_token.clone();
    let address = app.address.clone();
    let statuses = tokio::task::spawn_blocking(move || {
        // `permits` uploads that keep trickling, each holding a large-body permit.
        let trickling: Vec<_> = (0..permits)
            .map(|_| {
                let mut stream =
                    start_chunked(&address, "/api/v1/indicator-values/batch", Some(&token));
                std::thread::spawn(move || {
                    send_chunks(&mut stream, &vec![b' '; 300 * 1024]);
                    for _ in 0..14 {
                        std::thread::sleep(Duration::from_secs(1));
                        if !send_chunks(&mut stream, b" ") {
                            break;
                        }
                    }
                    send_chunks(&mut stream, br#"{"values":[]}"#);
                    let _ = stream.write_all(b"0\r\n\r\n");
                    status_of(&mut stream)
                })
            })
            .collect();
        std::thread::sleep(Duration::from_millis(500));
        let mut extra = start_chunked(&address, "/api/v1/indicator-values/batch", Some(&token));
        send_chunks(&mut extra, &vec![b' '; 300 * 1024]);
        let refused = status_of(&mut extra);
        let done: Vec<u16> = trickling.into_iter().map(|h| h.join().unwrap()).collect();
        (refused, done)
    })
    .await
    .unwrap();
    assert_eq!(statuses.0, 503, "the upload past the bound");
    assert!(
        statuses.1.iter().all(|s| *s == 200),
        "the bounded ones: {:?}",
        statuses.1
    );
}

#[tokio::test]
async fn a_request_head_that_never_ends_is_dropped() {
    let app = spawn_app().await;
    let host = app.address.trim_start_matches("http://").to_string();
    let status = tokio::task::spawn_blocking(move || {
        let mut stream = TcpStream::connect(&host).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(15)))
            .unwrap();
        stream
            .write_all(b"GET /health/live HTTP/1.1\r\nHost: x\r\nX-Slow: ")
            .unwrap();
        let started = Instant::now();
        let status = status_of(&mut stream);
        (status, started.elapsed())
    })
    .await
    .unwrap();
    assert_eq!(status.0, 408, "after {:?}", status.1);
    assert!(status.1 < Duration::from_secs(10), "after {:?}", status.1);
}
