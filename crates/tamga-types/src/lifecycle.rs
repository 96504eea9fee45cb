//! Where a declaration stands (`Status`) and which lane the risk engine chose (`Channel`).

use serde::{Deserialize, Serialize};

/// Status of a declaration, as in CONTRACT.md.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Lodged,
    UnderControl,
    AwaitingPayment,
    Released,
    Refused,
    Invalidated,
}

impl Status {
    pub const ALL: [Status; 6] = [
        Status::Lodged,
        Status::UnderControl,
        Status::AwaitingPayment,
        Status::Released,
        Status::Refused,
        Status::Invalidated,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Lodged => "lodged",
            Status::UnderControl => "under_control",
            Status::AwaitingPayment => "awaiting_payment",
            Status::Released => "released",
            Status::Refused => "refused",
            Status::Invalidated => "invalidated",
        }
    }
    pub fn parse(s: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|x| x.as_str() == s)
    }
    /// A declaration can still be amended or invalidated by its declarant.
    pub fn is_open(self) -> bool {
        matches!(
            self,
            Status::Lodged | Status::UnderControl | Status::AwaitingPayment
        )
    }
}

/// Control channel. Ordered by strength of control for the fields where a stronger
/// measure wins: green < blue < yellow < red.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    /// Release without control.
    Green,
    /// Release now, post-entry audit later.
    Blue,
    /// Documentary check before release.
    Yellow,
    /// Documents and physical inspection before release.
    Red,
}

impl Channel {
    pub const ALL: [Channel; 4] = [Channel::Green, Channel::Blue, Channel::Yellow, Channel::Red];
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Green => "green",
            Channel::Blue => "blue",
            Channel::Yellow => "yellow",
            Channel::Red => "red",
        }
    }
    pub fn parse(s: &str) -> Option<Channel> {
        Channel::ALL.into_iter().find(|x| x.as_str() == s)
    }
    /// Yellow and red hold the goods until an officer records a control result.
    pub fn requires_control(self) -> bool {
        matches!(self, Channel::Yellow | Channel::Red)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn red_is_stronger_than_every_other_channel() {
        assert!(Channel::Red > Channel::Yellow);
        assert!(Channel::Yellow > Channel::Blue);
        assert!(Channel::Blue > Channel::Green);
    }

    #[test]
    fn status_names_round_trip() {
        for s in Status::ALL {
            assert_eq!(Status::parse(s.as_str()), Some(s));
        }
        assert_eq!(Status::parse("approved"), None);
    }
}
