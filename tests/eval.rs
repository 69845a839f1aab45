//! The evaluation library: metrics against hand-computed values, kNN votes by hand, the linear
//! probe on separable and on scrambled features, label budgets, fine-tuning a copy, and a
//! whole evaluation of a tiny run with masks.
mod common;

use common::{run_to_the_end, tiny_config};
use image::{GrayImage, Luma, Rgb, RgbImage};
use medssl::augment::AugRng;
use medssl::eval::{
    evaluate, finetune, knn_accuracy, knn_scores, linear_probe, roc_auc, segmentation_probe,
    ClassificationMetrics, EncoderInit, EvalConfig, EvalReport, FinetuneConfig, KnnConfig, LabelBudget,
    LinearProbeConfig, Outcome, Overlap, Protocol, SegmentationMetrics, SegmentationProbeConfig,
    StandaloneEncoder,
};
use medssl::nn::{Depth, EncoderConfig, Stem};
use std::path::Path;
use std::time::{Duration, Instant};
use tch::{Device, Kind, Tensor};

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-5
}

// ---------------------------------------------------------------- classification metrics

/// Six images, classes 0 (four images), 1 and 2 (one each), and a class 3 no image has,
/// whose scores are never highest.
fn hand_scored() -> (Vec<f32>, Vec<i64>) {
    #[rustfmt::skip]
    let scores = vec![
        0.9, 0.1, 0.0, 0.05, // true 0, predicted 0
        0.8, 0.1, 0.1, 0.05, // true 0, predicted 0
        0.6, 0.3, 0.1, 0.05, // true 0, predicted 0
        0.2, 0.7, 0.1, 0.05, // true 0, predicted 1
        0.3, 0.3, 0.4, 0.05, // true 1, predicted 2
        0.1, 0.1, 0.8, 0.05, // true 2, predicted 2
    ];
    (scores, vec![0, 0, 0, 0, 1, 2])
}

#[test]
fn classification_metrics_match_hand_computed_values() {
    let (scores, labels) = hand_scored();
    let m = ClassificationMetrics::new(&scores, 4, &labels).unwrap();
    assert!(close(m.accuracy, 4.0 / 6.0), "{}", m.accuracy);
    assert_eq!(m.per_class_accuracy, vec![Some(0.75), Some(0.0), Some(1.0), None]);
    // The mean over the three present classes, far from the plain accuracy on this imbalance.
    assert!(close(m.balanced_accuracy, (0.75 + 0.0 + 1.0) / 3.0), "{}", m.balanced_accuracy);
    assert_eq!(m.confusion, vec![vec![3, 1, 0, 0], vec![0, 0, 1, 0], vec![0, 0, 1, 0], vec![0, 0, 0, 0]]);
    // Class 0: positives 0.9 0.8 0.6 0.2 against negatives 0.3 0.1: 7 of 8 pairs.
    // Class 1: positive 0.3 against 0.1 0.1 0.3 0.7 0.1: 3 wins and a tie of 5 pairs.
    // Class 2: positive 0.8 above all five negatives. Class 3 has no positive: skipped.
    let auc = m.macro_auc.unwrap();
    assert!(close(auc, (7.0 / 8.0 + 3.5 / 5.0 + 1.0) / 3.0), "{auc}");
    // The tensor entry point on the same numbers.
    let t = ClassificationMetrics::from_tensors(
        &Tensor::from_slice(&scores).view([6, 4]),
        &Tensor::from_slice(&labels),
    )
    .unwrap();
    assert_eq!(t, m);
}

