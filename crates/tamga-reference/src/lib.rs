//! The administration's code lists, shipped as data files inside the binary.
//!
//! Owns the HS 2022 nomenclature, ISO 3166-1 countries, ISO 4217 currencies, the customs
//! offices, procedure codes, units of quantity, transport modes and Incoterms, loaded from
//! the CSV files of `data/` (provenance in `data/README.md`) by
//! [`ReferenceData::embedded`]. Validation reads them through [`tamga_types::CodeLists`];
//! the store copies them into its tables on first start; the demo simulator draws from them.
//!
//! Invariants: no I/O (the files are compiled in); loading never panics and checks each
//! row against the code forms of `tamga-types`; lookups are hash lookups, since they sit
//! on the hot path of lodging declarations.

mod error;
mod lists;
mod load;

use std::collections::HashMap;

use tamga_types::{CodeLists, DeclarationType};

pub use error::ReferenceError;
pub use lists::{
    CodeEntry, Country, Currency, HsEntry, HsLevel, HsSection, Incoterm, Office, Procedure,
    TransportMode, Unit,
};

/// Every code list, loaded once and read-only afterwards (share it behind an `Arc`).
#[derive(Debug, Clone)]
pub struct ReferenceData {
    hs: Indexed<HsEntry>,
    hs_sections: Vec<HsSection>,
    countries: Indexed<Country>,
    currencies: Indexed<Currency>,
    offices: Indexed<Office>,
    procedures: Indexed<Procedure>,
    units: Indexed<Unit>,
    transport_modes: Indexed<TransportMode>,
    incoterms: Indexed<Incoterm>,
}

/// A list in file order with a hash index by code.
#[derive(Debug, Clone)]
struct Indexed<T> {
    entries: Vec<T>,
    by_code: HashMap<String, usize>,
}

impl<T> Indexed<T> {
    fn new(entries: Vec<T>, code: impl Fn(&T) -> &str) -> Self {
        let by_code = entries
            .iter()
            .enumerate()
            .map(|(i, e)| (code(e).to_owned(), i))
            .collect();
        Indexed { entries, by_code }
    }

    fn get(&self, code: &str) -> Option<&T> {
        self.by_code.get(code).and_then(|&i| self.entries.get(i))
    }
}

macro_rules! embedded {
    ($file:literal) => {
        ($file, include_str!(concat!("../data/", $file)))
    };
}

impl ReferenceData {
    /// Loads the data files compiled into the crate.
    pub fn embedded() -> Result<Self, ReferenceError> {
        let (file, text) = embedded!("hs2022.csv");
        let hs = load::hs(file, text)?;
        let (file, text) = embedded!("hs2022-sections.csv");
        let hs_sections = load::hs_sections(file, text)?;
        let (file, text) = embedded!("country-codes.csv");
        let countries = load::countries(file, text)?;
        let (file, text) = embedded!("currency-codes.csv");
        let currencies = load::currencies(file, text)?;
        let (file, text) = embedded!("offices.csv");
        let offices = load::offices(file, text)?;
        let (file, text) = embedded!("procedures.csv");
        let procedures = load::procedures(file, text)?;
        let (file, text) = embedded!("units.csv");
        let units = load::code_entries(file, text)?;
        let (file, text) = embedded!("transport-modes.csv");
        let transport_modes = load::code_entries(file, text)?;
        let (file, text) = embedded!("incoterms.csv");
        let incoterms = load::code_entries(file, text)?;
        Ok(ReferenceData {
            hs: Indexed::new(hs, |e| &e.code),
            hs_sections,
            countries: Indexed::new(countries, |c| &c.alpha2),
            currencies: Indexed::new(currencies, |c| &c.code),
            offices: Indexed::new(offices, |o| &o.code),
            procedures: Indexed::new(procedures, |p| &p.code),
            units: Indexed::new(units, |u| &u.code),
            transport_modes: Indexed::new(transport_modes, |m| &m.code),
            incoterms: Indexed::new(incoterms, |i| &i.code),
        })
    }

    /// Every HS entry (chapters, headings, subheadings) in nomenclature order.
    pub fn hs_entries(&self) -> &[HsEntry] {
        &self.hs.entries
    }

    /// The chapter, heading or subheading with this 2-, 4- or 6-digit code.
    pub fn hs_entry(&self, code: &str) -> Option<&HsEntry> {
        self.hs.get(code)
    }

    pub fn hs_description(&self, code: &str) -> Option<&str> {
        self.hs_entry(code).map(|e| e.description.as_str())
    }

    /// HS entries of one level, in nomenclature order.
    pub fn hs_level(&self, level: HsLevel) -> impl Iterator<Item = &HsEntry> {
        self.hs.entries.iter().filter(move |e| e.level == level)
    }

    pub fn hs_chapters(&self) -> impl Iterator<Item = &HsEntry> {
        self.hs_level(HsLevel::Chapter)
    }

    pub fn hs_headings(&self) -> impl Iterator<Item = &HsEntry> {
        self.hs_level(HsLevel::Heading)
    }

