//! The in-batch contrastive losses against explicit loops over ordered pairs in f64, on small
//! random batches (N = 3, so that the masks' row order matters), and MoCo against a loop over
//! queries and queue entries.
use crate::support::{
    assert_close, cosines, dot, gradient, log_sum_exp, mean, partner, random, reference_info_nce, rows,
    scalar_cosines, softplus, tensor, unit, value,
};
use medssl::methods::losses::binary::{combo, euclidean_info_nce, proposed, PairAveraging};
use medssl::methods::losses::decoupled::{dcl, dclw, DCLW_SIGMA, DCL_TEMPERATURE};
use medssl::methods::losses::mio::{mio, MioVersion};
use medssl::methods::losses::moco::moco_info_nce;
use medssl::methods::losses::nt_xent;
use tch::{Kind, Tensor};

const TOLERANCE: f64 = 1e-10;

/// The cosines of the positive and of the negative ordered pairs of a `[2N, D]` batch.
fn ordered_pairs(z: &[Vec<f64>]) -> (Vec<f64>, Vec<f64>) {
    let c = cosines(z);
    let n2 = z.len();
    let mut positives = Vec::new();
    let mut negatives = Vec::new();
    for (i, row) in c.iter().enumerate() {
        for (j, &cosine) in row.iter().enumerate() {
            if j == partner(i, n2) {
                positives.push(cosine);
            } else if j != i {
                negatives.push(cosine);
            }
        }
    }
    (positives, negatives)
}

#[test]
fn proposed_matches_a_loop_over_pairs_under_both_averagings() {
    let z = random(6, 4, 10);
    let (positives, negatives) = ordered_pairs(&rows(&z));
    let tau = 0.3;
    assert_eq!((positives.len(), negatives.len()), (6, 24));
    let positive_terms: Vec<f64> = positives.iter().map(|c| softplus(-c / tau)).collect();
    let negative_terms: Vec<f64> = negatives.iter().map(|c| softplus(c / tau)).collect();
    let all_pairs = (positive_terms.iter().sum::<f64>() + negative_terms.iter().sum::<f64>()) / 36.0;
    let separate = mean(&positive_terms) + mean(&negative_terms);
    assert_close(value(&proposed(&z, tau, PairAveraging::AllPairs).unwrap()), all_pairs, TOLERANCE, "4N²");
    assert_close(
        value(&proposed(&z, tau, PairAveraging::SeparateMeans).unwrap()),
        separate,
        TOLERANCE,
        "means",
    );
}

#[test]
fn mio_versions_match_a_loop_over_pairs() {
    let z = random(6, 4, 11);
    let (positives, negatives) = ordered_pairs(&rows(&z));
    let tau = 0.2;
    let v1 = mean(&positives.iter().map(|c| softplus(-c / tau)).collect::<Vec<_>>())
        + mean(&negatives.iter().map(|c| softplus(c / tau)).collect::<Vec<_>>());
    let v2 = mean(&positives.iter().map(|c| -c / tau).collect::<Vec<_>>())
        + mean(&negatives.iter().map(|c| softplus(c / tau)).collect::<Vec<_>>());
    let v3 = mean(&positives.iter().map(|c| -c / tau).collect::<Vec<_>>())
        + mean(&negatives.iter().map(|c| (c / tau).exp()).collect::<Vec<_>>());
    for (version, expected) in [(MioVersion::V1, v1), (MioVersion::V2, v2), (MioVersion::V3, v3)] {
        assert_close(value(&mio(&z, tau, version).unwrap()), expected, TOLERANCE, &format!("{version:?}"));
    }
}

#[test]
fn euclidean_info_nce_matches_a_loop_with_and_without_normalisation() {
    let z = rows(&random(6, 4, 12));
    let tau = 0.33;
    let squared_distance = |a: &[f64], b: &[f64]| a.iter().zip(b).map(|(x, y)| (x - y).powi(2)).sum::<f64>();
    let raw = reference_info_nce(6, |i, j| -squared_distance(&z[i], &z[j]) / tau);
    let on_sphere = reference_info_nce(6, |i, j| -squared_distance(&unit(&z[i]), &unit(&z[j])) / tau);
    let zt = tensor(&z);
    assert_close(value(&euclidean_info_nce(&zt, tau, false).unwrap()), raw, TOLERANCE, "raw rows");
    assert_close(value(&euclidean_info_nce(&zt, tau, true).unwrap()), on_sphere, TOLERANCE, "unit rows");
    // specs/004a §4.2 [V]: on the unit sphere, L_Contr is NT-Xent at τ_c/2.
    assert_close(value(&nt_xent(&zt, tau / 2.0)), on_sphere, TOLERANCE, "NT-Xent at τ_c/2");
}

