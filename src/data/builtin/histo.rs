//! H&E-like histopathology tiles.
//!
//! Tissue is built as two stain density maps, haematoxylin (nuclei) and eosin (cytoplasm,
//! stroma), and turned into RGB with the Beer-Lambert law using per-tile random stain vectors
//! and strengths: that is where stain variation between real slides comes from.

use std::f32::consts::{LN_10, PI, TAU};

use rand::Rng;
use rand_chacha::ChaCha8Rng;
use rand_distr::StandardNormal;

use super::canvas::{cover, random_harmonics, smooth_field, Plane, Point, Shape, ValueNoise, ROUND};

/// Ruifrok & Johnston optical density vectors (RGB) of haematoxylin and eosin.
const HAEMATOXYLIN: [f32; 3] = [0.65, 0.70, 0.29];
const EOSIN: [f32; 3] = [0.07, 0.99, 0.11];

#[derive(Clone, Copy)]
enum Mark {
    Nucleus,
    /// No further cells may be placed here.
    Occupied,
}

struct Tissue {
    size: usize,
    /// Geometry is designed at 64 px and scaled by this.
    s: f32,
    h: Plane,
    e: Plane,
    nuclei: Plane,
    /// 1 where cells may be placed: not in a lumen, a fat hole or a gland wall.
    free: Plane,
    fibre_angle: f32,
}

pub(super) fn draw(rng: &mut ChaCha8Rng, label: i64, size: usize) -> (Vec<f32>, Vec<u8>) {
    let mut tissue = Tissue::stroma(rng, size);
    tissue.fat_holes(rng);
    match label {
        0 => {
            let per_tile = rng.random_range(10.0..18.0);
            tissue.fibroblasts(rng, per_tile);
        }
        1 => tissue.tumour(rng),
        2 => tissue.lymphocytes(rng),
        _ => tissue.glands(rng),
    }
    tissue.finish(rng);
    (compose(rng, &tissue), tissue.nuclei.to_mask())
}

impl Tissue {
    /// Eosinophilic stroma: wavy collagen fibres along one dominant direction.
    fn stroma(rng: &mut ChaCha8Rng, size: usize) -> Tissue {
        let s = size as f32 / 64.0;
        let fibre_angle = rng.random_range(0.0..PI);
        let fibres = ValueNoise::new(rng, 64);
        let warp = smooth_field(rng, size, 3.0, 1);
        let density = smooth_field(rng, size, 3.0, 2);
        let base = rng.random_range(0.22..0.45);
        let (c, sn) = (fibre_angle.cos(), fibre_angle.sin());
        let mut e = Plane::new(size, 0.0);
        for (i, v) in e.data.iter_mut().enumerate() {
            let (px, py) = ((i % size) as f32 / s, (i / size) as f32 / s);
            let along = (px * c + py * sn) / 12.0;
            let across = (py * c - px * sn) / 1.8 + 5.0 * warp.data[i];
            let f = ((fibres.sample(along, across) - 0.3) / 0.5).clamp(0.0, 1.0);
            *v = base * (0.25 + 0.95 * f) * (0.6 + 0.8 * density.data[i]);
        }
        let haze = rng.random_range(0.03..0.08);
        Tissue {
            size,
            s,
            h: Plane::new(size, haze),
            e,
            nuclei: Plane::new(size, 0.0),
            free: Plane::new(size, 1.0),
            fibre_angle,
        }
    }

    fn random_point(&self, rng: &mut ChaCha8Rng) -> Point {
        let n = self.size as f32;
        (rng.random_range(0.0..n), rng.random_range(0.0..n))
    }

    /// White holes (fat, tears) that every class may show.
    fn fat_holes(&mut self, rng: &mut ChaCha8Rng) {
        for _ in 0..rng.random_range(0..3) {
            let r = rng.random_range(3.0..8.0) * self.s;
            let aspect = rng.random_range(0.7..1.0);
            let angle = rng.random_range(0.0..PI);
            let hole =
                Shape::blob(self.random_point(rng), (r, r * aspect), angle, random_harmonics(rng, 0.1));
            self.clear(&hole);
        }
    }

    /// Paints both stain densities in one pass over the shape, and marks it in `mark`'s plane.
    fn paint(&mut self, shape: &Shape, (h, e): (f32, f32), mark: Mark) {
        let (hs, es) = (&mut self.h.data, &mut self.e.data);
        let (nuclei, free) = (&mut self.nuclei.data, &mut self.free.data);
        cover(self.size, shape, |i, c| {
            hs[i] += (h - hs[i]) * c;
            es[i] += (e - es[i]) * c;
            match mark {
                Mark::Nucleus => nuclei[i] += (1.0 - nuclei[i]) * c,
                Mark::Occupied => free[i] -= free[i] * c,
            }
        });
    }