    pub fn hs_subheadings(&self) -> impl Iterator<Item = &HsEntry> {
        self.hs_level(HsLevel::Subheading)
    }

    /// The 21 HS sections (`I` … `XXI`).
    pub fn hs_sections(&self) -> &[HsSection] {
        &self.hs_sections
    }

    pub fn countries(&self) -> &[Country] {
        &self.countries.entries
    }

    /// The country with this ISO 3166-1 alpha-2 code.
    pub fn country(&self, alpha2: &str) -> Option<&Country> {
        self.countries.get(alpha2)
    }

    /// One entry per ISO 4217 code, current and withdrawn, sorted by code.
    pub fn currencies(&self) -> &[Currency] {
        &self.currencies.entries
    }

    pub fn currency(&self, code: &str) -> Option<&Currency> {
        self.currencies.get(code)
    }

    pub fn offices(&self) -> &[Office] {
        &self.offices.entries
    }

    pub fn office(&self, code: &str) -> Option<&Office> {
        self.offices.get(code)
    }

    pub fn procedures(&self) -> &[Procedure] {
        &self.procedures.entries
    }

    pub fn procedure(&self, code: &str) -> Option<&Procedure> {
        self.procedures.get(code)
    }

    pub fn units(&self) -> &[Unit] {
        &self.units.entries
    }

    pub fn transport_modes(&self) -> &[TransportMode] {
        &self.transport_modes.entries
    }

    pub fn incoterms(&self) -> &[Incoterm] {
        &self.incoterms.entries
    }
}

impl CodeLists for ReferenceData {
    /// A subheading of goods: one filed under one of the 21 HS sections. UN Comtrade's
    /// `999999` ("commodities not specified according to kind", section `TOTAL`) is a
    /// statistical line, not goods, and chapters 77 (reserved) and 98 have no subheading
    /// at all, so none of them can be declared.
    fn is_hs_subheading(&self, six: &str) -> bool {
        self.hs.get(six).is_some_and(|e| {
            e.level == HsLevel::Subheading
                && self.hs_sections.iter().any(|s| s.numeral == e.section)
        })
    }

    fn is_country(&self, code: &str) -> bool {
        self.countries.by_code.contains_key(code)
    }

    fn is_currency(&self, code: &str) -> bool {
        self.currencies.get(code).is_some_and(Currency::is_current)
    }

    fn is_office(&self, code: &str) -> bool {
        self.offices.by_code.contains_key(code)
    }

    fn procedure_types(&self, code: &str) -> Option<&[DeclarationType]> {
        self.procedures.get(code).map(|p| p.types.as_slice())
    }

    fn is_unit(&self, code: &str) -> bool {
        self.units.by_code.contains_key(code)
    }

    fn is_transport_mode(&self, code: &str) -> bool {
        self.transport_modes.by_code.contains_key(code)
    }

