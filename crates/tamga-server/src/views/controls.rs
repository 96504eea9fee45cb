//! Schemas of the control task's recorded draw, and of the channel change every role is
//! refused.
#![allow(dead_code)] // schema-only: never built, read by the derive

use serde::Deserialize;
use tamga_types::Channel;
use utoipa::ToSchema;

/// The random draw that chose a control's officer (anti-collusion), enough to replay it.
#[derive(Deserialize, ToSchema)]
pub struct OfficerDraw {
    /// The 32-byte ChaCha20 seed, hex.
    pub seed: String,
    /// The office's officers by id, in the order drawn over.
    pub candidates: Vec<String>,
    /// The index drawn into `candidates`; null when the office had no officer.
    pub index: Option<u32>,
    /// How the draw is made.
    pub rule: String,
}

/// A change of channel: refused for every role (409 `channel_locked`), and logged.
#[derive(Deserialize, ToSchema)]
pub struct ChannelChange {
    pub channel: Channel,
}
