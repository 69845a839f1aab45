//! A last check that no patient-identifying value ends up in an exported figure or table.
//!
//! Figures hold only what their caller passes, so the guard is a safety net, not a
//! de-identifier: it knows the values of the header fields `io::metadata` marks identifying
//! (names, IDs, dates, UIDs, free text, ...) in the metadata it is given, and refuses any text
//! that contains one. What it guarantees, and what it does not:
//!
//! - A value is found whatever its case and whatever punctuation or spacing separates its
//!   parts: `DOE^JOHN` is found in "Doe, John", `19700101` in "1970-01-01". The family, given
//!   and middle names of a person name (`^`-separated in DICOM) are also looked for on their
//!   own ("John Doe").
//! - Values are matched on whole words (runs of letters, runs of digits): `12345` is not
//!   found inside `0.123456`, nor `JOHN` inside "Johnson".
//! - All-digit values shorter than [`MIN_DIGITS`] (weights, heights, ages, very short IDs) and
//!   one-character values (sex) are not looked for: they would match ordinary numbers in
//!   tables of results. A date written in another order ("01/01/1970") is not found either.
//! - Nothing is looked for that the guard was not given: text identifying a patient whose
//!   metadata was not passed in passes.

use crate::io::Metadata;

/// Shortest all-digit value looked for.
pub const MIN_DIGITS: usize = 5;

/// The identifying values of some images' metadata, as the word sequences to refuse.
#[derive(Debug, Clone, Default)]
pub struct PhiGuard {
    protected: Vec<Protected>,
}

#[derive(Debug, Clone)]
struct Protected {
    /// The field's name, said in errors instead of its value.
    field: String,
    /// The value's words joined, lowercase, without separators.
    joined: String,
}

impl PhiGuard {
    /// Protects every identifying field of every given header.
    pub fn from_metadata<'a>(headers: impl IntoIterator<Item = &'a Metadata>) -> Self {
        let mut protected = Vec::new();
        for field in headers.into_iter().flat_map(|m| &m.fields).filter(|f| f.identifying) {
            let mut parts = vec![field.value.as_str()];
            if field.value.contains('^') {
                // A DICOM person name, family^given^middle^prefix^suffix: each name identifies
                // alone; prefixes and suffixes ("Mr", "Jr") do not, and "MR" is a modality.
                parts.extend(field.value.split('^').take(3));
            }
            for part in parts {
                let joined = words(part).concat();
                if worth_looking_for(&joined) && !protected.iter().any(|p: &Protected| p.joined == joined) {
                    protected.push(Protected { field: field.name.clone(), joined });
                }
            }
        }
        Self { protected }
    }

    /// Refuses `text` if it contains a protected value; `what` names the text in the error
    /// ("the title", "series 2"), which never repeats the value itself.
    pub fn check(&self, what: &str, text: &str) -> anyhow::Result<()> {
        let text_words = words(text);
        if let Some(hit) = self.protected.iter().find(|p| contains_joined(&text_words, &p.joined)) {
            anyhow::bail!(
                "{what} contains the patient's {}; exported figures and tables must not carry \
                 patient-identifying data",
                hit.field
            );
        }
        Ok(())
    }
}

/// Runs of letters and runs of digits, lowercase: the parts a value keeps whatever way it is
/// written.
fn words(text: &str) -> Vec<String> {
    let mut words: Vec<String> = Vec::new();
    let mut last_was_digit = None;
    for c in text.chars() {
        if !c.is_alphanumeric() {
            last_was_digit = None;
            continue;
        }
        let digit = c.is_numeric();
        if last_was_digit != Some(digit) {
            words.push(String::new());
        }
        last_was_digit = Some(digit);
        words.last_mut().expect("a word was just started").extend(c.to_lowercase());
    }
    words
}

fn worth_looking_for(joined: &str) -> bool {
    let all_digits = joined.chars().all(char::is_numeric);
    let length = joined.chars().count();
    length >= 2 && (!all_digits || length >= MIN_DIGITS)
}

/// Whether some consecutive words of the text, joined, are exactly `joined`.
fn contains_joined(text_words: &[String], joined: &str) -> bool {
    (0..text_words.len()).any(|start| {
        let mut rest = joined;
        for word in &text_words[start..] {
            match rest.strip_prefix(word.as_str()) {
                Some("") => return true,
                Some(shorter) => rest = shorter,
                None => return false,
            }
        }
        false
    })
}
