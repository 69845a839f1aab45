//! Colourful, high-variance "natural image" stand-ins for MixSSL's auxiliary domain: a textured
//! background (its generator is the label) under 3-8 saturated shapes (their union is the mask).

use std::f32::consts::{PI, TAU};

use rand::Rng;
use rand_chacha::ChaCha8Rng;

use super::canvas::{cover, random_harmonics, smooth_field, to_chw, Plane, Point, Shape};

type Rgb = [f32; 3];

pub(super) fn draw(rng: &mut ChaCha8Rng, label: i64, size: usize) -> (Vec<f32>, Vec<u8>) {
    let mut rgb = background(rng, label, size);
    let mut mask = Plane::new(size, 0.0);
    for _ in 0..rng.random_range(3..=8) {
        let shape = random_shape(rng, size as f32);
        let colour = saturated(rng);
        let opacity = rng.random_range(0.8..1.0);
        // A linear shading ramp across the image keeps flat shapes from looking like clip art.
        let (gx, gy) = (rng.random_range(-0.3..0.3), rng.random_range(-0.3..0.3));
        let union = &mut mask.data;
        cover(size, &shape, |i, c| {
            union[i] += (1.0 - union[i]) * c;
            let (x, y) = ((i % size) as f32 / size as f32, (i / size) as f32 / size as f32);
            let shade = 1.0 + gx * (x - 0.5) + gy * (y - 0.5);
            for (plane, &value) in rgb.iter_mut().zip(&colour) {
                plane.data[i] += (value * shade - plane.data[i]) * c * opacity;
            }
        });
    }
    let noise = rng.random_range(0.0..0.03);
    for plane in &mut rgb {
        plane.add_noise(rng, noise);
    }
    let [r, g, b] = &rgb;
    (to_chw([r, g, b]), mask.to_mask())
}

/// Fully saturated hue with random saturation and value.
fn saturated(rng: &mut ChaCha8Rng) -> Rgb {
    let hue = rng.random_range(0.0..6.0f32);
    let (s, v) = (rng.random_range(0.65..1.0f32), rng.random_range(0.6..1.0f32));
    let f = |n: f32| {
        let k = (n + hue) % 6.0;
        v - v * s * k.min(4.0 - k).clamp(0.0, 1.0)
    };
    [f(5.0), f(3.0), f(1.0)]
}

/// Fills the three planes from a per-pixel blend weight between two colours.
fn two_tone(size: usize, a: Rgb, b: Rgb, weight: impl Fn(f32, f32) -> f32) -> [Plane; 3] {
    let mut planes = [0, 1, 2].map(|_| Plane::new(size, 0.0));
    let n = size as f32;
    for i in 0..size * size {
        let t = weight((i % size) as f32 / n, (i / size) as f32 / n).clamp(0.0, 1.0);
        for (plane, (&ca, &cb)) in planes.iter_mut().zip(a.iter().zip(&b)) {
            plane.data[i] = ca + (cb - ca) * t;
        }
    }
    planes
}

/// Label 0: linear gradient, 1: radial gradient, 2: sinusoidal stripes, 3: smooth noise texture.
fn background(rng: &mut ChaCha8Rng, label: i64, size: usize) -> [Plane; 3] {
    let (a, b) = (saturated(rng), saturated(rng));
    match label {
        0 => {
            let angle = rng.random_range(0.0..TAU);
            let (c, s) = (angle.cos(), angle.sin());
            two_tone(size, a, b, |x, y| 0.5 + (x - 0.5) * c + (y - 0.5) * s)
        }
        1 => {
            let centre = (rng.random_range(0.2..0.8), rng.random_range(0.2..0.8));
            let reach = rng.random_range(0.4..0.9);
            two_tone(size, a, b, |x, y| ((x - centre.0).powi(2) + (y - centre.1).powi(2)).sqrt() / reach)
        }
        2 => {
            let angle = rng.random_range(0.0..PI);
            let cycles = rng.random_range(2.0..8.0) * TAU;
            let (c, s) = (cycles * angle.cos(), cycles * angle.sin());
            let phase = rng.random_range(0.0..TAU);
            two_tone(size, a, b, |x, y| 0.5 + 0.5 * (x * c + y * s + phase).sin())
        }
        _ => {
            let cells = rng.random_range(3.0..8.0);
            let field = smooth_field(rng, size, cells, 3);
            let third = saturated(rng);
            let mut planes = [0, 1, 2].map(|_| Plane::new(size, 0.0));
            for (i, &t) in field.data.iter().enumerate() {
                // Stretch the field (which clusters near 0.5) over a three-colour palette.
                let t = ((t - 0.5) * 3.0 + 0.5).clamp(0.0, 1.0) * 2.0;
                for (k, plane) in planes.iter_mut().enumerate() {
                    plane.data[i] =
                        if t < 1.0 { a[k] + (b[k] - a[k]) * t } else { b[k] + (third[k] - b[k]) * (t - 1.0) };
                }
            }
            planes
        }
    }
}

fn random_shape(rng: &mut ChaCha8Rng, n: f32) -> Shape {
    let centre = (rng.random_range(0.1 * n..0.9 * n), rng.random_range(0.1 * n..0.9 * n));
    let r = rng.random_range(0.08..0.28) * n;
    let angle = rng.random_range(0.0..PI);
    match rng.random_range(0..4) {
        0 => {
            let aspect = rng.random_range(0.3..1.0);
            Shape::Polygon(regular(centre, (r, r * aspect), angle, 4, PI / 4.0))
        }
        1 => Shape::blob(centre, (r, r * rng.random_range(0.4..1.0)), angle, random_harmonics(rng, 0.1)),
        2 => {
            let (dx, dy) = (r * angle.cos(), r * angle.sin());
            Shape::Capsule {
                a: (centre.0 - dx, centre.1 - dy),
                b: (centre.0 + dx, centre.1 + dy),
                half_width: rng.random_range(0.015..0.05) * n,
            }
        }
        _ => Shape::Polygon(regular(centre, (r, r), angle, rng.random_range(3..=6), 0.0)),
    }
}

/// Vertices of a regular polygon stretched to `radii` and rotated by `angle`.
fn regular(centre: Point, radii: Point, angle: f32, sides: usize, offset: f32) -> Vec<Point> {
    let (c, s) = (angle.cos(), angle.sin());
    (0..sides)
        .map(|k| {
            let phi = offset + k as f32 * TAU / sides as f32;
            let (u, v) = (radii.0 * phi.cos(), radii.1 * phi.sin());
            (centre.0 + u * c - v * s, centre.1 + u * s + v * c)
        })
        .collect()
}
