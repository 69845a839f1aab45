//! What holds for every loss: swapping the views leaves the two-view losses unchanged (MoCo's
//! asymmetric form excepted), gradients stay finite at τ = 0.07 even for collapsed batches, and
//! bad input is an error rather than a panic.
use crate::support::{assert_close, gradients_are_finite, random, swap_views, value};
use medssl::methods::losses::binary::{combo, euclidean_info_nce, proposed, PairAveraging};
use medssl::methods::losses::decoupled::{dcl, dclw};
use medssl::methods::losses::dystress::{dystress, TauGradient, TemperatureProfile};
use medssl::methods::losses::mio::{mio, MioVersion};
use medssl::methods::losses::moco::moco_info_nce;
use medssl::methods::losses::nt_xent;
use medssl::methods::losses::redundancy::{barlow_twins, vicreg, VicregWeights};
use medssl::methods::losses::regression::{byol, simsiam};
use tch::{Kind, Tensor};

type BatchLoss = Box<dyn Fn(&Tensor) -> Tensor>;

/// Every in-batch contrastive loss on `z: [2N, D]` at temperature `tau`.
fn contrastive_losses(tau: f64) -> Vec<(&'static str, BatchLoss)> {
    let dystress_cosine = TemperatureProfile::Cosine { tau_min: tau, tau_max: 0.2 };
    vec![
        ("NT-Xent", Box::new(move |z| nt_xent(z, tau))),
        ("L_Proposed 4N²", Box::new(move |z| proposed(z, tau, PairAveraging::AllPairs).unwrap())),
        ("L_Proposed means", Box::new(move |z| proposed(z, tau, PairAveraging::SeparateMeans).unwrap())),
        ("L_Contr", Box::new(move |z| euclidean_info_nce(z, tau, true).unwrap())),
        ("L_Contr raw", Box::new(move |z| euclidean_info_nce(z, tau, false).unwrap())),
        ("L_Combo", Box::new(move |z| combo(z, tau, tau, PairAveraging::AllPairs, true).unwrap().total)),
        ("MIOv1", Box::new(move |z| mio(z, tau, MioVersion::V1).unwrap())),
        ("MIOv2", Box::new(move |z| mio(z, tau, MioVersion::V2).unwrap())),
        ("MIOv3", Box::new(move |z| mio(z, tau, MioVersion::V3).unwrap())),
        ("DCL", Box::new(move |z| dcl(z, tau).unwrap())),
        ("DCLW", Box::new(move |z| dclw(z, tau, 0.5).unwrap())),
        ("DySTreSS stopped", Box::new(move |z| dystress(z, dystress_cosine, TauGradient::Stopped).unwrap())),
        ("DySTreSS flowing", Box::new(move |z| dystress(z, dystress_cosine, TauGradient::Flows).unwrap())),
        (
            "DySTreSS shifted",
            Box::new(move |z| {
                dystress(z, TemperatureProfile::shifted(tau, 0.2, -0.4), TauGradient::Flows).unwrap()
            }),
        ),
    ]
}

/// The losses that take the two views as separate `[N, D]` tensors, on `z: [2N, D]` split in
/// halves; for BYOL and SimSiam the second half doubles as both predictions and targets of the
/// other view, with the roles shifted by one row so that the pairs are not trivially aligned.
fn two_tensor_losses() -> Vec<(&'static str, BatchLoss)> {
    fn halves(z: &Tensor) -> (Tensor, Tensor) {
        let n = z.size()[0] / 2;
        (z.narrow(0, 0, n), z.narrow(0, n, n))
    }
    fn targets(v: &Tensor) -> Tensor {
        v.roll([1i64].as_slice(), [0i64].as_slice()) * 2.0 + 0.5
    }
    vec![
        (
            "Barlow Twins",
            Box::new(|z| {
                let (a, b) = halves(z);
                barlow_twins(&a, &b, 5e-3).unwrap().total
            }),
        ),
        (
            "VICReg",
            Box::new(|z| {
                let (a, b) = halves(z);
                vicreg(&a, &b, VicregWeights::default()).unwrap().total
            }),
        ),
        (
            "BYOL",
            Box::new(|z| {
                let (a, b) = halves(z);
                byol(&a, &b, &targets(&a), &targets(&b)).unwrap()
            }),
        ),
        (
            "SimSiam",
            Box::new(|z| {
                let (a, b) = halves(z);
                simsiam(&a, &b, &targets(&a), &targets(&b)).unwrap()
            }),
        ),
    ]
}

#[test]
fn swapping_the_views_changes_no_two_view_loss() {
    let z = random(8, 5, 40);
    for (name, loss) in contrastive_losses(0.2).into_iter().chain(two_tensor_losses()) {
        let (original, swapped) = (value(&loss(&z)), value(&loss(&swap_views(&z))));
        assert!(original.is_finite(), "{name}: {original}");
        assert_close(swapped, original, 1e-10, &format!("{name} with the views swapped"));
    }
}