    fn is_incoterm(&self, code: &str) -> bool {
        self.incoterms.by_code.contains_key(code)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::LazyLock;

    static DATA: LazyLock<ReferenceData> =
        LazyLock::new(|| ReferenceData::embedded().expect("embedded reference data loads"));

    #[test]
    fn the_nomenclature_has_97_chapters_1229_headings_and_5613_subheadings() {
        assert_eq!(DATA.hs_chapters().count(), 97);
        assert_eq!(DATA.hs_headings().count(), 1_229);
        assert_eq!(DATA.hs_subheadings().count(), 5_613);
        assert_eq!(DATA.hs_entries().len(), 97 + 1_229 + 5_613);
        assert_eq!(DATA.hs_sections().len(), 21);
        // Goods are declared; statistical and reserved lines are not (issue 13).
        assert!(DATA.is_hs_subheading("851713"));
        for not_goods in ["999999", "770000", "980000", "990000"] {
            assert!(!DATA.is_hs_subheading(not_goods), "{not_goods}");
        }
    }

    #[test]
    fn an_hs_entry_knows_its_description_parent_and_section() {
        let e = DATA.hs_entry("851713").unwrap();
        assert_eq!(e.level, HsLevel::Subheading);
        assert_eq!(e.parent.as_deref(), Some("8517"));
        assert_eq!(e.section, "XVI");
        assert_eq!(DATA.hs_entry("01").unwrap().parent, None);
        assert_eq!(
            DATA.hs_description("0101"),
            Some("Horses, asses, mules and hinnies; live")
        );
        assert_eq!(DATA.hs_sections()[0].numeral, "I");
    }

    #[test]
    fn only_six_digit_entries_are_subheadings() {
        assert!(DATA.is_hs_subheading("851713"));
        assert!(!DATA.is_hs_subheading("8517"));
        assert!(!DATA.is_hs_subheading("851799_"));
        assert!(!DATA.is_hs_subheading("TOTAL"));
    }

    #[test]
    fn every_iso_country_is_listed_with_its_names_and_flags() {
        assert!(DATA.countries().len() >= 249);
        let kg = DATA.country("KG").unwrap();
        assert_eq!(kg.alpha3, "KGZ");
        assert_eq!(kg.numeric, "417");
        assert_eq!(kg.name_en, "Kyrgyzstan");
        assert_eq!(kg.name_ru.as_deref(), Some("Кыргызстан"));
        assert!(kg.lldc && !kg.ldc);
        assert_eq!(kg.region.as_deref(), Some("Asia"));
        assert_eq!(DATA.country("AF").unwrap().numeric, "004");
        assert!(DATA.country("AF").unwrap().ldc);
        assert!(DATA.is_country("CN") && DATA.is_country("NA") && !DATA.is_country("XX"));
    }

    #[test]
    fn som_and_dollar_are_current_currencies() {
        assert!(DATA.is_currency("KGS"));
        assert!(DATA.is_currency("USD"));
        assert_eq!(DATA.currency("KGS").unwrap().minor_unit, Some(2));
    }

    #[test]
    fn a_withdrawn_currency_is_not_current() {
        for code in ["SUR", "DEM"] {
            assert!(DATA.currency(code).unwrap().withdrawn, "{code}");
            assert!(!DATA.is_currency(code), "{code}");
        }
    }

    #[test]
    fn a_currency_used_anywhere_today_is_current() {
        // EUR replaced many currencies and was withdrawn by no one; it appears on many rows.
        assert!(DATA.is_currency("EUR"));
        let codes: Vec<&str> = DATA.currencies().iter().map(|c| c.code.as_str()).collect();
        assert!(
            codes.windows(2).all(|w| w[0] < w[1]),
            "one entry per code, sorted"
        );
    }

    #[test]
    fn the_fifteen_offices_are_listed_with_coordinates() {
        assert_eq!(DATA.offices().len(), 15);
        let torugart = DATA.office("41702").unwrap();
        assert_eq!(torugart.kind, "border");
        assert_eq!(torugart.neighbour.as_deref(), Some("CN"));
        assert!((torugart.latitude - 40.5561).abs() < 1e-9);
        assert!(DATA.is_office("41701") && !DATA.is_office("41799"));
    }

    #[test]
    fn border_posts_face_known_countries() {
        for o in DATA.offices().iter().filter(|o| o.kind == "border") {
            let neighbour = o.neighbour.as_deref().unwrap_or_default();
            assert!(DATA.is_country(neighbour), "{}", o.code);
        }
    }

    #[test]
    fn procedure_4000_is_for_imports_only() {
        assert_eq!(
            DATA.procedure_types("4000"),
            Some(&[DeclarationType::IM][..])
        );
        assert!(!DATA.procedure("4000").unwrap().allows(DeclarationType::EX));
        assert!(DATA.procedure("1000").unwrap().allows(DeclarationType::EX));
        assert!(DATA.procedure("8000").unwrap().allows(DeclarationType::TR));
        assert_eq!(DATA.procedure_types("9999"), None);
    }

    #[test]
    fn units_modes_and_incoterms_are_known() {
        assert!(DATA.is_unit("p/st") && DATA.is_unit("kg") && DATA.is_unit("l alc. 100%"));
        assert!(!DATA.is_unit("dozen"));
        assert!(DATA.is_transport_mode("3") && !DATA.is_transport_mode("6"));
        assert_eq!(DATA.incoterms().len(), 11);
        assert!(DATA.is_incoterm("FOB") && DATA.is_incoterm("DPU") && !DATA.is_incoterm("DAT"));
    }

    #[test]
    fn the_contract_example_validates_against_the_embedded_lists() {
        let example = serde_json::json!({
          "type": "IM",
          "procedure": "4000",
          "office": "41701",
          "declarant": "01234567890123",
          "importer": "01234567890123",
          "exporter": {"name": "Shenzhen Example Co", "country": "CN"},
          "dispatch_country": "CN",
          "transport": {"mode": "3", "id": "01KG123ABC", "border_office": "41702"},
          "invoice": {"currency": "USD", "incoterm": "FOB", "freight": "500.00", "insurance": "20.00"},
          "items": [
            {"hs_code": "8517130000", "description": "Smartphones", "origin": "CN",
             "quantity": "100", "unit": "p/st", "net_mass_kg": "20.5", "gross_mass_kg": "25",
             "value": "15000.00", "preference": "100"}
          ],
          "documents": [{"code": "N380", "ref": "INV-2026-001"}]
        });
        let result = tamga_types::validate_declaration(&example, &*DATA);
        assert!(result.is_ok(), "{:?}", result.err());
    }

    #[test]
    fn a_malformed_file_is_an_error_not_a_panic() {
        let err = load::offices(
            "offices.csv",
            "code,name,kind,neighbour,latitude,longitude\nX1,A,inland,,1,2\n",
        )
        .unwrap_err();
        assert!(err.to_string().starts_with("offices.csv, line 2"), "{err}");
        let err = load::procedures("procedures.csv", "code,type,description\n4000,XX,Nothing\n")
            .unwrap_err();
        assert!(
            matches!(err, ReferenceError::Invalid { line: 2, .. }),
            "{err}"
        );
        assert!(load::code_entries("units.csv", "code\nkg\n").is_err());
    }
}
