//! The goods declaration of CONTRACT.md, as stored and returned once validated.
//!
//! These types are only built by [`crate::validate_declaration`] (or deserialised from
//! the store, which only ever holds validated declarations). Amounts are exact decimals
//! serialised as strings; the scale the declarant wrote ("15000.00") is kept.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::codes::{CountryCode, CurrencyCode, HsCode, OfficeCode, PartyId};

// Decimal strings carry, for the OpenAPI document, the patterns the validator's form
// checks: a positive amount with at most 2 decimals, a non-negative one, a positive measure
// with at most 6 decimals; at most 28 characters keeps them within 28 significant digits.

/// `IM` import, `EX` export, `TR` transit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum DeclarationType {
    IM,
    EX,
    TR,
}

impl DeclarationType {
    pub fn as_str(self) -> &'static str {
        match self {
            DeclarationType::IM => "IM",
            DeclarationType::EX => "EX",
            DeclarationType::TR => "TR",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "IM" => Some(Self::IM),
            "EX" => Some(Self::EX),
            "TR" => Some(Self::TR),
            _ => None,
        }
    }
}

// No `deny_unknown_fields` here, although the validator refuses unknown fields: the stored
// declaration is flattened into larger answers. The request body schema says it instead
// (`DeclarationRequest` in tamga-server's OpenAPI document).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Declaration {
    #[serde(rename = "type")]
    pub kind: DeclarationType,
    /// Requested + previous procedure, e.g. `4000`.
    #[cfg_attr(feature = "openapi", schema(example = "4000", pattern = "^[0-9]{4}$"))]
    pub procedure: String,
    pub office: OfficeCode,
    pub declarant: PartyId,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub importer: Option<PartyId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exporter: Option<Exporter>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dispatch_country: Option<CountryCode>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub destination_country: Option<CountryCode>,
    pub transport: Transport,
    pub invoice: Invoice,
    #[cfg_attr(feature = "openapi", schema(min_items = 1, max_items = 999))]
    pub items: Vec<GoodsItem>,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_items = 99, required = false))]
    pub documents: Vec<Document>,
}

/// Every nested part refuses unknown fields, as the validator does.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Exporter {
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 256))]
    pub name: String,
    pub country: CountryCode,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Transport {
    /// UN/ECE Recommendation 19 mode of transport at the border (1 sea, 2 rail, 3 road, 4 air, 5 post, 7 pipeline).
    #[cfg_attr(feature = "openapi", schema(example = "3", min_length = 1))]
    pub mode: String,
    /// Identity of the means of transport (plate, flight, wagon).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 70))]
    pub id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub border_office: Option<OfficeCode>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Invoice {
    pub currency: CurrencyCode,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(example = "FOB", min_length = 1))]
    pub incoterm: Option<String>,
    /// Freight to the border in the invoice currency; added to items by value share.
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "500.00", pattern = "^[0-9]{1,26}(\\.[0-9]{1,2})?$", max_length = 28, required = false))]
    pub freight: Decimal,
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "20.00", pattern = "^[0-9]{1,26}(\\.[0-9]{1,2})?$", max_length = 28, required = false))]
    pub insurance: Decimal,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct GoodsItem {
    pub hs_code: HsCode,
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 512))]
    pub description: String,
    pub origin: CountryCode,
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "100", pattern = "^([0-9]*[1-9][0-9]*(\\.[0-9]{1,6})?|0+\\.[0-9]{0,5}[1-9])$", max_length = 28))]
    pub quantity: Decimal,
    /// Unit of the quantity (`p/st` pieces, `kg`, `l`, `m2`, `pa` pairs, …).
    #[cfg_attr(feature = "openapi", schema(example = "p/st", min_length = 1))]
    pub unit: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "20.5", pattern = "^([0-9]*[1-9][0-9]*(\\.[0-9]{1,6})?|0+\\.[0-9]{0,5}[1-9])$", max_length = 28))]
    pub net_mass_kg: Decimal,
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "25", pattern = "^([0-9]*[1-9][0-9]*(\\.[0-9]{1,6})?|0+\\.[0-9]{0,5}[1-9])$", max_length = 28))]
    pub gross_mass_kg: Decimal,
    /// Invoice value of the item in the invoice currency.
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "15000.00", pattern = "^([0-9]*[1-9][0-9]*(\\.[0-9]{1,2})?|0+\\.[0-9]?[1-9])$", max_length = 28))]
    pub value: Decimal,
    /// `100` MFN, `200` developing-country preference, `300` free-trade / customs-union preference.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(
        feature = "openapi",
        schema(example = "100", pattern = "^(100|200|300)$")
    )]
    pub preference: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Document {
    /// Document type code (WCO / EU codes such as `N380` commercial invoice, `N954` EUR.1, `C085` phytosanitary certificate).
    #[cfg_attr(
        feature = "openapi",
        schema(example = "N380", pattern = "^[A-Z0-9]{4}$")
    )]
    pub code: String,
    #[serde(rename = "ref")]
    #[cfg_attr(
        feature = "openapi",
        schema(example = "INV-2026-001", min_length = 1, max_length = 70)
    )]
    pub reference: String,
}

impl GoodsItem {
    /// `value / quantity` in the invoice currency, as in CONTRACT.md's `items.unit_value`.
    pub fn unit_value(&self) -> Option<Decimal> {
        self.value.checked_div(self.quantity)
    }
}

impl Declaration {
    pub fn has_document(&self, code: &str) -> bool {
        self.documents.iter().any(|d| d.code == code)
    }
    /// Sum of the items' invoice values.
    pub fn invoice_total(&self) -> Decimal {
        self.items.iter().map(|i| i.value).sum()
    }
}
