//! Pickup requests (school → transfer station) and the hand-over at collection: the request's state machine,
//! what authorises a station to take a school's containers, and the three weighings of a container.
//!
//! The station collects as the school's collector (收集单位, HW Transfer Measures, MEE Order No.23, Art.31), and no
//! hand-over may go to a party the holder did not choose (Solid Waste Law 2020 Art.80): a station takes a
//! school's containers only on a request of that school it scheduled, or on the school's confirmation of the
//! hand-over by a safety officer. Items badly packed, unlabelled or over the fill limit are refused at the
//! hand-over (Transfer Measures Art.13: do not load what does not match) and stay with the school.

mod area;
mod collection;
mod request;
mod weighing;

pub use area::{service_area, station_serves};
pub use collection::{Basis, CollectionRefusal, RequestFacts, authorize_collection, check_pin};
pub use request::{
    RequestAction, RequestRefusal, RequestState, Side, TRANSITIONS, Transition, transition,
};
pub use weighing::{Difference, WeighingRules, Weighings};
