//! Stroke "font" for the ten digits: each glyph is a set of polylines in a unit box
//! (x to the right, y downwards, both in [0, 1]). Curves are sampled from ellipse arcs with the
//! deterministic `sin_cos`, so every machine builds the same vertices.
//!
//! Some digits come in variants (a 1 with or without a flag, a 7 with or without a bar, open or
//! closed 4), chosen per sample, so a model cannot memorise one exact shape.

use super::rng::{SampleRng, sin_cos};

/// A polyline: consecutive points are joined by straight segments.
pub type Stroke = Vec<(f64, f64)>;

const ARC_STEPS: usize = 14;

/// Points of an elliptic arc centred at (cx, cy) with radii (rx, ry), from angle `a0` to `a1`
/// (degrees, counter-clockwise on screen as in mathematics: 0 = right, 90 = top).
fn arc(cx: f64, cy: f64, rx: f64, ry: f64, a0: f64, a1: f64) -> Stroke {
    (0..=ARC_STEPS)
        .map(|i| {
            let a = (a0 + (a1 - a0) * i as f64 / ARC_STEPS as f64) * (std::f64::consts::PI / 180.0);
            let (s, c) = sin_cos(a);
            (cx + rx * c, cy - ry * s)
        })
        .collect()
}

fn line(points: &[(f64, f64)]) -> Stroke {
    points.to_vec()
}

fn join(mut a: Stroke, b: Stroke) -> Stroke {
    a.extend(b);
    a
}

/// The strokes of `digit` (0..=9), with a style variant drawn from `rng`.
pub fn glyph(digit: u8, rng: &mut SampleRng) -> Vec<Stroke> {
    match digit {
        0 => {
            let rx = rng.range(0.22, 0.32);
            vec![arc(0.5, 0.5, rx, 0.42, 90.0, 450.0)]
        }
        1 => {
            let mut strokes = vec![line(&[(0.52, 0.08), (0.48, 0.92)])];
            if rng.chance(1, 2) {
                strokes.push(line(&[(0.3, 0.28), (0.52, 0.08)]));
            }
            if rng.chance(1, 4) {
                strokes.push(line(&[(0.32, 0.92), (0.66, 0.92)]));
            }
            strokes
        }
        2 => vec![join(
            arc(0.5, 0.32, 0.27, 0.24, 160.0, -30.0),
            line(&[(0.22, 0.92), (0.8, 0.92)]),
        )],
        3 => {
            let mid = rng.range(0.45, 0.55);
            vec![
                arc(0.5, mid * 0.58, 0.25, mid * 0.42, 150.0, -90.0),
                arc(
                    0.5,
                    mid + (1.0 - mid) * 0.45,
                    0.28,
                    (0.92 - mid) / 2.0,
                    90.0,
                    -150.0,
                ),
            ]
        }
        4 => {
            if rng.chance(1, 3) {
                // Open four: two separate strokes.
                vec![
                    line(&[(0.32, 0.08), (0.22, 0.6), (0.82, 0.6)]),
                    line(&[(0.64, 0.3), (0.64, 0.92)]),
                ]
            } else {
                vec![line(&[
                    (0.64, 0.92),
                    (0.64, 0.08),
                    (0.2, 0.64),
                    (0.82, 0.64),
                ])]
            }
        }
        5 => vec![join(
            line(&[(0.76, 0.08), (0.32, 0.08), (0.28, 0.46)]),
            arc(0.5, 0.66, 0.28, 0.26, 140.0, -150.0),
        )],
        6 => vec![join(
            line(&[(0.7, 0.08), (0.48, 0.22), (0.31, 0.45), (0.25, 0.68)]),
            arc(0.5, 0.7, 0.25, 0.22, 180.0, 540.0),
        )],
        7 => {
            let mut strokes = vec![line(&[(0.2, 0.08), (0.8, 0.08), (0.42, 0.92)])];
            if rng.chance(1, 4) {
                strokes.push(line(&[(0.38, 0.52), (0.72, 0.52)]));
            }
            strokes
        }
        8 => vec![
            arc(0.5, 0.29, 0.22, 0.2, -90.0, 270.0),
            arc(0.5, 0.71, 0.27, 0.22, 90.0, 450.0),
        ],
        9 => vec![
            arc(0.5, 0.31, 0.25, 0.22, 0.0, 360.0),
            line(&[(0.75, 0.31), (0.71, 0.6), (0.56, 0.92)]),
        ],
        _ => panic!("digit out of range: {digit}"),
    }
}
