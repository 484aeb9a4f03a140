//! Rasteriser: strokes -> 28x28 grey image, with a random affine transform, stroke width,
//! intensity, specks, noise and blur. Floating point is used only for +, -, *, / and sqrt,
//! which IEEE 754 defines exactly; noise and blur are integer operations.

use super::glyphs::{Stroke, glyph};
use super::rng::{SampleRng, sin_cos};

/// Image side in pixels.
pub const SIDE: usize = 28;
/// Pixels per image.
pub const PIXELS: usize = SIDE * SIDE;

/// Renders one sample: returns its label and writes `PIXELS` bytes into `out`.
pub fn render_sample(rng: &mut SampleRng, out: &mut [u8]) -> u8 {
    assert_eq!(out.len(), PIXELS);
    let label = rng.below(10) as u8;
    let strokes = glyph(label, rng);

    // Affine map from the unit glyph box to pixels: rotate, scale, shear, translate.
    let theta = rng.range(-0.30, 0.30);
    let (s, c) = sin_cos(theta);
    let sx = rng.range(0.72, 1.08);
    let sy = rng.range(0.78, 1.08);
    let shear = rng.range(-0.28, 0.28);
    let box_px = 20.0;
    let tx = 14.0 + rng.range(-2.5, 2.5);
    let ty = 14.0 + rng.range(-2.5, 2.5);
    // M = R * Shear * Scale
    let (a, b) = (c * sx, (c * shear - s) * sy);
    let (cc, d) = (s * sx, (s * shear + c) * sy);
    let jitter = 0.035;
    let transform = |(x, y): (f64, f64), rng: &mut SampleRng| {
        let x = x + rng.range(-jitter, jitter) - 0.5;
        let y = y + rng.range(-jitter, jitter) - 0.5;
        (
            tx + box_px * (a * x + b * y),
            ty + box_px * (cc * x + d * y),
        )
    };
    let mut segments: Vec<[(f64, f64); 2]> = Vec::with_capacity(48);
    for stroke in &strokes {
        let pts: Stroke = stroke.iter().map(|&p| transform(p, rng)).collect();
        for w in pts.windows(2) {
            segments.push([w[0], w[1]]);
        }
    }

    let width = rng.range(1.3, 3.2);
    let intensity = rng.range(0.7, 1.0);
    let mut img = [0f64; PIXELS];
    draw_segments(&mut img, &segments, width, intensity);

    // Specks: a few small blobs of clutter.
    for _ in 0..rng.below(4) {
        let (x, y) = (rng.range(0.0, SIDE as f64), rng.range(0.0, SIDE as f64));
        let r = rng.range(0.4, 1.1);
        draw_segments(
            &mut img,
            &[[(x, y), (x + 0.1, y)]],
            2.0 * r,
            rng.range(0.3, 0.8),
        );
    }

    for (o, v) in out.iter_mut().zip(img.iter()) {
        *o = (v.clamp(0.0, 1.0) * 255.0).round() as u8;
    }
    if rng.chance(1, 3) {
        blur(out);
    }
    let noise = rng.int_in(0, 48);
    if noise > 0 {
        for p in out.iter_mut() {
            // Triangular noise in [-noise, noise], integer only.
            let n = (rng.int_in(-noise, noise) + rng.int_in(-noise, noise)) / 2;
            *p = (i32::from(*p) + n).clamp(0, 255) as u8;
        }
    }
    label
}

/// Max-blends anti-aliased thick segments into `img` (values in [0, 1]).
fn draw_segments(
    img: &mut [f64; PIXELS],
    segments: &[[(f64, f64); 2]],
    width: f64,
    intensity: f64,
) {
    let half = width / 2.0;
    for &[(x0, y0), (x1, y1)] in segments {
        let reach = half + 1.0;
        let xmin = (x0.min(x1) - reach).floor().max(0.0) as usize;
        let xmax = ((x0.max(x1) + reach).ceil() as i64).clamp(0, SIDE as i64 - 1) as usize;
        let ymin = (y0.min(y1) - reach).floor().max(0.0) as usize;
        let ymax = ((y0.max(y1) + reach).ceil() as i64).clamp(0, SIDE as i64 - 1) as usize;
        if xmin > xmax || ymin > ymax || x0.max(x1) + reach < 0.0 || y0.max(y1) + reach < 0.0 {
            continue;
        }
        let (dx, dy) = (x1 - x0, y1 - y0);
        let len2 = dx * dx + dy * dy;
        for py in ymin..=ymax {
            for px in xmin..=xmax {
                let (cx, cy) = (px as f64 + 0.5, py as f64 + 0.5);
                let t = if len2 > 0.0 {
                    (((cx - x0) * dx + (cy - y0) * dy) / len2).clamp(0.0, 1.0)
                } else {
                    0.0
                };
                let (ex, ey) = (cx - (x0 + t * dx), cy - (y0 + t * dy));
                let dist = (ex * ex + ey * ey).sqrt();
                let v = (half + 0.5 - dist).clamp(0.0, 1.0) * intensity;
                let p = &mut img[py * SIDE + px];
                if v > *p {
                    *p = v;
                }
            }
        }
    }
}

/// 3x3 binomial blur ([1 2 1] outer product / 16) with integer arithmetic, edges clamped.
fn blur(img: &mut [u8]) {
    let src = img.to_vec();
    let at = |x: i64, y: i64| -> u32 {
        let x = x.clamp(0, SIDE as i64 - 1) as usize;
        let y = y.clamp(0, SIDE as i64 - 1) as usize;
        u32::from(src[y * SIDE + x])
    };
    for y in 0..SIDE as i64 {
        for x in 0..SIDE as i64 {
            let mut acc = 0u32;
            for (ky, wy) in [(-1, 1u32), (0, 2), (1, 1)] {
                for (kx, wx) in [(-1, 1u32), (0, 2), (1, 1)] {
                    acc += wy * wx * at(x + kx, y + ky);
                }
            }
            img[(y as usize) * SIDE + x as usize] = ((acc + 8) / 16) as u8;
        }
    }
}