#[test]
fn auc_counts_ties_as_one_half_and_needs_both_kinds() {
    assert_eq!(roc_auc(&[0.5, 0.5], &[true, false]), Some(0.5));
    assert_eq!(roc_auc(&[0.2, 0.2, 0.2, 0.9], &[true, true, false, false]), Some((0.5 + 0.5) / 4.0));
    assert_eq!(roc_auc(&[0.1, 0.4, 0.35, 0.8], &[false, false, true, true]), Some(0.75));
    assert_eq!(roc_auc(&[0.1, 0.4], &[true, true]), None);
    // A single class among the labels: no AUC at all, not a made-up one.
    let m = ClassificationMetrics::new(&[0.3, 0.7, 0.6, 0.4], 2, &[1, 1]).unwrap();
    assert_eq!(m.macro_auc, None);
    assert!(close(m.accuracy, 0.5));
}

#[test]
fn classification_metrics_refuse_bad_input() {
    let err = |scores: &[f32], labels: &[i64]| {
        format!("{:#}", ClassificationMetrics::new(scores, 2, labels).expect_err("must refuse"))
    };
    assert!(err(&[0.1, 0.2], &[2]).contains("label 2 is outside the 2 classes"));
    assert!(err(&[0.1, f32::NAN], &[0]).contains("NaN"));
    assert!(err(&[0.1, 0.2, 0.3], &[0]).contains("do not make 1 rows"));
    assert!(err(&[], &[]).contains("no images"));
}

// ---------------------------------------------------------------- segmentation metrics

#[test]
fn dice_and_iou_match_hand_counts_and_skip_unlabelled_pixels() {
    let probabilities = Tensor::from_slice(&[0.9f32, 0.6, 0.4, 0.1, 0.7, 0.2, 0.5, 0.8]).view([1, 1, 2, 4]);
    // Label 2 counts as foreground; the two 255 pixels, both predicted foreground, do not count.
    let targets = Tensor::from_slice(&[1u8, 2, 1, 0, 0, 0, 255, 255]).view([1, 1, 2, 4]);
    let overlap = Overlap::count(&probabilities, &targets).unwrap();
    assert_eq!(
        overlap,
        Overlap { true_positive: 2, false_positive: 1, false_negative: 1, pixels: 6 },
        "predicted 1 1 0 0 1 0 against 1 1 1 0 0 0"
    );
    let m = SegmentationMetrics::from(overlap);
    assert!(close(m.dice, 4.0 / 6.0) && close(m.iou, 2.0 / 4.0), "{m:?}");
    // Counts add over batches.
    let twice = overlap + overlap;
    assert!(close(twice.dice(), 8.0 / 12.0));
    assert_eq!(twice.pixels, 12);
}

#[test]
fn an_empty_prediction_of_an_empty_target_is_perfect_and_a_false_alarm_is_not() {
    let nothing = Tensor::zeros([1, 1, 3, 3], (Kind::Uint8, Device::Cpu));
    let low = Tensor::full([1, 1, 3, 3], 0.1, (Kind::Float, Device::Cpu));
    let empty = Overlap::count(&low, &nothing).unwrap();
    assert_eq!((empty.dice(), empty.iou()), (1.0, 1.0));
    let alarm = Overlap::count(&(low + 0.8), &nothing).unwrap();
    assert_eq!((alarm.dice(), alarm.iou()), (0.0, 0.0));
    let wrong_shape = Overlap::count(&Tensor::zeros([1, 1, 2, 2], (Kind::Float, Device::Cpu)), &nothing);
    assert!(wrong_shape.is_err());
}

// ---------------------------------------------------------------- kNN

