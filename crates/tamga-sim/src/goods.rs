//! Price, mass and quantity profiles of the goods the simulated economy trades: what a
//! Kyrgyz-like administration imports (machinery, vehicles, fuel, clothing, food, …) and
//! exports (gold, ores, coal, beans, dairy, clothing, …), the sectors traders specialise
//! in, and the plausible lower-duty headings a misclassifying declarant swaps to.
//!
//! Prices are typical world prices in USD per unit of the profile's unit; a profile covers
//! every HS 2022 subheading under its prefix that no longer prefix of the same table claims.

/// Unit of quantity of a goods line, as written in the declaration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Unit {
    Kg,
    Piece,
    Pair,
    Litre,
    Thousand,
    SquareMetre,
    CubicMetre,
}

impl Unit {
    pub fn code(self) -> &'static str {
        match self {
            Unit::Kg => "kg",
            Unit::Piece => "p/st",
            Unit::Pair => "pa",
            Unit::Litre => "l",
            Unit::Thousand => "1000 p/st",
            Unit::SquareMetre => "m2",
            Unit::CubicMetre => "m3",
        }
    }

    /// Whether quantities in this unit are whole numbers.
    pub fn is_count(self) -> bool {
        matches!(
            self,
            Unit::Piece | Unit::Pair | Unit::Thousand | Unit::Litre
        )
    }
}

/// Typical trade in the goods under one HS prefix.
#[derive(Debug)]
pub(crate) struct Profile {
    /// HS prefix: chapter, heading or subheading digits.
    pub prefix: &'static str,
    /// Relative share of goods lines.
    pub weight: f64,
    pub unit: Unit,
    /// USD per unit, low and high.
    pub price: (f64, f64),
    /// Net kg per unit (1 for `kg`).
    pub kg_per_unit: (f64, f64),
    /// Quantity of one goods line, low and high (drawn log-uniformly).
    pub qty: (f64, f64),
    /// Partner countries this trade favours (multipliers); others get [`OFF_AFFINITY`].
    pub affinity: &'static [(&'static str, f64)],
}

/// Weight multiplier of a partner absent from a non-empty affinity list.
pub(crate) const OFF_AFFINITY: f64 = 0.15;

impl Profile {
    pub fn chapter(&self) -> &'static str {
        &self.prefix[..2]
    }

    pub fn affinity(&self, country: &str) -> f64 {
        if self.affinity.is_empty() {
            return 1.0;
        }
        self.affinity
            .iter()
            .find(|(c, _)| *c == country)
            .map_or(OFF_AFFINITY, |(_, w)| *w)
    }
}

#[allow(clippy::too_many_arguments)]
const fn p(
    prefix: &'static str,
    weight: f64,
    unit: Unit,
    price: (f64, f64),
    kg_per_unit: (f64, f64),
    qty: (f64, f64),
    affinity: &'static [(&'static str, f64)],
) -> Profile {
    Profile {
        prefix,
        weight,
        unit,
        price,
        kg_per_unit,
        qty,
        affinity,
    }
}

use Unit::*;

const KG: (f64, f64) = (1.0, 1.0);
const FUEL: &[(&str, f64)] = &[("RU", 8.0), ("KZ", 4.0), ("BY", 1.0)];
const CARS: &[(&str, f64)] = &[
    ("KR", 5.0),
    ("JP", 5.0),
    ("US", 5.0),
    ("DE", 4.0),
    ("AE", 3.0),
    ("CN", 1.5),
    ("RU", 0.6),
    ("KZ", 0.6),
];
const APPAREL: &[(&str, f64)] = &[
    ("CN", 3.0),
    ("TR", 4.0),
    ("UZ", 2.5),
    ("BD", 3.0),
    ("VN", 2.0),
    ("IN", 1.0),
    ("IT", 1.0),
];
const GRAIN: &[(&str, f64)] = &[("KZ", 10.0), ("RU", 5.0)];
const EAEU_BULK: &[(&str, f64)] = &[("RU", 4.0), ("KZ", 4.0), ("BY", 2.0), ("UZ", 1.0)];
const STEEL: &[(&str, f64)] = &[
    ("RU", 3.0),
    ("KZ", 3.0),
    ("CN", 2.0),
    ("UA", 1.0),
    ("TR", 1.0),
];
const ASIAN_FACTORY: &[(&str, f64)] = &[
    ("CN", 3.0),
    ("KR", 2.0),
    ("JP", 1.5),
    ("TR", 1.5),
    ("DE", 1.5),
    ("RU", 1.0),
    ("VN", 1.0),
];
const PHARMA: &[(&str, f64)] = &[
    ("IN", 4.0),
    ("DE", 4.0),
    ("RU", 3.0),
    ("TR", 2.0),
    ("KR", 1.5),
    ("FR", 2.0),
    ("IT", 1.5),
    ("CH", 2.0),
    ("HU", 2.0),
    ("BY", 1.5),
];
const COSMETICS: &[(&str, f64)] = &[
    ("KR", 4.0),
    ("FR", 3.0),
    ("TR", 2.0),
    ("CN", 2.0),
    ("RU", 1.5),
    ("IT", 1.0),
    ("PL", 1.5),
];

