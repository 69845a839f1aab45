//! DySTreSS: the τ(c) profiles against their formulas evaluated here in f64, the loss against a
//! loop over anchors, and what backpropagation sees with τ stopped or flowing.
use crate::support::{
    assert_close, cosines, gradient, partner, random, reference_info_nce, rows, scalar_cosines, value, values,
};
use medssl::methods::losses::dystress::{
    dystress, pair_temperatures, TauGradient, TemperatureProfile, DYSTRESS_TAU_MAX, DYSTRESS_TAU_MIN,
    DYSTRESS_TAU_MIN_IMAGENET, EXPONENTIAL_PROFILE_RATE,
};
use medssl::methods::losses::nt_xent;
use std::f64::consts::PI;
use tch::{Kind, Tensor};

fn tau_at(profile: TemperatureProfile, c: f64) -> f64 {
    value(&profile.temperatures(&Tensor::from_slice(&[c])).unwrap().get(0))
}

/// Eq. 6.16 in its sin² form, not the cos(π(1 + c)) form the code uses.
fn reference_cosine_tau(tau_min: f64, tau_max: f64, c: f64) -> f64 {
    tau_min + (tau_max - tau_min) * (PI * c / 2.0).sin().powi(2)
}

/// Alg. 6.1 line by line, left branch at Δc = 0.
fn reference_shifted_tau(tau_min: f64, tau_max: f64, shift: f64, scale: f64, c: f64) -> f64 {
    if (shift <= 0.0 && c <= -shift) || (shift > 0.0 && c >= -shift) {
        tau_min + (tau_max - tau_min) / 2.0 * (1.0 + (PI * (shift + c) / scale).cos())
    } else {
        tau_max
    }
}

#[test]
fn cosine_profile_is_tau_max_at_minus_one_and_one_and_tau_min_at_zero() {
    for tau_min in [DYSTRESS_TAU_MIN, DYSTRESS_TAU_MIN_IMAGENET] {
        let profile = TemperatureProfile::Cosine { tau_min, tau_max: DYSTRESS_TAU_MAX };
        assert_close(tau_at(profile, -1.0), DYSTRESS_TAU_MAX, 1e-12, "τ(−1)");
        assert_close(tau_at(profile, 0.0), tau_min, 1e-12, "τ(0)");
        assert_close(tau_at(profile, 1.0), DYSTRESS_TAU_MAX, 1e-12, "τ(1)");
        for i in 0..=40 {
            let c = -1.0 + i as f64 / 20.0;
            assert_close(
                tau_at(profile, c),
                reference_cosine_tau(tau_min, DYSTRESS_TAU_MAX, c),
                1e-12,
                "τ(c)",
            );
        }
    }
    assert_eq!(TemperatureProfile::default(), TemperatureProfile::Cosine { tau_min: 0.07, tau_max: 0.2 });
}

#[test]
fn shifted_profiles_put_their_dip_where_alg_6_1_does() {
    // (Δc, where τ = τ_max, where τ = τ_min), specs/004b §6.2.6's table.
    let cases = [
        (0.0, vec![-1.0, 0.0, 0.5, 1.0], -0.5),
        (-0.2, vec![-1.0, 0.2, 0.6], -0.4),
        (-0.4, vec![-1.0, 0.4, 0.9], -0.3),
        (0.2, vec![-1.0, -0.2, 1.0], 0.4),
        (0.4, vec![-0.9, -0.4, 1.0], 0.3),
    ];
    for (shift, at_max, at_min) in cases {
        let profile = TemperatureProfile::shifted(0.1, 0.2, shift);
        let TemperatureProfile::Shifted { scale, .. } = profile else { panic!("not shifted: {profile:?}") };
        assert_close(scale, (1.0 + f64::abs(shift)) / 2.0, 1e-12, "k_s");
        for c in at_max {
            assert_close(tau_at(profile, c), 0.2, 1e-12, &format!("Δc {shift}: τ({c})"));
        }
        assert_close(tau_at(profile, at_min), 0.1, 1e-12, &format!("Δc {shift}: τ({at_min})"));
        for i in 0..=40 {
            let c = -1.0 + i as f64 / 20.0;
            let expected = reference_shifted_tau(0.1, 0.2, shift, scale, c);
            assert_close(tau_at(profile, c), expected, 1e-12, &format!("Δc {shift}: τ({c})"));
        }
    }
}