#[test]
fn knn_votes_are_the_hand_computed_weighted_sums() {
    let bank = Tensor::from_slice(&[1.0f32, 0.0, 0.8, 0.6, 0.0, 1.0, -1.0, 0.0]).view([4, 2]);
    let bank_labels = Tensor::from_slice(&[0i64, 0, 1, 2]);
    let query = Tensor::from_slice(&[1.0f32, 0.1, 0.0, -1.0]).view([2, 2]);
    let cfg = KnnConfig { k: 3, temperature: 0.5 };
    let votes = Vec::<f32>::try_from(knn_scores(&bank, &bank_labels, &query, 3, &cfg).view([-1])).unwrap();
    // Query 1, (1, 0.1)/|.|: cosines 1/√1.01, (0.8 + 0.06)/√1.01, 0.1/√1.01 and -1/√1.01; the
    // three nearest are two of class 0 and the one of class 1.
    let n = 1.01f64.sqrt();
    let w = |cosine: f64| (cosine / 0.5).exp();
    let first = [w(1.0 / n) + w(0.86 / n), w(0.1 / n), 0.0];
    // Query 2, (0, -1): cosines 0, -0.6, -1, 0; nearest: 0 (class 0), 0 (class 2), -0.6 (class 0).
    let second = [w(0.0) + w(-0.6), 0.0, w(0.0)];
    for (got, want) in votes.iter().zip(first.iter().chain(&second)) {
        assert!((*got as f64 - want).abs() < 1e-4, "votes {votes:?}, want {first:?} {second:?}");
    }
    // Query 2 is of class 2 but class 0 out-votes it.
    let accuracy = knn_accuracy(&bank, &bank_labels, &query, &Tensor::from_slice(&[0i64, 2]), &cfg);
    assert_eq!(accuracy, 0.5);
}

// ---------------------------------------------------------------- linear probe

/// `n` points of 16 dimensions in three clusters whose centres lie 8 apart along the first
/// three axes (noise of standard deviation 1), and their labels.
fn clusters(n: i64, seed: u64) -> (Tensor, Tensor) {
    let mut rng = AugRng::new(seed);
    let labels = rng.ints(n, 0, 2, Device::Cpu);
    let centres = labels.one_hot(16).to_kind(Kind::Float) * 8.0;
    (rng.normal_tensor(&[n, 16], Device::Cpu) + centres + 3.0, labels)
}

fn probe_accuracy(train: &Tensor, labels: &Tensor, test: &Tensor, test_labels: &Tensor) -> f64 {
    let scores = linear_probe(train, labels, test, 3, &LinearProbeConfig::default()).unwrap();
    ClassificationMetrics::from_tensors(&scores, test_labels).unwrap().accuracy
}

#[test]
fn the_linear_probe_separates_separable_features_and_not_scrambled_labels() {
    let (train, labels) = clusters(300, 1);
    let (test, test_labels) = clusters(300, 2);
    let good = probe_accuracy(&train, &labels, &test, &test_labels);
    assert!(good >= 0.99, "separable clusters: {good}");
    let mut rng = AugRng::new(3);
    let scrambled = labels.index_select(0, &rng.permutation(300, Device::Cpu));
    let broken = probe_accuracy(&train, &scrambled, &test, &test_labels);
    assert!(broken < 0.6, "labels unrelated to the features still gave {broken}");
    let err = linear_probe(&train, &labels.narrow(0, 0, 10), &test, 3, &LinearProbeConfig::default());
    assert!(format!("{:#}", err.unwrap_err()).contains("300 training rows"));
    let err = linear_probe(&train, &labels, &test, 2, &LinearProbeConfig::default());
    assert!(format!("{:#}", err.unwrap_err()).contains("outside the 2 classes"));
}

// ---------------------------------------------------------------- budgets

fn budget_labels() -> Vec<i64> {
    // 10 of class 0, 7 of class 1, 5 of class 2, interleaved.
    let mut labels = Vec::new();
    for i in 0..10 {
        labels.push(0);
        if i < 7 {
            labels.push(1);
        }
        if i < 5 {
            labels.push(2);
        }
    }
    labels
}

fn class_counts(labels: &[i64], picked: &[i64]) -> [usize; 3] {
    let mut counts = [0; 3];
    for &i in picked {
        counts[labels[i as usize] as usize] += 1;
    }
    counts
}

