//! CT-like axial slices of the upper abdomen with liver lesions.
//!
//! Tissues are painted in Hounsfield units and only then mapped through a random display window
//! and bias field, so contrasts between tissues stay physical while absolute intensities vary a
//! lot between images: the lesion type cannot be read off the mean brightness.

use rand::Rng;
use rand_chacha::ChaCha8Rng;

use super::canvas::{
    cover, for_each_distance, random_harmonics, smooth_field, to_chw, Harmonics, Plane, Point, Shape, ROUND,
};

const AIR: f32 = -1000.0;
const FAT: f32 = -100.0;
const MUSCLE: f32 = 50.0;
const BONE: f32 = 700.0;

/// The body's own frame: anatomy is placed in units of the body half-axes, so it follows the
/// random body size, position and rotation. v < 0 is anterior, u < 0 the patient's right.
struct Body {
    centre: Point,
    rx: f32,
    ry: f32,
    angle: f32,
    outline: Harmonics,
}

impl Body {
    fn random(rng: &mut ChaCha8Rng, size: usize) -> Body {
        let n = size as f32;
        let rx = n * rng.random_range(0.34..0.46);
        Body {
            centre: (n * (0.5 + rng.random_range(-0.06..0.06)), n * (0.5 + rng.random_range(-0.05..0.05))),
            rx,
            ry: rx * rng.random_range(0.68..0.85),
            angle: rng.random_range(-0.2..0.2),
            outline: random_harmonics(rng, 0.05),
        }
    }

    fn at(&self, (u, v): Point) -> Point {
        let (c, s) = (self.angle.cos(), self.angle.sin());
        let (x, y) = (u * self.rx, v * self.ry);
        (self.centre.0 + x * c - y * s, self.centre.1 + x * s + y * c)
    }

    /// A blob at (u, v) with half-axes (a·rx, b·ry), turned by `turn` relative to the body.
    fn blob(&self, at: Point, (a, b): Point, turn: f32, harmonics: Harmonics) -> Shape {
        Shape::blob(self.at(at), (a * self.rx, b * self.ry), self.angle + turn, harmonics)
    }
}

/// Paints only where `clip` is set, so organs stay inside the abdominal cavity.
fn paint_within(hu: &mut Plane, shape: &Shape, value: f32, clip: &Plane) {
    let data = &mut hu.data;
    cover(hu.size, shape, |i, c| {
        data[i] += (value - data[i]) * c * clip.data[i];
    });
}

/// The liver region still visible after later organs were painted over it.
struct Liver {
    visible: Plane,
    shape: Shape,
    hu: f32,
}

impl Liver {
    /// Paints a structure over the liver and removes it from the region lesions may occupy.
    fn cover_with(&mut self, hu: &mut Plane, shape: &Shape, value: f32) {
        let (data, visible) = (&mut hu.data, &mut self.visible.data);
        cover(hu.size, shape, |i, c| {
            data[i] += (value - data[i]) * c;
            visible[i] -= visible[i] * c;
        });
    }
}

pub(super) fn draw(rng: &mut ChaCha8Rng, label: i64, size: usize) -> (Vec<f32>, Vec<u8>) {
    let s = size as f32 / 64.0;
    let body = Body::random(rng, size);
    let mut hu = Plane::new(size, AIR);
    let cavity = paint_wall(rng, &mut hu, &body, s);
    paint_bowel(rng, &mut hu, &body, &cavity);
    let lung_level = rng.random_bool(0.35);
    if lung_level {
        paint_lungs(rng, &mut hu, &body, &cavity, s);
    }
    let liver_hu = rng.random_range(70.0..120.0);
    paint_left_upper_quadrant(rng, &mut hu, &body, liver_hu);
    let mut liver = paint_liver(rng, &mut hu, &body, &cavity, liver_hu);
    paint_retroperitoneum(rng, &mut hu, &mut liver, &body, lung_level);
    paint_liver_vessels(rng, &mut hu, &liver, s);
    let mut lesions = Plane::new(size, 0.0);
    if label > 0 {
        paint_lesions(rng, label, &mut hu, &mut lesions, &liver, s);
    }
    hu.blur(0.4 * s);
    let noise = rng.random_range(6.0..18.0);
    hu.add_noise(rng, noise);
    display(rng, &mut hu);
    (to_chw([&hu, &hu, &hu]), lesions.to_mask())
}

