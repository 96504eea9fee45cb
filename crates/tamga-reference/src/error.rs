//! Why the embedded reference data could not be loaded.

/// A data file that does not read as expected. With the embedded files this means a
/// file was replaced by one of another shape: a build-time mistake, reported, not a panic.
#[derive(Debug, thiserror::Error)]
pub enum ReferenceError {
    #[error("{file}: {source}")]
    Csv {
        file: &'static str,
        #[source]
        source: csv::Error,
    },
    #[error("{file}, line {line}: {message}")]
    Invalid {
        file: &'static str,
        line: u64,
        message: String,
    },
}
