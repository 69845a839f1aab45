//! A copy of a method's networks that follows them by an exponential moving average: BYOL's
//! target network and MoCo's key encoder. It is built in a store of its own, so that its
//! variables can be listed and paired by name with the online networks, and each of its
//! tensors is also registered, untrainable, under `target` in the run's store, so that
//! checkpoints keep it.
use tch::nn::{self, VarStore};
use tch::Tensor;

pub struct MomentumCopy<T> {
    pub networks: T,
    /// (copy, online) pairs of parameters, which the copy averages.
    parameters: Vec<(Tensor, Tensor)>,
    /// (copy, online) pairs of buffers (batch-norm statistics), which the copy takes as they
    /// are (digest 003 §2.2: "copy BN buffers").
    buffers: Vec<(Tensor, Tensor)>,
    _store: VarStore,
}

impl<T> MomentumCopy<T> {
    /// `build` makes the networks under a path; it must be what built the online networks
    /// under `p`, so that every name has its online counterpart. The copy starts equal to them.
    pub fn new(p: &nn::Path, build: impl Fn(&nn::Path) -> T) -> Self {
        let store = VarStore::new(p.device());
        let networks = build(&store.root());
        let target = p / "target";
        let (mut parameters, mut buffers) = (Vec::new(), Vec::new());
        for (name, copy) in store.variables() {
            let online = lookup(p, &name)
                .unwrap_or_else(|| panic!("the momentum copy's {name} has no online counterpart"));
            let copy = copy.set_requires_grad(false);
            tch::no_grad(|| copy.shallow_clone().copy_(&online));
            let (parent, leaf) = sub_path(&target, &name);
            let _ = parent.add(leaf, copy.shallow_clone(), false);
            match online.requires_grad() {
                true => parameters.push((copy, online)),
                false => buffers.push((copy, online)),
            }
        }
        Self { networks, parameters, buffers, _store: store }
    }

    /// copy ← m·copy + (1 − m)·online for every parameter; buffers are copied.
    pub fn follow(&self, momentum: f64) {
        tch::no_grad(|| {
            for (copy, online) in &self.parameters {
                let _ = copy.shallow_clone().lerp_(online, 1.0 - momentum);
            }
            for (copy, online) in &self.buffers {
                copy.shallow_clone().copy_(online);
            }
        });
    }
}

/// BYOL's momentum at step `step` of `total`: from `base` up to 1 along a cosine.
pub fn cosine_momentum(base: f64, step: usize, total: usize) -> f64 {
    let progress = step as f64 / total.max(1) as f64;
    1.0 - (1.0 - base) * ((std::f64::consts::PI * progress).cos() + 1.0) / 2.0
}

/// The variable `name` ("a.b.c") under `p`.
fn lookup(p: &nn::Path, name: &str) -> Option<Tensor> {
    let (parent, leaf) = sub_path(p, name);
    parent.get(leaf)
}

/// The path of `name`'s parent under `p`, and its last component.
fn sub_path<'a, 'n>(p: &nn::Path<'a>, name: &'n str) -> (nn::Path<'a>, &'n str) {
    let mut parts: Vec<&str> = name.split('.').collect();
    let leaf = parts.pop().unwrap_or(name);
    (parts.into_iter().fold(p.clone(), |path, part| path.sub(part)), leaf)
}