#[test]
fn budgets_pick_per_class_and_stratified_and_follow_the_seed() {
    let labels = budget_labels();
    let per_class = LabelBudget::PerClass(5);
    let a = per_class.select(&labels, 7).unwrap();
    assert_eq!(class_counts(&labels, &a), [5, 5, 5]);
    assert!(a.windows(2).all(|w| w[0] < w[1]), "sorted, no repeats: {a:?}");
    assert_eq!(per_class.select(&labels, 7).unwrap(), a, "same seed, same images");
    assert_ne!(per_class.select(&labels, 8).unwrap(), a, "another seed, other images");
    // Half of each class, rounded: 5 of 10, 4 of 7 (3.5), 3 of 5 (2.5).
    let half = LabelBudget::Fraction(0.5).select(&labels, 0).unwrap();
    assert_eq!(class_counts(&labels, &half), [5, 4, 3]);
    // A tiny fraction still keeps one image of each class.
    assert_eq!(class_counts(&labels, &LabelBudget::Fraction(0.01).select(&labels, 0).unwrap()), [1, 1, 1]);
    let all = LabelBudget::All.select(&labels, 3).unwrap();
    assert_eq!(all, (0..labels.len() as i64).collect::<Vec<_>>());
}

#[test]
fn impossible_budgets_are_refused() {
    let labels = budget_labels();
    let err = |b: LabelBudget| format!("{:#}", b.select(&labels, 0).expect_err("must refuse"));
    assert!(err(LabelBudget::PerClass(6)).contains("class 2 has 5 training images, fewer than the 6"));
    assert!(err(LabelBudget::PerClass(0)).contains("budget.per_class = 0 is out of range: must be >= 1"));
    for f in [0.0, -0.1, 1.5, f64::NAN] {
        assert!(err(LabelBudget::Fraction(f)).contains("(0, 1]"), "{f}");
    }
}

#[test]
fn eval_configs_read_from_toml() {
    let cfg: EvalConfig =
        toml::from_str("protocols = [\"knn\", \"finetune\"]\nseeds = [4]\nbudget = { per_class = 10 }\n")
            .unwrap();
    assert_eq!(cfg.protocols, vec![Protocol::Knn, Protocol::FineTune]);
    assert_eq!(cfg.budget, LabelBudget::PerClass(10));
    assert_eq!(cfg.linear, LinearProbeConfig::default());
    let fraction: EvalConfig = toml::from_str("budget = { fraction = 0.1 }").unwrap();
    assert_eq!(fraction.budget, LabelBudget::Fraction(0.1));
    let twice = EvalConfig { protocols: vec![Protocol::Knn, Protocol::Knn], ..Default::default() };
    assert!(format!("{:#}", twice.validate().unwrap_err()).contains("listed twice"));
}

// ---------------------------------------------------------------- fine-tuning

fn tiny_encoder() -> EncoderConfig {
    EncoderConfig { arch: Depth::ResNet10, width: 0.125, stem: Stem::Small }
}

#[test]
fn fine_tuning_trains_a_copy_and_leaves_the_source_weights_alone() {
    let source = StandaloneEncoder::random(&tiny_encoder(), 5, Device::Cpu);
    let before: Vec<(String, Tensor)> =
        source.vs.variables().into_iter().map(|(name, t)| (name, t.detach().copy())).collect();
    let mut rng = AugRng::new(9);
    let images = rng.uniform_tensor(&[8, 3, 16, 16], Device::Cpu);
    let labels = Tensor::from_slice(&[0i64, 1, 0, 1, 0, 1, 0, 1]);
    let cfg = FinetuneConfig { epochs: 2, batch_size: 4, ..Default::default() };
    let scores = finetune(&source, &images, &labels, &images, 2, &cfg, 0).unwrap();
    assert_eq!(scores.size(), [8, 2]);
    for (name, value) in before {
        let now = &source.vs.variables()[&name];
        assert!(now.equal(&value), "fine-tuning changed the source's {name}");
    }
    // The same seed gives the same fine-tuned scores.
    let again = finetune(&source, &images, &labels, &images, 2, &cfg, 0).unwrap();
    assert!(scores.allclose(&again, 1e-5, 1e-6, false));
}

