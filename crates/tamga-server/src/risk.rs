//! The server's side of risk management: holds the compiled engine snapshot and turns an
//! assessment into what the lifecycle needs. (Placeholder until the engine lands: every
//! declaration goes green with the recorded reason "no risk profiles active".)

use serde_json::json;
use tamga_types::{Channel, Declaration};

#[derive(Default)]
pub struct RiskState {}

pub struct Outcome {
    pub channel: Channel,
    pub assessment: serde_json::Value,
}

impl RiskState {
    pub fn assess(&self, _declaration: &Declaration, _assessed_at: &str) -> Outcome {
        Outcome {
            channel: Channel::Green,
            assessment: json!({
                "channel": "green", "score": 0, "fired": [], "reason": "no risk profiles active",
            }),
        }
    }
}
