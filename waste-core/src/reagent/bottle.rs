//! A bottle's life on the shelf: received sealed, opened, issued to a person and returned (a controlled bottle
//! leaves the cabinet only so), used, counted at a stocktake, and in the end emptied or discarded. The steps each
//! state allows and what each does to the balance; who may take them, and whether a second person must confirm,
//! is the access table's and `ShelfRules::second_person`'s.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use time::Date;

/// The unit a bottle's amount is kept in: a mass for solids, a volume for liquids.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = ReagentUnit))]
pub enum AmountUnit {
    #[serde(rename = "g")]
    G,
    #[serde(rename = "kg")]
    Kg,
    #[serde(rename = "mL")]
    Ml,
    #[serde(rename = "L")]
    L,
}

impl AmountUnit {
    pub const ALL: [AmountUnit; 4] = [AmountUnit::G, AmountUnit::Kg, AmountUnit::Ml, AmountUnit::L];

    pub fn as_str(self) -> &'static str {
        match self {
            AmountUnit::G => "g",
            AmountUnit::Kg => "kg",
            AmountUnit::Ml => "mL",
            AmountUnit::L => "L",
        }
    }

    pub fn parse(s: &str) -> Option<AmountUnit> {
        AmountUnit::ALL
            .into_iter()
            .find(|u| u.as_str().eq_ignore_ascii_case(s.trim()))
    }

    /// A volume (the bottle holds a liquid).
    pub fn is_volume(self) -> bool {
        matches!(self, AmountUnit::Ml | AmountUnit::L)
    }

    /// `amount` of this unit in kilograms or litres, the units a waste container keeps.
    pub fn to_container_units(self, amount: Decimal) -> Decimal {
        match self {
            AmountUnit::G | AmountUnit::Ml => amount / Decimal::ONE_THOUSAND,
            AmountUnit::Kg | AmountUnit::L => amount,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = BottleStatus))]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Received, never opened.
    Sealed,
    /// Opened, in its cabinet.
    Open,
    /// Issued to a person, out of its cabinet until returned.
    Out,
    /// Used up; the empty bottle is packaging waste or cleaned.
    Empty,
    /// Discarded: its contents became a waste item.
    Discarded,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Sealed => "sealed",
            Status::Open => "open",
            Status::Out => "out",
            Status::Empty => "empty",
            Status::Discarded => "discarded",
        }
    }

    pub fn parse(s: &str) -> Option<Status> {
        [
            Status::Sealed,
            Status::Open,
            Status::Out,
            Status::Empty,
            Status::Discarded,
        ]
        .into_iter()
        .find(|x| x.as_str() == s)
    }

    /// On the shelf's books: counted at a stocktake, shown in the stock.
    pub fn on_hand(self) -> bool {
        matches!(self, Status::Sealed | Status::Open | Status::Out)
    }
}

/// A step of a bottle's life.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    Open {
        on: Date,
    },
    /// Out of the cabinet to a person, for a purpose.
    Issue,
    /// Back in the cabinet with what is left.
    Return {
        remaining: Decimal,
    },
    /// Some used in place (not for a controlled bottle: it is issued and returned).
    Use {
        amount: Decimal,
    },
    /// Weighed at a stocktake.
    Count {
        counted: Decimal,
    },
    Empty,
    Discard,
}

impl Step {
    pub fn name(&self) -> &'static str {
        match self {
            Step::Open { .. } => "open",
            Step::Issue => "issue",
            Step::Return { .. } => "return",
            Step::Use { .. } => "use",
            Step::Count { .. } => "count",
            Step::Empty => "empty",
            Step::Discard => "discard",
        }
    }
}

/// What a bottle is, as the steps read it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bottle {
    pub status: Status,
    /// What is left, in the bottle's unit.
    pub balance: Decimal,
    /// What it held when received.
    pub received: Decimal,
    pub controlled: bool,
    pub opened_on: Option<Date>,
}

/// After a step: the bottle's new status and balance, and how much the step took out (a use, an issue's use
/// found at return).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct After {
    pub status: Status,
    pub balance: Decimal,
    pub used: Decimal,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum BottleRefusal {
    #[error("the bottle is {status}: a {step} is not a step it can take now")]
    NotNow {
        step: &'static str,
        status: &'static str,
    },
    #[error(
        "an amount must be zero or more and at most what the bottle held: {amount} given, {balance} on the books"
    )]
    Amount { amount: Decimal, balance: Decimal },
    #[error(
        "a controlled chemical leaves its cabinet only by issue and return, each confirmed by a second person"
    )]
    ControlledUse,
}

impl BottleRefusal {
    pub fn code(&self) -> &'static str {
        match self {
            BottleRefusal::NotNow { .. } => "bottle_step_not_allowed",
            BottleRefusal::Amount { .. } => "bottle_amount",
            BottleRefusal::ControlledUse => "controlled_use_needs_issue",
        }
    }
}

impl Bottle {
    /// The bottle after `step`, or why it may not be taken.
    pub fn after(&self, step: &Step) -> Result<After, BottleRefusal> {
        use Status::*;
        let not_now = || BottleRefusal::NotNow {
            step: step.name(),
            status: self.status.as_str(),
        };
        let within = |amount: Decimal, of: Decimal| {
            if amount < Decimal::ZERO || amount > of {
                Err(BottleRefusal::Amount {
                    amount,
                    balance: of,
                })
            } else {
                Ok(amount)
            }
        };
        let keep = |status: Status, balance: Decimal, used: Decimal| After {
            status,
            balance,
            used,
        };
        match (self.status, step) {
            (Sealed, Step::Open { .. }) => Ok(keep(Open, self.balance, Decimal::ZERO)),
            (Sealed | Open, Step::Issue) => Ok(keep(Out, self.balance, Decimal::ZERO)),
            (Out, Step::Return { remaining }) => {
                let left = within(*remaining, self.balance)?;
                let status = if left.is_zero() { Empty } else { Open };
                Ok(keep(status, left, self.balance - left))
            }
            (Open, Step::Use { .. }) if self.controlled => Err(BottleRefusal::ControlledUse),
            (Open, Step::Use { amount }) => {
                let used = within(*amount, self.balance)?;
                if used.is_zero() {
                    return Err(BottleRefusal::Amount {
                        amount: used,
                        balance: self.balance,
                    });
                }
                let left = self.balance - used;
                let status = if left.is_zero() { Empty } else { Open };
                Ok(keep(status, left, used))
            }
            // A count may find more than the books say (a mis-recorded use), never more than was received.
            (Sealed | Open | Out, Step::Count { counted }) => {
                let counted = within(*counted, self.received)?;
                Ok(keep(self.status, counted, Decimal::ZERO))
            }
            (Open, Step::Empty) => Ok(keep(Empty, Decimal::ZERO, self.balance)),
            (Sealed | Open, Step::Discard) => Ok(keep(Discarded, Decimal::ZERO, Decimal::ZERO)),
            _ => Err(not_now()),
        }
    }
}