/// `n` 16 px images, class 0 dark and class 1 bright, alternating.
fn dark_or_bright(n: i64, rng: &mut AugRng) -> (Tensor, Tensor) {
    let labels = Tensor::arange(n, (Kind::Int64, Device::Cpu)).remainder(2);
    let images = rng.uniform_tensor(&[n, 3, 16, 16], Device::Cpu) * 0.3
        + labels.to_kind(Kind::Float).view([n, 1, 1, 1]) * 0.7;
    (images, labels)
}

#[test]
fn fine_tuning_learns_an_easy_task_from_random_weights() {
    let source = StandaloneEncoder::random(&tiny_encoder(), 6, Device::Cpu);
    let mut rng = AugRng::new(4);
    let (images, labels) = dark_or_bright(16, &mut rng);
    let (test, test_labels) = dark_or_bright(16, &mut rng);
    let cfg = FinetuneConfig { epochs: 10, batch_size: 8, ..Default::default() };
    let scores = finetune(&source, &images, &labels, &test, 2, &cfg, 1).unwrap();
    let accuracy = ClassificationMetrics::from_tensors(&scores, &test_labels).unwrap().accuracy;
    assert!(accuracy >= 0.9, "{accuracy}");
}

// ---------------------------------------------------------------- segmentation probe

/// `n` 32 px images whose left or right half (at random) is bright, and masks marking it.
fn bright_halves(n: i64, rng: &mut AugRng) -> (Tensor, Tensor) {
    let left = rng.coin(n, 0.5, Device::Cpu).view([n, 1, 1, 1]);
    let columns = Tensor::arange(32, (Kind::Int64, Device::Cpu)).view([1, 1, 1, 32]);
    let masks = columns.lt(16).eq_tensor(&left).expand([n, 1, 32, 32], false).to_kind(Kind::Uint8);
    let images = rng.uniform_tensor(&[n, 3, 32, 32], Device::Cpu) * 0.2 + masks.to_kind(Kind::Float) * 0.7;
    (images, masks)
}

#[test]
fn the_segmentation_probe_finds_what_the_masks_mark_and_not_scrambled_masks() {
    let encoder = StandaloneEncoder::random(&tiny_encoder(), 2, Device::Cpu);
    let mut rng = AugRng::new(11);
    let (images, masks) = bright_halves(16, &mut rng);
    let (test, test_masks) = bright_halves(8, &mut rng);
    let cfg = SegmentationProbeConfig { steps: 150, ..Default::default() };
    let probe = |train_masks: &Tensor| {
        segmentation_probe(&encoder.encoder, &images, train_masks, &test, &test_masks, &cfg, 0).unwrap()
    };
    let good = probe(&masks);
    assert!(good.dice >= 0.9, "{good:?}");
    let scrambled = probe(&masks.flip([3]));
    assert!(scrambled.dice < 0.2, "masks of the other half still gave {scrambled:?}");
}

// ---------------------------------------------------------------- a whole evaluation

/// 16 px images in two class folders, `a_disc` and `b_square`, each a bright shape on a dark
/// background, with its mask beside it if `masks`, `per_class` of each.
fn write_shapes(root: &Path, per_class: u32, masks: bool) {
    for (class, disc) in [("a_disc", true), ("b_square", false)] {
        let dir = root.join(class);
        std::fs::create_dir_all(&dir).unwrap();
        for i in 0..per_class {
            let (cx, cy, r) = (5 + (i * 3) % 6, 5 + (i * 5) % 6, 2 + i % 3);
            let inside = |x: u32, y: u32| {
                let (dx, dy) = (x.abs_diff(cx), y.abs_diff(cy));
                if disc {
                    dx * dx + dy * dy <= r * r
                } else {
                    dx <= r && dy <= r
                }
            };
            let shade = |x: u32, y: u32| (30 + (x * 7 + y * 13 + i * 11) % 40) as u8;
            RgbImage::from_fn(16, 16, |x, y| {
                Rgb(if inside(x, y) { [220, 200, 180] } else { [shade(x, y); 3] })
            })
            .save(dir.join(format!("{i:02}.png")))
            .unwrap();
            if masks {
                GrayImage::from_fn(16, 16, |x, y| Luma([if inside(x, y) { 255 } else { 0 }]))
                    .save(dir.join(format!("{i:02}_mask.png")))
                    .unwrap();
            }
        }
    }
}

