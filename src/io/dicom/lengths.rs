//! A walk over a DICOM file's element headers before dicom-rs reads it. dicom-rs reserves and
//! zero-fills each element's declared length before reading the value, and so does its file
//! meta reader, so one flipped length field in a 1 kB file asks for gigabytes. The walk checks
//! every defined length against the bytes the file still holds (for a deflated data set, what
//! the rest could inflate to, within the memory ceiling) and refuses the file naming the element.
//!
//! It reads only headers and seeks over values. Where the bytes stop making sense as elements it
//! stops and lets dicom-rs give its own error: its only job is to refuse what would allocate.
use super::raw;
use crate::io::{memory_ceiling, DEFLATE_RATIO};
use dicom::core::dictionary::{DataDictionary, DataDictionaryEntry, VirtualVr};
use dicom::core::{Tag, VR};
use dicom::dictionary_std::{tags, uids, StandardDataDictionary};
use std::io::{BufReader, Read, Seek};
use std::path::Path;

/// How the data set after the file meta group is to be read, one per attempt of `open`.
#[derive(Debug, Clone, Copy)]
pub enum Syntax {
    /// The transfer syntax the meta group names.
    Declared,
    /// Implicit VR Little Endian whatever the meta group says (`raw::open_mislabelled`).
    Implicit,
    /// No meta group: the syntax the first element suggests (`raw::open_bare`).
    Guessed,
}

/// Sequences nested deeper than this are refused: no real object comes close, and both this
/// walk and dicom-rs's reader recurse once per level.
const MAX_DEPTH: usize = 32;

const ITEM: Tag = Tag(0xFFFE, 0xE000);
const ITEM_DELIMITER: Tag = Tag(0xFFFE, 0xE00D);
const SEQUENCE_DELIMITER: Tag = Tag(0xFFFE, 0xE0DD);

/// Refuses the file if an element declares more bytes than can follow it. With `header_only`
/// the walk ends at the pixel data, as the header read does.
pub fn check(path: &Path, syntax: Syntax, header_only: bool) -> anyhow::Result<()> {
    let file = std::fs::File::open(path)?;
    let size = file.metadata()?.len();
    let walk = Walk { source: Source::File(BufReader::new(file)), pos: 0, end: size, header_only };
    match walk.file(syntax) {
        Ok(()) | Err(Stop::Unreadable) => Ok(()),
        Err(Stop::Refused(why)) => Err(anyhow::anyhow!(why)),
    }
}

enum Stop {
    /// The bytes are not elements (or end early): dicom-rs will say what is wrong.
    Unreadable,
    /// A declared length the file cannot hold.
    Refused(String),
}

impl From<std::io::Error> for Stop {
    fn from(_: std::io::Error) -> Self {
        Stop::Unreadable
    }
}

enum Source {
    File(BufReader<std::fs::File>),
    Inflated(Box<flate2::read::DeflateDecoder<BufReader<std::fs::File>>>),
}

#[derive(Clone, Copy)]
struct Coding {
    explicit: bool,
    big_endian: bool,
}

const EXPLICIT_LE: Coding = Coding { explicit: true, big_endian: false };
const IMPLICIT_LE: Coding = Coding { explicit: false, big_endian: false };

/// Where a list of elements ends.
#[derive(Clone, Copy, PartialEq)]
enum End {
    /// At the end of the (possibly inflated) file.
    Eof,
    /// At this byte offset (a defined-length item).
    At(u64),
    /// At an item delimiter (an undefined-length item).
    ItemDelimiter,
}

struct Walk {
    source: Source,
    /// Bytes read so far (inflated bytes once the data set is deflated).
    pos: u64,
    /// The most bytes there can be: the file's size, or the inflation bound.
    end: u64,
    header_only: bool,
}

