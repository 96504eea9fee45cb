//! The entries of each code list, as the rest of Tamga reads them.

use serde::Serialize;
use tamga_types::DeclarationType;

/// Level of an HS code: chapter (2 digits), heading (4) or subheading (6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(into = "u8")]
pub enum HsLevel {
    Chapter,
    Heading,
    Subheading,
}

impl HsLevel {
    /// The number of digits of a code at this level.
    pub fn digits(self) -> u8 {
        match self {
            HsLevel::Chapter => 2,
            HsLevel::Heading => 4,
            HsLevel::Subheading => 6,
        }
    }

    pub fn from_digits(digits: u8) -> Option<Self> {
        match digits {
            2 => Some(HsLevel::Chapter),
            4 => Some(HsLevel::Heading),
            6 => Some(HsLevel::Subheading),
            _ => None,
        }
    }
}

impl From<HsLevel> for u8 {
    fn from(level: HsLevel) -> u8 {
        level.digits()
    }
}

/// One entry of the HS 2022 nomenclature.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HsEntry {
    /// 2, 4 or 6 digits.
    pub code: String,
    pub description: String,
    pub level: HsLevel,
    /// The heading of a subheading, the chapter of a heading; `None` for a chapter.
    pub parent: Option<String>,
    /// Roman numeral of the HS section (`I` … `XXI`); `TOTAL` for UN Comtrade's `99…`.
    pub section: String,
}

/// One of the 21 HS sections.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HsSection {
    /// Roman numeral, `I` … `XXI`.
    pub numeral: String,
    pub name: String,
}

/// An ISO 3166-1 country or territory.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Country {
    pub alpha2: String,
    pub alpha3: String,
    /// Three digits, zero-padded (`004`).
    pub numeric: String,
    pub name_en: String,
    pub name_ru: Option<String>,
    /// UN Least Developed Country (matters for preferences).
    pub ldc: bool,
    /// UN Land-Locked Developing Country.
    pub lldc: bool,
    /// UN M49 region (`Asia`, `Europe`, …); `None` for Antarctica.
    pub region: Option<String>,
}

/// An ISO 4217 currency code, one entry per alphabetic code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Currency {
    pub code: String,
    pub numeric: Option<String>,
    pub name: String,
    /// Digits after the decimal point; `None` where ISO 4217 gives none (`N.A.`).
    pub minor_unit: Option<u8>,
    /// `true` when every entity that used the code has withdrawn it.
    pub withdrawn: bool,
}

impl Currency {
    /// In use today (not withdrawn): the only currencies a declaration may be invoiced in.
    pub fn is_current(&self) -> bool {
        !self.withdrawn
    }
}

/// A customs office of the administration.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Office {
    pub code: String,
    pub name: String,
    /// `inland`, `border`, `airport`, `rail`.
    pub kind: String,
    /// For a border post, the neighbouring country (ISO alpha-2).
    pub neighbour: Option<String>,
    pub latitude: f64,
    pub longitude: f64,
}

/// A procedure code (requested + previous procedure) and the declaration types it may be
/// declared in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Procedure {
    pub code: String,
    pub types: Vec<DeclarationType>,
    pub description: String,
}

impl Procedure {
    pub fn allows(&self, kind: DeclarationType) -> bool {
        self.types.contains(&kind)
    }
}

/// A code with its description: the shape of the short lists (units, modes, Incoterms).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CodeEntry {
    pub code: String,
    pub description: String,
}

/// A unit of quantity (`p/st`, `kg`, …).
pub type Unit = CodeEntry;
/// A UN/ECE Recommendation 19 mode of transport.
pub type TransportMode = CodeEntry;
/// An Incoterms 2020 rule.
pub type Incoterm = CodeEntry;
