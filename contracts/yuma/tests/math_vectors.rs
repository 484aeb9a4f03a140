//! Math primitive vectors of economics spec §8.1 (upstream `tests/math.rs`).

mod common;
use common::*;
use yuma::math::*;
use yuma::I32F32;

fn i(v: i32) -> I32F32 {
    I32F32::from_i32(v)
}

/// floor(k · 2^32 / s): the exact value of `k / s` in 32.32.
fn q(k: i64, s: i64) -> I32F32 {
    I32F32::from_bits(((i128::from(k) << 32) / i128::from(s)) as i64)
}

#[test]
fn weighted_median_table() {
    let one = I32F32::ONE;
    let minority = one.saturating_sub(fx32(0.51));
    let cases: &[(&[f32], &[f32], f32)] = &[
        (&[], &[], 0.0),
        (&[0.49, 0.51], &[0.5, 1.0], 1.0),
        (&[0.51, 0.49], &[0.5, 1.0], 0.5),
        (&[0.49, 0.0, 0.51], &[0.5, 0.7, 1.0], 1.0),
        (&[0.49, 0.01, 0.5], &[0.5, 0.7, 1.0], 0.7),
        (&[0.49, 0.51, 0.0], &[0.5, 0.7, 1.0], 0.7),
        (&[0.0, 0.49, 0.51], &[0.5, 0.7, 1.0], 1.0),
        (&[0.0, 0.49, 0.0, 0.51], &[0.5, 0.5, 1.0, 1.0], 1.0),
        (
            &[0.0, 0.49, 0.0, 0.51, 0.0],
            &[0.5, 0.5, 1.0, 1.0, 0.5],
            1.0,
        ),
        (&[0.2; 5], &[0.8, 0.2, 1.0, 0.6, 0.4], 0.6),
        (
            &[0.1; 10],
            &[0.8, 0.8, 0.2, 0.2, 1.0, 1.0, 0.6, 0.6, 0.4, 0.4],
            0.6,
        ),
    ];
    for (stake, score, expect) in cases {
        let st = fxv(stake);
        let sc = fxv(score);
        let idx: Vec<usize> = (0..st.len()).collect();
        let m = weighted_median(&st, &sc, &idx, minority, I32F32::ZERO, sum(&st));
        assert_eq!(m, fx32(*expect), "stake {stake:?} score {score:?}");
    }
    // A single normalised stake.
    let st = normalize(&fxv(&[0.51]));
    assert_eq!(
        weighted_median(&st, &fxv(&[1.0]), &[0], minority, I32F32::ZERO, sum(&st)),
        one
    );
    // Mismatched lengths never panic.
    assert_eq!(
        weighted_median(&fxv(&[1.0]), &[], &[0], minority, I32F32::ZERO, one),
        I32F32::ZERO
    );
}

#[test]
fn weighted_median_col_dense_and_sparse() {
    let w = mat(&[0., 0.1, 0., 0., 0.2, 0.4, 0., 0.3, 0.1, 0., 0.4, 0.5], 4);
    let stake = fxv(&[0., 0.75, 0.25, 0.]);
    for (kappa, expect) in [
        (0.24_f32, [0., 0.3, 0.4]),
        (0.26, [0., 0.2, 0.4]),
        (0.76, [0., 0.2, 0.1]),
    ] {
        assert_eq!(
            weighted_median_col(&stake, &w, fx32(kappa)),
            fxv(&expect),
            "κ={kappa}"
        );
        assert_eq!(
            weighted_median_col_sparse(&stake, &sparse(&w), 3, fx32(kappa)),
            fxv(&expect),
            "κ={kappa}"
        );
    }
    let w = mat(&[0., 0.1, 0., 0., 0.2, 0.4, 0., 0.3, 0.1, 0., 0., 0.5], 4);
    let stake = fxv(&[0., 0.3, 0.2, 0.5]);
    assert_eq!(
        weighted_median_col(&stake, &w, fx32(0.51)),
        fxv(&[0., 0., 0.4])
    );
    assert_eq!(
        weighted_median_col_sparse(&stake, &sparse(&w), 3, fx32(0.51)),
        fxv(&[0., 0., 0.4])
    );
    // Degenerate inputs.
    assert_eq!(
        weighted_median_col(&[], &[vec![]], fx32(0.5)),
        Vec::<I32F32>::new()
    );
    assert_eq!(
        weighted_median_col(&fxv(&[0., 0.]), &mat(&[0.; 4], 2), fx32(0.5)),
        fxv(&[0., 0.])
    );
}