/// Skin, subcutaneous fat, muscle wall with ribs, and the couch; returns the cavity region.
fn paint_wall(rng: &mut ChaCha8Rng, hu: &mut Plane, body: &Body, s: f32) -> Plane {
    let fat = body.rx * rng.random_range(0.05..0.16);
    let wall = fat + body.rx * rng.random_range(0.05..0.08);
    // Lowest point of the rotated body ellipse, with room for the outline harmonics.
    let drop = (body.rx * body.angle.sin()).hypot(body.ry * body.angle.cos());
    let couch_y = body.centre.1 + 1.08 * drop + 1.5 * s;
    for (y, value) in [(couch_y, 300.0), (couch_y + 2.5 * s, 150.0)] {
        let n = hu.size as f32;
        hu.paint(&Shape::Capsule { a: (-n, y), b: (2.0 * n, y), half_width: 0.6 * s }, value);
    }
    // All layers follow the outline at fixed depths, so one distance per pixel paints them all.
    let skin = s.max(0.7);
    let mut cavity = Plane::new(hu.size, 0.0);
    let layer = |d: f32, depth: f32| (0.5 - d - depth).clamp(0.0, 1.0);
    for_each_distance(hu.size, &body.blob((0.0, 0.0), (1.0, 1.0), 0.0, body.outline), |i, d| {
        let mut v = hu.data[i];
        for (depth, value) in [(0.0, 30.0), (skin, FAT), (fat, MUSCLE)] {
            v += (value - v) * layer(d, depth);
        }
        hu.data[i] = v;
        cavity.data[i] = layer(d, wall);
    });
    let ring = 1.0 - (fat + wall) / (2.0 * body.rx);
    for _ in 0..rng.random_range(4..10) {
        // Ribs sit laterally and posteriorly, never over the anterior midline.
        let phi = rng.random_range(-0.9..std::f32::consts::PI + 0.9);
        let centre = body.at((ring * phi.cos(), ring * phi.sin()));
        hu.paint(&Shape::disc(centre, body.rx * 0.035 + 0.3 * s), BONE * 0.8);
    }
    cavity
}

/// Bowel loops in mesenteric fat with a few gas bubbles: structured clutter around the organs.
fn paint_bowel(rng: &mut ChaCha8Rng, hu: &mut Plane, body: &Body, cavity: &Plane) {
    let loops = smooth_field(rng, hu.size, 9.0, 2);
    for ((h, &c), &t) in hu.data.iter_mut().zip(&cavity.data).zip(&loops.data) {
        let wall = ((t - 0.42) / 0.16).clamp(0.0, 1.0);
        *h += (FAT + 130.0 * wall - *h) * c;
    }
    for _ in 0..rng.random_range(0..4) {
        let at = (rng.random_range(-0.4..0.6), rng.random_range(-0.6..0.2));
        let r = rng.random_range(0.03..0.07);
        paint_within(hu, &body.blob(at, (r, r), 0.0, ROUND), AIR, cavity);
    }
}

fn paint_lungs(rng: &mut ChaCha8Rng, hu: &mut Plane, body: &Body, cavity: &Plane, s: f32) {
    for side in [-1.0, 1.0] {
        let at = (side * rng.random_range(0.46..0.56), rng.random_range(0.35..0.5));
        let radii = (rng.random_range(0.28..0.38), rng.random_range(0.38..0.5));
        let lung = body.blob(at, radii, side * 0.3, random_harmonics(rng, 0.08));
        paint_within(hu, &lung, -860.0, cavity);
        for _ in 0..rng.random_range(2..6) {
            let offset = (rng.random_range(-0.6..0.6), rng.random_range(-0.6..0.6));
            let vessel = (at.0 + offset.0 * radii.0, at.1 + offset.1 * radii.1);
            hu.paint(&Shape::disc(body.at(vessel), 0.6 * s), -150.0);
        }
    }
}

