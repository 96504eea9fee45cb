//! The simulated administration's geography: its customs offices (embedded from the
//! demo's `offices.csv`), partner-country weights, routes from a dispatch country to a
//! border post, currencies and exchange rates to USD.

/// Office kind, as in `offices.csv`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum OfficeKind {
    Inland,
    Border,
    Airport,
    Rail,
}

/// The offices of the demo administration (`/work/shared/data/offices.csv`).
pub(crate) static OFFICES: &[(&str, &str, OfficeKind)] = &[
    (
        "41700",
        "Central Customs Office Bishkek",
        OfficeKind::Inland,
    ),
    ("41701", "Bishkek Customs Post", OfficeKind::Inland),
    ("41702", "Torugart Border Post", OfficeKind::Border),
    ("41703", "Irkeshtam Border Post", OfficeKind::Border),
    ("41704", "Ak-Jol Border Post", OfficeKind::Border),
    ("41705", "Ak-Tilek Border Post", OfficeKind::Border),
    ("41706", "Dostuk Border Post", OfficeKind::Border),
    ("41707", "Manas International Airport", OfficeKind::Airport),
    ("41708", "Osh Customs Post", OfficeKind::Inland),
    ("41709", "Osh International Airport", OfficeKind::Airport),
    ("41710", "Karakol Customs Post", OfficeKind::Inland),
    ("41711", "Kara-Suu Border Post", OfficeKind::Border),
    ("41712", "Bishkek Railway Station", OfficeKind::Rail),
    ("41713", "Dordoi Customs Post", OfficeKind::Inland),
    ("41714", "Kyzyl-Kiya Customs Post", OfficeKind::Inland),
];

pub(crate) fn office_kind(code: &str) -> Option<OfficeKind> {
    OFFICES
        .iter()
        .find(|(c, _, _)| *c == code)
        .map(|(_, _, k)| *k)
}

/// Home offices of traders and brokers, weighted (Bishkek and Dordoi dominate).
pub(crate) static HOME_OFFICES: &[(&str, f64)] = &[
    ("41701", 40.0),
    ("41713", 20.0),
    ("41708", 20.0),
    ("41710", 5.0),
    ("41714", 5.0),
    ("41702", 1.5),
    ("41703", 1.5),
    ("41704", 2.0),
    ("41705", 1.5),
    ("41706", 1.5),
    ("41711", 2.0),
];

/// Offices on the southern (Osh) side of the mountains.
pub(crate) fn is_south(office: &str) -> bool {
    matches!(
        office,
        "41703" | "41706" | "41708" | "41709" | "41711" | "41714"
    )
}

/// Origin (partner) countries of imports, weighted like Kyrgyz imports (percent).
pub(crate) static IMPORT_PARTNERS: &[(&str, f64)] = &[
    ("CN", 35.0),
    ("RU", 25.0),
    ("KZ", 12.0),
    ("TR", 6.0),
    ("UZ", 5.0),
    ("DE", 3.0),
    ("US", 1.6),
    ("KR", 1.6),
    ("JP", 1.2),
    ("IN", 1.0),
    ("BY", 1.0),
    ("AE", 0.8),
    ("IT", 0.6),
    ("PL", 0.5),
    ("FR", 0.4),
    ("VN", 0.4),
    ("IR", 0.4),
    ("GB", 0.3),
    ("TJ", 0.3),
    ("UA", 0.3),
    ("BD", 0.3),
    ("PK", 0.3),
    ("CZ", 0.2),
    ("GE", 0.2),
    ("AM", 0.2),
    ("ES", 0.2),
    ("CH", 0.2),
    ("HU", 0.2),
    ("BR", 0.2),
    ("MD", 0.1),
    ("EG", 0.1),
];

/// Destinations of exports, weighted.
pub(crate) static EXPORT_DESTINATIONS: &[(&str, f64)] = &[
    ("RU", 26.0),
    ("KZ", 26.0),
    ("UZ", 14.0),
    ("CN", 9.0),
    ("TR", 7.0),
    ("TJ", 5.0),
    ("CH", 5.0),
    ("GB", 4.0),
    ("AE", 4.0),
];

