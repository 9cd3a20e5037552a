//! The listener's connections: accepted, held to a bound on each request head's arrival
//! ([`HEADER_TIMEOUT`], which axum's own `serve` has no timer for), closed gracefully on
//! shutdown; and the refusals no handler can word. hyper answers a request it
//! cannot parse by itself, before any of this crate's code runs: a URI over 64 KiB (414), more
//! headers or header bytes than it reads (431), a byte not allowed in a header or a malformed
//! request line (400), each with a status and an empty body, after which it closes the
//! connection. Every other refusal carries the error body (code, message, request id), so each
//! connection's writes pass through [`Guarded`], which replaces such an empty answer with the
//! same status and the error body.
//!
//! The replacement is told apart by its shape, which no answer of the application has: a 400,
//! 414 or 431 with `content-length: 0`. hyper writes it only when it is between answers (it has
//! not yet begun one on the connection) and writes its head in one piece, so the head is
//! always at the start of a write.

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use std::future::Future;
use std::time::Duration;

use axum::Router;
use axum::http::StatusCode;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpListener;
use tokio::sync::watch;
use xconnect_control::new_id;
use xconnect_model::{Error, RequestId};

use crate::ApiError;

/// How long a request's head may take to arrive once the connection waits for one: it bounds a
/// client that trickles its headers, and a kept-alive connection left idle, which would each hold
/// a connection (and a task) for ever. The body has its own bound (`request::BODY_TIMEOUT`).
pub const HEADER_TIMEOUT: Duration = Duration::from_secs(30);

/// Serves `app` on `listener`, each connection [`Guarded`] and held to `header_timeout`, until
/// `shutdown` resolves; then takes no new connection, lets each finish the request it is
/// answering, and returns once all are closed.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    shutdown: impl Future<Output = ()> + Send + 'static,
    header_timeout: Duration,
) -> io::Result<()> {
    // Each connection watches `stopping` close (when this drops its receiver) and holds a
    // receiver of `open`, whose sender sees them all gone.
    let (stopping, stop) = watch::channel(());
    let (open, each) = watch::channel(());
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new()).header_read_timeout(header_timeout);
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let (io, _) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(c) => c,
                Err(e) => {
                    // A connection that failed before it was taken is the client's; anything
                    // else (out of file descriptors) passes with time, and spinning on it would
                    // not make it pass sooner.
                    if !matches!(e.kind(), io::ErrorKind::ConnectionAborted | io::ErrorKind::ConnectionReset) {
                        tracing::error!(error = %e, "cannot accept a connection; trying again in a second");
                        tokio::time::sleep(Duration::from_secs(1)).await;
                    }
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let service = TowerToHyperService::new(app.clone());
        let conn = http.serve_connection(TokioIo::new(Guarded { inner: io, pending: Vec::new() }), service);
        let (stopping, open) = (stopping.clone(), each.clone());
        tokio::spawn(async move {
            let mut conn = std::pin::pin!(conn);
            tokio::select! {
                _ = conn.as_mut() => {}
                () = stopping.closed() => {
                    // The request being answered is finished, then the connection closes.
                    conn.as_mut().graceful_shutdown();
                    let _ = conn.await;
                }
            }
            drop(open);
        });
    }
    drop(listener);
    drop(stop);
    drop(each);
    open.closed().await;
    Ok(())
}

/// A connection whose empty-bodied parse refusals leave with the error body.
pub struct Guarded<T> {
    inner: T,
    /// The replacement answer's bytes not yet written.
    pending: Vec<u8>,
}

impl<T: AsyncWrite + Unpin> Guarded<T> {
    /// Writes what is left of a replacement; ready once it is all out.
    fn drain(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        while !self.pending.is_empty() {
            let n = ready!(Pin::new(&mut self.inner).poll_write(cx, &self.pending))?;
            if n == 0 {
                return Poll::Ready(Err(io::ErrorKind::WriteZero.into()));
            }
            self.pending.drain(..n);
        }
        Poll::Ready(Ok(()))
    }
}