/// Stomach (with a gas cap) and spleen, on the patient's left.
fn paint_left_upper_quadrant(rng: &mut ChaCha8Rng, hu: &mut Plane, body: &Body, liver_hu: f32) {
    if rng.random_bool(0.7) {
        let at = (rng.random_range(0.25..0.45), rng.random_range(-0.45..-0.25));
        let (a, b) = (rng.random_range(0.15..0.25), rng.random_range(0.2..0.3));
        hu.paint(&body.blob(at, (a, b), 0.3, random_harmonics(rng, 0.06)), 40.0);
        hu.paint(&body.blob(at, (0.8 * a, 0.8 * b), 0.3, ROUND), 10.0);
        hu.paint(&body.blob((at.0, at.1 - 0.35 * b), (0.45 * a, 0.4 * b), 0.3, ROUND), AIR);
    }
    let at = (rng.random_range(0.55..0.66), rng.random_range(0.15..0.35));
    let spleen = body.blob(at, (0.16, 0.3), -0.5, random_harmonics(rng, 0.08));
    hu.paint(&spleen, liver_hu + rng.random_range(-15.0..10.0));
}

fn paint_liver(rng: &mut ChaCha8Rng, hu: &mut Plane, body: &Body, cavity: &Plane, liver_hu: f32) -> Liver {
    let shape = body.blob(
        (rng.random_range(-0.38..-0.28), rng.random_range(-0.15..0.0)),
        (rng.random_range(0.5..0.62), rng.random_range(0.62..0.8)),
        rng.random_range(-0.3..0.3),
        random_harmonics(rng, 0.07),
    );
    let mut visible = Plane::new(hu.size, 0.0);
    let data = &mut hu.data;
    cover(hu.size, &shape, |i, c| {
        visible.data[i] = c * cavity.data[i];
        data[i] += (liver_hu - data[i]) * visible.data[i];
    });
    Liver { visible, shape, hu: liver_hu }
}

/// Spine, paraspinal muscles, great vessels and (below the lung bases) kidneys.
fn paint_retroperitoneum(
    rng: &mut ChaCha8Rng,
    hu: &mut Plane,
    liver: &mut Liver,
    body: &Body,
    lung_level: bool,
) {
    for side in [-1.0, 1.0] {
        let muscle = body.blob((side * 0.2, 0.74), (0.14, 0.15), 0.0, ROUND);
        liver.cover_with(hu, &muscle, MUSCLE);
    }
    if !lung_level {
        let cortex = rng.random_range(140.0..200.0);
        for side in [-1.0, 1.0] {
            let at = (side * rng.random_range(0.33..0.4), rng.random_range(0.42..0.52));
            let kidney = body.blob(at, (0.11, 0.2), side * 0.4, random_harmonics(rng, 0.05));
            liver.cover_with(hu, &kidney, cortex);
            let sinus = body.blob((at.0 - side * 0.05, at.1), (0.045, 0.09), side * 0.4, ROUND);
            hu.paint(&sinus, -20.0);
        }
    }
    let vertebra = body.blob((0.0, 0.5), (0.12, 0.17), 0.0, ROUND);
    liver.cover_with(hu, &vertebra, BONE);
    hu.paint(&body.blob((0.0, 0.5), (0.09, 0.13), 0.0, ROUND), 220.0);
    // Posterior arch around the dark spinal canal, then thin transverse and spinous processes.
    let arch = body.blob((0.0, 0.7), (0.075, 0.09), 0.0, ROUND);
    liver.cover_with(hu, &arch, BONE * 0.85);
    hu.paint(&body.blob((0.0, 0.69), (0.04, 0.05), 0.0, ROUND), 20.0);
    let half_width = 0.022 * body.rx;
    let processes =
        [((0.0, 0.78), (0.0, 0.92)), ((-0.06, 0.66), (-0.17, 0.63)), ((0.06, 0.66), (0.17, 0.63))];
    for (a, b) in processes {
        let process = Shape::Capsule { a: body.at(a), b: body.at(b), half_width };
        liver.cover_with(hu, &process, BONE * 0.85);
    }
    let aorta = body.blob((0.06, 0.27), (0.07, 0.09), 0.0, ROUND);
    liver.cover_with(hu, &aorta, rng.random_range(120.0..220.0));
    let ivc = body.blob((-0.15, 0.24), (0.08, 0.08), 0.3, ROUND);
    let ivc_hu = liver.hu + 10.0;
    liver.cover_with(hu, &ivc, ivc_hu);
}