    /// Empty space: fat, tears and lumens.
    fn clear(&mut self, shape: &Shape) {
        self.paint(shape, (0.0, 0.02), Mark::Occupied);
    }

    fn nucleus(&mut self, shape: &Shape, density: f32) {
        self.paint(shape, (density, 0.1), Mark::Nucleus);
    }

    /// About `per_tile` spindle-shaped nuclei aligned with the fibres. The count does not grow
    /// with the image size: a larger tile is the same field of view at a finer resolution.
    fn fibroblasts(&mut self, rng: &mut ChaCha8Rng, per_tile: f32) {
        let target = (per_tile.round() as usize).max(3);
        let mut placed = 0;
        for _ in 0..target * 10 {
            if placed == target {
                break;
            }
            let at = self.random_point(rng);
            if self.free.at(at) < 0.5 {
                continue;
            }
            let radii = (rng.random_range(2.5..4.5) * self.s, rng.random_range(0.7..1.1) * self.s);
            let angle = self.fibre_angle + rng.random_range(-0.3..0.3);
            let shape = Shape::blob(at, radii, angle, random_harmonics(rng, 0.06));
            self.nucleus(&shape, rng.random_range(0.55..0.85));
            placed += 1;
        }
    }

    /// Where a cell population grows: everywhere except holes and, in half of the tiles, a
    /// straight band of stroma crossing the tile.
    fn nest(&self, rng: &mut ChaCha8Rng) -> Plane {
        let mut nest = self.free.clone();
        if rng.random_bool(0.5) {
            let n = self.size as f32;
            let (angle, offset) = (rng.random_range(0.0..PI), rng.random_range(0.3..0.7) * n);
            let (dx, dy) = (2.0 * n * angle.cos(), 2.0 * n * angle.sin());
            let centre = (offset, n - offset);
            let band = Shape::Capsule {
                a: (centre.0 - dx, centre.1 - dy),
                b: (centre.0 + dx, centre.1 + dy),
                half_width: rng.random_range(3.0..8.0) * self.s,
            };
            nest.paint(&band, 0.0);
        }
        nest
    }

    /// Centres on a jittered grid of `spacing` px inside `nest`, leaving a `gap` fraction of
    /// sites empty: dense packing without overlap, in time linear in the tile area.
    fn cell_sites(&self, rng: &mut ChaCha8Rng, nest: &Plane, spacing: f32, gap: f64) -> Vec<Point> {
        let steps = (self.size as f32 / spacing).ceil() as usize;
        let mut sites = Vec::new();
        for gy in 0..steps {
            for gx in 0..steps {
                let jitter = (rng.random_range(-0.3..0.3), rng.random_range(-0.3..0.3));
                let at = ((gx as f32 + 0.5 + jitter.0) * spacing, (gy as f32 + 0.5 + jitter.1) * spacing);
                if !rng.random_bool(gap) && nest.at(at) >= 0.5 {
                    sites.push(at);
                }
            }
        }
        sites
    }

    /// Sheets of large pleomorphic dark nuclei with prominent nucleoli in purple cytoplasm.
    fn tumour(&mut self, rng: &mut ChaCha8Rng) {
        let spacing = rng.random_range(5.5..7.0) * self.s;
        let nest = self.nest(rng);
        let (h, e) = (rng.random_range(0.1..0.18), rng.random_range(0.3..0.45));
        let mottle = smooth_field(rng, self.size, 12.0, 1);
        for (i, &inside) in nest.data.iter().enumerate() {
            let m = 0.7 + 0.6 * mottle.data[i];
            self.h.data[i] += (h * m - self.h.data[i]) * inside;
            self.e.data[i] += (e * m - self.e.data[i]) * inside;
        }
        for at in self.cell_sites(rng, &nest, spacing, 0.1) {
            let r = rng.random_range(2.0..3.6) * self.s;
            let radii = (r, r * rng.random_range(0.65..1.0));
            let shape = Shape::blob(at, radii, rng.random_range(0.0..PI), random_harmonics(rng, 0.25));
            self.nucleus(&shape, rng.random_range(0.75..1.25));
            if rng.random_bool(0.5) {
                let dot = Shape::disc((at.0 + 0.3 * r, at.1), 0.6 * self.s);
                self.h.paint(&dot, 1.8);
            }
        }
    }

