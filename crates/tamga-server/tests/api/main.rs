//! API tests: the real server over HTTP on a real database, each test on SQLite and on
//! PostgreSQL.

mod audit;
mod confidential;
mod console_sessions;
mod declarations;
mod helpers;
mod integrity;
mod openapi;
mod payments;
mod risk;