/// A transit route: dispatch, destination, entry posts, exit posts, weight.
pub(crate) type TransitRoute = (
    &'static str,
    &'static str,
    &'static [&'static str],
    &'static [&'static str],
    f64,
);

/// Transit routes across the country.
pub(crate) static TRANSIT_ROUTES: &[TransitRoute] = &[
    ("CN", "UZ", &["41702", "41703"], &["41706", "41711"], 35.0),
    ("CN", "TJ", &["41703"], &["41706", "41711"], 12.0),
    ("CN", "KZ", &["41702", "41703"], &["41704", "41705"], 15.0),
    ("KZ", "UZ", &["41704", "41705"], &["41706", "41711"], 12.0),
    ("RU", "UZ", &["41704", "41705"], &["41706", "41711"], 10.0),
    ("RU", "TJ", &["41704", "41705"], &["41706", "41711"], 8.0),
    ("TR", "KZ", &["41706", "41711"], &["41704", "41705"], 4.0),
    ("UZ", "KZ", &["41706", "41711"], &["41704", "41705"], 4.0),
];

/// Eurasian Economic Union members (besides the administration itself).
pub(crate) fn is_eaeu(country: &str) -> bool {
    matches!(country, "RU" | "KZ" | "BY" | "AM")
}

/// CIS free-trade partners outside the EAEU.
pub(crate) fn is_cis_fta(country: &str) -> bool {
    matches!(country, "UZ" | "TJ" | "MD")
}

/// Developing countries eligible for the general preference.
pub(crate) fn is_developing(country: &str) -> bool {
    matches!(
        country,
        "IN" | "VN" | "PK" | "BD" | "IR" | "EG" | "BR" | "GE" | "UA"
    )
}

pub(crate) fn is_eu(country: &str) -> bool {
    matches!(
        country,
        "DE" | "IT" | "PL" | "FR" | "CZ" | "ES" | "HU" | "NL" | "AT"
    )
}

/// Currencies an invoice from `seller` country is made out in, weighted.
pub(crate) fn currencies(seller: &str) -> &'static [(&'static str, f64)] {
    match seller {
        "CN" => &[("USD", 70.0), ("CNY", 30.0)],
        "RU" | "BY" => &[("RUB", 55.0), ("USD", 35.0), ("EUR", 10.0)],
        "KZ" => &[("USD", 45.0), ("KZT", 35.0), ("RUB", 20.0)],
        "UZ" | "TJ" => &[("USD", 80.0), ("RUB", 20.0)],
        "TR" => &[("USD", 70.0), ("EUR", 30.0)],
        c if is_eu(c) => &[("EUR", 70.0), ("USD", 30.0)],
        "CH" | "GB" => &[("USD", 80.0), ("EUR", 20.0)],
        _ => &[("USD", 92.0), ("EUR", 8.0)],
    }
}

/// Units of `currency` per US dollar (fixed demo rates).
pub(crate) fn per_usd(currency: &str) -> f64 {
    match currency {
        "CNY" => 7.2,
        "RUB" => 90.0,
        "EUR" => 0.92,
        "KZT" => 500.0,
        _ => 1.0,
    }
}

/// Airline designator and IATA air-waybill prefix flying from a country.
pub(crate) fn airlines(country: &str) -> &'static [(&'static str, &'static str)] {
    match country {
        "CN" => &[("CZ", "784"), ("HU", "880")],
        "RU" | "BY" => &[("SU", "555"), ("S7", "421")],
        "KZ" => &[("KC", "465")],
        "TR" => &[("TK", "235")],
        "AE" => &[("FZ", "141"), ("EK", "176")],
        "KR" => &[("KE", "180"), ("TK", "235")],
        "UZ" | "TJ" => &[("HY", "250")],
        "IN" => &[("AI", "098"), ("FZ", "141")],
        _ => &[("TK", "235"), ("KC", "465"), ("FZ", "141")],
    }
}
