//! Request counts and latency histograms by method, route and status, in Prometheus text format.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::Mutex;
use std::time::Duration;

/// Upper bounds of the latency buckets, in seconds.
const BUCKETS: [f64; 12] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0,
];

#[derive(Debug, Default, Clone)]
struct Series {
    count: u64,
    sum_seconds: f64,
    buckets: [u64; BUCKETS.len()],
}

/// The registry, shared by all workers.
#[derive(Debug, Default)]
pub struct Metrics {
    series: Mutex<BTreeMap<(String, String, u16), Series>>,
}

impl Metrics {
    /// Records one finished request. `route` is the matched pattern (`/api/v1/users/{id}`), never
    /// the raw path, and a method outside the standard set is counted as `OTHER`, so label
    /// cardinality stays bounded whatever clients send.
    pub fn observe(&self, method: &str, route: &str, status: u16, elapsed: Duration) {
        let secs = elapsed.as_secs_f64();
        let mut map = self.series.lock().unwrap_or_else(|p| p.into_inner());
        let s = map
            .entry((method_label(method).to_string(), route.to_string(), status))
            .or_default();
        s.count += 1;
        s.sum_seconds += secs;
        for (i, bound) in BUCKETS.iter().enumerate() {
            if secs <= *bound {
                s.buckets[i] += 1;
            }
        }
    }

    /// The exposition text.
    pub fn render(&self) -> String {
        let map = self
            .series
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone();
        let mut out = String::new();
        out.push_str("# HELP palermo_http_requests_total HTTP requests handled, by method, route and status.\n");
        out.push_str("# TYPE palermo_http_requests_total counter\n");
        for ((method, route, status), s) in &map {
            let _ = writeln!(
                out,
                "palermo_http_requests_total{{method=\"{}\",route=\"{}\",status=\"{status}\"}} {}",
                esc(method),
                esc(route),
                s.count
            );
        }
        out.push_str("# HELP palermo_http_request_duration_seconds HTTP request latency, by method, route and status.\n");
        out.push_str("# TYPE palermo_http_request_duration_seconds histogram\n");
        for ((method, route, status), s) in &map {
            let labels = format!(
                "method=\"{}\",route=\"{}\",status=\"{status}\"",
                esc(method),
                esc(route)
            );
            for (i, bound) in BUCKETS.iter().enumerate() {
                let _ = writeln!(
                    out,
                    "palermo_http_request_duration_seconds_bucket{{{labels},le=\"{bound}\"}} {}",
                    s.buckets[i]
                );
            }
            let _ = writeln!(
                out,
                "palermo_http_request_duration_seconds_bucket{{{labels},le=\"+Inf\"}} {}",
                s.count
            );
            let _ = writeln!(
                out,
                "palermo_http_request_duration_seconds_sum{{{labels}}} {}",
                s.sum_seconds
            );
            let _ = writeln!(
                out,
                "palermo_http_request_duration_seconds_count{{{labels}}} {}",
                s.count
            );
        }
        out
    }
}

/// The method's label: one of the methods of RFC 9110 and PATCH, or `OTHER`.
pub fn method_label(method: &str) -> &'static str {
    const STANDARD: [&str; 9] = [
        "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "CONNECT",
    ];
    STANDARD
        .into_iter()
        .find(|m| *m == method)
        .unwrap_or("OTHER")
}

fn esc(v: &str) -> String {
    v.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_counters_and_cumulative_buckets() {
        let m = Metrics::default();
        m.observe("GET", "/api/v1/users/{id}", 200, Duration::from_millis(3));
        m.observe("GET", "/api/v1/users/{id}", 200, Duration::from_millis(30));
        let text = m.render();
        assert!(text.contains("palermo_http_requests_total{method=\"GET\",route=\"/api/v1/users/{id}\",status=\"200\"} 2"), "{text}");
        assert!(text.contains("le=\"0.005\"} 1"), "{text}");
        assert!(text.contains("le=\"0.05\"} 2"), "{text}");
        m.observe("BREW", "unmatched", 405, Duration::from_millis(1));
        m.observe("get", "unmatched", 405, Duration::from_millis(1));
        let text = m.render();
        assert!(
            text.contains("method=\"OTHER\",route=\"unmatched\",status=\"405\"} 2"),
            "{text}"
        );
    }
}
