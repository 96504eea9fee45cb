//! Plausible names and identifiers: Kyrgyz company and entrepreneur names, foreign
//! suppliers by country, tax ids (INN), vehicle plates, flights, document references.

use rand::{Rng, RngExt};

pub(crate) fn pick<'a, T, R: Rng + ?Sized>(rng: &mut R, items: &'a [T]) -> &'a T {
    &items[rng.random_range(0..items.len())]
}

/// Picks from `(item, weight)` pairs.
pub(crate) fn weighted<'a, T, R: Rng + ?Sized>(rng: &mut R, items: &'a [(T, f64)]) -> &'a T {
    &items[weighted_index(rng, items.iter().map(|(_, w)| *w))].0
}

/// Index drawn in proportion to the weights (at least one must be positive).
pub(crate) fn weighted_index<R: Rng + ?Sized>(
    rng: &mut R,
    weights: impl Iterator<Item = f64> + Clone,
) -> usize {
    let total: f64 = weights.clone().sum();
    let mut x = rng.random::<f64>() * total;
    let mut last = 0;
    for (i, w) in weights.enumerate() {
        if w <= 0.0 {
            continue;
        }
        last = i;
        if x < w {
            return i;
        }
        x -= w;
    }
    last
}

fn digits<R: Rng + ?Sized>(rng: &mut R, n: usize) -> String {
    (0..n)
        .map(|_| char::from(b'0' + rng.random_range(0..10u8)))
        .collect()
}

fn letters<R: Rng + ?Sized>(rng: &mut R, alphabet: &[u8], n: usize) -> String {
    (0..n).map(|_| char::from(*pick(rng, alphabet))).collect()
}

const LATIN: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ";
/// Letters shared by the Cyrillic and Latin alphabets, used on Russian plates.
const CYRILLIC_LATIN: &[u8] = b"ABEKMHOPCTYX";

/// A Kyrgyz INN: 14 digits. Legal entities start with `0`, individual entrepreneurs with
/// `1` (female) or `2` (male); then a date as DDMMYYYY (registration or birth) and five
/// serial digits.
pub(crate) fn inn<R: Rng + ?Sized>(rng: &mut R, legal_entity: bool) -> String {
    let first = if legal_entity {
        '0'
    } else if rng.random_bool(0.4) {
        '1'
    } else {
        '2'
    };
    let (y0, y1) = if legal_entity {
        (1994, 2024)
    } else {
        (1960, 2000)
    };
    let year = rng.random_range(y0..=y1);
    let month = rng.random_range(1..=12);
    let day = rng.random_range(1..=28);
    format!("{first}{day:02}{month:02}{year:04}{}", digits(rng, 5))
}

const KG_PREFIXES: &[&str] = &[
    "Ala-Too",
    "Ak-Sai",
    "Issyk-Kul",
    "Tenir",
    "Asia",
    "Silk Road",
    "Nur",
    "Altyn",
    "Dordoi",
    "Manas",
    "Tulpar",
    "Sary-Chelek",
    "Chui",
    "Talas",
    "Naryn",
    "Orion",
    "Elim",
    "Bereke",
    "Ilbirs",
    "Kut",
    "Bakyt",
    "Ordo",
    "Jibek Jolu",
    "Kench",
    "Aziya",
    "Temir",
    "Kyrgyz",
    "Tokmok",
    "Kara-Balta",
    "Jalal-Abad",
    "Ak-Bata",
    "Sapat",
    "Keremet",
    "Umut",
];
const KG_SUFFIXES: &[&str] = &["Import", "Trade", "Group", "Impex", "Service", "Company"];
const KG_SURNAMES_M: &[&str] = &[
    "Asanov",
    "Usenov",
    "Abdyldaev",
    "Toktogulov",
    "Mamatov",
    "Zhumabaev",
    "Sadykov",
    "Ismailov",
    "Kurmanbekov",
    "Bakirov",
    "Omurbekov",
    "Tashiev",
    "Osmonov",
    "Sultanov",
    "Duishenbiev",
    "Alymkulov",
    "Kadyrov",
    "Turdubaev",
    "Sydykov",
    "Mambetov",
    "Yusupov",
];
const INITIALS: &[u8] = b"ABDEGIKMNORSTUZ";

