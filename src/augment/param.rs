//! What an augmentation's parameters are and which values they accept. The studio builds one
//! control per `Param`; `Pipeline::problems`, which a run's validation calls, checks loaded
//! presets against the same ranges.
use crate::range::Range;

/// One parameter of an op, borrowed mutably so a control can edit it in place.
pub enum Param<'a> {
    /// The chance that a sample is augmented at all, in [0, 1].
    Probability(&'a mut f64),
    /// A real value within `range`: what an op accepts, and for a method's setting the control
    /// span of its declared `range::Range`, which validation checks instead.
    Number {
        name: &'static str,
        value: &'a mut f64,
        range: (f64, f64),
    },
    /// A `(low, high)` interval within `range`, values drawn from it per sample.
    Interval {
        name: &'static str,
        value: &'a mut (f64, f64),
        range: (f64, f64),
    },
    /// An integer within `range`.
    Integer {
        name: &'static str,
        value: &'a mut i64,
        range: (i64, i64),
    },
    /// An `(low, high)` integer interval within `range`.
    IntInterval {
        name: &'static str,
        value: &'a mut (i64, i64),
        range: (i64, i64),
    },
    Toggle {
        name: &'static str,
        value: &'a mut bool,
    },
    /// One of a fixed set of options (a serialised enum).
    Choice {
        name: &'static str,
        value: &'a mut dyn Choice,
    },
}

/// An enum parameter, shown as a drop-down.
pub trait Choice {
    fn options(&self) -> &'static [&'static str];
    fn selected(&self) -> usize;
    fn select(&mut self, index: usize);
}

/// Implements `Choice` for a fieldless enum, listing its variants with their labels.
#[macro_export]
macro_rules! choice {
    ($ty:ty { $($variant:ident => $label:literal),+ $(,)? }) => {
        impl $crate::augment::Choice for $ty {
            fn options(&self) -> &'static [&'static str] {
                &[$($label),+]
            }
            fn selected(&self) -> usize {
                [$(<$ty>::$variant),+].iter().position(|v| v == self).unwrap_or(0)
            }
            fn select(&mut self, index: usize) {
                if let Some(v) = [$(<$ty>::$variant),+].get(index) {
                    *self = *v;
                }
            }
        }
    };
}

impl Param<'_> {
    pub fn name(&self) -> &'static str {
        match self {
            Param::Probability(_) => "p",
            Param::Number { name, .. }
            | Param::Interval { name, .. }
            | Param::Integer { name, .. }
            | Param::IntInterval { name, .. }
            | Param::Toggle { name, .. }
            | Param::Choice { name, .. } => name,
        }
    }

    /// Why the current value is outside what the op accepts, if it is.
    pub fn problem(&self) -> Option<String> {
        let name = self.name();
        let checked = match self {
            Param::Probability(p) => Range::closed(0.0, 1.0).check(name, **p),
            Param::Number { value, range, .. } => Range::closed(range.0, range.1).check(name, **value),
            Param::Interval { value, range, .. } => {
                Range::closed(range.0, range.1).check_interval(name, **value)
            }
            Param::Integer { value, range, .. } => Range::closed(range.0, range.1).check(name, **value),
            Param::IntInterval { value, range, .. } => {
                Range::closed(range.0, range.1).check_interval(name, **value)
            }
            Param::Toggle { .. } | Param::Choice { .. } => Ok(()),
        };
        checked.err().map(|e| e.to_string())
    }
}
