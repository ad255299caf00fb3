//! A webhook receiver for the tests: a plain HTTP/1.1 server on 127.0.0.1, port 0, that records every request
//! (headers, raw body) and answers as the test's policy says. Standard library only, so the crash test of the
//! `waste-api` crate includes this file too.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// One request as received, and the status it was answered (0 when the connection was gone first).
#[derive(Debug, Clone)]
pub struct Hit {
    /// Header names in lower case.
    pub headers: BTreeMap<String, String>,
    pub body: Vec<u8>,
    pub status: u16,
}

impl Hit {
    pub fn header(&self, name: &str) -> &str {
        self.headers.get(name).map(String::as_str).unwrap_or("")
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap_or(serde_json::Value::Null)
    }
}

/// How to answer a request: after `delay`, with `status`.
#[derive(Debug, Clone, Copy)]
pub struct Reply {
    pub status: u16,
    pub delay: Duration,
}

impl Reply {
    pub fn status(status: u16) -> Reply {
        Reply {
            status,
            delay: Duration::ZERO,
        }
    }
}

type Policy = dyn Fn(usize, &Hit) -> Reply + Send + Sync;

pub struct Receiver {
    pub url: String,
    hits: Arc<Mutex<Vec<Hit>>>,
    stop: Arc<AtomicBool>,
}

impl Receiver {
    /// Starts a receiver; `policy(n, hit)` answers the n-th request (0-based, in arrival order).
    pub fn start(policy: impl Fn(usize, &Hit) -> Reply + Send + Sync + 'static) -> Receiver {
        let listener = TcpListener::bind("127.0.0.1:0").expect("receiver binds");
        let addr = listener.local_addr().expect("receiver address");
        listener.set_nonblocking(true).expect("non-blocking accept");
        let hits: Arc<Mutex<Vec<Hit>>> = Arc::default();
        let stop = Arc::new(AtomicBool::new(false));
        let policy: Arc<Policy> = Arc::new(policy);
        let counter = Arc::new(Mutex::new(0usize));
        {
            let (hits, stop) = (hits.clone(), stop.clone());
            std::thread::spawn(move || {
                while !stop.load(Ordering::Relaxed) {
                    match listener.accept() {
                        Ok((stream, _)) => {
                            let (hits, policy, counter) =
                                (hits.clone(), policy.clone(), counter.clone());
                            std::thread::spawn(move || serve(stream, &hits, &*policy, &counter));
                        }
                        Err(_) => std::thread::sleep(Duration::from_millis(5)),
                    }
                }
            });
        }
        Receiver {
            url: format!("http://{addr}/hook"),
            hits,
            stop,
        }
    }

    /// Every request so far, in the order they were answered.
    pub fn hits(&self) -> Vec<Hit> {
        self.hits.lock().map(|h| h.clone()).unwrap_or_default()
    }

    /// Waits until `done` holds of the hits (panics after `timeout` with what arrived).
    pub fn wait_for(&self, timeout: Duration, done: impl Fn(&[Hit]) -> bool) -> Vec<Hit> {
        let deadline = Instant::now() + timeout;
        loop {
            let hits = self.hits();
            if done(&hits) {
                return hits;
            }
            if Instant::now() > deadline {
                let seen: Vec<String> = hits
                    .iter()
                    .map(|h| {
                        format!(
                            "{} {} {}",
                            h.status,
                            h.header("x-waste-event"),
                            h.header("x-waste-delivery")
                        )
                    })
                    .collect();
                panic!(
                    "the receiver did not get what was expected in time; got:\n{}",
                    seen.join("\n")
                );
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

fn serve(stream: TcpStream, hits: &Mutex<Vec<Hit>>, policy: &Policy, counter: &Mutex<usize>) {
    let _ = stream.set_nonblocking(false);
    let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
    let Ok(mut write) = stream.try_clone() else {
        return;
    };
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    if reader.read_line(&mut line).unwrap_or(0) == 0 {
        return;
    }
    let mut headers = BTreeMap::new();
    loop {
        let mut h = String::new();
        if reader.read_line(&mut h).unwrap_or(0) == 0 {
            return;
        }
        let h = h.trim_end();
        if h.is_empty() {
            break;
        }
        if let Some((k, v)) = h.split_once(':') {
            headers.insert(k.trim().to_ascii_lowercase(), v.trim().to_owned());
        }
    }
    let len: usize = headers
        .get("content-length")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let mut body = vec![0u8; len];
    if reader.read_exact(&mut body).is_err() {
        return;
    }
    let mut hit = Hit {
        headers,
        body,
        status: 0,
    };
    let n = {
        let mut c = counter.lock().unwrap_or_else(|p| p.into_inner());
        *c += 1;
        *c - 1
    };
    let reply = policy(n, &hit);
    std::thread::sleep(reply.delay);
    let answer = format!(
        "HTTP/1.1 {} X\r\ncontent-length: 2\r\nconnection: close\r\n\r\nok",
        reply.status
    );
    if write
        .write_all(answer.as_bytes())
        .and_then(|()| write.flush())
        .is_ok()
    {
        hit.status = reply.status;
    }
    if let Ok(mut h) = hits.lock() {
        h.push(hit);
    }
}