#[test]
fn vec_max_upscale_vectors() {
    let cases: &[(&[f32], &[u16])] = &[
        (&[], &[]),
        (&[0.], &[0]),
        (&[0., 0.], &[0, 0]),
        (&[0., 1.], &[0, 65535]),
        (&[0., 0.000000001], &[0, 65535]),
        (&[0., 0.000016, 1.], &[0, 1, 65535]),
        (&[0.000000001, 0.000000001], &[65535, 65535]),
        (
            &[
                0.000001, 0.000006, 0.000007, 0.0001, 0.001, 0.01, 0.1, 0.2, 0.3, 0.4,
            ],
            &[0, 1, 1, 16, 164, 1638, 16384, 32768, 49151, 65535],
        ),
        (&[0., 1., 65535.], &[0, 1, 65535]),
        (&[0., 0.5, 1., 1.5, 2., 32768.], &[0, 1, 2, 3, 4, 65535]),
        (
            &[0., 0.5, 1., 1.5, 2., 32768., 32769.],
            &[0, 1, 2, 3, 4, 65533, 65535],
        ),
    ];
    for (v, expect) in cases {
        assert_eq!(vec_max_upscale_to_u16(&fxv(v)), *expect, "{v:?}");
    }
    for v in [i(16384), i(32768), i(32769), i(65535), I32F32::MAX] {
        assert_eq!(vec_max_upscale_to_u16(&[v]), [65535]);
    }
    assert_eq!(
        vec_max_upscale_to_u16(&[i(0), i(1), i(32768), i(32769), I32F32::MAX]),
        [0, 0, 1, 1, 65535]
    );
    // u16 variant (what set_weights stores).
    let u16_cases: &[(&[u16], &[u16])] = &[
        (&[], &[]),
        (&[0], &[0]),
        (&[0, 0], &[0, 0]),
        (&[1], &[65535]),
        (&[0, 1], &[0, 65535]),
        (&[65534], &[65535]),
        (&[65535], &[65535]),
        (&[65535, 65535], &[65535, 65535]),
        (&[0, 1, 65534], &[0, 1, 65535]),
        (
            &[0, 1, 2, 3, 4, 65533, 65535],
            &[0, 1, 2, 3, 4, 65533, 65535],
        ),
    ];
    for (v, expect) in u16_cases {
        assert_eq!(vec_u16_max_upscale_to_u16(v), *expect, "{v:?}");
    }
}

#[test]
fn check_vec_max_limited_vectors() {
    let m = u16::MAX;
    assert!(!check_vec_max_limited(&[0, m, m], m / 2));
    assert!(check_vec_max_limited(&[0, m, m], m / 2 + 1));
    assert!(!check_vec_max_limited(&[0, m, m, m], m / 3 - 1));
    assert!(check_vec_max_limited(&[0, m, m, m], m / 3));
    assert!(!check_vec_max_limited(&[m], m - 1));
    assert!(check_vec_max_limited(&[], 0));
}

#[test]
fn is_topk_vectors() {
    let t = true;
    let f = false;
    assert_eq!(is_topk(&[], 5), Vec::<bool>::new());
    let v = fxv(&[0., 1., 2., 3., 4., 5., 6., 7., 8., 9.]);
    assert_eq!(is_topk(&v, 0), [f; 10]);
    assert_eq!(is_topk(&v, 5), [f, f, f, f, f, t, t, t, t, t]);
    assert_eq!(is_topk(&v, 10), [t; 10]);
    assert_eq!(is_topk(&v, 100), [t; 10]);
    assert_eq!(
        is_topk(&fxv(&[9., 8., 7., 6., 5., 4., 3., 2., 1., 0.]), 5),
        [t, t, t, t, t, f, f, f, f, f]
    );
    assert_eq!(
        is_topk(&fxv(&[9., 0., 8., 1., 7., 2., 6., 3., 5., 4.]), 5),
        [t, f, t, f, t, f, t, f, t, f]
    );
    assert_eq!(
        is_topk(&fxv(&[0.9, 0., 0.8, 0.1, 0.7, 0.2, 0.6, 0.3, 0.5, 0.4]), 5),
        [t, f, t, f, t, f, t, f, t, f]
    );
    // Ties at the boundary: lower indices are dropped first.
    assert_eq!(
        is_topk(&fxv(&[0., 1., 2., 3., 4., 5., 5., 5., 5., 6.]), 5),
        [f, f, f, f, f, t, t, t, t, t]
    );
    assert_eq!(
        is_topk(&fxv(&[5., 5., 5., 5., 5., 5.]), 2),
        [f, f, f, f, t, t]
    );
    // Non-zero variant never selects zeros.
    assert_eq!(is_topk_nonzero(&fxv(&[0., 0., 1., 0.]), 3), [f, f, t, f]);
    assert_eq!(is_topk_nonzero(&fxv(&[0., 2., 1.]), 5), [f, t, t]);
    assert_eq!(is_topk_nonzero(&fxv(&[3., 2., 1.]), 0), [f, f, f]);
}

