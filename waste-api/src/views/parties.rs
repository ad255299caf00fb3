//! Organisations, users and contracts as answered.

use crate::app::Actor;
use crate::app::parties::licence_codes;
use crate::store::contracts::ContractRow;
use crate::store::organizations::OrgRow;
use crate::store::text_list;
#[allow(unused_imports)]
use crate::views::WasteCode;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
#[allow(unused_imports)]
use waste_core::party::{OrgKind, Role};

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct License {
    #[schema(min_length = 1, max_length = 100, pattern = r"\S")]
    pub number: String,
    /// National Catalogue codes the licence covers.
    #[schema(value_type = Vec<WasteCode>, min_items = 1, max_items = 100)]
    pub waste_codes: Vec<String>,
    #[schema(format = Date)]
    pub valid_until: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Organization {
    pub id: String,
    #[schema(value_type = OrgKind)]
    pub kind: String,
    pub name: String,
    pub credit_code: Option<String>,
    pub region_code: String,
    pub license: Option<License>,
    #[schema(format = DateTime)]
    pub created_at: String,
}

pub fn organization(r: OrgRow) -> Organization {
    let codes = licence_codes(&r);
    let license = match (
        r.license_number,
        r.license_waste_codes,
        r.license_valid_until,
    ) {
        (Some(number), Some(_), Some(valid_until)) => Some(License {
            number,
            waste_codes: codes,
            valid_until,
        }),
        _ => None,
    };
    Organization {
        id: r.id,
        kind: r.kind,
        name: r.name,
        credit_code: r.credit_code,
        region_code: r.region_code,
        license,
        created_at: r.created_at,
    }
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct CreatedUser {
    pub id: String,
    /// Shown once; only its hash is stored.
    pub token: Option<String>,
    /// The one-time browser sign-in link (a path on this server) where the user chooses a sign-in name and a
    /// password; shown once, valid 7 days.
    pub signin_link: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Me {
    pub id: String,
    pub name: String,
    pub organization_id: String,
    #[schema(value_type = OrgKind)]
    pub organization_kind: String,
    #[schema(value_type = Vec<Role>)]
    pub roles: Vec<String>,
    #[schema(format = Date)]
    pub trained_until: Option<String>,
}

pub fn me(a: &Actor) -> Me {
    Me {
        id: a.id.clone(),
        name: a.name.clone(),
        organization_id: a.org_id.clone(),
        organization_kind: a.org_kind.as_str().into(),
        roles: a.roles.iter().map(|r| r.as_str().to_owned()).collect(),
        trained_until: a.trained_until.map(|d| d.to_string()),
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Contract {
    pub id: String,
    pub shipper_id: String,
    pub disposal_firm_id: String,
    #[schema(format = Date)]
    pub valid_from: String,
    #[schema(format = Date)]
    pub valid_until: String,
    #[schema(value_type = Vec<WasteCode>)]
    pub waste_codes: Vec<String>,
}

pub fn contract(r: ContractRow) -> Contract {
    Contract {
        waste_codes: text_list(&r.waste_codes),
        id: r.id,
        shipper_id: r.shipper_id,
        disposal_firm_id: r.disposal_firm_id,
        valid_from: r.valid_from,
        valid_until: r.valid_until,
    }
}
