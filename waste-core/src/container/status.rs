//! Where a container is in its custody chain, and the steps that move it.

use serde::{Deserialize, Serialize};

/// Where a container is in its custody chain. The string forms are stored and answered by the API.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = ContainerStatus))]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Taking additions in the lab.
    Open,
    /// Closed; waiting for a pickup or a manifest.
    Sealed,
    /// At the transfer station after a pickup.
    PickedUp,
    /// On a dispatched manifest, with the carrier.
    InTransit,
    /// Accepted by the disposal firm.
    Received,
    /// Disposal confirmed by the firm.
    Disposed,
    /// Rejected by the receiver: back in the shipper's custody.
    Returned,
}

/// A step that changes a container's status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Step {
    AddWaste,
    Seal,
    /// A transfer station collects it from the school.
    PickUp,
    /// Put on a manifest draft by its holder (nothing changes until dispatch).
    Ship,
    /// The carrier leaves with it on a manifest.
    Dispatch,
    /// The receiver accepts it.
    Accept,
    /// The receiver rejects it; custody goes back to the shipper.
    Reject,
    /// The receiver confirms its disposal.
    Dispose,
    /// A rejected container goes back to the school it came from: the station that shipped it hands it back (or
    /// the school that shipped it itself takes it back into its stock), sealed, to be repacked or asked for again.
    HandBack,
}

/// A step the container's status does not allow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error, Serialize)]
#[error("a {status} container cannot take the step '{step:?}'")]
pub struct StepRefused {
    pub status: Status,
    pub step: Step,
}

impl Status {
    pub const ALL: [Status; 7] = [
        Self::Open,
        Self::Sealed,
        Self::PickedUp,
        Self::InTransit,
        Self::Received,
        Self::Disposed,
        Self::Returned,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Sealed => "sealed",
            Self::PickedUp => "picked_up",
            Self::InTransit => "in_transit",
            Self::Received => "received",
            Self::Disposed => "disposed",
            Self::Returned => "returned",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|x| x.as_str() == s)
    }

    /// Still held where it was filled (the school or the station that holds it): it counts towards the
    /// holder's quantity on hand and runs a storage clock.
    pub fn on_hand(self) -> bool {
        match self {
            Self::Open | Self::Sealed | Self::Returned | Self::PickedUp => true,
            Self::InTransit | Self::Received | Self::Disposed => false,
        }
    }

    /// The custody chain: open → sealed → (picked up) → in transit → received → disposed, or returned when the
    /// receiver rejects it (HW Transfer Measures Art.12, Art.18). Additions only while open; a container is
    /// shipped only once sealed (GB 18597-2023 6.1: stored in closed containers). A returned container is in the
    /// shipper's custody (Art.18); the shipper hands it back to its school (the station collects as the school's
    /// collector, Art.31), where it is sealed again, still closed (GB 18597-2023 6.1): it may be asked for and
    /// picked up again, and is never reopened for additions (one container, one waste code, HJ 1276-2022).
    pub fn after(self, step: Step) -> Result<Status, StepRefused> {
        let refused = Err(StepRefused { status: self, step });
        match (self, step) {
            (Self::Open, Step::AddWaste) => Ok(Self::Open),
            (Self::Open, Step::Seal) => Ok(Self::Sealed),
            (Self::Sealed, Step::PickUp) => Ok(Self::PickedUp),
            (Self::Sealed | Self::PickedUp, Step::Ship) => Ok(self),
            (Self::Sealed | Self::PickedUp, Step::Dispatch) => Ok(Self::InTransit),
            (Self::InTransit, Step::Accept) => Ok(Self::Received),
            (Self::InTransit, Step::Reject) => Ok(Self::Returned),
            (Self::Received, Step::Dispose) => Ok(Self::Disposed),
            (Self::Returned, Step::HandBack) => Ok(Self::Sealed),
            (
                Self::Open
                | Self::Sealed
                | Self::PickedUp
                | Self::InTransit
                | Self::Received
                | Self::Disposed
                | Self::Returned,
                _,
            ) => refused,
        }
    }
}

impl std::fmt::Display for Status {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// HW Transfer Measures Art.18 and Art.31: a rejected container is the shipper's, handed back to its school
    /// sealed, and may then be picked up again; nothing else hands a container back, and it takes no additions.
    #[test]
    fn transfer_measures_art_18_a_returned_container_goes_back_sealed_and_may_be_picked_up_again() {
        let back = Status::Returned.after(Step::HandBack);
        assert_eq!(back, Ok(Status::Sealed));
        assert_eq!(Status::Sealed.after(Step::PickUp), Ok(Status::PickedUp));
        assert!(Status::Sealed.after(Step::AddWaste).is_err());
        for s in Status::ALL {
            if s != Status::Returned {
                assert!(s.after(Step::HandBack).is_err(), "{s}");
            }
        }
        assert!(Status::Returned.after(Step::PickUp).is_err());
    }
}
