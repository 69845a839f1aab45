//! `medssl inspect`: what a file or folder holds, without patient-identifying data.
use crate::io::{self, Found, Volume};
use clap::Args;
use std::path::PathBuf;

#[derive(Args)]
pub struct InspectArgs {
    /// A DICOM file or folder, a NIfTI file, an image or a .npz archive.
    path: PathBuf,
    /// Also list the header fields (identifying ones are never printed).
    #[arg(long)]
    headers: bool,
}

pub fn run(a: InspectArgs) -> anyhow::Result<()> {
    let io::Discovery { found, skipped } = io::discover(&a.path, &io::no_progress)?;
    println!("{}: {} item{}", a.path.display(), found.len(), if found.len() == 1 { "" } else { "s" });
    for s in &skipped {
        println!("  skipped {}: {}", s.path.display(), s.reason);
    }
    let mut failures = 0;
    for (i, item) in found.iter().enumerate() {
        println!("\n[{}] {}", i + 1, item.label);
        match io::load(&item.source, &io::no_progress) {
            Ok(volume) => print_volume(&volume, item, a.headers),
            Err(e) => {
                failures += 1;
                println!("  error: {e:#}");
            }
        }
    }
    anyhow::ensure!(failures < found.len(), "nothing in {} could be loaded", a.path.display());
    Ok(())
}

fn print_volume(v: &Volume, item: &Found, headers: bool) {
    let [nx, ny, nz] = v.dims;
    let [sx, sy, sz] = v.spacing();
    let codes: String = v.axis_codes().iter().collect();
    let (lo, hi) = v.value_range();
    println!("  format:      {} ({})", v.provenance.format, v.provenance.encoding);
    println!("  modality:    {}", v.modality);
    println!(
        "  shape:       {nx} × {ny} × {nz} × {} channel{}",
        v.channels,
        if v.channels == 1 { "" } else { "s" }
    );
    if item.volumes > 1 {
        println!("  volumes:     {} (showing the first)", item.volumes);
    }
    println!("  spacing:     {sx:.4} × {sy:.4} × {sz:.4} mm");
    println!("  orientation: {codes} (voxel axes point to the patient's {codes})");
    println!("  values:      {lo} … {hi}{}", if v.inverted { " (MONOCHROME1: low is bright)" } else { "" });
    for note in &v.notes {
        println!("  note:        {note}");
    }
    for w in v.all_windows() {
        println!("  window:      {:<12} center {} width {}", w.name, w.center, w.width);
    }
    if headers {
        for f in v.metadata.public() {
            println!("  {:<13} {:<36} {}", f.tag, f.name, f.value);
        }
    }
}
