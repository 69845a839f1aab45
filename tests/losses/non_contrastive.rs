//! Barlow Twins, VICReg, BYOL and SimSiam against loops over rows and dimensions in f64.
use crate::support::{assert_close, cosine, dot, mean, random, rows, tensor, value};
use medssl::methods::losses::redundancy::{barlow_twins, vicreg, VicregWeights, BARLOW_LAMBDA};
use medssl::methods::losses::regression::{byol, simsiam};

const TOLERANCE: f64 = 1e-10;

/// Column `j` of row-major `z`.
fn column(z: &[Vec<f64>], j: usize) -> Vec<f64> {
    z.iter().map(|row| row[j]).collect()
}

fn variance(xs: &[f64], unbiased: bool) -> f64 {
    let m = mean(xs);
    xs.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (xs.len() - usize::from(unbiased)) as f64
}

#[test]
fn barlow_twins_matches_a_loop_over_the_cross_correlation() {
    let (a, b) = (rows(&random(5, 3, 30)), rows(&random(5, 3, 31)));
    // Columns of the batch-standardised views.
    let standardised = |z: &[Vec<f64>]| -> Vec<Vec<f64>> {
        (0..3)
            .map(|j| {
                let x = column(z, j);
                let (m, s) = (mean(&x), (variance(&x, false) + 1e-5).sqrt());
                x.iter().map(|v| (v - m) / s).collect()
            })
            .collect()
    };
    let (sa, sb) = (standardised(&a), standardised(&b));
    let mut invariance = 0.0;
    let mut redundancy = 0.0;
    for (i, column_a) in sa.iter().enumerate() {
        for (j, column_b) in sb.iter().enumerate() {
            let c = dot(column_a, column_b) / 5.0;
            if i == j {
                invariance += (1.0 - c).powi(2);
            } else {
                redundancy += BARLOW_LAMBDA * c * c;
            }
        }
    }
    let terms = barlow_twins(&tensor(&a), &tensor(&b), BARLOW_LAMBDA).unwrap();
    assert_close(value(&terms.total), invariance + redundancy, TOLERANCE, "Barlow Twins");
    let metrics = terms.metrics();
    assert_eq!(metrics[0].0, "invariance");
    assert_close(metrics[0].1, invariance, TOLERANCE, "invariance");
    assert_eq!(metrics[1].0, "redundancy");
    assert_close(metrics[1].1, redundancy, TOLERANCE, "redundancy");
    assert_eq!(BARLOW_LAMBDA, 5e-3);
}

#[test]
fn vicreg_matches_a_loop_over_dimensions() {
    let (a, b) = (rows(&random(6, 4, 32)), rows(&random(6, 4, 33)));
    let scaled_a: Vec<Vec<f64>> = a.iter().map(|r| r.iter().map(|x| 0.3 * x).collect()).collect();
    let w = VicregWeights::default();
    assert_eq!((w.invariance, w.variance, w.covariance), (25.0, 25.0, 1.0));
    let invariance = mean(
        &scaled_a
            .iter()
            .zip(&b)
            .flat_map(|(x, y)| x.iter().zip(y).map(|(p, q)| (p - q).powi(2)))
            .collect::<Vec<_>>(),
    );
    // Scaled to std 0.3 the hinge is active on every dimension of view 1.
    let hinge = |z: &[Vec<f64>]| {
        mean(
            &(0..4)
                .map(|j| (1.0 - (variance(&column(z, j), true) + 1e-4).sqrt()).max(0.0))
                .collect::<Vec<_>>(),
        )
    };
    let off_diagonal = |z: &[Vec<f64>]| {
        let columns: Vec<Vec<f64>> = (0..4).map(|j| column(z, j)).collect();
        let means: Vec<f64> = columns.iter().map(|c| mean(c)).collect();
        let mut sum = 0.0;
        for i in 0..4 {
            for j in 0..4 {
                if i != j {
                    let cov: f64 =
                        (0..6).map(|k| (columns[i][k] - means[i]) * (columns[j][k] - means[j])).sum::<f64>()
                            / 5.0;
                    sum += cov * cov;
                }
            }
        }
        sum / 4.0
    };
    let expected = [
        ("invariance", 25.0 * invariance),
        ("variance", 25.0 * (hinge(&scaled_a) + hinge(&b))),
        ("covariance", off_diagonal(&scaled_a) + off_diagonal(&b)),
    ];
    assert!(hinge(&scaled_a) > 0.5, "the variance term is not exercised");
    let terms = vicreg(&tensor(&scaled_a), &tensor(&b), w).unwrap();
    for ((name, got), (expected_name, e)) in terms.metrics().iter().zip(expected) {
        assert_eq!(name, expected_name);
        assert_close(*got, e, TOLERANCE, name);
    }
    assert_close(value(&terms.total), expected.iter().map(|(_, v)| v).sum(), TOLERANCE, "VICReg");
}

#[test]
fn byol_and_simsiam_match_a_loop_over_rows() {
    let p1 = rows(&random(4, 5, 34));
    let p2 = rows(&random(4, 5, 35));
    let t1 = rows(&random(4, 5, 36));
    let t2 = rows(&random(4, 5, 37));
    let mean_cos = |a: &[Vec<f64>], b: &[Vec<f64>]| {
        mean(&a.iter().zip(b).map(|(x, y)| cosine(x, y)).collect::<Vec<_>>())
    };
    let expected_byol = mean(&p1.iter().zip(&t2).map(|(x, y)| 2.0 - 2.0 * cosine(x, y)).collect::<Vec<_>>())
        + mean(&p2.iter().zip(&t1).map(|(x, y)| 2.0 - 2.0 * cosine(x, y)).collect::<Vec<_>>());
    let expected_simsiam = -0.5 * mean_cos(&p1, &t2) - 0.5 * mean_cos(&p2, &t1);
    let [p1, p2, t1, t2] = [p1, p2, t1, t2].map(|r| tensor(&r));
    assert_close(value(&byol(&p1, &p2, &t1, &t2).unwrap()), expected_byol, TOLERANCE, "BYOL");
    assert_close(value(&simsiam(&p1, &p2, &t1, &t2).unwrap()), expected_simsiam, TOLERANCE, "SimSiam");
}

#[test]
fn the_regression_losses_span_their_ranges() {
    let p = random(4, 5, 38);
    let scaled = &p * 3.0;
    assert_close(value(&byol(&p, &p, &scaled, &scaled).unwrap()), 0.0, 1e-12, "BYOL, aligned");
    assert_close(value(&byol(&p, &p, &-&scaled, &-&scaled).unwrap()), 8.0, 1e-12, "BYOL, opposite");
    assert_close(value(&simsiam(&p, &p, &scaled, &scaled).unwrap()), -1.0, 1e-12, "SimSiam, aligned");
}
