//! The HS 2022 subheadings (level 6) the simulator draws goods from, embedded from
//! `tamga-reference/data/hs2022.csv` and parsed once per process.

use std::sync::OnceLock;

static HS2022_CSV: &str = include_str!("../../tamga-reference/data/hs2022.csv");

/// One HS 2022 subheading: six digits and the nomenclature's description.
#[derive(Debug, Clone)]
pub(crate) struct Subheading {
    pub code: String,
    pub description: String,
}

/// All level-6 subheadings, sorted by code.
#[derive(Debug)]
pub(crate) struct Nomenclature {
    pub subheadings: Vec<Subheading>,
}

/// Longest description a generated goods item carries.
pub(crate) const MAX_DESCRIPTION_CHARS: usize = 200;

pub(crate) fn nomenclature() -> &'static Nomenclature {
    static CELL: OnceLock<Nomenclature> = OnceLock::new();
    CELL.get_or_init(|| {
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(true)
            .from_reader(HS2022_CSV.as_bytes());
        let mut subheadings: Vec<Subheading> = reader
            .records()
            .filter_map(Result::ok)
            .filter(|r| r.get(4) == Some("6"))
            .filter_map(|r| {
                let code = r.get(1)?;
                if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
                    return None;
                }
                let description: String = r
                    .get(2)?
                    .trim()
                    .chars()
                    .take(MAX_DESCRIPTION_CHARS)
                    .collect();
                Some(Subheading {
                    code: code.to_owned(),
                    description: description.trim_end().to_owned(),
                })
            })
            .collect();
        subheadings.sort_by(|a, b| a.code.cmp(&b.code));
        subheadings.dedup_by(|a, b| a.code == b.code);
        Nomenclature { subheadings }
    })
}

impl Nomenclature {
    /// Indices of the subheadings whose code starts with `prefix`.
    pub fn with_prefix(&self, prefix: &str) -> Vec<usize> {
        let start = self
            .subheadings
            .partition_point(|s| s.code.as_str() < prefix);
        self.subheadings[start..]
            .iter()
            .take_while(|s| s.code.starts_with(prefix))
            .enumerate()
            .map(|(i, _)| start + i)
            .collect()
    }

    /// Whether `code` (six digits) is an HS 2022 subheading.
    #[cfg(test)]
    pub fn is_subheading(&self, code: &str) -> bool {
        self.index_of(code).is_some()
    }

    pub fn index_of(&self, code: &str) -> Option<usize> {
        self.subheadings
            .binary_search_by(|s| s.code.as_str().cmp(code))
            .ok()
    }
}