#[test]
fn the_losses_see_the_pairing_not_only_the_set_of_rows() {
    // Shuffling view 2 against view 1 must change every loss: a loss blind to which rows are
    // partners would pass the symmetry test above for the wrong reason.
    let z = random(8, 5, 41);
    let order = Tensor::from_slice(&[0i64, 1, 2, 3, 5, 6, 7, 4]);
    let mispaired = z.index_select(0, &order);
    for (name, loss) in contrastive_losses(0.2).into_iter().chain(two_tensor_losses()) {
        let change = (value(&loss(&z)) - value(&loss(&mispaired))).abs();
        assert!(change > 1e-6, "{name} did not notice the views were re-paired");
    }
}

#[test]
fn the_cosine_losses_ignore_the_scale_of_the_rows() {
    let z = random(8, 5, 51);
    for (name, loss) in contrastive_losses(0.2).into_iter().filter(|(name, _)| *name != "L_Contr raw") {
        assert_close(value(&loss(&(&z * 3.0))), value(&loss(&z)), 1e-10, &format!("{name} of 3z"));
    }
}

#[test]
fn moco_is_asymmetric_in_queries_and_keys() {
    let (q, k, queue) = (random(4, 5, 42), random(4, 5, 43), random(6, 5, 44));
    let forward = value(&moco_info_nce(&q, &k, &queue, 0.2).unwrap());
    let reversed = value(&moco_info_nce(&k, &q, &queue, 0.2).unwrap());
    assert!(
        (forward - reversed).abs() > 1e-6,
        "queries and keys play the same role: {forward} vs {reversed}"
    );
}

/// f32, as in training: random rows, one row repeated 2N times, and that with 1e-6 noise.
fn hard_batches() -> Vec<(&'static str, Tensor)> {
    let random_rows = random(8, 6, 45).to_kind(Kind::Float);
    let collapsed = random_rows.get(0).unsqueeze(0).repeat([8, 1]);
    let nearly = &collapsed + random(8, 6, 46).to_kind(Kind::Float) * 1e-6;
    vec![("random", random_rows), ("collapsed", collapsed), ("nearly collapsed", nearly)]
}

#[test]
fn gradients_are_finite_at_tau_0_07_even_when_collapsed() {
    for (batch, z) in hard_batches() {
        for (name, loss) in contrastive_losses(0.07).into_iter().chain(two_tensor_losses()) {
            assert!(gradients_are_finite(&z, loss), "{name} on a {batch} batch");
        }
        let queue = random(16, 6, 47).to_kind(Kind::Float);
        let keys = z.narrow(0, 4, 4).detach();
        assert!(
            gradients_are_finite(&z.narrow(0, 0, 4), |q| moco_info_nce(q, &keys, &queue, 0.07).unwrap()),
            "MoCo on a {batch} batch"
        );
    }
}

#[test]
fn half_precision_inputs_are_computed_in_f32() {
    let z = random(8, 5, 48).to_kind(Kind::BFloat16);
    assert_eq!(mio(&z, 0.07, MioVersion::V3).unwrap().kind(), Kind::Float);
    let (a, b) = (z.narrow(0, 0, 4), z.narrow(0, 4, 4));
    assert_eq!(vicreg(&a, &b, VicregWeights::default()).unwrap().total.kind(), Kind::Float);
}

#[test]
fn bad_input_is_an_error() {
    let z = random(8, 5, 49);
    let odd = random(7, 5, 49);
    let flat = random(1, 8, 49).view([8]);
    let one_image = random(2, 5, 49);
    for bad in [&odd, &flat] {
        assert!(proposed(bad, 0.25, PairAveraging::AllPairs).is_err());
        assert!(euclidean_info_nce(bad, 0.33, true).is_err());
        assert!(dystress(bad, TemperatureProfile::default(), TauGradient::Stopped).is_err());
    }
    // Losses with a negative term need two images.
    assert!(mio(&one_image, 0.2, MioVersion::V3).is_err());
    assert!(dcl(&one_image, 0.1).is_err());
    for tau in [0.0, -0.1, f64::NAN] {
        assert!(mio(&z, tau, MioVersion::V1).is_err(), "τ = {tau}");
        assert!(proposed(&z, tau, PairAveraging::AllPairs).is_err(), "τ = {tau}");
        assert!(dcl(&z, tau).is_err(), "τ = {tau}");
    }
    assert!(dclw(&z, 0.1, 0.0).is_err());
    let (a, b) = (random(4, 5, 50), random(4, 6, 50));
    assert!(barlow_twins(&a, &b, 5e-3).is_err());
    assert!(barlow_twins(&a, &a, -1.0).is_err());
    assert!(vicreg(&a, &b, VicregWeights::default()).is_err());
    assert!(vicreg(&a.narrow(0, 0, 1), &a.narrow(0, 0, 1), VicregWeights::default()).is_err());
    assert!(byol(&a, &a, &b, &b).is_err());
    assert!(simsiam(&a, &a, &b, &b).is_err());
    assert!(moco_info_nce(&a, &a, &b, 0.2).is_err(), "queue of another width");
    assert!(moco_info_nce(&a, &b, &a, 0.2).is_err(), "keys of another width");
    assert!(moco_info_nce(&a, &a, &a, 0.0).is_err());
}
