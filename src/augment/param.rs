//! What an augmentation's parameters are and which values they accept. The studio builds one
//! control per `Param`; `Pipeline::validate` checks loaded presets against the same ranges.

/// One parameter of an op, borrowed mutably so a control can edit it in place.
pub enum Param<'a> {
    /// The chance that a sample is augmented at all, in [0, 1].
    Probability(&'a mut f64),
    /// A real value within `range`.
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
        let outside = |v: f64, (lo, hi): (f64, f64)| !(lo..=hi).contains(&v);
        match self {
            Param::Probability(p) if outside(**p, (0.0, 1.0)) => {
                Some(format!("{name} = {p} is not in [0, 1]"))
            }
            Param::Number { value, range, .. } if outside(**value, *range) => {
                Some(format!("{name} = {value} is not in [{}, {}]", range.0, range.1))
            }
            Param::Interval { value, range, .. }
                if outside(value.0, *range) || outside(value.1, *range) || value.0 > value.1 =>
            {
                Some(format!(
                    "{name} = ({}, {}) is not an interval within [{}, {}]",
                    value.0, value.1, range.0, range.1
                ))
            }
            Param::Integer { value, range, .. } if !(range.0..=range.1).contains(*value) => {
                Some(format!("{name} = {value} is not in [{}, {}]", range.0, range.1))
            }
            Param::IntInterval { value, range, .. }
                if !(range.0..=range.1).contains(&value.0)
                    || !(range.0..=range.1).contains(&value.1)
                    || value.0 > value.1 =>
            {
                Some(format!(
                    "{name} = ({}, {}) is not an interval within [{}, {}]",
                    value.0, value.1, range.0, range.1
                ))
            }
            _ => None,
        }
    }
}