#[test]
fn exp_safe_vectors() {
    let zero = I32F32::ZERO;
    let one = I32F32::ONE;
    assert_eq!(exp_safe(zero), exp(zero).unwrap());
    assert_eq!(exp_safe(one), exp(one).unwrap());
    let lo = i(-20);
    let hi = i(20);
    assert_eq!(exp_safe(lo), exp(lo).unwrap());
    assert_eq!(exp_safe(lo.saturating_sub(one)), exp(lo).unwrap());
    assert_eq!(exp_safe(I32F32::MIN), exp(lo).unwrap());
    assert_eq!(exp_safe(hi), exp(hi).unwrap());
    assert_eq!(exp_safe(hi.saturating_add(one)), exp(hi).unwrap());
    assert_eq!(exp_safe(I32F32::MAX), exp(hi).unwrap());
    // Accuracy of the series (the brief: within 1e-6 of the true exp on the liquid-alpha range).
    for k in -100..=100 {
        let x = q(k, 20); // −5 … 5
        let got = to_f64(exp(x).unwrap());
        let want = to_f64(x).exp();
        assert!(
            (got - want).abs() <= 1e-6 * want.max(1.0),
            "exp({}) = {got} vs {want}",
            to_f64(x)
        );
    }
}

/// Exact I32F32 equality with the upstream targets: proves `exp` is bit-identical to
/// `substrate_fixed::transcendental::exp`.
#[test]
fn sigmoid_safe_vectors() {
    // upstream builds these with `I32F32::from_num(f64)`
    let trust = [
        I32F32::MIN,
        i(0),
        fx(0.4),
        fx(0.5),
        fx(0.6),
        i(1),
        I32F32::MAX,
    ];
    let c: Vec<I32F32> = trust
        .iter()
        .map(|&t| sigmoid_safe(t, I32F32::MAX, I32F32::MAX))
        .collect();
    assert_eq!(
        c,
        fxv(&[
            0.0000000019,
            0.0000000019,
            0.0000000019,
            0.0000000019,
            0.0000000019,
            0.0000000019,
            0.5
        ])
    );
    let c: Vec<I32F32> = trust
        .iter()
        .map(|&t| sigmoid_safe(t, I32F32::MIN, I32F32::MIN))
        .collect();
    assert_eq!(
        c,
        fxv(&[
            0.5,
            0.0000000019,
            0.0000000019,
            0.0000000019,
            0.0000000019,
            0.0000000019,
            0.0000000019
        ])
    );
    let c: Vec<I32F32> = trust
        .iter()
        .map(|&t| sigmoid_safe(t, i(30), fx(0.5)))
        .collect();
    let target: Vec<I32F32> = [
        0.0000000019,
        0.0000003057,
        0.0474258729,
        0.5,
        0.952574127,
        0.9999996943,
        0.9999999981,
    ]
    .iter()
    .map(|&x| fx(x))
    .collect();
    assert_eq!(c, target);
    let trust = fxv(&[0., 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.]);
    let c: Vec<I32F32> = trust
        .iter()
        .map(|&t| sigmoid_safe(t, i(40), fx(0.5)))
        .collect();
    let target: Vec<I32F32> = [
        0.0000000019,
        0.0000001125,
        0.0000061442,
        0.0003353502,
        0.017986214,
        0.5,
        0.9820138067,
        0.9996646498,
        0.9999938558,
        0.9999998875,
        0.9999999981,
    ]
    .iter()
    .map(|&x| fx(x))
    .collect();
    assert_eq!(c, target);
}

