//! The OpenAPI 3 document, generated from the handlers' annotations.

use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::routes;

#[derive(OpenApi)]
#[openapi(
    info(title = "Tamga e-customs API", description = "Electronic declarations, risk management, duties and taxes. See CONTRACT.md."),
    paths(
        routes::health::health,
        routes::health::me,
        routes::declarations::lodge,
        routes::declarations::list,
        routes::declarations::get,
        routes::declarations::amend,
        routes::declarations::invalidate,
        routes::declarations::release,
        routes::declarations::history,
        routes::audit::verify,
        routes::auth::lockouts,
        routes::auth::unlock,
        routes::risk::create,
        routes::risk::update,
        routes::risk::retire,
        routes::risk::list,
        routes::risk::get,
        routes::risk::stats,
        routes::risk::feedback,
        routes::risk::backtest,
        routes::risk::settings,
        routes::risk::put_settings,
        routes::risk::trader,
        routes::risk::put_trader_status,
        routes::controls::list,
        routes::controls::get,
        routes::controls::result,
        routes::controls::cancel,
        routes::controls::change_channel,
        routes::controls::replay,
        routes::payments::notify,
        routes::payments::ledger,
        routes::payments::guarantee,
        routes::payments::refund,
        routes::payments::rates,
        routes::payments::post_rates,
        routes::payments::due,
        routes::claims::list,
        routes::claims::get,
        routes::claims::decide,
        routes::claims::of_declaration,
    ),
    modifiers(&BearerAuth),
    tags(
        (name = "declarations", description = "Goods declarations and their lifecycle"),
        (name = "audit", description = "The hash-chained event log"),
        (name = "risk", description = "Risk profiles, feedback, back-testing, trader categories"),
        (name = "controls", description = "Control tasks; the channel cannot be overridden"),
        (name = "payments", description = "Duties and taxes: payments, guarantees, refunds, exchange rates"),
        (name = "users", description = "Users and roles"),
        (name = "system", description = "Health")
    )
)]
pub struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

pub fn document() -> utoipa::openapi::OpenApi {
    ApiDoc::openapi()
}
