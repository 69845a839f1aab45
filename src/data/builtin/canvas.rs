//! Drawing primitives shared by the procedural generators.
//!
//! Every shape is described by a signed distance, so a single coverage routine gives
//! anti-aliased edges for all shape kinds at any image size.

use rand::Rng;
use rand_chacha::ChaCha8Rng;
use rand_distr::StandardNormal;

/// A position in pixels, x to the right and y down; pixel (i, j) covers [i, i+1) × [j, j+1).
pub(super) type Point = (f32, f32);

/// Radial harmonics k = 2..=5 of a blob outline as complex coefficients (real, imaginary):
/// the radius at angle θ is scaled by 1 + Σ Re(c_k · e^{ikθ}).
pub(super) type Harmonics = [(f32, f32); 4];

pub(super) const ROUND: Harmonics = [(0.0, 0.0); 4];

/// Random outline irregularity; higher orders get less amplitude so outlines stay smooth.
pub(super) fn random_harmonics(rng: &mut ChaCha8Rng, amplitude: f32) -> Harmonics {
    let mut h = ROUND;
    for (k, c) in h.iter_mut().enumerate() {
        let a = amplitude * rng.random::<f32>() / (1.0 + 0.5 * k as f32);
        let phase = rng.random_range(0.0..std::f32::consts::TAU);
        *c = (a * phase.cos(), a * phase.sin());
    }
    h
}

pub(super) enum Shape {
    /// An ellipse whose radius is modulated by [`Harmonics`]; covers organs, nuclei and masses.
    Blob {
        centre: Point,
        radii: Point,
        /// 1/radii, cos and sin of the rotation: precomputed because every pixel needs them.
        inverse: Point,
        turn: (f32, f32),
        /// `None` for a plain ellipse, which skips the harmonic sum.
        harmonics: Option<Harmonics>,
    },
    Polygon(Vec<Point>),
    /// A segment with round caps.
    Capsule {
        a: Point,
        b: Point,
        half_width: f32,
    },
}

impl Shape {
    pub fn blob(centre: Point, radii: Point, angle: f32, harmonics: Harmonics) -> Shape {
        let radii = (radii.0.max(1e-3), radii.1.max(1e-3));
        Shape::Blob {
            centre,
            radii,
            inverse: (1.0 / radii.0, 1.0 / radii.1),
            turn: (angle.cos(), angle.sin()),
            harmonics: (harmonics != ROUND).then_some(harmonics),
        }
    }

    pub fn disc(centre: Point, radius: f32) -> Shape {
        Shape::blob(centre, (radius, radius), 0.0, ROUND)
    }

    /// Signed distance in pixels, negative inside. For blobs it is the first-order estimate
    /// (value / gradient), exact enough for a one-pixel anti-aliasing ramp.
    fn distance(&self, (x, y): Point) -> f32 {
        match self {
            Shape::Blob { centre, radii, inverse: (irx, iry), turn: (c, s), harmonics } => {
                let (dx, dy) = (x - centre.0, y - centre.1);
                let u = (dx * c + dy * s) * irx;
                let v = (dy * c - dx * s) * iry;
                let rho = (u * u + v * v).sqrt();
                if rho < 1e-6 {
                    return -radii.0.min(radii.1);
                }
                let mut outline = 1.0;
                if let Some(harmonics) = harmonics {
                    let z = (u / rho, v / rho);
                    let mut zk = (z.0 * z.0 - z.1 * z.1, 2.0 * z.0 * z.1);
                    for &(a, b) in harmonics {
                        outline += a * zk.0 - b * zk.1;
                        zk = (zk.0 * z.0 - zk.1 * z.1, zk.0 * z.1 + zk.1 * z.0);
                    }
                }
                let gradient = ((u * irx).powi(2) + (v * iry).powi(2)).sqrt();
                (rho - outline) * rho / gradient
            }
            Shape::Polygon(vertices) => polygon_distance(vertices, (x, y)),
            Shape::Capsule { a, b, half_width } => segment_distance(*a, *b, (x, y)) - half_width,
        }
    }