#[test]
fn matmul_vectors() {
    let w = mat(&[1., 2., 3., 4., 5., 6., 7., 8., 9., 10., 11., 12.], 4);
    let v = fxv(&[1., 2., 3., 4.]);
    assert_eq!(matmul(&w, &v), fxv(&[70., 80., 90.]));
    assert_eq!(matmul_sparse(&sparse(&w), &v, 3), fxv(&[70., 80., 90.]));
    let w0 = mat(&[0., 2., 3., 4., 0., 6., 7., 8., 0., 10., 11., 12.], 4);
    assert_eq!(matmul_sparse(&sparse(&w0), &v, 3), fxv(&[69., 70., 63.]));
    assert_eq!(
        matmul_sparse(&sparse(&mat(&[0.; 12], 4)), &v, 3),
        fxv(&[0., 0., 0.])
    );
    let v3 = fxv(&[1., 2., 3.]);
    assert_eq!(matmul_transpose(&w, &v3), fxv(&[14., 32., 50., 68.]));
    assert_eq!(
        matmul_transpose_sparse(&sparse(&w), &v3),
        fxv(&[14., 32., 50., 68.])
    );
}

#[test]
fn col_clip_vectors() {
    let w = mat(&[1., 2., 3., 4., 5., 6., 7., 8., 9., 10., 11., 12.], 4);
    let th = fxv(&[0., 5., 12.]);
    let mut dense = w.clone();
    inplace_col_clip(&mut dense, &th);
    assert_eq!(
        dense,
        mat(&[0., 2., 3., 0., 5., 6., 0., 5., 9., 0., 5., 12.], 4)
    );
    // Sparse: entries above a non-positive threshold are dropped.
    let s = col_clip_sparse(&sparse(&w), &th);
    assert_eq!(
        s,
        sparse(&mat(&[0., 2., 3., 0., 5., 6., 0., 5., 9., 0., 5., 12.], 4))
    );
    // Explicit zero entries are kept.
    let z = vec![vec![(0_u16, I32F32::ZERO), (1, i(7))]];
    assert_eq!(
        col_clip_sparse(&z, &[I32F32::ZERO, i(5)]),
        vec![vec![(0_u16, I32F32::ZERO), (1, i(5))]]
    );
}

#[test]
fn col_normalize_and_max_upscale_vectors() {
    // Columns [0,1,2,3,4], [0,10,100,1000,10000], [0,0,0,0,0], [1,1,1,1,1].
    let cols: [[i64; 5]; 4] = [[0, 1, 2, 3, 4], [0, 10, 100, 1000, 10000], [0; 5], [1; 5]];
    let m: Vec<Vec<I32F32>> = (0..5)
        .map(|r| cols.iter().map(|c| I32F32::from_bits(c[r] << 32)).collect())
        .collect();
    let mut n = m.clone();
    inplace_col_normalize(&mut n);
    let mut u = m.clone();
    inplace_col_max_upscale(&mut u);
    let mut ns = sparse(&m);
    inplace_col_normalize_sparse(&mut ns, 4);
    let mut us = sparse(&m);
    inplace_col_max_upscale_sparse(&mut us, 4);
    for r in 0..5 {
        let exp_n = [
            q(cols[0][r], 10),
            q(cols[1][r], 11110),
            I32F32::ZERO,
            q(1, 5),
        ];
        let exp_u = [
            q(cols[0][r], 4),
            q(cols[1][r], 10000),
            I32F32::ZERO,
            I32F32::ONE,
        ];
        assert_eq!(n[r], exp_n);
        assert_eq!(u[r], exp_u);
        let sparse_n: Vec<(u16, I32F32)> = exp_n
            .iter()
            .enumerate()
            .filter(|(j, _)| cols[*j][r] != 0)
            .map(|(j, &v)| (j as u16, v))
            .collect();
        let sparse_u: Vec<(u16, I32F32)> = exp_u
            .iter()
            .enumerate()
            .filter(|(j, _)| cols[*j][r] != 0)
            .map(|(j, &v)| (j as u16, v))
            .collect();
        assert_eq!(ns[r], sparse_n);
        assert_eq!(us[r], sparse_u);
    }
    // The spec's rounded view: [0,.1,.2,.3,.4], [0,.0009,.009,.09,.9], zeros, [.2 ×5].
    assert!((to_f64(n[4][1]) - 0.9000900090).abs() < 1e-9);
    assert!((to_f64(u[1][1]) - 0.001).abs() < 1e-9);
}