/// A one-epoch tiny run in `<work>/run` on 48 shapes in `<work>/data` (32 to train on, 16
/// held out), with or without masks.
fn shapes_run(work: &Path, masks: bool) -> std::path::PathBuf {
    write_shapes(&work.join("data"), 24, masks);
    let mut config = tiny_config(1);
    config.data.source = format!("files:{}", work.join("data").display());
    config.data.train_count = 32;
    config.data.heldout_count = 16;
    let run_dir = work.join("run");
    run_to_the_end(config, &run_dir, Duration::from_secs(120));
    run_dir
}

/// Equal up to the last bits of the floats, which a JSON round trip may change.
fn assert_same_report(loaded: &EvalReport, saved: &EvalReport) {
    assert_eq!((&loaded.config, &loaded.file, &loaded.notes), (&saved.config, &saved.file, &saved.notes));
    let keys =
        |r: &EvalReport| -> Vec<_> { r.entries.iter().map(|e| (e.protocol, e.encoder, e.seed)).collect() };
    assert_eq!(keys(loaded), keys(saved));
    assert_eq!(loaded.summary.len(), saved.summary.len());
    for (a, b) in loaded.summary.iter().zip(&saved.summary) {
        assert_eq!((a.protocol, a.encoder, &a.metric, a.seeds), (b.protocol, b.encoder, &b.metric, b.seeds));
        assert!((a.mean - b.mean).abs() < 1e-12 && (a.std - b.std).abs() < 1e-12, "{a:?} {b:?}");
    }
}

fn in_unit_range(x: f64) -> bool {
    (0.0..=1.0).contains(&x)
}

