//! Code newtypes. Each is built only through `parse`, which checks the *form* of the code;
//! whether the code exists in the administration's code lists is checked by validation
//! against [`crate::CodeLists`], because code lists are data, not Rust.

use serde::{Deserialize, Serialize};

macro_rules! code_newtype {
    ($(#[$doc:meta])* $name:ident, $example:literal, $pattern:literal, |$s:ident| $check:expr) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
        #[serde(transparent)]
        // The pattern is the form `parse` checks, for the OpenAPI document.
        #[cfg_attr(feature = "openapi", schema(value_type = String, example = $example, pattern = $pattern))]
        pub struct $name(String);

        impl $name {
            /// Builds the code when `s` has the right form; `None` otherwise.
            pub fn parse($s: &str) -> Option<Self> {
                if $check { Some(Self($s.to_owned())) } else { None }
            }
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }
    };
}

fn all_digits(s: &str) -> bool {
    s.bytes().all(|b| b.is_ascii_digit())
}

fn all_upper(s: &str) -> bool {
    s.bytes().all(|b| b.is_ascii_uppercase())
}

code_newtype!(
    /// A commodity code: 6 to 10 digits, the first six an HS 2022 subheading.
    HsCode, "8517130000", "^[0-9]{6,10}$", |s| (6..=10).contains(&s.len()) && all_digits(s)
);
code_newtype!(
    /// ISO 3166-1 alpha-2 country code.
    CountryCode, "CN", "^[A-Z]{2}$", |s| s.len() == 2 && all_upper(s)
);
code_newtype!(
    /// ISO 4217 alphabetic currency code.
    CurrencyCode, "USD", "^[A-Z]{3}$", |s| s.len() == 3 && all_upper(s)
);
code_newtype!(
    /// A customs office of the administration (five digits in the demo's offices list).
    OfficeCode, "41701", "^[0-9]{2,8}$", |s| (2..=8).contains(&s.len()) && all_digits(s)
);
code_newtype!(
    /// A party's tax identification number (Kyrgyz INN: 14 digits; neighbours use 9 to 14).
    PartyId, "01234567890123", "^[0-9]{9,14}$", |s| (9..=14).contains(&s.len()) && all_digits(s)
);

impl HsCode {
    /// The HS 2022 subheading (first six digits).
    pub fn subheading(&self) -> &str {
        &self.0[..6]
    }
    /// The HS chapter (first two digits).
    pub fn chapter(&self) -> &str {
        &self.0[..2]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_hs_code_shorter_than_six_digits_is_rejected() {
        assert!(HsCode::parse("85171").is_none());
    }

    #[test]
    fn an_hs_code_with_letters_is_rejected() {
        assert!(HsCode::parse("85171A").is_none());
    }

    #[test]
    fn an_hs_code_longer_than_ten_digits_is_rejected() {
        assert!(HsCode::parse("85171300001").is_none());
    }

    #[test]
    fn a_ten_digit_hs_code_knows_its_subheading_and_chapter() {
        let c = HsCode::parse("8517130000").unwrap();
        assert_eq!(c.subheading(), "851713");
        assert_eq!(c.chapter(), "85");
    }

    #[test]
    fn a_lowercase_country_code_is_rejected() {
        assert!(CountryCode::parse("cn").is_none());
        assert!(CountryCode::parse("CN").is_some());
    }

    #[test]
    fn a_party_id_must_be_digits() {
        assert!(PartyId::parse("0123456789012X").is_none());
        assert!(PartyId::parse("01234567890123").is_some());
    }
}