#[test]
fn mat_ema_alpha_vectors() {
    let old = vec![
        fxv(&[0.1, 0.2, 3.]),
        fxv(&[0.04, 0.05, 0.06]),
        fxv(&[0.07, 0.08, 0.09]),
        fxv(&[0.10, 0.11, 0.12]),
    ];
    let new = mat(&[1., 2., 3., 4., 5., 6., 7., 8., 9., 10., 11., 12.], 4);
    let alpha = vec![vec![fx32(0.1); 3]; 4];
    let r = mat_ema_alpha(&new, &old, &alpha);
    // upstream: `assert_mat_approx_eq` against f32 targets, epsilon 1e-4 (all in I32F32)
    let target = [
        [0.19_f32, 0.38, 1.],
        [0.436, 0.545, 0.6539],
        [0.763, 0.8719, 0.981],
        [1., 1., 1.],
    ];
    let eps = fx32(1e-4);
    for (row, t) in r.iter().zip(&target) {
        for (&v, &t) in row.iter().zip(t) {
            let d = v.saturating_sub(fx32(t));
            assert!(d <= eps && d.saturating_neg() <= eps, "{v} vs {t}");
        }
    }
    let new10: Vec<Vec<I32F32>> = new
        .iter()
        .map(|row| row.iter().map(|v| v.saturating_mul(i(10))).collect())
        .collect();
    let r = mat_ema_alpha(&new10, &old, &vec![vec![I32F32::ZERO; 3]; 4]);
    let target = [
        [0.1, 0.2, 1.],
        [0.04, 0.05, 0.06],
        [0.07, 0.08, 0.09],
        [0.1, 0.11, 0.12],
    ];
    for (row, t) in r.iter().zip(&target) {
        for (&v, &t) in row.iter().zip(t) {
            assert!((to_f64(v) - t).abs() <= 1e-4);
        }
    }
    // Sparse quirk: (0,0) is dropped because row 0 of `new` is empty.
    let old = vec![vec![(0_u16, I32F32::ONE)], vec![]];
    let new = vec![vec![], vec![(1_u16, i(2))]];
    let alpha = vec![vec![fx32(0.1); 2]; 2];
    let r = mat_ema_alpha_sparse(&new, &old, &alpha);
    assert_eq!(r[0], vec![]);
    assert_eq!(r[1].len(), 1);
    assert_eq!(r[1][0].0, 1);
    assert!((to_f64(r[1][0].1) - 0.2).abs() <= 1e-4);
    // The dense path keeps the decayed bond.
    let rd = mat_ema_alpha(
        &[fxv(&[0., 0.]), fxv(&[0., 2.])],
        &[fxv(&[1., 0.]), fxv(&[0., 0.])],
        &[vec![fx32(0.1); 2], vec![fx32(0.1); 2]],
    );
    assert!((to_f64(rd[0][0]) - 0.9).abs() <= 1e-4);
    // mat_ema_sparse keeps entries of both matrices.
    let r = mat_ema_sparse(&new, &old, fx32(0.1));
    assert_eq!(r[0].len(), 1);
    assert!((to_f64(r[0][0].1) - 0.9).abs() <= 1e-4);
}

#[test]
fn liquid_alpha_sigmoid() {
    // e0 of the Yuma3 scenarios: α = 0.1 + 0.2·σ(10·(0 − 0.5)) = 0.10134.
    let lo = yuma::fixed::u16_proportion_to_fixed(6553);
    let hi = yuma::fixed::u16_proportion_to_fixed(19660);
    let a = alpha_sigmoid(I32F32::ONE, I32F32::ONE, I32F32::ZERO, lo, hi, i(1000));
    assert!((to_f64(a) - 0.101338).abs() < 1e-5, "{}", to_f64(a));
    // Clamped into [low, high] whatever the steepness (overflowing exp → σ = 1 → α = high).
    let a = alpha_sigmoid(
        I32F32::ZERO,
        I32F32::ONE,
        I32F32::ZERO,
        lo,
        hi,
        i(i32::from(i16::MIN)),
    );
    assert!(a >= lo && a <= hi);
    let a = alpha_sigmoid(
        I32F32::ZERO,
        I32F32::ZERO,
        I32F32::ONE,
        lo,
        hi,
        i(i32::from(i16::MAX)),
    );
    assert_eq!(a, hi);
}