    /// Bounding box [x0, y0, x1, y1] including the anti-aliasing margin.
    pub fn bounds(&self) -> [f32; 4] {
        match self {
            Shape::Blob { centre, radii: (rx, ry), turn: (c, s), harmonics, .. } => {
                // The blob lies inside its ellipse scaled by the total harmonic amplitude,
                // whose axis-aligned box is exact.
                let swell = 1.0 + harmonics.map_or(0.0, |h| h.iter().map(|&h| dot(h, h).sqrt()).sum());
                let hx = dot((rx * c, ry * s), (rx * c, ry * s)).sqrt() * swell + 1.0;
                let hy = dot((rx * s, ry * c), (rx * s, ry * c)).sqrt() * swell + 1.0;
                [centre.0 - hx, centre.1 - hy, centre.0 + hx, centre.1 + hy]
            }
            Shape::Polygon(vertices) => {
                vertices.iter().fold([f32::MAX, f32::MAX, f32::MIN, f32::MIN], |[x0, y0, x1, y1], &(x, y)| {
                    [x0.min(x - 1.0), y0.min(y - 1.0), x1.max(x + 1.0), y1.max(y + 1.0)]
                })
            }
            Shape::Capsule { a, b, half_width } => {
                let r = half_width + 1.0;
                [a.0.min(b.0) - r, a.1.min(b.1) - r, a.0.max(b.0) + r, a.1.max(b.1) + r]
            }
        }
    }
}

fn dot(a: Point, b: Point) -> f32 {
    a.0 * b.0 + a.1 * b.1
}

fn segment_distance(a: Point, b: Point, p: Point) -> f32 {
    let (e, w) = ((b.0 - a.0, b.1 - a.1), (p.0 - a.0, p.1 - a.1));
    let t = (dot(w, e) / dot(e, e).max(1e-12)).clamp(0.0, 1.0);
    let gap = (w.0 - e.0 * t, w.1 - e.1 * t);
    dot(gap, gap).sqrt()
}

/// Distance to the nearest edge, signed by the even-odd rule so any simple polygon works.
fn polygon_distance(vertices: &[Point], p: Point) -> f32 {
    let mut nearest = f32::MAX;
    let mut inside = false;
    for (i, &a) in vertices.iter().enumerate() {
        let b = vertices[(i + 1) % vertices.len()];
        nearest = nearest.min(segment_distance(a, b, p));
        if (a.1 > p.1) != (b.1 > p.1) && p.0 < a.0 + (b.0 - a.0) * (p.1 - a.1) / (b.1 - a.1) {
            inside = !inside;
        }
    }
    if inside {
        -nearest
    } else {
        nearest
    }
}

/// Side of the pixel blocks that `cover` accepts or rejects as a whole.
const BLOCK: usize = 4;

/// Calls `f(pixel index, coverage)` for every pixel the shape touches, coverage in (0, 1].
///
/// Blocks whose centre is far outside are skipped and blocks far inside are filled without
/// per-pixel distances: most pixels of large shapes cost nothing. The slack is twice the block's
/// half-diagonal because blob distances are estimates that can be off by up to about 2×.
pub(super) fn cover(size: usize, shape: &Shape, mut f: impl FnMut(usize, f32)) {
    let slack = BLOCK as f32 * std::f32::consts::SQRT_2 + 0.5;
    let [x0, y0, x1, y1] = shape.bounds();
    let clip = |v: f32| (v.max(0.0) as usize).min(size);
    let (xs, ys) = (clip(x0.floor())..clip(x1.ceil()), clip(y0.floor())..clip(y1.ceil()));
    for by in ys.clone().step_by(BLOCK) {
        let ey = (by + BLOCK).min(ys.end);
        for bx in xs.clone().step_by(BLOCK) {
            let ex = (bx + BLOCK).min(xs.end);
            let d = shape.distance(((bx + ex) as f32 / 2.0, (by + ey) as f32 / 2.0));
            if d > slack {
                continue;
            }
            for y in by..ey {
                for x in bx..ex {
                    let coverage = if d < -slack {
                        1.0
                    } else {
                        let d = shape.distance((x as f32 + 0.5, y as f32 + 0.5));
                        (0.5 - d).clamp(0.0, 1.0)
                    };
                    if coverage > 0.0 {
                        f(y * size + x, coverage);
                    }
                }
            }
        }
    }
}

