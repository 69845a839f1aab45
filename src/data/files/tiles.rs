//! Cutting large 2D images into a grid of tiles, keeping those over tissue, and finding the
//! mask that goes with an image.
//!
//! Masks are paired by file name: image `DIR/NAME.EXT` has the mask `DIR/NAME_mask.*` or
//! `DIR/masks/NAME.*` (PNG, TIFF or JPEG; PNG or TIFF is best, JPEG blurs labels). Mask files
//! and `masks` folders are never taken as images. A mask holds one label per pixel and is cut
//! into the same tiles as its image.
use std::path::{Path, PathBuf};
use tch::{Kind, Tensor};

/// A pixel at least this bright (HSV value, in [0, 1])...
const BACKGROUND_VALUE: f64 = 0.8;
/// ...and at most this saturated is background: the near-white glass around and between tissue
/// on a slide, whatever the stain. H&E tissue is pink or purple, so saturated; grey images have
/// no saturation, so only their brightness counts.
const BACKGROUND_SATURATION: f64 = 0.1;

const MASK_EXTENSIONS: [&str; 5] = ["png", "tif", "tiff", "jpg", "jpeg"];

/// The full tiles of a `tile`-pixel grid over `image` `[C, H, W]`, row by row, as
/// `[rows * columns, C, tile, tile]`, with the grid's (rows, columns). The right and bottom
/// strips narrower than a tile are left out, as slide tilers do.
pub fn grid(image: &Tensor, tile: i64) -> anyhow::Result<(Tensor, i64, i64)> {
    let (c, h, w) = (image.size()[0], image.size()[1], image.size()[2]);
    anyhow::ensure!(tile <= h && tile <= w, "the tile size {tile} px is larger than the {w}×{h} px image");
    let (rows, columns) = (h / tile, w / tile);
    let tiles = image
        .narrow(1, 0, rows * tile)
        .narrow(2, 0, columns * tile)
        .reshape([c, rows, tile, columns, tile])
        .permute([1, 3, 0, 2, 4])
        .reshape([rows * columns, c, tile, tile]);
    Ok((tiles, rows, columns))
}

/// For each tile of `tiles` `[N, C, H, W]` in [0, 1], the fraction of its pixels that are not
/// near-white background, as `[N]`.
pub fn tissue_fraction(tiles: &Tensor) -> Tensor {
    let tiles = tiles.to_kind(Kind::Float);
    let value = tiles.amax([1], false);
    let saturation = (&value - tiles.amin([1], false)) / value.clamp_min(1e-6);
    let background = value.ge(BACKGROUND_VALUE).logical_and(&saturation.le(BACKGROUND_SATURATION));
    1.0 - background.to_kind(Kind::Float).mean_dim([1i64, 2].as_slice(), false, Kind::Float)
}

/// A mask file or a file in a `masks` folder: never an image of its own.
pub fn is_mask(path: &Path) -> bool {
    let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("");
    let folder = path.parent().and_then(|p| p.file_name()).and_then(|n| n.to_str()).unwrap_or("");
    stem.to_ascii_lowercase().ends_with("_mask") || folder.eq_ignore_ascii_case("masks")
}

/// The mask paired with `image` by the naming convention above, when there is one.
pub fn mask_for(image: &Path) -> Option<PathBuf> {
    let stem = image.file_stem()?.to_str()?;
    let dir = image.parent()?;
    MASK_EXTENSIONS
        .iter()
        .flat_map(|ext| {
            [dir.join(format!("{stem}_mask.{ext}")), dir.join("masks").join(format!("{stem}.{ext}"))]
        })
        .find(|p| p.is_file())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grid_tiles_go_row_by_row_and_drop_partial_strips() {
        let image = Tensor::arange(10 * 7, (Kind::Float, tch::Device::Cpu)).view([1, 7, 10]);
        let (tiles, rows, columns) = grid(&image, 3).unwrap();
        assert_eq!((rows, columns), (2, 3));
        assert_eq!(tiles.size(), [6, 1, 3, 3]);
        // Tile 4 is row 1, column 1: its top-left pixel is image pixel (3, 3).
        assert_eq!(tiles.double_value(&[4, 0, 0, 0]), 33.0);
        assert!(format!("{:#}", grid(&image, 8).unwrap_err()).contains("larger than the 10×7"));
    }

    #[test]
    fn white_is_background_and_stain_is_tissue() {
        let pixel =
            |r: f64, g: f64, b: f64| Tensor::from_slice(&[r, g, b]).to_kind(Kind::Float).view([1, 3, 1, 1]);
        let fraction = |t: Tensor| tissue_fraction(&t).double_value(&[0]);
        assert_eq!(fraction(pixel(0.95, 0.95, 0.94)), 0.0, "glass");
        assert_eq!(fraction(pixel(0.9, 0.6, 0.8)), 1.0, "eosin");
        assert_eq!(fraction(pixel(0.35, 0.2, 0.5)), 1.0, "haematoxylin");
        assert_eq!(fraction(pixel(0.3, 0.3, 0.3)), 1.0, "dark grey");
    }

    #[test]
    fn masks_pair_by_name() {
        let dir = tempfile::tempdir().unwrap();
        let touch = |p: PathBuf| {
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(&p, b"").unwrap();
            p
        };
        let a = touch(dir.path().join("a.png"));
        let a_mask = touch(dir.path().join("a_mask.png"));
        let b = touch(dir.path().join("b.tif"));
        let b_mask = touch(dir.path().join("masks/b.png"));
        let c = touch(dir.path().join("c.png"));
        assert_eq!(mask_for(&a), Some(a_mask.clone()));
        assert_eq!(mask_for(&b), Some(b_mask.clone()));
        assert_eq!(mask_for(&c), None);
        assert!(is_mask(&a_mask) && is_mask(&b_mask) && !is_mask(&a));
    }
}
