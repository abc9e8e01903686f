//! How long decoding one 5,000-value batch body takes, the way the import endpoint does it
//! (`decode_json` into `Batch`, rows as `RawRow`) against the earlier way (rows as
//! `serde_json::Value` maps, decoded through `serde_path_to_error`).
//!
//!     cargo run --release --example parse_batch
//!
//! Same row shape as `bench/import_bench.py`: four dimensions per value, about 1 MB per batch.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Instant;

use palermo::api::http::extract::decode_json;
use palermo::api::indicator_values::Batch;
use serde::Deserialize;
use serde_json::{json, Value};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)] // decoded and dropped: only the time counts
struct ValueBatch {
    values: Vec<Value>,
}

const ROUNDS: u32 = 20;

fn per_batch_ms(mut decode: impl FnMut()) -> f64 {
    decode(); // warm up
    let start = Instant::now();
    for _ in 0..ROUNDS {
        decode();
    }
    start.elapsed().as_secs_f64() * 1000.0 / f64::from(ROUNDS)
}

fn main() {
    let sexes = ["female", "male", "other", "unknown"];
    let values: Vec<Value> = (0..5000)
        .map(|i| {
            json!({
                "member_state": "ARG", "indicator": "VICTIMS_DETECTED", "period": (2015 + i % 7).to_string(),
                "disaggregation": {"sex": sexes[i % 4], "age_group": "adult",
                                   "form_of_exploitation": "sexual", "citizenship": "national"},
                "value": i,
            })
        })
        .collect();
    let body = serde_json::to_vec(&json!({ "values": values })).expect("serialisable");
    println!("body: {} bytes, 5,000 values", body.len());
    for _ in 0..3 {
        let typed = per_batch_ms(|| {
            let batch: Batch = decode_json(&body).expect("valid batch");
            assert_eq!(batch.values.len(), 5000);
        });
        let maps = per_batch_ms(|| {
            let mut de = serde_json::Deserializer::from_slice(&body);
            let batch: ValueBatch = serde_path_to_error::deserialize(&mut de).expect("valid batch");
            assert_eq!(batch.values.len(), 5000);
        });
        println!("decode_json into RawRow rows: {typed:.1} ms/batch; path-tracked Value rows: {maps:.1} ms/batch");
    }
}