#[test]
fn a_tiny_run_is_evaluated_trained_and_untrained_by_every_protocol_and_saved() {
    let work = tempfile::tempdir().unwrap();
    let run_dir = shapes_run(work.path(), true);

    let cfg = EvalConfig {
        protocols: Protocol::ALL.to_vec(),
        budget: LabelBudget::PerClass(8),
        seeds: vec![0, 1],
        linear: LinearProbeConfig { iterations: 100, ..Default::default() },
        finetune: FinetuneConfig { epochs: 1, batch_size: 8, ..Default::default() },
        segmentation: SegmentationProbeConfig { steps: 60, ..Default::default() },
        ..Default::default()
    };
    let started = Instant::now();
    let heard = std::cell::RefCell::new(Vec::new());
    let progress = |what: &str, done: usize, total: usize| {
        heard.borrow_mut().push((what.to_string(), done, total));
        Ok(())
    };
    let mut report = evaluate(&run_dir, &cfg, Device::Cpu, &progress).unwrap();
    let took = started.elapsed();
    report.save(&run_dir).unwrap();

    let file = report.file.clone().expect("the report says where it was saved");
    assert!(file.starts_with(run_dir.join("evals")) && file.extension().unwrap() == "json", "{file:?}");
    let reloaded = EvalReport::load_all(&run_dir).unwrap();
    assert_eq!(reloaded.len(), 1);
    assert_same_report(&reloaded[0], &report);
    assert!(report.notes.is_empty(), "{:?}", report.notes);
    assert_eq!(report.classes, vec!["a_disc", "b_square"]);
    assert_eq!(report.entries.len(), 2 * 2 * 4, "encoders × seeds × protocols");
    assert!(
        heard.borrow().iter().any(|(what, ..)| what == "random init · finetune · seed 1"),
        "{:?}",
        heard.borrow()
    );
    for protocol in Protocol::ALL {
        for init in [EncoderInit::Trained, EncoderInit::Random] {
            let entries: Vec<_> =
                report.entries.iter().filter(|e| e.protocol == protocol && e.encoder == init).collect();
            assert_eq!(entries.len(), 2, "{protocol:?} {init:?}");
            for e in entries {
                assert_eq!(e.labelled_images, 16);
                match (&e.outcome, protocol) {
                    (Outcome::Classification(m), p) if p != Protocol::Segmentation => {
                        assert!(in_unit_range(m.accuracy) && in_unit_range(m.balanced_accuracy), "{m:?}");
                        assert!(m.macro_auc.is_some_and(in_unit_range), "{m:?}");
                        assert_eq!(m.confusion.iter().flatten().sum::<u64>(), 16, "every held-out image");
                    }
                    (Outcome::Segmentation(m), Protocol::Segmentation) => {
                        assert!(in_unit_range(m.dice) && in_unit_range(m.iou), "{m:?}");
                        assert_eq!(m.overlap.pixels, 16 * 16 * 16, "every held-out pixel has a label");
                    }
                    (outcome, p) => panic!("{p:?} gave {outcome:?}"),
                }
            }
            let row = report.row(
                protocol,
                init,
                if protocol == Protocol::Segmentation { "Dice" } else { "accuracy" },
            );
            let row = row.expect("a summary row");
            assert_eq!(row.seeds, 2);
            assert!(in_unit_range(row.mean) && row.std >= 0.0, "{row:?}");
        }
    }
    let linear = report.row(Protocol::Linear, EncoderInit::Trained, "accuracy").unwrap();
    let dice = report.row(Protocol::Segmentation, EncoderInit::Trained, "Dice").unwrap();
    println!(
        "tiny run: linear probe accuracy {:.3} ± {:.3}, segmentation Dice {:.3}; evaluate took {took:.1?}",
        linear.mean, linear.std, dice.mean
    );
    for e in &report.entries {
        println!("{:?} {:?} seed {}: {:.2} s", e.protocol, e.encoder, e.seed, e.seconds);
    }

    // The command line adds a second report beside the first.
    let dir = run_dir.to_str().unwrap();
    let code =
        medssl::cli::run(["medssl", "eval", dir, "--protocol", "knn", "--seeds", "1", "--device", "cpu"]);
    assert_eq!(code, std::process::ExitCode::SUCCESS);
    let all = EvalReport::load_all(&run_dir).unwrap();
    assert_eq!(all.len(), 2);
    assert_eq!(all[1].entries.len(), 2, "knn, trained and random, one seed");
}

#[test]
fn data_without_masks_gets_a_note_instead_of_segmentation() {
    let work = tempfile::tempdir().unwrap();
    let run_dir = shapes_run(work.path(), false);
    let cfg = EvalConfig {
        protocols: vec![Protocol::Knn, Protocol::Segmentation],
        budget: LabelBudget::Fraction(0.5),
        seeds: vec![3],
        ..Default::default()
    };
    let report = evaluate(&run_dir, &cfg, Device::Cpu, &medssl::data::no_progress).unwrap();
    assert_eq!(report.notes, vec!["segmentation skipped: the data has no masks"]);
    assert!(report.entries.iter().all(|e| e.protocol == Protocol::Knn));
    assert_eq!(report.entries.len(), 2);
    assert_eq!(report.entries[0].labelled_images, 16, "half of 32 training images");
    let too_many = EvalConfig { budget: LabelBudget::PerClass(100), ..cfg };
    let err =
        format!("{:#}", evaluate(&run_dir, &too_many, Device::Cpu, &medssl::data::no_progress).unwrap_err());
    assert!(err.contains("fewer than the 100 per class asked"), "{err}");
}