/// Name of a Kyrgyz legal entity trading in `sector`.
pub(crate) fn company<R: Rng + ?Sized>(rng: &mut R, sector: &str) -> String {
    let prefix = pick(rng, KG_PREFIXES);
    if rng.random_bool(0.5) {
        format!("{prefix} {sector} {} LLC", pick(rng, KG_SUFFIXES))
    } else {
        format!("{prefix} {sector} LLC")
    }
}

/// Name of an individual entrepreneur; `female` follows the INN's first digit.
pub(crate) fn entrepreneur<R: Rng + ?Sized>(rng: &mut R, female: bool) -> String {
    let surname = pick(rng, KG_SURNAMES_M);
    let surname = if female {
        format!("{surname}a")
    } else {
        (*surname).to_owned()
    };
    format!(
        "IE {surname} {}.{}.",
        char::from(*pick(rng, INITIALS)),
        char::from(*pick(rng, INITIALS))
    )
}

/// Name of a customs broker.
pub(crate) fn broker<R: Rng + ?Sized>(rng: &mut R) -> String {
    let prefix = pick(rng, KG_PREFIXES);
    let kind = pick(
        rng,
        &[
            "Customs Broker",
            "Broker Service",
            "Logistics & Customs",
            "Customs Consulting",
            "Declarant",
        ],
    );
    format!("{prefix} {kind} LLC")
}

/// Name of a foreign company in `country`.
pub(crate) fn supplier<R: Rng + ?Sized>(rng: &mut R, country: &str) -> String {
    match country {
        "CN" => {
            let city = pick(
                rng,
                &[
                    "Yiwu",
                    "Guangzhou",
                    "Shenzhen",
                    "Urumqi",
                    "Kashgar",
                    "Ningbo",
                    "Shanghai",
                    "Xiamen",
                    "Qingdao",
                    "Foshan",
                    "Hangzhou",
                    "Tianjin",
                    "Horgos",
                ],
            );
            let word = pick(
                rng,
                &[
                    "Huaxin",
                    "Jinlong",
                    "Tianyu",
                    "Hongda",
                    "Xinyuan",
                    "Zhongtai",
                    "Baoli",
                    "Ruifeng",
                    "Kaida",
                    "Shengli",
                    "Dongfang",
                    "Hengtong",
                    "Jiahe",
                    "Yongsheng",
                ],
            );
            let kind = pick(
                rng,
                &[
                    "Trading",
                    "Import & Export",
                    "Industrial",
                    "Technology",
                    "International Trade",
                ],
            );
            format!("{city} {word} {kind} Co., Ltd.")
        }
        "RU" | "BY" => {
            let word = pick(
                rng,
                &[
                    "Stroytorg",
                    "Sibir-Trade",
                    "Volga Logistic",
                    "Uraltorg",
                    "Avtodetal",
                    "Promsnab",
                    "Neftegaz-Servis",
                    "Agrokomplekt",
                    "Torgovy Dom Severny",
                    "Vostok",
                    "Altai",
                    "Belagroexport",
                    "Minsk Trade",
                ],
            );
            format!("{} \"{word}\"", pick(rng, &["OOO", "AO"]))
        }
        "UZ" | "TJ" => {
            let word = pick(
                rng,
                &[
                    "Fergana Tekstil",
                    "Samarkand Invest",
                    "Andijan Agro",
                    "Tashkent Savdo",
                    "Namangan Trade",
                    "Khujand Impex",
                    "Sughd Group",
                    "Bukhara Cotton",
                ],
            );
            format!("OOO \"{word}\"")
        }
        "KZ" => {
            let word = pick(
                rng,
                &[
                    "Almaty Trade",
                    "Kazakh Grain",
                    "Asia Auto",
                    "Shymkent Oil",
                    "Zhetysu Agro",
                    "Nur-Invest",
                    "Karagandy Metall",
                    "Taraz Impex",
                    "Astana Distribution",
                    "Khorgos Logistics",
                ],
            );
            format!("TOO \"{word}\"")
        }
        "TR" => {
            let word = pick(
                rng,
                &[
                    "Anadolu",
                    "Bosphorus",
                    "Istanbul",
                    "Ege",
                    "Kaya",
                    "Yildiz",
                    "Ozturk",
                    "Demir",
                    "Akdeniz",
                    "Marmara",
                ],
            );
            let kind = pick(
                rng,
                &[
                    "Dis Ticaret A.S.",
                    "Tekstil San. ve Tic. Ltd. Sti.",
                    "Gida A.S.",
                ],
            );
            format!("{word} {kind}")
        }
        _ => {
            let word = pick(
                rng,
                &[
                    "Atlas",
                    "Meridian",
                    "Continental",
                    "Pioneer",
                    "Summit",
                    "Northstar",
                    "Crown",
                    "Delta",
                    "Vega",
                    "Orbit",
                    "Harbor",
                    "Zenith",
                ],
            );
            let form = match country {
                "DE" | "AT" | "CH" => "GmbH",
                "US" => "Inc.",
                "KR" | "JP" | "VN" => "Co., Ltd.",
                "IN" | "PK" | "BD" => "Pvt. Ltd.",
                "AE" => "General Trading LLC",
                "IT" => "S.r.l.",
                "PL" => "Sp. z o.o.",
                "FR" => "SAS",
                "ES" => "S.L.",
                "CZ" => "s.r.o.",
                _ => "Ltd.",
            };
            format!("{word} {form}")
        }
    }
}

