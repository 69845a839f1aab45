//! Header fields shown in the metadata panel, with the patient-identifying ones marked.
//!
//! Identifying fields are hidden in the viewer until the user reveals them, and are never
//! written into run directories, figures or `medssl inspect` output.

/// One header field: a DICOM attribute or a NIfTI header field.
#[derive(Debug, Clone, PartialEq)]
pub struct MetaField {
    /// "(0010,0010)" for DICOM, the field name for NIfTI.
    pub tag: String,
    pub name: String,
    pub value: String,
    /// Patient-identifying (PHI): hidden by default, never exported.
    pub identifying: bool,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Metadata {
    pub fields: Vec<MetaField>,
}

impl Metadata {
    pub fn push(&mut self, tag: impl Into<String>, name: impl Into<String>, value: impl Into<String>) {
        let name = name.into();
        let identifying = is_identifying(&name);
        self.fields.push(MetaField { tag: tag.into(), name, value: value.into(), identifying });
    }

    /// Fields safe to print, save or export.
    pub fn public(&self) -> impl Iterator<Item = &MetaField> {
        self.fields.iter().filter(|f| !f.identifying)
    }

    /// The value of a non-identifying field, by name.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.public().find(|f| f.name == name).map(|f| f.value.as_str())
    }
}

/// Names of fields that identify a patient, after DICOM PS3.15's Basic Application Level
/// Confidentiality Profile (Table E.1-1): names, IDs, dates and times of day, addresses,
/// institutions, devices, free text and instance UIDs (they trace back to a patient's records);
/// and NIfTI's free-text fields, where converters often put the patient's name. Families are
/// caught by suffix or fragment, so an attribute missing from the lists errs towards hiding.
fn is_identifying(name: &str) -> bool {
    const SAFE: [&str; 7] = [
        "PatientPosition",
        "PatientOrientation",
        "TransferSyntaxUID",
        "SOPClassUID",
        "MediaStorageSOPClassUID",
        "ReferencedSOPClassUID",
        "ImplementationClassUID",
    ];
    const SUFFIXES: [&str; 7] = ["Name", "ID", "IDs", "UID", "Date", "DateTime", "Address"];
    const FRAGMENTS: [&str; 17] = [
        "Patient",
        "Institution",
        "Physician",
        "Operator",
        "Station",
        "Serial",
        "Accession",
        "Telephone",
        "Comment",
        "Description",
        "Occupation",
        "Ethnic",
        "Religious",
        "Military",
        "Insurance",
        "Birth",
        "Issuer",
    ];
    const TIMES_OF_DAY: [&str; 5] =
        ["StudyTime", "SeriesTime", "AcquisitionTime", "ContentTime", "InstanceCreationTime"];
    const NIFTI_FREE_TEXT: [&str; 3] = ["descrip", "aux_file", "db_name"];
    if SAFE.contains(&name) {
        return false;
    }
    SUFFIXES.iter().any(|s| name.ends_with(s))
        || FRAGMENTS.iter().any(|f| name.contains(f))
        || TIMES_OF_DAY.contains(&name)
        || NIFTI_FREE_TEXT.contains(&name)
}

#[cfg(test)]
mod tests {
    use super::is_identifying;

    #[test]
    fn identifying_fields_are_marked_and_acquisition_parameters_are_not() {
        for name in [
            "PatientName",
            "PatientID",
            "PatientBirthDate",
            "PatientAddress",
            "InstitutionName",
            "ReferringPhysicianName",
            "AccessionNumber",
            "StudyInstanceUID",
            "StudyDate",
            "StudyTime",
            "OtherPatientIDs",
            "DeviceSerialNumber",
            "descrip",
        ] {
            assert!(is_identifying(name), "{name} must be hidden");
        }
        for name in [
            "Modality",
            "Rows",
            "PixelSpacing",
            "EchoTime",
            "RescaleSlope",
            "PatientPosition",
            "TransferSyntaxUID",
            "SliceThickness",
            "pixdim",
        ] {
            assert!(!is_identifying(name), "{name} is not identifying");
        }
    }
}
