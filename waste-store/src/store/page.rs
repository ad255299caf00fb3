//! The one keyset pagination of every list: `?limit=…&after=<cursor of the previous page's last item>`. Each
//! list orders by a unique key and filters `key > after`; this type carries the limit and the cursor and builds
//! the next cursor.

/// A page request, already bounded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Keyset {
    pub limit: i64,
    pub after: Option<String>,
}

/// A page of items and the cursor of the next page (None on the last page).
#[derive(Debug, Clone, PartialEq)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next_after: Option<String>,
}

impl Keyset {
    /// `limit` defaults to `default` and is clamped to 1..=`max`.
    pub fn new(limit: Option<u32>, after: Option<String>, default: u32, max: u32) -> Self {
        Keyset {
            limit: i64::from(limit.unwrap_or(default).clamp(1, max)),
            after,
        }
    }

    /// A page as a client asks for it: `limit` from 1 to `max` (`default` without one). A limit out of range is
    /// refused, as the API documents it, rather than silently changed.
    pub fn asked(
        limit: Option<u32>,
        after: Option<String>,
        default: u32,
        max: u32,
    ) -> Result<Self, crate::StoreError> {
        match limit {
            Some(l) if l < 1 || l > max => Err(crate::StoreError::invalid(
                "limit",
                format!("limit must be 1 to {max}, not {l}"),
            )),
            _ => Ok(Self::new(limit, after, default, max)),
        }
    }

    /// The page of `rows` (at most `limit`, in key order): `next_after` is the last row's key when the page is
    /// full.
    pub fn page<R>(&self, rows: Vec<R>, key: impl Fn(&R) -> String) -> Page<R> {
        let next_after = (rows.len() as i64 == self.limit)
            .then(|| rows.last().map(key))
            .flatten();
        Page {
            items: rows,
            next_after,
        }
    }
}

impl<T> Page<T> {
    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        Page {
            items: self.items.into_iter().map(f).collect(),
            next_after: self.next_after,
        }
    }

    pub fn try_map<U, E>(self, f: impl FnMut(T) -> Result<U, E>) -> Result<Page<U>, E> {
        Ok(Page {
            items: self.items.into_iter().map(f).collect::<Result<_, _>>()?,
            next_after: self.next_after,
        })
    }
}