    /// Densely packed small, round, very dark nuclei with scant cytoplasm.
    fn lymphocytes(&mut self, rng: &mut ChaCha8Rng) {
        let spacing = rng.random_range(3.6..4.4) * self.s;
        let damp = rng.random_range(0.5..0.8);
        self.e.data.iter_mut().for_each(|v| *v *= damp);
        let nest = self.nest(rng);
        for at in self.cell_sites(rng, &nest, spacing, 0.15) {
            let r = rng.random_range(1.25..1.7) * self.s;
            let shape =
                Shape::blob(at, (r, r * rng.random_range(0.85..1.0)), 0.0, random_harmonics(rng, 0.05));
            self.nucleus(&shape, rng.random_range(1.1..1.5));
        }
    }

    /// Glands: white lumens lined by columnar epithelium whose nuclei sit in a ring.
    fn glands(&mut self, rng: &mut ChaCha8Rng) {
        let n = self.size as f32;
        let mut glands: Vec<(Point, f32)> = Vec::new();
        for _ in 0..60 {
            if glands.len() == 3 {
                break;
            }
            let radius = rng.random_range(5.0..10.0) * self.s;
            let wall = rng.random_range(4.0..5.5) * self.s;
            let reach = radius + wall;
            let at = (rng.random_range(0.15 * n..0.85 * n), rng.random_range(0.15 * n..0.85 * n));
            if glands.iter().all(|&(p, q)| (p.0 - at.0).hypot(p.1 - at.1) > q + reach) {
                self.gland(rng, at, radius, wall);
                glands.push((at, reach));
            }
        }
        self.fibroblasts(rng, 5.0);
    }

    fn gland(&mut self, rng: &mut ChaCha8Rng, at: Point, radius: f32, wall: f32) {
        let angle = rng.random_range(0.0..PI);
        let radii = (radius, radius * rng.random_range(0.6..1.0));
        let outline = random_harmonics(rng, 0.08);
        let outer = Shape::blob(at, (radii.0 + wall, radii.1 + wall), angle, outline);
        let cytoplasm = (rng.random_range(0.08..0.15), rng.random_range(0.35..0.5));
        self.paint(&outer, cytoplasm, Mark::Occupied);
        self.clear(&Shape::blob(at, radii, angle, outline));
        let depth = 0.6 * wall;
        let (a, b) = (radii.0 + depth, radii.1 + depth);
        let count = (PI * (a + b) / (2.5 * self.s)).round() as usize;
        let (c, s) = (angle.cos(), angle.sin());
        for k in 0..count {
            if rng.random_bool(0.08) {
                continue;
            }
            let phi = (k as f32 + rng.random_range(-0.15..0.15)) * TAU / count as f32;
            let (u, v) = (a * phi.cos(), b * phi.sin());
            let centre = (at.0 + u * c - v * s, at.1 + u * s + v * c);
            let nucleus_radii = (rng.random_range(1.6..2.3) * self.s, rng.random_range(0.9..1.2) * self.s);
            let shape = Shape::blob(centre, nucleus_radii, angle + phi, ROUND);
            self.nucleus(&shape, rng.random_range(0.75..1.1));
        }
    }

    /// Chromatin grain and optical blur.
    fn finish(&mut self, rng: &mut ChaCha8Rng) {
        let grain = smooth_field(rng, self.size, 24.0, 1);
        for (h, g) in self.h.data.iter_mut().zip(&grain.data) {
            *h *= 0.75 + 0.5 * g;
        }
        self.h.blur(0.45 * self.s);
        self.e.blur(0.45 * self.s);
    }
}

/// A stain vector perturbed per tile, normalised and scaled by a random stain strength.
fn stain(rng: &mut ChaCha8Rng, base: [f32; 3], strength: f32) -> [f32; 3] {
    let v = base.map(|b| (b + 0.07 * rng.sample::<f32, _>(StandardNormal)).max(0.01));
    let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt();
    v.map(|x| strength * x / norm)
}

/// Beer-Lambert: transmitted light through both stains, plus sensor noise.
fn compose(rng: &mut ChaCha8Rng, tissue: &Tissue) -> Vec<f32> {
    let strengths = (rng.random_range(0.75..1.3), rng.random_range(0.7..1.3));
    let h = stain(rng, HAEMATOXYLIN, strengths.0);
    let e = stain(rng, EOSIN, strengths.1);
    let noise = rng.random_range(0.005..0.02);
    let pixels = tissue.size * tissue.size;
    let mut out = Vec::with_capacity(3 * pixels);
    for channel in 0..3 {
        let white = rng.random_range(0.9..0.99);
        for (dh, de) in tissue.h.data.iter().zip(&tissue.e.data) {
            let od = dh * h[channel] + de * e[channel];
            let v = white * (-LN_10 * od).exp() + noise * rng.sample::<f32, _>(StandardNormal);
            out.push(v.clamp(0.0, 1.0));
        }
    }
    out
}