/// Random point of the liver bounding box.
fn liver_point(rng: &mut ChaCha8Rng, liver: &Liver) -> Point {
    let n = liver.visible.size as f32;
    let [x0, y0, x1, y1] = liver.shape.bounds().map(|v| v.clamp(0.0, n));
    (rng.random_range(x0..x1.max(x0 + 1.0)), rng.random_range(y0..y1.max(y0 + 1.0)))
}

/// Contrast-filled vessels: small bright dots that every class shares, so "bright spot in the
/// liver" alone does not mean "mass".
fn paint_liver_vessels(rng: &mut ChaCha8Rng, hu: &mut Plane, liver: &Liver, s: f32) {
    let value = liver.hu + rng.random_range(40.0..70.0);
    for _ in 0..rng.random_range(2..6) {
        let at = liver_point(rng, liver);
        if liver.visible.at(at) > 0.9 {
            hu.paint(&Shape::disc(at, rng.random_range(0.6..1.2) * s), value);
        }
    }
}

/// Whether a disc of `radius` around `at` lies inside the visible liver.
fn fits(liver: &Plane, at: Point, radius: f32) -> bool {
    liver.at(at) >= 0.5
        && (0..16).all(|k| {
            let phi = k as f32 * std::f32::consts::TAU / 16.0;
            liver.at((at.0 + radius * phi.cos(), at.1 + radius * phi.sin())) >= 0.5
        })
}

/// Non-overlapping lesion discs inside the liver; never empty, so every lesion class has a mask.
fn place_lesions(rng: &mut ChaCha8Rng, liver: &Liver, min_radius: f32, s: f32) -> Vec<(Point, f32)> {
    let margin = 2.0 * s;
    let mut placed: Vec<(Point, f32)> = Vec::new();
    for _ in 0..rng.random_range(1..=3) {
        let mut radius = rng.random_range(3.0..8.0f32).max(min_radius) * s;
        for attempt in 1..=60 {
            if attempt % 15 == 0 {
                radius = (radius * 0.8).max(min_radius * s);
            }
            let at = liver_point(rng, liver);
            let apart = placed.iter().all(|&(p, r)| (p.0 - at.0).hypot(p.1 - at.1) > r + radius + margin);
            if apart && fits(&liver.visible, at, radius + margin) {
                placed.push((at, radius));
                break;
            }
        }
    }
    if placed.is_empty() {
        let [x0, y0, x1, y1] = liver.shape.bounds();
        placed.push((((x0 + x1) / 2.0, (y0 + y1) / 2.0), min_radius * s));
    }
    placed
}

fn paint_lesions(rng: &mut ChaCha8Rng, label: i64, hu: &mut Plane, mask: &mut Plane, liver: &Liver, s: f32) {
    // A ring needs room for a rim and a centre to read as one at 64 px.
    let min_radius = if label == 3 { 4.0 } else { 2.5 };
    for (at, r) in place_lesions(rng, liver, min_radius, s) {
        let angle = rng.random_range(0.0..std::f32::consts::PI);
        let outline = match label {
            1 => ROUND,
            2 => random_harmonics(rng, 0.35),
            _ => random_harmonics(rng, 0.08),
        };
        let aspect = rng.random_range(0.8..1.0);
        let lesion = Shape::blob(at, (r, r * aspect), angle, outline);
        match label {
            1 => hu.paint(&lesion, rng.random_range(-5.0..15.0)),
            2 => hu.paint(&lesion, liver.hu + rng.random_range(70.0..130.0)),
            _ => {
                hu.paint(&lesion, liver.hu + rng.random_range(80.0..140.0));
                let k = rng.random_range(0.45..0.6);
                let core = Shape::blob(at, (k * r, k * r * aspect), angle, outline);
                hu.paint(&core, rng.random_range(0.0..25.0));
            }
        }
        mask.paint(&lesion, 1.0);
    }
}

/// Random window level/width and a smooth multiplicative bias field, in place.
fn display(rng: &mut ChaCha8Rng, hu: &mut Plane) {
    let level = rng.random_range(20.0..80.0);
    let width = rng.random_range(280.0..480.0);
    let bias = smooth_field(rng, hu.size, 2.0, 2);
    let strength = rng.random_range(0.08..0.3);
    for (v, b) in hu.data.iter_mut().zip(&bias.data) {
        let windowed = (*v - level) / width + 0.5;
        *v = windowed * (1.0 + strength * (2.0 * b - 1.0));
    }
}
