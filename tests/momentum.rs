//! The exact update rules of the momentum networks: BYOL's EMA target and cosine schedule,
//! MoCo's key encoder and its queue of keys.
use medssl::augment::ViewPair;
use medssl::methods::moco::MocoConfig;
use medssl::methods::momentum::{cosine_momentum, MomentumCopy};
use medssl::methods::two_view::ProjectorConfig;
use medssl::methods::{BuildContext, MethodConfig};
use medssl::nn::{Depth, EncoderConfig, Stem};
use tch::nn::{self, Module, ModuleT, VarStore};
use tch::{Device, Kind, Tensor};

fn max_abs(t: &Tensor) -> f64 {
    t.abs().max().double_value(&[])
}

struct Net {
    linear: nn::Linear,
    bn: nn::BatchNorm,
}

fn build(p: &nn::Path) -> Net {
    Net {
        linear: nn::linear(p / "linear", 3, 2, Default::default()),
        bn: nn::batch_norm1d(p / "bn", 2, Default::default()),
    }
}

#[test]
fn the_copy_starts_equal_then_averages_parameters_and_copies_buffers() {
    let vs = VarStore::new(Device::Cpu);
    let online = build(&vs.root());
    let copy = MomentumCopy::new(&vs.root(), build);
    assert_eq!(max_abs(&(&copy.networks.linear.ws - &online.linear.ws)), 0.0, "starts equal");
    assert!(!copy.networks.linear.ws.requires_grad(), "the copy takes no gradient");
    let names = vs.variables();
    assert!(names.contains_key("target.linear.weight") && names.contains_key("target.bn.running_mean"));
    let trainable = vs.trainable_variables().len();
    assert_eq!(trainable, 4, "only the online weight, bias, and BN affine are trained");

    let before = copy.networks.linear.ws.copy();
    tch::no_grad(|| {
        let _ = online.linear.ws.shallow_clone().fill_(2.0);
    });
    // Batch statistics move the online running mean; the copy must take it as it is.
    let _ = online.bn.forward_t(&(Tensor::ones([4, 2], (Kind::Float, Device::Cpu)) * 5.0), true);
    copy.follow(0.9);
    let expected = &before * 0.9 + 2.0 * 0.1;
    assert!(max_abs(&(&copy.networks.linear.ws - expected)) < 1e-6, "copy ← 0.9·copy + 0.1·online");
    assert!(max_abs(&(&copy.networks.bn.running_mean - &online.bn.running_mean)) == 0.0, "buffers copied");
    assert!(max_abs(&online.bn.running_mean) > 0.1, "the online statistics did move");
    copy.follow(1.0);
    assert!(max_abs(&(&copy.networks.linear.ws - &before * 0.9 - 0.2)) < 1e-6, "momentum 1 freezes the copy");
    let _ = online.linear.forward(&Tensor::zeros([1, 3], (Kind::Float, Device::Cpu)));
}

#[test]
fn byol_momentum_rises_from_base_to_one_along_a_cosine() {
    assert!((cosine_momentum(0.996, 0, 100) - 0.996).abs() < 1e-12);
    assert!((cosine_momentum(0.996, 50, 100) - 0.998).abs() < 1e-12);
    assert!((cosine_momentum(0.996, 100, 100) - 1.0).abs() < 1e-12);
    assert!(cosine_momentum(0.996, 25, 100) < cosine_momentum(0.996, 75, 100));
}

#[test]
fn moco_queues_the_normalised_keys_and_overwrites_the_oldest() {
    let vs = VarStore::new(Device::Cpu);
    let encoder = EncoderConfig { arch: Depth::ResNet10, width: 0.125, stem: Stem::Small };
    let ctx = BuildContext {
        encoder: &encoder,
        image_size: 16,
        seed: 0,
        total_steps: 3,
        first_step: 0,
        progress: &medssl::data::no_progress,
    };
    let config = MethodConfig::MocoV2(MocoConfig {
        views: ViewPair::default(),
        projector: ProjectorConfig { hidden: Some(16), out: 8, depth: 2 },
        queue: 5,
        ..Default::default()
    });
    let mut moco = config.build(&vs.root(), &ctx).unwrap();
    let queue = || vs.variables()["queue"].copy();
    let start = queue();
    assert!(max_abs(&(start.norm_scalaropt_dim(2, [1i64].as_slice(), false) - 1.0)) < 1e-5, "unit keys");
    let mut keys = Vec::new();
    for step in 0..3 {
        let images = Tensor::rand([2, 3, 16, 16], (Kind::Float, Device::Cpu)) * (step + 1) as f64 / 3.0;
        let out = moco.step(&images).unwrap();
        keys.push(out.embeddings.unwrap().second);
    }
    let keys = Tensor::cat(&keys, 0);
    assert!(max_abs(&(keys.norm_scalaropt_dim(2, [1i64].as_slice(), false) - 1.0)) < 1e-5);
    let now = queue();
    // Six keys through five slots: the sixth overwrote slot 0, slots 1-4 hold keys 2-5.
    assert!(max_abs(&(now.get(0) - keys.get(5))) < 1e-6, "the newest key replaced the oldest");
    assert!(max_abs(&(now.narrow(0, 1, 4) - keys.narrow(0, 1, 4))) < 1e-6);
    assert!(max_abs(&(now - start)) > 0.1);
}
