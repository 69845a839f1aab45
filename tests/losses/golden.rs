//! specs/004a §7.3: N = 2 (four views, i and i+2 positives), on the collapsed batch (every
//! cosine 1) and the ideal one (positives 1, negatives 0); and the τ(c) table of specs/004b
//! §6.2.5.
use crate::support::{assert_close, tensor, value};
use medssl::methods::losses::binary::{
    combo, euclidean_info_nce, proposed, PairAveraging, CONTR_TEMPERATURE, PROPOSED_TEMPERATURE,
};
use medssl::methods::losses::dystress::TemperatureProfile;
use medssl::methods::losses::mio::{mio, MioVersion, MIO_TEMPERATURE};
use medssl::methods::losses::nt_xent;
use tch::{Kind, Tensor};

fn collapsed() -> Tensor {
    tensor(&[vec![1.0, 0.0], vec![1.0, 0.0], vec![1.0, 0.0], vec![1.0, 0.0]])
}

fn orthogonal() -> Tensor {
    tensor(&[vec![1.0, 0.0], vec![0.0, 1.0], vec![1.0, 0.0], vec![0.0, 1.0]])
}

/// The table's values have six decimals.
const TABLE_TOLERANCE: f64 = 1e-6;

fn assert_golden(name: &str, loss: impl Fn(&Tensor) -> Tensor, collapsed_value: f64, orthogonal_value: f64) {
    assert_close(value(&loss(&collapsed())), collapsed_value, TABLE_TOLERANCE, &format!("{name}, case A"));
    assert_close(value(&loss(&orthogonal())), orthogonal_value, TABLE_TOLERANCE, &format!("{name}, case B"));
}

#[test]
fn the_binary_losses_reproduce_the_table() {
    assert_golden(
        "L_Proposed",
        |z| proposed(z, PROPOSED_TEMPERATURE, PairAveraging::AllPairs).unwrap(),
        2.013612,
        0.351111,
    );
    assert_golden("L_Contr", |z| euclidean_info_nce(z, CONTR_TEMPERATURE, true).unwrap(), 1.098612, 0.004655);
    let combo_total = |z: &Tensor| {
        combo(z, PROPOSED_TEMPERATURE, CONTR_TEMPERATURE, PairAveraging::AllPairs, true).unwrap().total
    };
    assert_golden("L_Combo", combo_total, 3.112225, 0.355766);
}

#[test]
fn the_mio_losses_reproduce_the_table() {
    assert_golden("MIOv1", |z| mio(z, MIO_TEMPERATURE, MioVersion::V1).unwrap(), 5.013431, 0.699863);
    assert_golden("MIOv2", |z| mio(z, MIO_TEMPERATURE, MioVersion::V2).unwrap(), 0.006715, -4.306853);
    assert_golden("MIOv3", |z| mio(z, MIO_TEMPERATURE, MioVersion::V3).unwrap(), 143.413159, -4.0);
}

#[test]
fn nt_xent_reproduces_the_table_in_f64_and_f32() {
    assert_golden("NT-Xent", |z| nt_xent(z, 0.1), 1.098612, 0.000091);
    assert_golden("NT-Xent in f32", |z| nt_xent(&z.to_kind(Kind::Float), 0.1), 1.098612, 0.000091);
}

#[test]
fn the_documented_defaults_are_the_tables() {
    assert_eq!(PROPOSED_TEMPERATURE, 0.25);
    assert_eq!(CONTR_TEMPERATURE, 0.33);
    assert_eq!(MIO_TEMPERATURE, 0.2);
    assert_eq!(PairAveraging::default(), PairAveraging::AllPairs);
    assert_eq!(MioVersion::default(), MioVersion::V3);
}

#[test]
fn dystress_cosine_profile_reproduces_the_table() {
    // specs/004b §6.2.5, four decimals.
    let c = [-1.0, -0.5, -0.25, 0.0, 0.25, 0.5, 1.0];
    let imagenet = [0.2, 0.15, 0.1146, 0.1, 0.1146, 0.15, 0.2];
    let cifar = [0.2, 0.135, 0.0890, 0.07, 0.0890, 0.135, 0.2];
    for (tau_min, expected) in [(0.1, imagenet), (0.07, cifar)] {
        let profile = TemperatureProfile::Cosine { tau_min, tau_max: 0.2 };
        let tau = profile.temperatures(&Tensor::from_slice(&c)).unwrap();
        for (i, e) in expected.iter().enumerate() {
            assert_close(
                tau.double_value(&[i as i64]),
                *e,
                5e-5,
                &format!("τ({}) for ({tau_min}, 0.2)", c[i]),
            );
        }
    }
}
