//! The values a setting accepts, declared once beside the setting: configuration checks refuse
//! anything outside with an error naming the field, the value and the range, and the GUI's
//! controls offer only values inside, so the two cannot disagree.
use std::fmt::{self, Display};
use std::ops::{Bound, RangeBounds, RangeInclusive};

/// A number a range can hold. Floats must also be finite: NaN compares false with every bound,
/// and infinity would pass every range left open above.
pub trait Value: Copy + PartialOrd + Display {
    fn is_finite(self) -> bool {
        true
    }
}

impl Value for f64 {
    fn is_finite(self) -> bool {
        f64::is_finite(self)
    }
}

impl Value for i64 {}
impl Value for usize {}

/// The accepted values of a setting, and the span its GUI control offers.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Range<T> {
    low: Bound<T>,
    high: Bound<T>,
    /// What a slider offers where the range itself is open or unbounded; inside the range.
    control: Option<(T, T)>,
}

impl<T: Value> Range<T> {
    /// `[low, high]`; a control offers all of it.
    pub const fn closed(low: T, high: T) -> Self {
        Self { low: Bound::Included(low), high: Bound::Included(high), control: None }
    }

    /// `[low, high)`.
    pub const fn half_open(low: T, high: T) -> Self {
        Self { low: Bound::Included(low), high: Bound::Excluded(high), control: None }
    }

    /// `(low, high]`.
    pub const fn above_up_to(low: T, high: T) -> Self {
        Self { low: Bound::Excluded(low), high: Bound::Included(high), control: None }
    }

    /// `low` or more.
    pub const fn at_least(low: T) -> Self {
        Self { low: Bound::Included(low), high: Bound::Unbounded, control: None }
    }

    /// More than `low`.
    pub const fn above(low: T) -> Self {
        Self { low: Bound::Excluded(low), high: Bound::Unbounded, control: None }
    }

    /// The same range, its control offering `[low, high]` (which must lie inside it).
    pub const fn control(self, low: T, high: T) -> Self {
        Self { control: Some((low, high)), ..self }
    }

    pub fn contains(&self, value: T) -> bool {
        value.is_finite() && (self.low, self.high).contains(&value)
    }

    /// The span a slider or drag value offers: the one given to `control`, else the closed
    /// range itself.
    ///
    /// # Panics
    /// If the range is open with no control span, or the span leaves the range: both mistakes
    /// in a declaration, which any test showing the control finds.
    pub fn control_span(&self) -> RangeInclusive<T> {
        let (low, high) = match (self.control, self.low, self.high) {
            (Some(span), _, _) => span,
            (None, Bound::Included(low), Bound::Included(high)) => (low, high),
            _ => panic!("the range {self} needs a control span"),
        };
        assert!(self.contains(low) && self.contains(high), "control span {low}..={high} leaves {self}");
        low..=high
    }

    /// `control_span` as the `(low, high)` pair an augmentation `Param` holds.
    pub fn control_pair(&self) -> (T, T) {
        self.control_span().into_inner()
    }

    /// Refuses a `value` outside the range, naming `field` (its path in the configuration).
    pub fn check(&self, field: &str, value: T) -> anyhow::Result<()> {
        match self.contains(value) {
            true => Ok(()),
            false => Err(out_of_range(field, value, self)),
        }
    }

    /// Refuses an interval `(low, high)` drawn from per sample unless both ends lie in the
    /// range and `low <= high`.
    pub fn check_interval(&self, field: &str, (low, high): (T, T)) -> anyhow::Result<()> {
        match self.contains(low) && self.contains(high) && low <= high {
            true => Ok(()),
            false => {
                Err(out_of_range(field, format!("({low}, {high})"), format!("low <= high, both {self}")))
            }
        }
    }
}

/// The one wording of every range error, e.g. "optim.lr = -0.1 is out of range: must be > 0".
pub fn out_of_range(field: &str, value: impl Display, must_be: impl Display) -> anyhow::Error {
    anyhow::anyhow!("{field} = {value} is out of range: must be {must_be}")
}

/// Written as the error ends it: "> 0", ">= 1", "in [0, 1)".
impl<T: Display> Display for Range<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use Bound::*;
        match (&self.low, &self.high) {
            (Unbounded, Unbounded) => write!(f, "any number"),
            (Included(l), Unbounded) => write!(f, ">= {l}"),
            (Excluded(l), Unbounded) => write!(f, "> {l}"),
            (Unbounded, Included(h)) => write!(f, "<= {h}"),
            (Unbounded, Excluded(h)) => write!(f, "< {h}"),
            (low, high) => {
                let (open, l) = match low {
                    Included(l) => ('[', l),
                    Excluded(l) => ('(', l),
                    Unbounded => unreachable!("matched above"),
                };
                let (close, h) = match high {
                    Included(h) => (']', h),
                    Excluded(h) => (')', h),
                    Unbounded => unreachable!("matched above"),
                };
                write!(f, "in {open}{l}, {h}{close}")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_name_field_value_and_range() {
        let e = Range::above(0.0).check("optim.lr", -0.1).unwrap_err();
        assert_eq!(e.to_string(), "optim.lr = -0.1 is out of range: must be > 0");
        let e = Range::closed(16i64, 1024).check("data.image_size", 100_000).unwrap_err();
        assert_eq!(e.to_string(), "data.image_size = 100000 is out of range: must be in [16, 1024]");
        let e = Range::closed(0.0, 1.0).check_interval("scale", (0.9, 0.2)).unwrap_err();
        assert_eq!(e.to_string(), "scale = (0.9, 0.2) is out of range: must be low <= high, both in [0, 1]");
    }

    #[test]
    fn bounds_and_non_finite_values() {
        assert!(Range::half_open(0.0, 1.0).contains(0.0) && !Range::half_open(0.0, 1.0).contains(1.0));
        assert!(!Range::above(0.0).contains(0.0) && !Range::above(0.0).contains(f64::INFINITY));
        assert!(!Range::at_least(0.0).contains(f64::NAN));
        assert!(Range::at_least(1usize).contains(usize::MAX));
    }

    #[test]
    fn control_spans_stay_inside_the_range() {
        assert_eq!(Range::above(0.0).control(0.01, 2.0).control_span(), 0.01..=2.0);
        assert_eq!(Range::closed(8i64, 16).control_span(), 8..=16);
        assert!(std::panic::catch_unwind(|| Range::above(0.0).control(0.0, 1.0).control_span()).is_err());
        assert!(std::panic::catch_unwind(|| Range::above(0.0).control_span()).is_err());
    }
}
