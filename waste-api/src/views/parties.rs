//! Organisations, users and contracts as answered.

use crate::app::Actor;
use crate::app::parties::licence_codes;
use crate::store::contracts::ContractRow;
use crate::store::organizations::OrgRow;
use crate::store::text_list;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct License {
    pub number: String,
    pub waste_codes: Vec<String>,
    /// YYYY-MM-DD
    pub valid_until: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Organization {
    pub id: String,
    pub kind: String,
    pub name: String,
    pub credit_code: Option<String>,
    pub region_code: String,
    pub license: Option<License>,
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
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Me {
    pub id: String,
    pub name: String,
    pub organization_id: String,
    pub organization_kind: String,
    pub roles: Vec<String>,
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
    pub valid_from: String,
    pub valid_until: String,
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