/// Registration plate of a truck from `country`.
pub(crate) fn plate<R: Rng + ?Sized>(rng: &mut R, country: &str) -> String {
    match country {
        "KZ" => format!(
            "{}{}{:02}",
            digits(rng, 3),
            letters(rng, LATIN, 3),
            rng.random_range(1..=18)
        ),
        "RU" | "BY" => format!(
            "{}{}{}{}",
            letters(rng, CYRILLIC_LATIN, 1),
            digits(rng, 3),
            letters(rng, CYRILLIC_LATIN, 2),
            pick(rng, &["77", "54", "196", "22", "55", "102", "174"])
        ),
        "UZ" => format!(
            "{:02}{}{}{}",
            rng.random_range(1..=95),
            letters(rng, LATIN, 1),
            digits(rng, 3),
            letters(rng, LATIN, 2)
        ),
        "TR" => format!(
            "{}{}{}",
            pick(rng, &["34", "06", "35", "16", "27"]),
            letters(rng, LATIN, 3),
            digits(rng, 3)
        ),
        _ => format!(
            "{:02}KG{}{}",
            rng.random_range(1..=9),
            digits(rng, 3),
            letters(rng, LATIN, 3)
        ),
    }
}

pub(crate) fn flight<R: Rng + ?Sized>(rng: &mut R, airline: &str) -> String {
    format!("{airline}{}", rng.random_range(100..=9999))
}

pub(crate) fn air_waybill<R: Rng + ?Sized>(rng: &mut R, prefix: &str) -> String {
    format!("{prefix}-{}", digits(rng, 8))
}

pub(crate) fn wagon<R: Rng + ?Sized>(rng: &mut R) -> String {
    format!("{}{}", pick(rng, &["5", "6", "7"]), digits(rng, 7))
}

/// UPU S10 item identifier of a postal parcel from `country`.
pub(crate) fn parcel<R: Rng + ?Sized>(rng: &mut R, country: &str) -> String {
    format!(
        "{}{}{country}",
        pick(rng, &["CP", "RB", "LP", "EA"]),
        digits(rng, 9)
    )
}

pub(crate) fn invoice_ref<R: Rng + ?Sized>(rng: &mut R, seller: &str) -> String {
    match seller {
        "CN" => format!("CI2026{}", digits(rng, 5)),
        "RU" | "KZ" | "BY" | "UZ" => format!("{}/26", rng.random_range(1..=9999)),
        _ => format!("INV-2026-{}", digits(rng, 5)),
    }
}

pub(crate) fn cmr<R: Rng + ?Sized>(rng: &mut R) -> String {
    format!("CMR{}", digits(rng, 7))
}

pub(crate) fn rail_waybill<R: Rng + ?Sized>(rng: &mut R) -> String {
    format!("SMGS{}", digits(rng, 8))
}

pub(crate) fn bill_of_lading<R: Rng + ?Sized>(rng: &mut R) -> String {
    format!(
        "{}{}",
        pick(rng, &["MSCU", "MAEU", "COSU", "HLCU", "ONEY"]),
        digits(rng, 7)
    )
}

pub(crate) fn origin_certificate<R: Rng + ?Sized>(rng: &mut R, country: &str) -> String {
    format!("{country}-2026-{}", digits(rng, 7))
}