/// Calls `f(pixel index, signed distance)` for every pixel of the shape's bounding box, for
/// painting several concentric layers of one outline in a single pass.
pub(super) fn for_each_distance(size: usize, shape: &Shape, mut f: impl FnMut(usize, f32)) {
    let [x0, y0, x1, y1] = shape.bounds();
    let clip = |v: f32| (v.max(0.0) as usize).min(size);
    for y in clip(y0.floor())..clip(y1.ceil()) {
        for x in clip(x0.floor())..clip(x1.ceil()) {
            f(y * size + x, shape.distance((x as f32 + 0.5, y as f32 + 0.5)));
        }
    }
}

/// A square single-channel float image; generators compose their RGB output from several.
#[derive(Clone)]
pub(super) struct Plane {
    pub size: usize,
    pub data: Vec<f32>,
}

impl Plane {
    pub fn new(size: usize, value: f32) -> Plane {
        Plane { size, data: vec![value; size * size] }
    }

    /// Blends `value` over the shape by its anti-aliased coverage.
    pub fn paint(&mut self, shape: &Shape, value: f32) {
        let data = &mut self.data;
        cover(self.size, shape, |i, c| data[i] += (value - data[i]) * c);
    }

    /// Nearest-pixel lookup; outside the image reads as 0 so "inside" tests fail there.
    pub fn at(&self, (x, y): Point) -> f32 {
        let n = self.size as f32;
        if x < 0.0 || y < 0.0 || x >= n || y >= n {
            return 0.0;
        }
        self.data[y as usize * self.size + x as usize]
    }

    /// Separable Gaussian blur with clamped edges.
    pub fn blur(&mut self, sigma: f32) {
        if sigma < 0.2 {
            return;
        }
        let radius = (3.0 * sigma).ceil() as usize;
        let mut kernel: Vec<f32> = (0..=2 * radius)
            .map(|k| {
                let d = k as f32 - radius as f32;
                (-d * d / (2.0 * sigma * sigma)).exp()
            })
            .collect();
        let total: f32 = kernel.iter().sum();
        kernel.iter_mut().for_each(|w| *w /= total);
        let n = self.size;
        // Rows are padded with their edge values so the horizontal pass is a plain sliding dot
        // product; the vertical pass adds whole weighted rows. Both vectorise.
        let mut padded = vec![0.0; n + 2 * radius];
        for row in self.data.chunks_mut(n) {
            padded[..radius].fill(row[0]);
            padded[radius..radius + n].copy_from_slice(row);
            padded[radius + n..].fill(row[n - 1]);
            for (out, window) in row.iter_mut().zip(padded.windows(kernel.len())) {
                *out = window.iter().zip(&kernel).map(|(a, w)| a * w).sum();
            }
        }
        let source = self.data.clone();
        for (y, row) in self.data.chunks_mut(n).enumerate() {
            row.fill(0.0);
            for (k, w) in kernel.iter().enumerate() {
                let from = (y + k).saturating_sub(radius).min(n - 1) * n;
                for (out, v) in row.iter_mut().zip(&source[from..from + n]) {
                    *out += w * v;
                }
            }
        }
    }

    pub fn add_noise(&mut self, rng: &mut ChaCha8Rng, sigma: f32) {
        for v in &mut self.data {
            *v += sigma * rng.sample::<f32, _>(StandardNormal);
        }
    }