impl Walk {
    fn file(mut self, syntax: Syntax) -> Result<(), Stop> {
        let mut head = [0u8; 132];
        let got = self.read_up_to(&mut head)?;
        let meta_at = if got == 132 && &head[128..] == b"DICM" {
            Some(132)
        } else if got >= 4 && &head[..4] == b"DICM" {
            Some(4)
        } else {
            None
        };
        let coding = match (meta_at, syntax) {
            (None, Syntax::Guessed) => {
                let uid = raw::guess_transfer_syntax(&head[..got]).ok_or(Stop::Unreadable)?;
                self.rewind(0)?;
                coding_of(uid)
            }
            // No meta group to read: the attempt itself fails, allocating nothing.
            (None, _) | (Some(_), Syntax::Guessed) => return Ok(()),
            (Some(at), _) => {
                self.rewind(at)?;
                let uid = self.meta_group()?;
                match (syntax, uid.as_deref()) {
                    (Syntax::Implicit, _) => IMPLICIT_LE,
                    // dicom-rs stops at the meta group when it names no syntax.
                    (_, None) => return Ok(()),
                    (_, Some(uids::DEFLATED_EXPLICIT_VR_LITTLE_ENDIAN)) => {
                        return self.inflated()?.elements(EXPLICIT_LE, End::Eof, 0);
                    }
                    (_, Some(uid)) => coding_of(uid),
                }
            }
        };
        self.elements(coding, End::Eof, 0)
    }

    /// Walks the file meta group as dicom-rs's reader does: (0002,0000) first, then elements
    /// in explicit VR Little Endian, whatever their group, until the group length is used up.
    /// Returns the transfer syntax UID; a start dicom-rs refuses is `Unreadable`.
    fn meta_group(&mut self) -> Result<Option<String>, Stop> {
        if self.tag(EXPLICIT_LE)? != Some(Tag(0x0002, 0x0000)) {
            return Err(Stop::Unreadable);
        }
        if self.vr_and_length(EXPLICIT_LE, Tag(0x0002, 0x0000))?.1 != 4 {
            return Err(Stop::Unreadable);
        }
        let end = self.pos + self.u32(EXPLICIT_LE)? as u64;
        let mut uid = None;
        while self.pos < end {
            let Some(tag) = self.tag(EXPLICIT_LE)? else { break };
            let (_, len) = self.vr_and_length(EXPLICIT_LE, tag)?;
            self.fits(tag, len)?;
            if len == u32::MAX {
                return Err(Stop::Unreadable);
            }
            if tag == Tag(0x0002, 0x0010) && len <= 64 {
                let mut value = vec![0u8; len as usize];
                self.read_exact(&mut value)?;
                let text = String::from_utf8_lossy(&value);
                uid = Some(text.trim_end_matches(['\0', ' ']).to_string());
            } else {
                self.skip(len)?;
            }
        }
        Ok(uid)
    }

    /// The elements of a data set or item, up to `end`.
    fn elements(&mut self, coding: Coding, end: End, depth: usize) -> Result<(), Stop> {
        if depth > MAX_DEPTH {
            return Err(Stop::Refused(format!("its sequences nest deeper than {MAX_DEPTH} levels")));
        }
        loop {
            if let End::At(at) = end {
                if self.pos >= at {
                    return Ok(());
                }
            }
            let Some(tag) = self.tag(coding)? else { return Ok(()) };
            if tag == ITEM_DELIMITER || tag == SEQUENCE_DELIMITER {
                self.u32(coding)?;
                if end == End::ItemDelimiter {
                    return Ok(());
                }
                continue;
            }
            if tag == tags::PIXEL_DATA && self.header_only {
                return Ok(());
            }
            let (vr, len) = self.vr_and_length(coding, tag)?;
            let sequence = vr == Some(VR::SQ)
                || (vr.is_none() && implicit_vr(tag) == Some(VR::SQ))
                || (len == u32::MAX && tag != tags::PIXEL_DATA);
            if len == u32::MAX && tag == tags::PIXEL_DATA {
                self.fragments(coding)?;
            } else if sequence {
                // PS3.5 6.2.2 has an undefined-length UN hold implicit VR Little Endian, but
                // dicom-rs reads it in the data set's own syntax: the walk follows dicom-rs,
                // whose allocations it guards (pydicom's UN_sequence.dcm asked it for 3.7 GB).
                if len != u32::MAX {
                    self.fits(tag, len)?;
                }
                self.items(coding, len, depth)?;
            } else {
                self.fits(tag, len)?;
                self.skip(len)?;
            }
        }
    }

