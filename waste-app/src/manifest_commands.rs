//! The commands of the manifest use cases, parsed from what a form or a JSON body gives.

use super::{AppError, kg};
use crate::store;
use rust_decimal::Decimal;
use std::collections::{BTreeMap, BTreeSet};
use time::Date;
use waste_core::manifest::Action;

/// Draft a manifest for containers in the shipper's custody.
#[derive(Debug, Clone)]
pub struct Draft {
    pub receiver_id: String,
    pub carrier_id: String,
    pub container_ids: Vec<String>,
    /// Weights of containers not weighed at a pickup (Transfer Measures Art.10: the shipper weighs).
    pub weights_kg: BTreeMap<String, Decimal>,
}

impl Draft {
    pub fn parse(
        receiver_id: String,
        carrier_id: String,
        container_ids: Vec<String>,
        weights_kg: &BTreeMap<String, String>,
    ) -> Result<Self, AppError> {
        if container_ids.is_empty() || container_ids.len() > 500 {
            return Err(AppError::invalid(
                "container_ids",
                "list 1 to 500 containers",
            ));
        }
        if container_ids.iter().collect::<BTreeSet<_>>().len() != container_ids.len() {
            return Err(AppError::invalid(
                "container_ids",
                "a container is listed twice",
            ));
        }
        let weights_kg = weights_kg
            .iter()
            .map(|(k, v)| Ok((k.clone(), kg(&format!("weights_kg.{k}"), v)?)))
            .collect::<Result<_, AppError>>()?;
        Ok(Draft {
            receiver_id,
            carrier_id,
            container_ids,
            weights_kg,
        })
    }
}

/// One line of a receipt.
#[derive(Debug, Clone)]
pub struct Received {
    pub container_id: String,
    pub weight_kg: Decimal,
    pub accepted: bool,
    pub reason: Option<String>,
}

/// A step on a manifest, with what it carries.
#[derive(Debug, Clone)]
pub enum StepCommand {
    Submit,
    /// The containers actually loaded (Art.13), and the vehicle and its permit (Art.11).
    Dispatch {
        loaded: BTreeSet<String>,
        vehicle: waste_core::shipment::Vehicle,
    },
    /// Day of arrival (defaults to today) and one line per container (Art.18).
    Receive {
        delivered_on: Option<Date>,
        lines: Vec<Received>,
    },
    /// A disposal or utilisation method code such as D10 or R2.
    ConfirmDisposal {
        method: String,
    },
    Cancel,
}

impl StepCommand {
    pub fn action(&self) -> Action {
        match self {
            Self::Submit => Action::Submit,
            Self::Dispatch { .. } => Action::Dispatch,
            Self::Receive { .. } => Action::Receive,
            Self::ConfirmDisposal { .. } => Action::ConfirmDisposal,
            Self::Cancel => Action::Cancel,
        }
    }

    /// Receive lines as given: (container id, weight text, accepted, reason).
    pub fn receive(
        delivered_on: Option<&str>,
        lines: &[(String, String, bool, Option<String>)],
    ) -> Result<Self, AppError> {
        let delivered_on = delivered_on
            .map(|d| {
                store::parse_date(d)
                    .ok_or_else(|| AppError::invalid("delivered_on", "not a date (YYYY-MM-DD)"))
            })
            .transpose()?;
        let lines = lines
            .iter()
            .enumerate()
            .map(|(i, (id, w, accepted, reason))| {
                Ok(Received {
                    container_id: id.clone(),
                    weight_kg: kg(&format!("lines[{i}].received_weight_kg"), w)?,
                    accepted: *accepted,
                    reason: reason.clone(),
                })
            })
            .collect::<Result<_, AppError>>()?;
        Ok(Self::Receive {
            delivered_on,
            lines,
        })
    }

    /// Dispatch of the `loaded` containers on the vehicle `plate` under transport permit `permit_no` (both
    /// optional, checked loosely by the core).
    pub fn dispatch(
        loaded: BTreeSet<String>,
        plate: Option<&str>,
        permit_no: Option<&str>,
    ) -> Result<Self, AppError> {
        Ok(Self::Dispatch {
            loaded,
            vehicle: waste_core::shipment::Vehicle::parse(plate, permit_no)?,
        })
    }

    pub fn confirm_disposal(method: &str) -> Result<Self, AppError> {
        let m = method.trim();
        let ok = (2..=4).contains(&m.len())
            && m.as_bytes()[0].is_ascii_uppercase()
            && m[1..].bytes().all(|b| b.is_ascii_digit());
        if !ok {
            return Err(AppError::invalid(
                "method",
                "a disposal or utilisation method code such as D10 or R2",
            ));
        }
        Ok(Self::ConfirmDisposal {
            method: m.to_owned(),
        })
    }
}