/// What the administration imports (and what transits it), weighted like Kyrgyz imports.
pub(crate) static IMPORTS: &[Profile] = &[
    // 84 machinery and appliances
    p(
        "8414",
        1.2,
        Kg,
        (8.0, 20.0),
        KG,
        (200.0, 5000.0),
        ASIAN_FACTORY,
    ),
    p(
        "8415",
        1.0,
        Piece,
        (200.0, 700.0),
        (30.0, 60.0),
        (10.0, 300.0),
        &[("CN", 4.0), ("KR", 1.0), ("TR", 1.0)],
    ),
    p(
        "8418",
        1.2,
        Piece,
        (180.0, 700.0),
        (40.0, 90.0),
        (10.0, 200.0),
        &[
            ("CN", 2.0),
            ("TR", 2.0),
            ("KR", 2.0),
            ("RU", 1.5),
            ("BY", 2.0),
        ],
    ),
    p(
        "8421",
        0.8,
        Kg,
        (6.0, 25.0),
        KG,
        (100.0, 3000.0),
        ASIAN_FACTORY,
    ),
    p(
        "8429",
        1.0,
        Piece,
        (40000.0, 180000.0),
        (12000.0, 25000.0),
        (1.0, 3.0),
        &[
            ("CN", 4.0),
            ("JP", 2.0),
            ("KR", 2.0),
            ("US", 1.5),
            ("DE", 1.0),
        ],
    ),
    p(
        "8443",
        0.6,
        Piece,
        (100.0, 800.0),
        (5.0, 25.0),
        (5.0, 200.0),
        ASIAN_FACTORY,
    ),
    p(
        "8450",
        1.0,
        Piece,
        (150.0, 500.0),
        (50.0, 75.0),
        (10.0, 200.0),
        &[("CN", 2.0), ("TR", 2.0), ("KR", 2.0), ("RU", 1.0)],
    ),
    p(
        "8471",
        1.3,
        Piece,
        (250.0, 1200.0),
        (1.5, 4.0),
        (10.0, 500.0),
        &[("CN", 5.0), ("AE", 1.5), ("US", 1.0), ("KR", 1.0)],
    ),
    p(
        "8481",
        0.7,
        Kg,
        (8.0, 25.0),
        KG,
        (100.0, 3000.0),
        ASIAN_FACTORY,
    ),
    p(
        "8482",
        0.5,
        Kg,
        (5.0, 15.0),
        KG,
        (200.0, 5000.0),
        ASIAN_FACTORY,
    ),
    // 85 electrical equipment
    p(
        "851713",
        2.5,
        Piece,
        (60.0, 700.0),
        (0.18, 0.35),
        (50.0, 3000.0),
        &[
            ("CN", 6.0),
            ("AE", 3.0),
            ("VN", 2.0),
            ("KR", 1.0),
            ("IN", 1.0),
        ],
    ),
    p(
        "8516",
        1.3,
        Piece,
        (15.0, 150.0),
        (2.0, 15.0),
        (50.0, 2000.0),
        &[("CN", 5.0), ("TR", 1.5), ("RU", 1.0)],
    ),
    p(
        "8528",
        1.3,
        Piece,
        (90.0, 600.0),
        (6.0, 20.0),
        (20.0, 500.0),
        &[("CN", 5.0), ("KR", 2.0), ("RU", 1.0)],
    ),
    p(
        "8544",
        1.3,
        Kg,
        (4.0, 10.0),
        KG,
        (500.0, 10000.0),
        &[("CN", 4.0), ("RU", 2.0), ("TR", 1.0), ("KZ", 1.0)],
    ),
    p(
        "8536",
        0.9,
        Kg,
        (10.0, 30.0),
        KG,
        (100.0, 3000.0),
        ASIAN_FACTORY,
    ),
    p(
        "8539",
        0.6,
        Piece,
        (0.5, 5.0),
        (0.05, 0.2),
        (1000.0, 50000.0),
        &[("CN", 6.0)],
    ),
    p(
        "8504",
        0.9,
        Kg,
        (6.0, 20.0),
        KG,
        (100.0, 5000.0),
        ASIAN_FACTORY,
    ),
    p(
        "850710",
        0.8,
        Piece,
        (30.0, 250.0),
        (10.0, 40.0),
        (20.0, 500.0),
        &[("CN", 4.0), ("KR", 2.0), ("RU", 1.0), ("TR", 1.0)],
    ),
    // 87 vehicles
    p(
        "8703",
        5.0,
        Piece,
        (6000.0, 45000.0),
        (1100.0, 2200.0),
        (1.0, 8.0),
        CARS,
    ),
    p(
        "8704",
        1.5,
        Piece,
        (12000.0, 70000.0),
        (2500.0, 9000.0),
        (1.0, 4.0),
        &[
            ("CN", 3.0),
            ("RU", 2.0),
            ("KR", 2.0),
            ("DE", 1.5),
            ("JP", 1.0),
            ("BY", 1.5),
        ],
    ),
    p(
        "8708",
        2.5,
        Kg,
        (4.0, 20.0),
        KG,
        (100.0, 5000.0),
        &[
            ("CN", 3.0),
            ("KR", 2.0),
            ("JP", 2.0),
            ("DE", 2.0),
            ("RU", 1.5),
            ("TR", 1.0),
            ("AE", 1.0),
        ],
    ),
    p(
        "8711",
        0.5,
        Piece,
        (400.0, 3000.0),
        (100.0, 250.0),
        (5.0, 100.0),
        &[("CN", 5.0), ("JP", 1.0), ("IN", 1.0)],
    ),
    p(
        "8716",
        0.4,
        Piece,
        (5000.0, 30000.0),
        (3000.0, 8000.0),
        (1.0, 3.0),
        &[
            ("CN", 2.0),
            ("DE", 2.0),
            ("TR", 2.0),
            ("RU", 1.0),
            ("PL", 1.0),
        ],
    ),
    // 27 mineral fuels
    p(
        "271012",
        3.0,
        Litre,
        (0.5, 0.9),
        (0.72, 0.76),
        (10000.0, 60000.0),
        FUEL,
    ),
    p(
        "271019",
        3.0,
        Litre,
        (0.5, 0.95),
        (0.82, 0.86),
        (10000.0, 60000.0),
        FUEL,
    ),
    p("2711", 1.0, Kg, (0.3, 0.6), KG, (10000.0, 40000.0), FUEL),
    p(
        "2713",
        0.5,
        Kg,
        (0.3, 0.5),
        KG,
        (10000.0, 40000.0),
        &[("RU", 3.0), ("KZ", 3.0), ("IR", 2.0)],
    ),
    // 61-64 clothing, textiles, footwear
    p(
        "61",
        3.0,
        Piece,
        (1.5, 12.0),
        (0.15, 0.6),
        (500.0, 20000.0),
        APPAREL,
    ),
    p(
        "62",
        3.0,
        Piece,
        (3.0, 25.0),
        (0.3, 1.2),
        (300.0, 10000.0),
        APPAREL,
    ),
    p("63", 1.0, Kg, (2.0, 6.0), KG, (500.0, 10000.0), APPAREL),
    p(
        "6402",
        1.0,
        Pair,
        (3.0, 12.0),
        (0.4, 0.9),
        (500.0, 10000.0),
        APPAREL,
    ),
    p(
        "6403",
        1.0,
        Pair,
        (8.0, 45.0),
        (0.7, 1.4),
        (200.0, 5000.0),
        &[("CN", 3.0), ("TR", 3.0), ("IT", 1.5), ("VN", 2.0)],
    ),
    p(
        "6404",
        1.0,
        Pair,
        (3.0, 15.0),
        (0.4, 0.9),
        (500.0, 10000.0),
        APPAREL,
    ),
    p(
        "5407",
        0.6,
        Kg,
        (3.0, 7.0),
        KG,
        (500.0, 8000.0),
        &[("CN", 5.0), ("TR", 2.0), ("KR", 1.0)],
    ),
    // 39 plastics
    p(
        "390",
        2.0,
        Kg,
        (1.0, 2.2),
        KG,
        (5000.0, 40000.0),
        &[
            ("RU", 3.0),
            ("KZ", 1.5),
            ("CN", 2.0),
            ("IR", 1.5),
            ("KR", 1.0),
            ("UZ", 1.5),
        ],
    ),
    p(
        "39",
        3.0,
        Kg,
        (2.0, 6.0),
        KG,
        (200.0, 8000.0),
        &[("CN", 4.0), ("RU", 2.0), ("TR", 2.0), ("KZ", 1.0)],
    ),
    // 72-73 iron and steel
    p("72", 2.5, Kg, (0.5, 1.0), KG, (10000.0, 60000.0), STEEL),
    p(
        "73",
        3.5,
        Kg,
        (1.2, 4.5),
        KG,
        (200.0, 15000.0),
        &[("CN", 4.0), ("RU", 2.0), ("TR", 1.5), ("KZ", 1.5)],
    ),
    // 94 furniture and lighting
    p(
        "9401",
        1.5,
        Piece,
        (15.0, 200.0),
        (5.0, 20.0),
        (50.0, 1000.0),
        &[
            ("CN", 5.0),
            ("TR", 2.0),
            ("RU", 1.0),
            ("BY", 1.0),
            ("IT", 0.5),
        ],
    ),
    p(
        "9403",
        1.5,
        Kg,
        (1.5, 5.0),
        KG,
        (200.0, 8000.0),
        &[
            ("CN", 5.0),
            ("TR", 2.0),
            ("RU", 1.0),
            ("BY", 1.0),
            ("IT", 0.5),
        ],
    ),
    p(
        "9405",
        1.0,
        Kg,
        (4.0, 15.0),
        KG,
        (100.0, 3000.0),
        &[("CN", 6.0), ("TR", 1.0)],
    ),
    // 22 beverages
    p(
        "2202",
        0.8,
        Litre,
        (0.3, 0.9),
        (1.0, 1.1),
        (5000.0, 30000.0),
        &[("KZ", 3.0), ("RU", 3.0), ("UZ", 1.0), ("TR", 1.0)],
    ),
    p(
        "2203",
        0.8,
        Litre,
        (0.6, 1.6),
        (1.0, 1.1),
        (5000.0, 25000.0),
        &[
            ("RU", 3.0),
            ("KZ", 2.0),
            ("DE", 1.5),
            ("CZ", 1.5),
            ("BY", 1.0),
        ],
    ),
    p(
        "2204",
        0.5,
        Litre,
        (2.0, 9.0),
        (1.2, 1.5),
        (500.0, 8000.0),
        &[
            ("GE", 4.0),
            ("IT", 3.0),
            ("FR", 2.0),
            ("MD", 2.0),
            ("ES", 1.5),
            ("RU", 1.0),
        ],
    ),
    p(
        "2208",
        0.9,
        Litre,
        (3.0, 20.0),
        (1.3, 1.6),
        (500.0, 10000.0),
        &[
            ("RU", 3.0),
            ("GB", 2.0),
            ("AM", 2.0),
            ("KZ", 1.0),
            ("FR", 1.0),
            ("DE", 0.5),
        ],
    ),
    // 24 tobacco
    p(
        "2402",
        1.5,
        Thousand,
        (8.0, 35.0),
        (1.0, 1.4),
        (500.0, 8000.0),
        &[
            ("RU", 3.0),
            ("KZ", 3.0),
            ("AE", 2.0),
            ("TR", 1.0),
            ("BY", 1.0),
        ],
    ),
    p(
        "2403",
        0.5,
        Kg,
        (5.0, 15.0),
        KG,
        (100.0, 2000.0),
        &[("RU", 2.0), ("AE", 2.0), ("KZ", 1.0), ("IN", 1.0)],
    ),
    // 30 pharmaceuticals
    p("3004", 3.0, Kg, (10.0, 80.0), KG, (50.0, 2000.0), PHARMA),
    p("3002", 0.5, Kg, (80.0, 800.0), KG, (5.0, 100.0), PHARMA),
    p("3005", 0.5, Kg, (3.0, 10.0), KG, (100.0, 3000.0), PHARMA),
    // 10-11 cereals and flour, 17 sugar
    p("1001", 1.5, Kg, (0.18, 0.32), KG, (20000.0, 65000.0), GRAIN),
    p("1101", 1.0, Kg, (0.25, 0.45), KG, (20000.0, 60000.0), GRAIN),
    p(
        "1006",
        0.5,
        Kg,
        (0.4, 0.9),
        KG,
        (5000.0, 40000.0),
        &[
            ("PK", 4.0),
            ("IN", 3.0),
            ("KZ", 2.0),
            ("UZ", 1.0),
            ("VN", 1.0),
        ],
    ),
    p(
        "1701",
        1.0,
        Kg,
        (0.4, 0.7),
        KG,
        (20000.0, 60000.0),
        &[("RU", 5.0), ("KZ", 3.0), ("BY", 2.0)],
    ),
    p(
        "1704",
        1.0,
        Kg,
        (1.5, 5.0),
        KG,
        (500.0, 10000.0),
        &[("CN", 2.0), ("TR", 2.0), ("RU", 2.0), ("KZ", 1.0)],
    ),
    // 33 cosmetics, 34 soap
    p("3304", 1.5, Kg, (5.0, 25.0), KG, (100.0, 3000.0), COSMETICS),
    p("3305", 1.0, Kg, (2.0, 6.0), KG, (200.0, 5000.0), COSMETICS),
    p(
        "3303",
        0.5,
        Kg,
        (15.0, 60.0),
        KG,
        (50.0, 1000.0),
        &[("FR", 4.0), ("AE", 3.0), ("IT", 1.5), ("TR", 1.0)],
    ),
    p(
        "3402",
        1.0,
        Kg,
        (1.0, 3.0),
        KG,
        (1000.0, 20000.0),
        &[("RU", 3.0), ("TR", 2.0), ("CN", 1.5), ("KZ", 1.5)],
    ),
    // 95 toys
    p(
        "95",
        2.0,
        Kg,
        (3.0, 10.0),
        KG,
        (200.0, 5000.0),
        &[("CN", 8.0)],
    ),
    // others
    p(
        "4011",
        1.5,
        Piece,
        (35.0, 220.0),
        (7.0, 14.0),
        (50.0, 1500.0),
        &[
            ("CN", 4.0),
            ("KR", 2.0),
            ("JP", 1.5),
            ("TR", 1.5),
            ("RU", 2.0),
            ("BY", 1.0),
        ],
    ),
    p(
        "4818",
        0.8,
        Kg,
        (1.0, 2.0),
        KG,
        (1000.0, 15000.0),
        &[("RU", 3.0), ("KZ", 2.0), ("CN", 1.0), ("TR", 1.0)],
    ),
    p(
        "6907",
        0.8,
        SquareMetre,
        (4.0, 15.0),
        (18.0, 22.0),
        (500.0, 3000.0),
        &[("CN", 3.0), ("TR", 2.0), ("IR", 2.0), ("ES", 1.0)],
    ),
    p(
        "7013",
        0.5,
        Kg,
        (1.5, 4.0),
        KG,
        (300.0, 6000.0),
        &[("CN", 3.0), ("TR", 2.0), ("RU", 1.0)],
    ),
    p(
        "7604",
        0.5,
        Kg,
        (2.5, 4.5),
        KG,
        (1000.0, 15000.0),
        &[("CN", 3.0), ("RU", 2.0), ("TR", 1.0)],
    ),
    p(
        "0207",
        0.8,
        Kg,
        (1.2, 2.5),
        KG,
        (5000.0, 22000.0),
        &[
            ("US", 3.0),
            ("BR", 3.0),
            ("RU", 2.0),
            ("BY", 1.5),
            ("KZ", 1.0),
        ],
    ),
    p(
        "0805",
        0.6,
        Kg,
        (0.5, 1.2),
        KG,
        (5000.0, 20000.0),
        &[("CN", 3.0), ("TR", 2.0), ("PK", 2.0), ("EG", 2.0)],
    ),
    p(
        "1512",
        0.8,
        Kg,
        (0.9, 1.5),
        KG,
        (5000.0, 20000.0),
        EAEU_BULK,
    ),
    p(
        "1905",
        0.6,
        Kg,
        (1.5, 4.0),
        KG,
        (1000.0, 10000.0),
        &[("RU", 3.0), ("KZ", 2.0), ("TR", 1.0), ("BY", 1.0)],
    ),
    p(
        "2106",
        0.6,
        Kg,
        (3.0, 10.0),
        KG,
        (200.0, 5000.0),
        &[("RU", 2.0), ("US", 1.0), ("DE", 1.0), ("CN", 1.0)],
    ),
    p(
        "3208",
        0.6,
        Kg,
        (2.0, 6.0),
        KG,
        (500.0, 10000.0),
        &[("RU", 2.0), ("TR", 2.0), ("CN", 1.0), ("DE", 1.0)],
    ),
    p(
        "2523",
        0.5,
        Kg,
        (0.05, 0.09),
        KG,
        (20000.0, 60000.0),
        &[("KZ", 4.0), ("UZ", 3.0), ("CN", 1.0), ("TJ", 1.0)],
    ),
    p(
        "4411",
        0.6,
        Kg,
        (0.4, 0.8),
        KG,
        (10000.0, 22000.0),
        &[("RU", 3.0), ("BY", 2.0), ("CN", 1.0), ("TR", 1.0)],
    ),
    p(
        "4407",
        0.5,
        CubicMetre,
        (150.0, 350.0),
        (500.0, 700.0),
        (20.0, 60.0),
        &[("RU", 10.0), ("BY", 1.0)],
    ),
    p(
        "9018",
        0.5,
        Kg,
        (30.0, 150.0),
        KG,
        (20.0, 1000.0),
        &[
            ("DE", 3.0),
            ("CN", 2.0),
            ("US", 2.0),
            ("KR", 1.5),
            ("JP", 1.0),
        ],
    ),
];

