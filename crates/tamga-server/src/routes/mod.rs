//! HTTP routes: thin handlers that authenticate, parse, call the lifecycle, answer.

pub mod audit;
pub mod declarations;
pub mod health;