    /// A sequence's items; `len` is the sequence's length, `u32::MAX` when undefined.
    fn items(&mut self, coding: Coding, len: u32, depth: usize) -> Result<(), Stop> {
        let end = (len != u32::MAX).then(|| self.pos + len as u64);
        loop {
            if end.is_some_and(|e| self.pos >= e) {
                return Ok(());
            }
            let Some(tag) = self.tag(coding)? else { return Ok(()) };
            let item_len = self.u32(coding)?;
            match tag {
                SEQUENCE_DELIMITER => return Ok(()),
                ITEM if item_len == u32::MAX => self.elements(coding, End::ItemDelimiter, depth + 1)?,
                ITEM => {
                    self.fits(tag, item_len)?;
                    let at = self.pos + item_len as u64;
                    self.elements(coding, End::At(at), depth + 1)?;
                }
                _ => return Err(Stop::Unreadable),
            }
        }
    }

    /// Encapsulated pixel data: the offset table and fragments, each of a defined length.
    fn fragments(&mut self, coding: Coding) -> Result<(), Stop> {
        loop {
            let Some(tag) = self.tag(coding)? else { return Ok(()) };
            let len = self.u32(coding)?;
            match tag {
                SEQUENCE_DELIMITER => return Ok(()),
                ITEM => {
                    self.fits(tag, len)?;
                    self.skip(len)?;
                }
                _ => return Err(Stop::Unreadable),
            }
        }
    }

    /// The VR (explicit syntaxes only) and the value length. Item tags have no VR.
    fn vr_and_length(&mut self, coding: Coding, tag: Tag) -> Result<(Option<VR>, u32), Stop> {
        if !coding.explicit || tag.group() == 0xFFFE {
            return Ok((None, self.u32(coding)?));
        }
        let mut code = [0u8; 2];
        self.read_exact(&mut code)?;
        // dicom-rs reads an unknown VR as UN, with a 4-byte length.
        let vr = VR::from_binary(code).unwrap_or(VR::UN);
        let len = if short_length(vr) {
            self.u16(coding)? as u32
        } else {
            self.skip(2)?;
            self.u32(coding)?
        };
        Ok((Some(vr), len))
    }

    /// Refuses a value of `len` bytes that would run past what the file can hold.
    fn fits(&self, tag: Tag, len: u32) -> Result<(), Stop> {
        if len != u32::MAX && len as u64 > self.end.saturating_sub(self.pos) {
            let what = match self.source {
                Source::File(_) => "the file has",
                Source::Inflated(_) => "the rest of the deflated data set can hold",
            };
            return Err(Stop::Refused(format!(
                "element ({:04X},{:04X}) declares {len} bytes where {what} only {}: the file is truncated or corrupt",
                tag.group(),
                tag.element(),
                self.end.saturating_sub(self.pos)
            )));
        }
        Ok(())
    }

    /// The walk from here on over the inflated data set, bounded by deflate's best ratio and by
    /// the memory ceiling.
    fn inflated(self) -> Result<Walk, Stop> {
        let Source::File(reader) = self.source else { return Err(Stop::Unreadable) };
        let compressed = self.end.saturating_sub(self.pos);
        Ok(Walk {
            source: Source::Inflated(Box::new(flate2::read::DeflateDecoder::new(reader))),
            pos: 0,
            end: compressed.saturating_mul(DEFLATE_RATIO).min(memory_ceiling()),
            header_only: self.header_only,
        })
    }

