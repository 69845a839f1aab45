//! Network pieces: backbones that expose their feature maps, decoders and heads.
pub mod decoder;
pub mod encoder;
pub mod heads;
pub mod resnet;

pub use decoder::{Decoder, DecoderConfig};
pub use encoder::{Encoder, EncoderConfig, Features};
pub use heads::{Mlp, Norm};
pub use resnet::{Depth, ResNet, Stem};
