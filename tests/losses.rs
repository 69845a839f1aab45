//! Loss functions against hand-computed values: the golden tables of the specs, explicit f64
//! loops over pairs for the rest, and the properties every loss must keep (view symmetry,
//! finite gradients at low temperature, errors on bad input).
#[path = "losses/contrastive.rs"]
mod contrastive;
#[path = "losses/dystress.rs"]
mod dystress;
#[path = "losses/golden.rs"]
mod golden;
#[path = "losses/mixssl.rs"]
mod mixssl;
#[path = "losses/non_contrastive.rs"]
mod non_contrastive;
#[path = "losses/properties.rs"]
mod properties;
#[path = "losses/support.rs"]
mod support;