#[test]
fn linear_exponential_and_constant_profiles_follow_their_formulas() {
    let linear = TemperatureProfile::Linear { tau_min: 0.1, tau_max: 0.2 };
    let exponential =
        TemperatureProfile::Exponential { tau_min: 0.1, tau_max: 0.2, rate: EXPONENTIAL_PROFILE_RATE };
    for c in [-1.0, -0.3, 0.0, 0.5, 1.0] {
        let a = EXPONENTIAL_PROFILE_RATE;
        assert_close(tau_at(linear, c), 0.1 + 0.1 * f64::abs(c), 1e-12, "linear");
        let expected = 0.1 + 0.1 * ((a * f64::abs(c)).exp() - 1.0) / (a.exp() - 1.0);
        assert_close(tau_at(exponential, c), expected, 1e-12, "exponential");
        assert_close(tau_at(TemperatureProfile::Constant { tau: 0.15 }, c), 0.15, 1e-12, "constant");
    }
}

#[test]
fn profiles_that_would_give_a_non_positive_tau_are_refused() {
    let c = Tensor::from_slice(&[0.0f64]);
    let bad = [
        TemperatureProfile::Cosine { tau_min: 0.0, tau_max: 0.2 },
        TemperatureProfile::Cosine { tau_min: 0.2, tau_max: 0.1 },
        TemperatureProfile::Constant { tau: -0.1 },
        TemperatureProfile::Shifted { tau_min: 0.1, tau_max: 0.2, shift: -0.4, scale: 0.0 },
        TemperatureProfile::Shifted { tau_min: 0.1, tau_max: 0.2, shift: 1.5, scale: 1.25 },
        TemperatureProfile::Exponential { tau_min: 0.1, tau_max: 0.2, rate: 0.0 },
    ];
    for profile in bad {
        assert!(profile.temperatures(&c).is_err(), "{profile:?} accepted");
        assert!(dystress(&random(4, 3, 1), profile, TauGradient::Stopped).is_err(), "{profile:?} accepted");
    }
}

/// NT-Xent with per-pair temperatures, looped over anchors.
fn reference_dystress(z: &[Vec<f64>], tau: impl Fn(f64) -> f64) -> f64 {
    let c = cosines(z);
    reference_info_nce(z.len(), |i, j| c[i][j] / tau(c[i][j]))
}

#[test]
fn the_loss_matches_a_loop_with_per_pair_temperatures() {
    let z = random(6, 4, 20);
    let r = rows(&z);
    let cosine = TemperatureProfile::Cosine { tau_min: 0.07, tau_max: 0.2 };
    let expected = reference_dystress(&r, |c| reference_cosine_tau(0.07, 0.2, c));
    assert_close(value(&dystress(&z, cosine, TauGradient::Stopped).unwrap()), expected, 1e-10, "cosine");
    let shifted = TemperatureProfile::shifted(0.1, 0.2, -0.4);
    let expected = reference_dystress(&r, |c| reference_shifted_tau(0.1, 0.2, -0.4, 0.7, c));
    assert_close(value(&dystress(&z, shifted, TauGradient::Flows).unwrap()), expected, 1e-10, "shifted");
}

#[test]
fn a_flat_profile_is_nt_xent() {
    let z = random(8, 5, 21);
    let flat = TemperatureProfile::Cosine { tau_min: 0.1, tau_max: 0.1 };
    let expected = value(&nt_xent(&z, 0.1));
    assert_close(value(&dystress(&z, flat, TauGradient::Stopped).unwrap()), expected, 1e-10, "flat cosine");
    let constant = TemperatureProfile::Constant { tau: 0.1 };
    assert_close(value(&dystress(&z, constant, TauGradient::Flows).unwrap()), expected, 1e-10, "constant");
}