    /// The next tag, or `None` at the end of the bytes.
    fn tag(&mut self, coding: Coding) -> Result<Option<Tag>, Stop> {
        let mut bytes = [0u8; 4];
        match self.read_up_to(&mut bytes)? {
            0 => Ok(None),
            4 => {
                let half = |b: [u8; 2]| {
                    if coding.big_endian {
                        u16::from_be_bytes(b)
                    } else {
                        u16::from_le_bytes(b)
                    }
                };
                Ok(Some(Tag(half([bytes[0], bytes[1]]), half([bytes[2], bytes[3]]))))
            }
            _ => Err(Stop::Unreadable),
        }
    }

    fn u16(&mut self, coding: Coding) -> Result<u16, Stop> {
        let mut b = [0u8; 2];
        self.read_exact(&mut b)?;
        Ok(if coding.big_endian { u16::from_be_bytes(b) } else { u16::from_le_bytes(b) })
    }

    fn u32(&mut self, coding: Coding) -> Result<u32, Stop> {
        let mut b = [0u8; 4];
        self.read_exact(&mut b)?;
        Ok(if coding.big_endian { u32::from_be_bytes(b) } else { u32::from_le_bytes(b) })
    }

    fn read_exact(&mut self, buf: &mut [u8]) -> Result<(), Stop> {
        if self.read_up_to(buf)? < buf.len() {
            return Err(Stop::Unreadable);
        }
        Ok(())
    }

    /// Fills as much of `buf` as the bytes allow.
    fn read_up_to(&mut self, buf: &mut [u8]) -> Result<usize, Stop> {
        let reader: &mut dyn Read = match &mut self.source {
            Source::File(r) => r,
            Source::Inflated(r) => r.as_mut(),
        };
        let mut got = 0;
        while got < buf.len() {
            match reader.read(&mut buf[got..]) {
                Ok(0) => break,
                Ok(n) => got += n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e.into()),
            }
        }
        self.pos += got as u64;
        Ok(got)
    }

    fn skip(&mut self, len: u32) -> Result<(), Stop> {
        match &mut self.source {
            Source::File(r) => r.seek_relative(len as i64)?,
            Source::Inflated(r) => {
                let copied = std::io::copy(&mut r.as_mut().take(len as u64), &mut std::io::sink())?;
                if copied < len as u64 {
                    return Err(Stop::Unreadable);
                }
            }
        }
        self.pos += len as u64;
        Ok(())
    }

    fn rewind(&mut self, to: u64) -> Result<(), Stop> {
        let Source::File(r) = &mut self.source else { return Err(Stop::Unreadable) };
        r.seek(std::io::SeekFrom::Start(to))?;
        self.pos = to;
        Ok(())
    }
}

/// The byte coding of a data set in the transfer syntax `uid`: everything but the two
/// uncompressed legacy syntaxes is explicit VR Little Endian (deflate aside, handled apart).
fn coding_of(uid: &str) -> Coding {
    match uid {
        uids::IMPLICIT_VR_LITTLE_ENDIAN => IMPLICIT_LE,
        raw::EXPLICIT_VR_BIG_ENDIAN => Coding { explicit: true, big_endian: true },
        _ => EXPLICIT_LE,
    }
}

/// The VRs whose length is 2 bytes in explicit syntaxes (PS3.5 Table 7.1-2).
fn short_length(vr: VR) -> bool {
    use VR::*;
    matches!(
        vr,
        AE | AS
            | AT
            | CS
            | DA
            | DS
            | DT
            | FL
            | FD
            | IS
            | LO
            | LT
            | PN
            | SH
            | SL
            | SS
            | ST
            | TM
            | UI
            | UL
            | US
    )
}

/// The dictionary's VR, which tells an implicit syntax's defined-length sequences apart.
fn implicit_vr(tag: Tag) -> Option<VR> {
    match StandardDataDictionary.by_tag(tag)?.vr() {
        VirtualVr::Exact(vr) => Some(vr),
        _ => None,
    }
}