const TO_EAEU: &[(&str, f64)] = &[("RU", 4.0), ("KZ", 4.0), ("BY", 0.5)];
const TO_NEIGHBOURS: &[(&str, f64)] = &[("UZ", 5.0), ("TJ", 3.0), ("KZ", 3.0)];

/// What the administration exports.
pub(crate) static EXPORTS: &[Profile] = &[
    p(
        "7108",
        1.5,
        Kg,
        (55000.0, 70000.0),
        KG,
        (5.0, 60.0),
        &[("CH", 6.0), ("GB", 4.0), ("AE", 3.0)],
    ),
    p(
        "2616",
        1.5,
        Kg,
        (5.0, 30.0),
        KG,
        (20000.0, 60000.0),
        &[("CN", 6.0), ("KZ", 3.0)],
    ),
    p(
        "2603",
        1.0,
        Kg,
        (1.0, 2.5),
        KG,
        (20000.0, 60000.0),
        &[("CN", 6.0), ("KZ", 1.0)],
    ),
    p(
        "2701",
        1.5,
        Kg,
        (0.04, 0.09),
        KG,
        (30000.0, 65000.0),
        &[("UZ", 5.0), ("KZ", 3.0), ("TJ", 2.0)],
    ),
    p(
        "0713",
        1.5,
        Kg,
        (0.8, 1.3),
        KG,
        (10000.0, 25000.0),
        &[("TR", 6.0), ("RU", 2.0), ("AE", 1.0)],
    ),
    p("0806", 0.8, Kg, (1.0, 3.0), KG, (5000.0, 20000.0), TO_EAEU),
    p("0813", 0.8, Kg, (1.0, 3.0), KG, (5000.0, 20000.0), TO_EAEU),
    p(
        "0802",
        0.8,
        Kg,
        (3.0, 7.0),
        KG,
        (5000.0, 20000.0),
        &[("TR", 3.0), ("RU", 2.0), ("AE", 1.0), ("CN", 1.0)],
    ),
    p("0808", 0.8, Kg, (0.3, 0.6), KG, (10000.0, 20000.0), TO_EAEU),
    p("0402", 0.7, Kg, (1.5, 3.5), KG, (5000.0, 20000.0), TO_EAEU),
    p("0406", 0.7, Kg, (3.0, 6.0), KG, (2000.0, 15000.0), TO_EAEU),
    p(
        "61",
        2.0,
        Piece,
        (3.0, 12.0),
        (0.15, 0.6),
        (500.0, 15000.0),
        TO_EAEU,
    ),
    p(
        "62",
        2.0,
        Piece,
        (4.0, 20.0),
        (0.3, 1.2),
        (300.0, 10000.0),
        TO_EAEU,
    ),
    p(
        "2201",
        0.8,
        Litre,
        (0.2, 0.4),
        (1.0, 1.1),
        (10000.0, 30000.0),
        TO_EAEU,
    ),
    p(
        "5201",
        0.8,
        Kg,
        (1.5, 2.0),
        KG,
        (10000.0, 22000.0),
        &[("TR", 3.0), ("UZ", 2.0), ("RU", 2.0), ("CN", 1.0)],
    ),
    p(
        "7005",
        0.8,
        SquareMetre,
        (2.0, 5.0),
        (9.0, 11.0),
        (1000.0, 2500.0),
        TO_NEIGHBOURS,
    ),
    p(
        "2523",
        0.8,
        Kg,
        (0.05, 0.08),
        KG,
        (20000.0, 60000.0),
        TO_NEIGHBOURS,
    ),
    p(
        "7204",
        0.6,
        Kg,
        (0.2, 0.35),
        KG,
        (20000.0, 60000.0),
        &[("KZ", 4.0), ("UZ", 2.0), ("TR", 1.0)],
    ),
    p(
        "0204",
        0.5,
        Kg,
        (4.0, 7.0),
        KG,
        (3000.0, 15000.0),
        &[("KZ", 3.0), ("UZ", 3.0), ("RU", 1.0), ("AE", 1.0)],
    ),
    p(
        "8544",
        0.6,
        Kg,
        (4.0, 8.0),
        KG,
        (1000.0, 10000.0),
        &[("KZ", 3.0), ("RU", 3.0), ("UZ", 2.0)],
    ),
    p(
        "2401",
        0.4,
        Kg,
        (2.0, 4.0),
        KG,
        (5000.0, 20000.0),
        &[("RU", 3.0), ("CN", 1.0), ("TR", 1.0)],
    ),
];

