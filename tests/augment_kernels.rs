//! The fused CPU kernels (`augment::cpu`) against the tensor form each op keeps for GPUs:
//! the same draws must give the same images, over every order of colour adjustments, σ from
//! a fraction of a pixel to beyond the kernel, crops of every size and place, and 2D and 3D.
mod common;

use common::augment::{images, max_abs};
use medssl::augment::color_jitter::{self, Adjust};
use medssl::augment::tensor::{luma, warp};
use medssl::augment::{blur, cpu, AugRng, ColorJitter, Padding};
use tch::{Device, Kind, Tensor};

/// Images whose values are multiples of 1/8: ties between channels, pure greys, 0 and 1, the
/// cases where the HSV conversion branches.
fn coarse(seed: u64, shape: &[i64]) -> Tensor {
    (images(seed, shape) * 8.0).floor() / 8.0
}

fn assert_close(kernel: &Tensor, reference: &Tensor, tolerance: f64, what: &str) {
    assert_eq!(kernel.size(), reference.size(), "{what}: shape");
    let diff = max_abs(&(kernel - reference));
    assert!(diff <= tolerance, "{what}: the kernel differs from the tensor form by {diff}");
}

#[test]
fn colour_adjustments_match_the_tensor_form_in_every_order() {
    let jitter = ColorJitter { p: 0.9, brightness: 0.8, contrast: 0.8, saturation: 0.8, hue: 0.5 };
    for (seed, shape) in [(1, vec![48, 3, 9, 11]), (2, vec![48, 1, 9, 11]), (3, vec![12, 3, 4, 5, 6])] {
        for x in [images(seed, &shape), coarse(seed, &shape)] {
            let draws = jitter.draw(&x, &mut AugRng::new(seed));
            let orders: std::collections::HashSet<Vec<String>> = draws
                .iter()
                .map(|d| d.iter().map(|a| format!("{a:?}").chars().take(3).collect()).collect())
                .collect();
            // Grey: brightness and contrast in either order, or nothing.
            let expected = if shape[1] == 3 && shape[0] == 48 { 9 } else { 3 };
            assert!(orders.len() >= expected, "too few orders drawn: {}", orders.len());
            let kernel = cpu::colour::adjust_batch(&x, &draws);
            assert_close(&kernel, &color_jitter::adjust_batch(&x, &draws), 2e-5, "colour jitter");
            assert!(max_abs(&(&kernel - &x)) > 0.1, "the jitter changed nothing");
        }
    }
}

#[test]
fn each_colour_adjustment_alone_matches_at_its_extremes() {
    let x = coarse(4, &[6, 3, 7, 7]);
    for adjustment in [
        Adjust::Brightness(0.0),
        Adjust::Brightness(1.9),
        Adjust::Contrast(0.0),
        Adjust::Contrast(1.8),
        Adjust::Saturation(0.0),
        Adjust::Saturation(2.0),
        Adjust::Hue(-0.5),
        Adjust::Hue(0.5),
        Adjust::Hue(1e-7),
    ] {
        let draws = vec![vec![adjustment]; 6];
        let kernel = cpu::colour::adjust_batch(&x, &draws);
        assert_close(&kernel, &color_jitter::adjust_batch(&x, &draws), 2e-5, &format!("{adjustment:?}"));
    }
}

#[test]
fn blur_matches_the_depthwise_convolution() {
    let x = images(5, &[10, 3, 23, 17]);
    let chosen = [true, false, true, true, true, true, true, true, false, true];
    let sigma = [0.05, 3.0, 0.1, 0.5, 1.0, 2.0, 4.0, 9.0, 1.0, 1.5];
    for k in [3, 7, 11, 23, 33] {
        let kernel = cpu::blur::blur_batch(&x, &chosen, &sigma, k);
        let mask = Tensor::from_slice(&chosen);
        let idx = mask.nonzero().view([-1]);
        let picked = Tensor::from_slice(&sigma).index_select(0, &idx);
        let reference = x.index_copy(0, &idx, &blur::blur(&x.index_select(0, &idx), &picked, k as i64));
        assert_close(&kernel, &reference, 1e-5, &format!("blur k {k}"));
        assert_eq!(max_abs(&(kernel.get(1) - x.get(1))), 0.0, "an unchosen sample changed");
    }
}

