//! HTTP routes: thin handlers that authenticate, parse, call the lifecycle, answer.

pub mod audit;
pub mod auth;
pub mod claims;
pub mod controls;
pub mod declarations;
pub mod health;
pub mod payments;
pub mod risk;