    pub fn to_mask(&self) -> Vec<u8> {
        self.data.iter().map(|&c| u8::from(c >= 0.5)).collect()
    }
}

/// Channel-first RGB in [0, 1] from three planes.
pub(super) fn to_chw(channels: [&Plane; 3]) -> Vec<f32> {
    channels.iter().flat_map(|p| p.data.iter().map(|v| v.clamp(0.0, 1.0))).collect()
}

/// Periodic value noise: random values on an n×n lattice, smoothly interpolated.
pub(super) struct ValueNoise {
    /// n - 1, with n a power of two so wrapping is a bit mask (negative indices included).
    wrap: usize,
    lattice: Vec<f32>,
}

impl ValueNoise {
    /// A lattice of at least `n`×`n` cells.
    pub fn new(rng: &mut ChaCha8Rng, n: usize) -> ValueNoise {
        let n = n.next_power_of_two();
        ValueNoise { wrap: n - 1, lattice: (0..n * n).map(|_| rng.random::<f32>()).collect() }
    }

    /// Lattice indices around `t` (lattice units) and the smoothed weight of the second.
    fn cell(&self, t: f32) -> (usize, usize, f32) {
        let f = floor(t);
        let i = f as i32 as usize & self.wrap;
        (i, (i + 1) & self.wrap, smoothstep(t - f))
    }

    /// Value at (x, y) in lattice units, in [0, 1].
    pub fn sample(&self, x: f32, y: f32) -> f32 {
        let ((x0, x1, tx), (y0, y1, ty)) = (self.cell(x), self.cell(y));
        let stride = self.wrap + 1;
        let at = |x: usize, y: usize| self.lattice[y * stride + x];
        let top = at(x0, y0) + (at(x1, y0) - at(x0, y0)) * tx;
        let bottom = at(x0, y1) + (at(x1, y1) - at(x0, y1)) * tx;
        top + (bottom - top) * ty
    }
}

/// `f32::floor` without the libm call it compiles to on baseline x86-64; it is in the
/// innermost noise loop.
fn floor(v: f32) -> f32 {
    let t = v as i32 as f32;
    if t > v {
        t - 1.0
    } else {
        t
    }
}

fn smoothstep(t: f32) -> f32 {
    t * t * (3.0 - 2.0 * t)
}

/// Fractal value noise over the image in [0, 1]. `cells` is the number of coarsest features
/// across the image, so the field looks the same at every image size.
pub(super) fn smooth_field(rng: &mut ChaCha8Rng, size: usize, cells: f32, octaves: u32) -> Plane {
    let mut field = Plane::new(size, 0.0);
    let mut total = 0.0;
    for octave in 0..octaves {
        let scale = cells * 2f32.powi(octave as i32);
        // The lattice period exceeds the image so the pattern never visibly repeats.
        let noise = ValueNoise::new(rng, scale.ceil() as usize + 1);
        let weight = 0.5f32.powi(octave as i32);
        total += weight;
        let step = scale / size as f32;
        // Interpolation weights depend on x or y only: compute them once per column.
        let columns: Vec<(usize, usize, f32)> =
            (0..size).map(|x| noise.cell((x as f32 + 0.5) * step)).collect();
        let mut lattice_row = vec![0.0; noise.wrap + 1];
        for (y, row) in field.data.chunks_mut(size).enumerate() {
            let (y0, y1, ty) = noise.cell((y as f32 + 0.5) * step);
            let stride = noise.wrap + 1;
            for (k, v) in lattice_row.iter_mut().enumerate() {
                let (a, b) = (noise.lattice[y0 * stride + k], noise.lattice[y1 * stride + k]);
                *v = a + (b - a) * ty;
            }
            for (v, &(x0, x1, tx)) in row.iter_mut().zip(&columns) {
                let (a, b) = (lattice_row[x0], lattice_row[x1]);
                *v += weight * (a + (b - a) * tx);
            }
        }
    }
    field.data.iter_mut().for_each(|v| *v /= total);
    field
}
