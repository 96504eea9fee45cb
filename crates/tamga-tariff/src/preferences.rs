//! Tariff preferences as data: which countries belong to which preference group, and what
//! share of the MFN duty each pays.
//!
//! The groups and the item `preference` code that asks for them:
//! - `200` (developing-country preference): groups `developing` and `ldc`;
//! - `300` (free-trade or customs-union preference): groups `cu` and `fta`.
//!
//! When a country is in several groups of the requested preference, the lowest share
//! applies. Only duty is reduced; excise and VAT never are.

use std::collections::HashMap;

use rust_decimal::Decimal;

use crate::table::{LineError, RowCheck, read_rows};

/// The columns of a preferences file.
pub const PREFERENCE_COLUMNS: [&str; 3] = ["group", "country", "duty_share"];

/// Known groups and the preference code that asks for each.
pub const GROUPS: [(&str, &str); 4] = [
    ("developing", "200"),
    ("ldc", "200"),
    ("cu", "300"),
    ("fta", "300"),
];

/// Documents that prove origin: `N954` EUR.1, `N864` and `N865` certificates of origin
/// (form A, CT-1), `Y930` origin declaration.
pub const PROOF_OF_ORIGIN: [&str; 4] = ["N954", "N864", "N865", "Y930"];

/// The preference code asking for the standard (MFN) rate.
pub const MFN: &str = "100";

/// Preference groups, immutable once built.
#[derive(Debug, Clone, Default)]
pub struct PreferenceRules {
    /// Group → country → share of the MFN duty (0 = duty free, 1 = full MFN).
    groups: HashMap<String, HashMap<String, Decimal>>,
}

/// A preference the rules grant to an origin.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Grant<'a> {
    pub group: &'a str,
    pub duty_share: Decimal,
}

impl PreferenceRules {
    /// No preference for anyone: every request falls back to MFN.
    pub fn none() -> Self {
        Self::default()
    }

    /// Reads a preferences file (`group,country,duty_share`). Refused with every problem:
    /// `missing`, `bad_group`, `bad_country`, `bad_decimal`, `bad_share` (outside 0..=1),
    /// `duplicate` (the same country twice in a group), and the table codes.
    pub fn from_csv(text: &str) -> Result<PreferenceRules, Vec<LineError>> {
        let rows = read_rows(text, &PREFERENCE_COLUMNS)?;
        let mut errors = Vec::new();
        let mut groups: HashMap<String, HashMap<String, Decimal>> = HashMap::new();
        let mut seen: HashMap<(String, String), usize> = HashMap::new();
        for row in &rows {
            let mut check = RowCheck {
                line: row.line,
                errors: &mut errors,
            };
            let before = check.errors.len();
            let group = check.required("group", row.cell(0)).and_then(|g| {
                let known = GROUPS.iter().any(|(name, _)| *name == g);
                if !known {
                    let names: Vec<&str> = GROUPS.iter().map(|(n, _)| *n).collect();
                    check.push(
                        "group",
                        "bad_group",
                        format!("{g:?} is not one of {}", names.join(", ")),
                    );
                }
                known.then_some(g)
            });
            let country = check.required("country", row.cell(1)).and_then(|c| {
                let ok = c.len() == 2 && c.bytes().all(|b| b.is_ascii_uppercase());
                if !ok {
                    check.push(
                        "country",
                        "bad_country",
                        format!("{c:?} is not an ISO 3166-1 alpha-2 code such as KZ"),
                    );
                }
                ok.then_some(c)
            });
            let share = check
                .required("duty_share", row.cell(2))
                .and_then(|c| check.decimal("duty_share", c));
            if let Some(s) = share
                && !(Decimal::ZERO..=Decimal::ONE).contains(&s)
            {
                check.push(
                    "duty_share",
                    "bad_share",
                    format!("duty_share {s} is not between 0 and 1"),
                );
            }
            if check.errors.len() > before {
                continue;
            }
            if let (Some(group), Some(country), Some(share)) = (group, country, share) {
                let key = (group.to_owned(), country.to_owned());
                if let Some(first) = seen.get(&key) {
                    check.push(
                        "country",
                        "duplicate",
                        format!("{country} is already in group {group} (line {first})"),
                    );
                    continue;
                }
                seen.insert(key, row.line);
                groups
                    .entry(group.to_owned())
                    .or_default()
                    .insert(country.to_owned(), share);
            }
        }
        if errors.is_empty() {
            Ok(PreferenceRules { groups })
        } else {
            Err(errors)
        }
    }

    /// The groups answering `preference` (e.g. `cu`, `fta` for `300`), in [`GROUPS`] order.
    pub fn groups_for(preference: &str) -> impl Iterator<Item = &'static str> {
        GROUPS
            .iter()
            .filter(move |(_, code)| *code == preference)
            .map(|(name, _)| *name)
    }

    /// Whether `preference` is a code the rules know (`100`, `200`, `300`).
    pub fn is_known(preference: &str) -> bool {
        preference == MFN || Self::groups_for(preference).next().is_some()
    }

    /// The grant for `origin` under `preference`: the group with the lowest duty share that
    /// lists the origin; `None` when no group of that preference lists it.
    pub fn grant(&self, preference: &str, origin: &str) -> Option<Grant<'static>> {
        Self::groups_for(preference)
            .filter_map(|group| {
                let share = *self.groups.get(group)?.get(origin)?;
                Some(Grant {
                    group,
                    duty_share: share,
                })
            })
            .min_by_key(|g| g.duty_share)
    }

    /// Every membership, sorted by group then country, e.g. to store them.
    pub fn entries(&self) -> Vec<(&str, &str, Decimal)> {
        let mut all: Vec<_> = self
            .groups
            .iter()
            .flat_map(|(g, members)| {
                members
                    .iter()
                    .map(move |(c, s)| (g.as_str(), c.as_str(), *s))
            })
            .collect();
        all.sort();
        all
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_least_developed_country_gets_the_lowest_share_of_its_groups() {
        let rules = PreferenceRules::from_csv(
            "group,country,duty_share\ndeveloping,BD,0.75\nldc,BD,0\ndeveloping,IN,0.75\n",
        )
        .unwrap();
        assert_eq!(rules.grant("200", "BD").unwrap().group, "ldc");
        assert_eq!(
            rules.grant("200", "IN").unwrap().duty_share,
            Decimal::new(75, 2)
        );
        assert_eq!(rules.grant("300", "IN"), None);
        assert_eq!(rules.grant("200", "CN"), None);
    }

    #[test]
    fn every_problem_of_a_bad_preferences_file_is_reported() {
        let errors = PreferenceRules::from_csv(
            "group,country,duty_share\nfriends,KZ,0\ncu,kz,0\ncu,RU,1.5\ncu,BY,0\ncu,BY,0\n",
        )
        .err()
        .unwrap();
        let got: Vec<_> = errors
            .iter()
            .map(|e| (e.line, e.column.as_str(), e.code.as_str()))
            .collect();
        assert_eq!(
            got,
            vec![
                (2, "group", "bad_group"),
                (3, "country", "bad_country"),
                (4, "duty_share", "bad_share"),
                (6, "country", "duplicate"),
            ]
        );
    }

    #[test]
    fn only_100_200_and_300_are_known_preferences() {
        assert!(PreferenceRules::is_known("100"));
        assert!(PreferenceRules::is_known("200"));
        assert!(PreferenceRules::is_known("300"));
        assert!(!PreferenceRules::is_known("400"));
    }
}