#[test]
fn gaussian_taps_drop_only_what_floats_cannot_see() {
    assert_eq!(cpu::blur::gaussian_taps(0.05, 23), vec![1.0], "a tiny σ is the identity");
    let wide = cpu::blur::gaussian_taps(2.0, 23);
    assert_eq!(wide.len(), 23, "σ 2 needs every tap of 23");
    assert!((wide.iter().sum::<f32>() - 1.0).abs() < 1e-6);
    let mid = cpu::blur::gaussian_taps(1.0, 23);
    assert!(mid.len() < 23 && mid.len() >= 11, "σ 1 keeps {} taps", mid.len());
}

#[test]
fn crop_resampling_matches_grid_sample() {
    let x = images(6, &[7, 3, 19, 26]);
    // [sx, cx, sy, cy]: whole image, small crops in corners, thin and wide crops.
    let maps: Vec<[f32; 4]> = vec![
        [1.0, 0.0, 1.0, 0.0],
        [0.3, 0.7, 0.3, -0.7],
        [0.1, -0.9, 0.5, 0.5],
        [0.9, 0.1, 0.2, 0.8],
        [0.5, 0.0, 1.0, 0.0],
        [0.283, 0.417, 0.771, -0.2],
        [0.05, 0.95, 0.05, 0.95],
    ];
    let theta: Vec<f32> = maps.iter().flat_map(|[sx, cx, sy, cy]| [*sx, 0.0, *cx, 0.0, *sy, *cy]).collect();
    let theta = Tensor::from_slice(&theta).view([7, 2, 3]);
    let kernel = cpu::crop::resample_batch(&x, &maps);
    assert_close(&kernel, &warp(&x, &theta, Padding::Border), 1e-5, "resized crop");
    assert_close(&kernel.get(0), &x.get(0), 1e-6, "the whole image is itself");
}

#[test]
fn flips_match_torch_flip_in_2d_and_3d() {
    let chosen = [true, false, true];
    for shape in [vec![3, 2, 5, 7], vec![3, 2, 4, 5, 6]] {
        let x = images(7, &shape);
        for dim in 2..shape.len() {
            let reference = Tensor::stack(
                &(0..3)
                    .map(|i| match chosen[i] {
                        true => x.get(i as i64).flip([dim as i64 - 1]),
                        false => x.get(i as i64),
                    })
                    .collect::<Vec<_>>(),
                0,
            );
            assert_close(&cpu::flip::flip_batch(&x, dim, &chosen), &reference, 0.0, &format!("flip {dim}"));
        }
    }
}

#[test]
fn grey_matches_the_luma_of_the_tensor_form() {
    let x = images(8, &[4, 3, 6, 5]);
    let chosen = [false, true, true, false];
    let grey = luma(&x).expand_as(&x);
    let mask = Tensor::from_slice(&chosen).view([4, 1, 1, 1]);
    assert_close(&cpu::grey::grey_batch(&x, &chosen), &grey.where_self(&mask, &x), 1e-6, "grey");
}

#[test]
fn concat_is_torch_cat() {
    let parts: Vec<Tensor> = (0..3).map(|i| images(i, &[i as i64 + 1, 2, 3, 4])).collect();
    assert_close(&cpu::concat(&parts), &Tensor::cat(&parts, 0), 0.0, "concat");
}

#[test]
fn kernels_take_float_cpu_tensors_only() {
    assert!(cpu::runs_here(&images(9, &[1, 3, 4, 4])));
    assert!(!cpu::runs_here(&images(9, &[1, 3, 4, 4]).to_kind(Kind::Double)));
    if tch::Cuda::is_available() {
        assert!(!cpu::runs_here(&images(9, &[1, 3, 4, 4]).to_device(Device::Cuda(0))));
    }
}

#[test]
fn one_thread_gives_the_same_views_as_every_core() {
    let x = images(10, &[40, 3, 16, 16]);
    let views = |seed| {
        medssl::augment::recipes::simclr(1.0)
            .apply(&x, &mut medssl::augment::Ctx::new(&mut AugRng::new(seed)))
    };
    let every_core = views(3);
    cpu::set_threads(1);
    let one = views(3);
    cpu::set_threads(2);
    assert_close(&one, &every_core, 0.0, "one thread");
    assert!(max_abs(&(views(4) - every_core)) > 0.1, "another seed gave the same views");
}