/// The answer that replaces `head`, if `head` is one of hyper's empty parse refusals.
fn replacement(head: &[u8]) -> Option<Vec<u8>> {
    let end = head.windows(4).position(|w| w == b"\r\n\r\n")?;
    let text = std::str::from_utf8(&head[..end]).ok()?;
    let mut lines = text.split("\r\n");
    let status_line = lines.next()?;
    let status = status_line.strip_prefix("HTTP/1.1 ").or_else(|| status_line.strip_prefix("HTTP/1.0 "))?;
    let status: u16 = status.get(..3)?.parse().ok()?;
    let empty = lines.any(|l| l.eq_ignore_ascii_case("content-length: 0"));
    if !empty {
        return None;
    }
    let reason = match status {
        400 => "the request line or a header is malformed (a header value may not hold control characters)",
        414 => "the URI is longer than 64 KiB: send long values in the body",
        431 => "the headers are too many (at most 100) or too large (at most about 400 KiB in all)",
        _ => return None,
    };
    let id: RequestId = new_id();
    let error = Error::invalid("request", reason);
    let body = serde_json::to_vec(&ApiError::new(error, &id).body()).ok()?;
    let status = StatusCode::from_u16(status).ok()?;
    let mut out = format!(
        "HTTP/1.1 {} {}\r\ncontent-type: application/json\r\ncontent-length: {}\r\n{}: {}\r\nconnection: close\r\n\r\n",
        status.as_str(),
        status.canonical_reason().unwrap_or(""),
        body.len(),
        crate::REQUEST_ID_HEADER,
        id.as_str()
    )
    .into_bytes();
    out.extend_from_slice(&body);
    tracing::debug!(request_id = %id, status = status.as_u16(), "refused a request the HTTP parser could not read");
    Some(out)
}

impl<T: AsyncRead + Unpin> AsyncRead for Guarded<T> {
    fn poll_read(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl<T: AsyncWrite + Unpin> AsyncWrite for Guarded<T> {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        ready!(self.drain(cx))?;
        if buf.starts_with(b"HTTP/1.")
            && let Some(answer) = replacement(buf)
        {
            // The empty answer counts as written; its replacement goes out in its place.
            // What the connection cannot take now, `poll_flush` (which hyper calls next) sends.
            self.pending = answer;
            if let Poll::Ready(Err(e)) = self.drain(cx) {
                return Poll::Ready(Err(e));
            }
            return Poll::Ready(Ok(buf.len()));
        }
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        // One slice at a time, so that a head always comes to `poll_write` whole.
        match bufs.iter().find(|b| !b.is_empty()) {
            Some(first) => self.poll_write(cx, first),
            None => Poll::Ready(Ok(0)),
        }
    }

    fn is_write_vectored(&self) -> bool {
        false
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        ready!(self.drain(cx))?;
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        ready!(self.drain(cx))?;
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_an_empty_parse_refusal_is_replaced() {
        let hyper = b"HTTP/1.1 431 Request Header Fields Too Large\r\ncontent-length: 0\r\ndate: x\r\n\r\n";
        let answer = String::from_utf8(replacement(hyper).unwrap()).unwrap();
        assert!(answer.starts_with("HTTP/1.1 431 Request Header Fields Too Large\r\n"), "{answer}");
        let body: serde_json::Value = serde_json::from_str(answer.split("\r\n\r\n").nth(1).unwrap()).unwrap();
        assert_eq!(body["code"], "InvalidParameter");
        assert!(body["request_id"].as_str().unwrap().starts_with("req-"));
        // An answer of the application always has a body; other statuses are not hyper's.
        assert!(replacement(b"HTTP/1.1 400 Bad Request\r\ncontent-length: 52\r\n\r\n{").is_none());
        assert!(replacement(b"HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\n\r\n").is_none());
        assert!(replacement(b"{\"HTTP/1.1 400\"}").is_none());
    }
}