/// The loss rebuilt from scalar tensor ops, dividing each cosine by a given, constant τ_ij: its
/// gradient is what the stop-gradient mode must produce (∂L/∂c_ij = p_ij/τ_ij).
fn loss_with_frozen_temperatures(z: &Tensor, tau: &[Vec<f64>]) -> Tensor {
    let c = scalar_cosines(z);
    let n2 = c.len();
    let logit = |i: usize, j: usize| &c[i][j] / tau[i][j];
    let per_anchor: Vec<Tensor> = (0..n2)
        .map(|i| {
            let others: Vec<Tensor> = (0..n2).filter(|&j| j != i).map(|j| logit(i, j)).collect();
            Tensor::stack(&others, 0).logsumexp([0i64].as_slice(), false) - logit(i, partner(i, n2))
        })
        .collect();
    Tensor::stack(&per_anchor, 0).mean(Kind::Double)
}

#[test]
fn stopped_tau_backpropagates_as_if_tau_were_a_constant() {
    let z = random(6, 4, 22);
    let profile = TemperatureProfile::Cosine { tau_min: 0.07, tau_max: 0.2 };
    let frozen: Vec<Vec<f64>> = cosines(&rows(&z))
        .iter()
        .map(|row| row.iter().map(|&c| reference_cosine_tau(0.07, 0.2, c)).collect())
        .collect();
    let stopped = gradient(&z, |z| dystress(z, profile, TauGradient::Stopped).unwrap());
    let expected = gradient(&z, |z| loss_with_frozen_temperatures(z, &frozen));
    for (g, e) in stopped.iter().zip(&expected) {
        assert_close(*g, *e, 1e-9, "stop-gradient ∂L/∂z");
    }
    let flowing = gradient(&z, |z| dystress(z, profile, TauGradient::Flows).unwrap());
    let difference = stopped.iter().zip(&flowing).map(|(a, b)| (a - b).abs()).fold(0.0, f64::max);
    assert!(difference > 1e-3, "τ's own derivative changed nothing: {difference}");
}

#[test]
fn flowing_tau_gives_the_true_gradient() {
    let z = random(6, 4, 23);
    let profile = TemperatureProfile::Cosine { tau_min: 0.07, tau_max: 0.2 };
    let loss = |z: &Tensor| value(&dystress(z, profile, TauGradient::Flows).unwrap());
    let analytic = gradient(&z, |z| dystress(z, profile, TauGradient::Flows).unwrap());
    let flat = values(&z);
    let step = 1e-6;
    for (k, g) in analytic.iter().enumerate() {
        let shifted = |delta: f64| {
            let mut v = flat.clone();
            v[k] += delta;
            loss(&Tensor::from_slice(&v).view([6, 4]))
        };
        let numeric = (shifted(step) - shifted(-step)) / (2.0 * step);
        assert_close(*g, numeric, 1e-6, &format!("∂L/∂z[{k}]"));
    }
}

#[test]
fn pair_temperatures_are_the_profile_at_each_pairs_cosine() {
    let z = random(6, 4, 24).set_requires_grad(true);
    let profile = TemperatureProfile::Cosine { tau_min: 0.1, tau_max: 0.2 };
    let t = pair_temperatures(&z, profile).unwrap();
    assert!(!t.positive.requires_grad() && !t.negative.requires_grad(), "dashboard values carry no graph");
    let c = cosines(&rows(&z.detach()));
    let expected_positive: Vec<f64> =
        (0..6).map(|i| reference_cosine_tau(0.1, 0.2, c[i][partner(i, 6)])).collect();
    let mut expected_negative = Vec::new();
    for (i, row) in c.iter().enumerate() {
        for (j, &cij) in row.iter().enumerate() {
            if j != i && j != partner(i, 6) {
                expected_negative.push(reference_cosine_tau(0.1, 0.2, cij));
            }
        }
    }
    for (got, expected) in
        [(values(&t.positive), expected_positive), (values(&t.negative), expected_negative)]
    {
        assert_eq!(got.len(), expected.len());
        for (g, e) in got.iter().zip(&expected) {
            assert_close(*g, *e, 1e-12, "τ of a pair");
        }
    }
}