/// A group of chapters a trader specialises in.
#[derive(Debug)]
pub(crate) struct Sector {
    pub name: &'static str,
    pub weight: f64,
    pub chapters: &'static [&'static str],
}

const fn s(name: &'static str, weight: f64, chapters: &'static [&'static str]) -> Sector {
    Sector {
        name,
        weight,
        chapters,
    }
}

pub(crate) static IMPORT_SECTORS: &[Sector] = &[
    s("Avto", 14.0, &["87", "40", "85"]),
    s("Electronics", 12.0, &["85", "84"]),
    s("Tehnika", 8.0, &["84", "85", "94"]),
    s("Textile", 14.0, &["61", "62", "63", "64", "54"]),
    s(
        "Stroy",
        12.0,
        &["72", "73", "39", "69", "25", "44", "76", "32"],
    ),
    s("Oil", 6.0, &["27"]),
    s(
        "Agro",
        10.0,
        &["10", "11", "17", "15", "19", "21", "02", "08"],
    ),
    s("Distribution", 5.0, &["22", "24", "17"]),
    s("Pharm", 6.0, &["30", "90", "33"]),
    s("Kosmetik", 6.0, &["33", "34", "48", "39"]),
    s("Household", 5.0, &["95", "39", "94", "70", "63"]),
    s("Mash", 5.0, &["84", "87", "73"]),
];

pub(crate) static EXPORT_SECTORS: &[Sector] = &[
    s("Gold", 3.0, &["71", "26"]),
    s("Agro", 6.0, &["07", "08", "04", "02", "52", "24"]),
    s("Textile", 5.0, &["61", "62", "52"]),
    s("Stroy", 3.0, &["70", "25", "72"]),
    s("Komur", 2.0, &["27"]),
    s("Suu", 1.0, &["22"]),
    s("Kabel", 1.0, &["85"]),
];

/// Curated misclassifications: (true prefix, declared subheading) — the declared code is
/// a plausible lower-duty neighbour in the same chapter.
pub(crate) static MISCLASSIFICATIONS: &[(&str, &str)] = &[
    ("8703", "870421"),
    ("851713", "851779"),
    ("8471", "847330"),
    ("8528", "852990"),
    ("6403", "640419"),
    ("6402", "640419"),
    ("2208", "220600"),
    ("2204", "220600"),
    ("2402", "240399"),
    ("3303", "330790"),
    ("3004", "300390"),
    ("8418", "841899"),
    ("8450", "845090"),
    ("8507", "850790"),
    ("4011", "401290"),
    ("1704", "170490"),
];