#[test]
fn combo_is_the_sum_of_its_reported_terms() {
    let z = random(6, 4, 13);
    let terms = combo(&z, 0.25, 0.33, PairAveraging::AllPairs, true).unwrap();
    let expected = value(&proposed(&z, 0.25, PairAveraging::AllPairs).unwrap())
        + value(&euclidean_info_nce(&z, 0.33, true).unwrap());
    assert_close(value(&terms.total), expected, TOLERANCE, "L_Combo");
    let metrics = terms.metrics();
    assert_eq!(metrics.iter().map(|(name, _)| name.as_str()).collect::<Vec<_>>(), ["L_Proposed", "L_Contr"]);
    assert_close(metrics[0].1 + metrics[1].1, expected, TOLERANCE, "metrics");
}

/// DCL per anchor: −w_i c₊/τ + log Σ over the 2N−2 negatives of exp(c/τ).
fn reference_decoupled(z: &[Vec<f64>], tau: f64, weight: impl Fn(usize) -> f64) -> f64 {
    let c = cosines(z);
    let n2 = z.len();
    let per_anchor: Vec<f64> = (0..n2)
        .map(|i| {
            let negatives: Vec<f64> =
                (0..n2).filter(|&j| j != i && j != partner(i, n2)).map(|j| c[i][j] / tau).collect();
            -weight(i) * c[i][partner(i, n2)] / tau + log_sum_exp(&negatives)
        })
        .collect();
    mean(&per_anchor)
}

#[test]
fn dcl_and_dclw_match_a_loop_over_anchors() {
    let z = rows(&random(6, 4, 14));
    let zt = tensor(&z);
    let c = cosines(&z);
    let plain = reference_decoupled(&z, DCL_TEMPERATURE, |_| 1.0);
    assert_close(value(&dcl(&zt, DCL_TEMPERATURE).unwrap()), plain, TOLERANCE, "DCL");
    // DCLW: w_i = 2 − exp(c₊ᵢ/σ) / mean over the N images of exp(c₊/σ).
    let scores: Vec<f64> = (0..3).map(|i| (c[i][i + 3] / DCLW_SIGMA).exp()).collect();
    let weighted = reference_decoupled(&z, DCL_TEMPERATURE, |i| 2.0 - scores[i % 3] / mean(&scores));
    assert_close(value(&dclw(&zt, DCL_TEMPERATURE, DCLW_SIGMA).unwrap()), weighted, TOLERANCE, "DCLW");
    // The positive leaves the denominator: DCL is NT-Xent minus what the positive added there.
    assert!(value(&dcl(&zt, DCL_TEMPERATURE).unwrap()) < value(&nt_xent(&zt, DCL_TEMPERATURE)));
}

#[test]
fn moco_matches_a_loop_over_queries_and_the_queue() {
    let q = rows(&random(3, 4, 15));
    let k = rows(&random(3, 4, 16));
    let queue = rows(&random(5, 4, 17));
    let tau = 0.2;
    let per_query: Vec<f64> = (0..3)
        .map(|i| {
            let qi = unit(&q[i]);
            let positive = dot(&qi, &unit(&k[i])) / tau;
            let mut logits = vec![positive];
            logits.extend(queue.iter().map(|e| dot(&qi, &unit(e)) / tau));
            log_sum_exp(&logits) - positive
        })
        .collect();
    let (qt, kt, queue_t) = (tensor(&q), tensor(&k), tensor(&queue));
    assert_close(
        value(&moco_info_nce(&qt, &kt, &queue_t, tau).unwrap()),
        mean(&per_query),
        TOLERANCE,
        "MoCo",
    );
    // Without negatives there is nothing to tell the key from: the loss is exactly 0.
    let empty_queue = queue_t.narrow(0, 0, 0);
    assert_close(value(&moco_info_nce(&qt, &kt, &empty_queue, tau).unwrap()), 0.0, TOLERANCE, "empty queue");
}

#[test]
fn dclw_weights_scale_the_gradient_without_adding_their_own() {
    let z = random(6, 4, 18);
    let c = cosines(&rows(&z));
    let scores: Vec<f64> = (0..3).map(|i| (c[i][i + 3] / DCLW_SIGMA).exp()).collect();
    let weights: Vec<f64> = (0..6).map(|i| 2.0 - scores[i % 3] / mean(&scores)).collect();
    let with_constant_weights = |z: &Tensor| {
        let c = scalar_cosines(z);
        let per_anchor: Vec<Tensor> = (0..6)
            .map(|i| {
                let negatives: Vec<Tensor> = (0..6)
                    .filter(|&j| j != i && j != partner(i, 6))
                    .map(|j| &c[i][j] / DCL_TEMPERATURE)
                    .collect();
                Tensor::stack(&negatives, 0).logsumexp([0i64].as_slice(), false)
                    - &c[i][partner(i, 6)] * (weights[i] / DCL_TEMPERATURE)
            })
            .collect();
        Tensor::stack(&per_anchor, 0).mean(Kind::Double)
    };
    let expected = gradient(&z, with_constant_weights);
    let got = gradient(&z, |z| dclw(z, DCL_TEMPERATURE, DCLW_SIGMA).unwrap());
    for (g, e) in got.iter().zip(&expected) {
        assert_close(*g, *e, 1e-9, "DCLW ∂L/∂z");
    }
}
