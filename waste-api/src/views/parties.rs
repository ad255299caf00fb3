//! Organisations, users and contracts as answered.

use crate::app::Actor;
use crate::app::parties::licence_codes;
use crate::store::contracts::ContractRow;
use crate::store::organizations::{LicenceRow, OrgRow};
use crate::store::text_list;
use crate::store::users::UserRow;
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
    /// The newest licence version recorded.
    pub license: Option<License>,
    #[schema(format = DateTime)]
    pub created_at: String,
    pub contact: Option<String>,
    /// Every licence version, oldest first (on a single organisation's answers only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub licenses: Option<Vec<LicenseVersion>>,
}

/// One version of a licence: a renewal adds one and keeps the others.
#[derive(Debug, Serialize, ToSchema)]
pub struct LicenseVersion {
    pub id: String,
    pub number: String,
    pub waste_codes: Vec<String>,
    /// YYYY-MM-DD; null: since the organisation's registration.
    pub valid_from: Option<String>,
    /// YYYY-MM-DD
    pub valid_until: String,
    /// The recording user's id (`registration` for a licence recorded before versions were kept).
    pub recorded_by: String,
    pub recorded_at: String,
}

pub fn licence_version(l: LicenceRow) -> LicenseVersion {
    LicenseVersion {
        waste_codes: text_list(&l.waste_codes),
        id: l.id,
        number: l.number,
        valid_from: l.valid_from,
        valid_until: l.valid_until,
        recorded_by: l.recorded_by,
        recorded_at: l.recorded_at,
    }
}

/// An organisation with its licence versions.
pub fn organization_with(r: OrgRow, licences: Vec<LicenceRow>) -> Organization {
    Organization {
        licenses: Some(licences.into_iter().map(licence_version).collect()),
        ..organization(r)
    }
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
        contact: r.contact,
        licenses: None,
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
    /// Whether it counts for a manifest's submission: both parties confirmed it, or an administrator recorded
    /// it (and it has not been ended).
    pub confirmed: bool,
    pub confirmed_at: Option<String>,
    /// Unconfirmed: the party whose safety officer confirms it (`POST /api/v1/contracts/{id}/confirm`).
    pub awaiting_confirmation_by: Option<String>,
    /// Ended early: it no longer counts from this day (YYYY-MM-DD).
    pub ended_on: Option<String>,
    pub created_at: String,
}

pub fn contract(r: ContractRow) -> Contract {
    let awaiting = match (&r.confirmed_at, &r.recorded_for) {
        (None, Some(p)) if *p == r.shipper_id => Some(r.disposal_firm_id.clone()),
        (None, Some(_)) => Some(r.shipper_id.clone()),
        _ => None,
    };
    Contract {
        waste_codes: text_list(&r.waste_codes),
        confirmed: r.confirmed_at.is_some(),
        awaiting_confirmation_by: awaiting,
        id: r.id,
        shipper_id: r.shipper_id,
        disposal_firm_id: r.disposal_firm_id,
        valid_from: r.valid_from,
        valid_until: r.valid_until,
        confirmed_at: r.confirmed_at,
        ended_on: r.ended_on,
        created_at: r.created_at,
    }
}

/// A user as their organisation's administrators see them (never a token or a password).
#[derive(Debug, Serialize, ToSchema)]
pub struct User {
    pub id: String,
    pub organization_id: String,
    pub name: String,
    pub roles: Vec<String>,
    /// YYYY-MM-DD
    pub trained_until: Option<String>,
    /// Who recorded the training date (a user id), and when.
    pub trained_until_set_by: Option<String>,
    pub trained_until_set_at: Option<String>,
    /// A deactivated user's token and sessions no longer work.
    pub active: bool,
    /// Whether the user has chosen a sign-in name for the web interface.
    pub signs_in_on_the_web: bool,
    pub created_at: String,
}

pub fn user(r: UserRow) -> User {
    User {
        roles: r
            .roles
            .split(',')
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect(),
        signs_in_on_the_web: r.login.is_some(),
        id: r.id,
        organization_id: r.organization_id,
        name: r.name,
        trained_until: r.trained_until,
        trained_until_set_by: r.trained_until_set_by,
        trained_until_set_at: r.trained_until_set_at,
        active: r.active,
        created_at: r.created_at,
    }
}

/// A new token: shown once, only its hash is stored; the previous token no longer works.
#[derive(Debug, Serialize, ToSchema)]
pub struct NewToken {
    pub id: String,
    pub token: String,
}
